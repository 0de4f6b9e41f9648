"""The icon in the browser's tab: every frame links it, and /favicon.ico finds it."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from missions.tokens import token_issue
from tests.factories import MembershipFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon(client: Client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[0][0].endswith("favicon.ico")
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_favicon_svg_is_served(client: Client):
    response = client.get("/static/favicon.svg")

    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def _icons(response) -> int:
    return response.content.decode().count('rel="icon"')


def test_favicon_is_linked_from_every_frame(client: Client):
    planner = MembershipFactory()
    participant = ParticipantFactory()
    token = token_issue(participant=participant)
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")

    client.force_login(planner.user)
    workspace = client.get(reverse("plan:dashboard"))
    client.logout()
    answer = client.get(reverse("rsvp:answer", args=[token]), follow=True)
    delegate = client.get(reverse("delegate:page", args=[token]))
    client.force_login(admin)
    admin_index = client.get(reverse("admin:index"))

    assert [_icons(r) for r in (workspace, answer, delegate, admin_index)] == [2, 2, 2, 2]
