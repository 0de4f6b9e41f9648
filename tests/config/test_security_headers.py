"""The headers every page sends: a Content-Security-Policy with a nonce of its own (django-csp,
config/settings/base.py) and a Permissions-Policy (config/middleware.py).

Each main page is asked for twice, as a planner, a delegate under their link, or staff in
the admin would open it: both answers carry the whole policy, each with a fresh nonce."""

import datetime as dt
import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from missions.tokens import token_issue
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

SIMPLE_HISTORY_PAGINATOR = "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-<a fresh one>'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-hashes'", SIMPLE_HISTORY_PAGINATOR],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
FEATURES_OFF = {"camera", "microphone", "geolocation", "payment", "usb", "display-capture"}
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]{20,})'")


@pytest.fixture
def world():
    """A mission with an item and an invited delegate; its planner; a superuser."""
    mission = MissionFactory(start_date=dt.date(2030, 11, 12), end_date=dt.date(2030, 11, 14))
    planner = MembershipFactory(organisation=mission.lead_organisation).user
    participant = ParticipantFactory(mission=mission)
    token = token_issue(participant=participant)
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    return SimpleNamespace(
        mission=mission,
        item=ItineraryItemFactory(mission=mission),
        participant=participant,
        token=token,
        planner=planner,
        superuser=superuser,
    )


def _planner(w) -> Client:
    client = Client()
    client.force_login(w.planner)
    return client


def _staff(w) -> Client:
    client = Client()
    client.force_login(w.superuser)
    return client


def _plan(name: str, **extra) -> Callable:
    return lambda w: _planner(w).get(reverse(f"plan:{name}", args=[w.mission.pk]), **extra)


# Each page: how the user opens it.
PAGES: dict[str, Callable] = {
    "sign-in": lambda w: Client().get(reverse("login")),
    "dashboard": lambda w: _planner(w).get(reverse("plan:dashboard")),
    "mission": _plan("mission-detail"),
    "itinerary": _plan("itinerary"),
    "itinerary, htmx fragment": _plan("item-create", headers={"HX-Request": "true"}),
    "participants": _plan("participant-list"),
    "invitations": _plan("invitation-compose"),
    "delegate's answer": lambda w: Client().get(
        reverse("delegate:page", args=[w.token]), {"answer": "change"}
    ),
    "delegate's page": lambda w: Client().get(reverse("delegate:page", args=[w.token])),
    "admin changelist": lambda w: _staff(w).get(reverse("admin:missions_mission_changelist")),
    "admin change form": lambda w: _staff(w).get(
        reverse("admin:missions_mission_change", args=[w.mission.pk])
    ),
    "admin history": lambda w: _staff(w).get(
        reverse("admin:missions_mission_history", args=[w.mission.pk])
    ),
}


def policy_of(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as directives, each with its sources."""
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


def nonce_of(response) -> str:
    (nonce,) = NONCE.findall(response["Content-Security-Policy"])
    return nonce


def features_off(response) -> set[str]:
    return {
        feature.strip().removesuffix("=()")
        for feature in response["Permissions-Policy"].split(",")
        if feature.strip().endswith("=()")
    }


@pytest.mark.parametrize("page", PAGES)
def test_page_sends_the_policy_with_a_fresh_nonce_and_the_permissions_policy(world, page):
    first, second = PAGES[page](world), PAGES[page](world)

    for response in (first, second):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert policy_of(response) == POLICY | {
            "script-src": ["'self'", f"'nonce-{nonce_of(response)}'"]
        }
        assert features_off(response) >= FEATURES_OFF
    assert nonce_of(first) != nonce_of(second)


def test_inline_script_of_a_package_carries_the_nonce_of_its_page(world):
    """django-celery-beat's periodic task form (templates/admin/djcelery/)."""
    response = _staff(world).get(reverse("admin:django_celery_beat_periodictask_add"))

    scripts = re.findall(r"<script id=\"periodic-task-overrides\"([^>]*)>", response.text)
    assert scripts == [f' nonce="{nonce_of(response)}"']


def test_invitation_preview_alone_allows_style_attributes(world):
    """The e-mails it shows in sandboxed frames carry their styles inline; scripts as ever."""
    response = _planner(world).post(
        reverse("plan:invitation-compose", args=[world.mission.pk]),
        {"preview": "1", "participants": [world.participant.pk]},
    )

    assert response.status_code == 200
    assert "missions/invitation_preview.html" in [t.name for t in response.templates]
    assert policy_of(response) == POLICY | {
        "script-src": ["'self'", f"'nonce-{nonce_of(response)}'"],
        "style-src-attr": ["'unsafe-inline'"],
    }


def test_responses_other_than_pages_send_the_permissions_policy_too(world):
    response = Client().get(reverse("delegate:calendar-ics", args=[world.token]))

    assert response.status_code == 200
    assert features_off(response) >= FEATURES_OFF
