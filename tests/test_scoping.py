"""Lists and counts of the workspace never show or count a mission out of the user's scope
(`missions.selectors`); which page answers whom is `tests/test_permissions.py`."""

import pytest
from django.test import Client
from django.urls import reverse

from missions.enums import RsvpStatus
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


def test_dashboard_never_shows_or_counts_a_mission_of_another_organisation(client: Client):
    ours, theirs = OrganisationFactory.create_batch(2)
    mine = MissionFactory(title="Our mission", lead_organisation=ours)
    ParticipantFactory(mission=mine, rsvp_status=RsvpStatus.ACCEPTED)
    other_upcoming = MissionFactory(
        title="Their mission", lead_organisation=theirs, start_date=mine.start_date
    )
    ParticipantFactory.create_batch(3, mission=other_upcoming, rsvp_status=RsvpStatus.ACCEPTED)
    # The same person on both missions is counted on ours only once.
    ParticipantFactory(
        mission=other_upcoming, person=mine.participants.get().person, rsvp_status="declined"
    )
    ItineraryItemFactory(mission=other_upcoming, kind="site_visit")
    past_date = mine.start_date.replace(year=2000)
    MissionFactory(
        title="Their old mission",
        lead_organisation=theirs,
        start_date=past_date,
        end_date=past_date,
    )
    client.force_login(MembershipFactory(organisation=ours).user)

    response = client.get(reverse("plan:dashboard"))

    board = response.context
    assert [m.title for m in board["upcoming"] + list(board["past"])] == ["Our mission"]
    [row] = board["upcoming"] or list(board["past"])
    assert (row.rsvp_invited, row.rsvp_accepted, row.rsvp_declined) == (1, 1, 0)
    assert "Their" not in response.content.decode()


def test_mission_lists_of_superuser_show_every_organisation(admin_client):
    ours, theirs = OrganisationFactory.create_batch(2)
    MissionFactory(title="A", lead_organisation=ours)
    MissionFactory(title="B", lead_organisation=theirs)

    response = admin_client.get(reverse("plan:dashboard"))

    titles = sorted(m.title for m in response.context["upcoming"] + list(response.context["past"]))
    assert titles == ["A", "B"]
