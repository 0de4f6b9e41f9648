"""The .ics of every participant of the demo's missions, parsed back and compared with the
tables (tests/portal/test_calendar.py holds the file's rules, on a tour of its own)."""

import icalendar
import pytest
from django.db import transaction
from django.db.models import Q

from missions.demo import load_demo
from missions.enums import Audience
from missions.models import ItineraryItem, Mission
from portal.calendar import participant_calendar
from tests.portal.test_calendar import _events, _uid

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def _attended(participant) -> list[ItineraryItem]:
    """The items a participant attends, straight from the tables."""
    return list(
        ItineraryItem.objects.filter(mission=participant.mission)
        .filter(Q(audience=Audience.WHOLE_DELEGATION) | Q(attendees=participant))
        .select_related("mission", "venue")
        .distinct()
    )


@pytest.mark.parametrize(
    "slug",
    [
        "leipzig-economic-delegation-japan-2017",
        "leipzig-creative-trade-mission-birmingham-2025",
        "birmingham-leipzig-25-years-innovation-event-2017",
    ],
)
def test_calendar_of_every_demo_participant_matches_the_database(slug):
    mission = Mission.objects.get(slug=slug)
    participants = list(mission.participants.select_related("mission", "person"))
    assert len(participants) > 3

    for participant in participants:
        calendar = icalendar.Calendar.from_ical(participant_calendar(participant))
        events = _events(calendar.to_ical())
        attended = _attended(participant)

        assert sorted(events) == sorted(_uid(item) for item in attended)
        for item in attended:
            event = events[_uid(item)]
            assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (
                item.starts_at,
                item.ends_at,
            )
            assert event["DTSTART"].params["TZID"] == item.time_zone.key
            local = item.starts_at.astimezone(item.time_zone).replace(tzinfo=None)
            assert event["DTSTART"].to_ical().decode() == local.strftime("%Y%m%dT%H%M%S")
        assert {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")} == {
            item.time_zone.key for item in attended
        }
