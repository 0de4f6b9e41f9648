"""Every form of the workspace opened in a tab of its own (no htmx request) is a whole
page whose Save works: a plain form that saves and goes back, and no htmx attribute
aimed at an element that only exists when the form is shown inline."""

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from missions.models import FollowUpAction, ItineraryItem, Participant
from organisations.models import Venue
from tests.factories import (
    FollowUpActionFactory,
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    ParticipantFactory,
    PersonFactory,
)
from tests.html_forms import form_of

pytestmark = pytest.mark.django_db


class _Targets(HTMLParser):
    """The ids of a page's elements and the `#id`s its htmx attributes aim at."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.aimed: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for name in ("hx-target", "hx-select"):
            if (a.get(name) or "").startswith("#"):
                self.aimed.add(a[name][1:])


def missing_targets(html: str) -> set[str]:
    parser = _Targets()
    parser.feed(html)
    return parser.aimed - parser.ids


@dataclass
class World:
    client: Client
    mission: object
    item: object
    participant: object
    action: object
    newcomer: object


@pytest.fixture
def world(client: Client) -> World:
    planner = MembershipFactory()
    start = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(
        lead_organisation=planner.organisation, start_date=start, end_date=start
    )
    client.force_login(planner.user)
    return World(
        client=client,
        mission=mission,
        item=ItineraryItemFactory(
            mission=mission,
            title="Round table",
            starts_at=dt.datetime.combine(start, dt.time(10), mission.time_zone),
            ends_at=dt.datetime.combine(start, dt.time(11), mission.time_zone),
        ),
        participant=ParticipantFactory(mission=mission),
        action=FollowUpActionFactory(mission=mission, owner=planner.user),
        newcomer=PersonFactory(organisation=planner.organisation, full_name="Nia Newcomer"),
    )


def _day(w: World) -> str:
    return w.mission.start_date.isoformat()


# (url name, its argument, what the test types in, where Save leads, what was saved)
FORMS = {
    "add item": (
        "plan:item-create",
        lambda w: w.mission.pk,
        lambda w: {
            "title": "Studio visit",
            "kind": "site_visit",
            "starts_at_0": _day(w),
            "starts_at_1": "14:00",
            "ends_at_0": _day(w),
            "ends_at_1": "15:00",
        },
        lambda w: reverse("plan:itinerary", args=[w.mission.pk]),
        lambda w: ItineraryItem.objects.filter(title="Studio visit").exists(),
    ),
    "edit item": (
        "plan:item-edit",
        lambda w: w.item.pk,
        lambda w: {"title": "Round table, renamed"},
        lambda w: reverse("plan:itinerary", args=[w.mission.pk]),
        lambda w: ItineraryItem.objects.get(pk=w.item.pk).title == "Round table, renamed",
    ),
    "add participant": (
        "plan:participant-add",
        lambda w: w.mission.pk,
        lambda w: {"person": str(w.newcomer.pk)},
        lambda w: reverse("plan:participant-list", args=[w.mission.pk]),
        lambda w: Participant.objects.filter(mission=w.mission, person=w.newcomer).exists(),
    ),
    "edit participant": (
        "plan:participant-edit",
        lambda w: w.participant.pk,
        lambda w: {"phone": "+49 341 555"},
        lambda w: reverse("plan:participant-list", args=[w.mission.pk]),
        lambda w: Participant.objects.get(pk=w.participant.pk).phone == "+49 341 555",
    ),
    "add follow-up action": (
        "plan:action-create",
        lambda w: w.mission.pk,
        lambda w: {
            "organisation": str(w.mission.lead_organisation.pk),
            "agreed": "Visit in spring",
            "due_date": _day(w),
        },
        lambda w: reverse("plan:follow-up", args=[w.mission.pk]),
        lambda w: FollowUpAction.objects.filter(agreed="Visit in spring").exists(),
    ),
    "edit follow-up action": (
        "plan:action-edit",
        lambda w: w.action.pk,
        lambda w: {"agreed": "Showcase, moved to July"},
        lambda w: reverse("plan:follow-up", args=[w.mission.pk]),
        lambda w: FollowUpAction.objects.get(pk=w.action.pk).agreed == "Showcase, moved to July",
    ),
    "new venue": (
        "directory:venue-create",
        None,
        lambda w: {
            "venue-name": "Kunstkraftwerk",
            "venue-address": "Saalfelder Straße 8b",
            "venue-city": "Leipzig",
            "venue-country": "DE",
            "venue-time_zone": "Europe/Berlin",
            "next": reverse("plan:itinerary", args=[w.mission.pk]),
        },
        lambda w: reverse("plan:itinerary", args=[w.mission.pk]),
        lambda w: Venue.objects.filter(name="Kunstkraftwerk").exists(),
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_form_in_its_own_tab_is_a_whole_page_whose_save_saves_and_goes_back(world, name):
    url_name, argument, typed, back, saved = FORMS[name]
    url = reverse(url_name, args=[argument(world)] if argument else [])

    page = world.client.get(url)
    html = page.content.decode()
    data = {**form_of(html, url), **typed(world)}
    response = world.client.post(url, data)

    assert page.status_code == 200
    assert re.search(r"<html[^>]*>", html)
    assert missing_targets(html) == set()
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == back(world)
    assert saved(world)
