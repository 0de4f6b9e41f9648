import datetime as dt
import zoneinfo

import pytest

from missions import feasibility
from missions.enums import Audience, FeasibilityRule, ItemKind, RsvpStatus
from missions.feasibility import (
    FeasibilityWarning,
    attendees,
    check_all,
    check_arrival_departure,
    check_capacity,
    check_outside_dates,
    check_overlaps,
    check_site_visits,
    check_travel_time,
    mission_warnings,
    open_warning_counts,
)
from missions.models import ItineraryItem, Mission, Participant
from organisations.models import Person, Venue
from tests.factories import (
    ItineraryItemFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    VenueFactory,
    WarningAcknowledgementFactory,
)

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
KM_PER_DEGREE_OF_LATITUDE = feasibility.EARTH_RADIUS_KM * 3.141592653589793 / 180


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in Birmingham during the first week of March 2025."""
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=LONDON)


def venue_north(km: float, **kwargs) -> Venue:
    """A venue `km` due north of Centenary Square."""
    latitude = 52.479000 + km / KM_PER_DEGREE_OF_LATITUDE
    return VenueFactory(latitude=f"{latitude:.6f}", longitude="-1.908000", **kwargs)


def item(mission: Mission, starts_at: dt.datetime, minutes: int = 60, **kwargs) -> ItineraryItem:
    return ItineraryItemFactory(
        mission=mission,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=minutes),
        **kwargs,
    )


def participant(mission: Mission, name: str, **kwargs) -> Participant:
    kwargs.setdefault("rsvp_status", RsvpStatus.ACCEPTED)
    return ParticipantFactory(mission=mission, person__full_name=name, **kwargs)


@pytest.fixture
def mission() -> Mission:
    return MissionFactory(travel_buffer_minutes=15)


# Attendees -------------------------------------------------------------------------------


def test_attendees_of_a_whole_delegation_item_are_everyone_expected(mission):
    anna = participant(mission, "Anna Schmidt")
    ben = participant(mission, "Ben Ortiz", rsvp_status=RsvpStatus.NOT_INVITED)
    participant(mission, "Carla Weiss", rsvp_status=RsvpStatus.DECLINED)
    participant(mission, "Dieter Lang", rsvp_status=RsvpStatus.WITHDRAWN)
    plenary = item(mission, at(4, 10))

    assert attendees(plenary, mission.participants.all()) == [anna, ben]


def test_attendees_of_a_selected_item_are_those_picked_and_expected(mission):
    workshop = item(mission, at(4, 10), audience=Audience.SELECTED)
    anna = participant(mission, "Anna Schmidt")
    participant(mission, "Ben Ortiz")
    carla = participant(mission, "Carla Weiss", rsvp_status=RsvpStatus.DECLINED)
    anna.items.add(workshop)
    carla.items.add(workshop)

    assert attendees(workshop, mission.participants.all()) == [anna]


# Rule 1: outside the mission's dates ------------------------------------------------------


def test_outside_dates_item_after_the_last_day_warns(mission):
    late = item(mission, at(7, 10))

    assert check_outside_dates(mission, [late]) == [
        FeasibilityWarning(
            rule=FeasibilityRule.OUTSIDE_DATES,
            item_id=late.pk,
            subject="",
            message="Takes place on 7 Mar 2025, outside the mission's dates "
            "(4 Mar 2025 to 6 Mar 2025).",
        )
    ]


def test_outside_dates_item_running_past_midnight_of_the_last_day_warns(mission):
    party = item(mission, at(6, 22), minutes=180)

    [warning] = check_outside_dates(mission, [party])

    assert warning.message == (
        "Runs from 6 Mar 2025 to 7 Mar 2025, outside the mission's dates "
        "(4 Mar 2025 to 6 Mar 2025)."
    )


def test_outside_dates_items_on_the_first_and_last_day_do_not_warn(mission):
    first = item(mission, at(4, 0))
    last = item(mission, at(6, 22), minutes=119)

    assert check_outside_dates(mission, [first, last]) == []


def test_outside_dates_uses_the_local_day_of_the_venue(mission):
    # 1 am in Tokyo on the 7th is still the 6th in Birmingham: outside all the same.
    tokyo = VenueFactory(time_zone=TOKYO, city="Tokyo", country="JP")
    call = item(mission, dt.datetime(2025, 3, 7, 1, tzinfo=TOKYO), venue=tokyo)

    [warning] = check_outside_dates(mission, [call])

    assert warning.message.startswith("Takes place on 7 Mar 2025")


# Rule 2: overlapping items ----------------------------------------------------------------


def test_overlap_participant_on_two_overlapping_items_warns_on_the_later_one(mission):
    pitch = item(mission, at(4, 10), title="Pitch session", audience=Audience.SELECTED)
    studio = item(mission, at(4, 10, 30), title="Studio tour", audience=Audience.SELECTED)
    anna = participant(mission, "Anna Schmidt")
    ben = participant(mission, "Ben Ortiz")
    anna.items.add(pitch, studio)
    ben.items.add(studio)

    assert check_overlaps([pitch, studio], mission.participants.all()) == [
        FeasibilityWarning(
            rule=FeasibilityRule.OVERLAP,
            item_id=studio.pk,
            subject=f"participant:{anna.pk}",
            message="Anna Schmidt is also booked on “Pitch session” (10:00–11:00) "
            "at the same time.",
        )
    ]


def test_overlap_with_two_earlier_items_is_one_warning_naming_both(mission):
    pitch = item(mission, at(4, 10), title="Pitch session", audience=Audience.SELECTED)
    lunch = item(mission, at(4, 10, 15), title="Lunch", audience=Audience.SELECTED)
    studio = item(mission, at(4, 10, 30), title="Studio tour", audience=Audience.SELECTED)
    anna = participant(mission, "Anna Schmidt")
    ben = participant(mission, "Ben Ortiz")
    anna.items.add(pitch, lunch, studio)
    ben.items.add(studio, lunch)

    warnings = check_overlaps([pitch, lunch, studio], mission.participants.all())

    assert [(w.item_id, w.subject, w.message) for w in warnings] == [
        (
            lunch.pk,
            f"participant:{anna.pk}",
            "Anna Schmidt is also booked on “Pitch session” (10:00–11:00) at the same time.",
        ),
        (
            studio.pk,
            f"item:{lunch.pk}",
            "Overlaps with “Lunch” (10:15–11:15), which everyone attending is booked on: "
            "Anna Schmidt and Ben Ortiz.",
        ),
        (
            studio.pk,
            f"participant:{anna.pk}",
            "Anna Schmidt is also booked on “Pitch session” (10:00–11:00) at the same time.",
        ),
    ]


def test_overlap_of_whole_delegation_items_is_one_warning_for_everyone(mission):
    talk = item(mission, at(4, 10), title="Keynote")
    tour = item(mission, at(4, 10, 45), title="Tour")
    everyone = [participant(mission, f"Delegate {n}") for n in range(5)]

    assert check_overlaps([tour, talk], everyone) == [
        FeasibilityWarning(
            rule=FeasibilityRule.OVERLAP,
            item_id=tour.pk,
            subject=f"item:{talk.pk}",
            message="Overlaps with “Keynote” (10:00–11:00); the whole delegation is booked "
            "on both.",
        )
    ]


def test_overlap_of_whole_delegation_items_warns_before_anyone_is_added(mission):
    talk = item(mission, at(4, 10))
    tour = item(mission, at(4, 10, 45))

    assert [w.item_id for w in check_overlaps([talk, tour], [])] == [tour.pk]


def test_overlap_items_back_to_back_do_not_warn(mission):
    talk = item(mission, at(4, 10))
    tour = item(mission, at(4, 11))

    assert check_overlaps([talk, tour], [participant(mission, "Anna Schmidt")]) == []


def test_overlap_declined_participant_does_not_count(mission):
    pitch = item(mission, at(4, 10), audience=Audience.SELECTED)
    studio = item(mission, at(4, 10, 30), audience=Audience.SELECTED)
    anna = participant(mission, "Anna Schmidt", rsvp_status=RsvpStatus.DECLINED)
    anna.items.add(pitch, studio)

    assert check_overlaps([pitch, studio], [anna]) == []


def test_overlap_of_items_with_different_people_does_not_warn(mission):
    pitch = item(mission, at(4, 10), audience=Audience.SELECTED)
    studio = item(mission, at(4, 10, 30), audience=Audience.SELECTED)
    anna = participant(mission, "Anna Schmidt")
    ben = participant(mission, "Ben Ortiz")
    anna.items.add(pitch)
    ben.items.add(studio)

    assert check_overlaps([pitch, studio], [anna, ben]) == []


# Rule 3: travel time ----------------------------------------------------------------------


def test_travel_time_exactly_enough_does_not_warn(mission):
    # 1 km on foot: 13⅓ minutes, rounded up to 14, plus the 15-minute buffer: 29.
    talk = item(mission, at(4, 10), venue=venue_north(0))
    tour = item(mission, at(4, 11, 29), venue=venue_north(1))

    assert check_travel_time([talk, tour], [participant(mission, "Anna")], buffer_minutes=15) == []


def test_travel_time_one_minute_short_warns_naming_venues_and_minutes(mission):
    talk = item(mission, at(4, 10), title="Round table", venue=venue_north(0, name="Library"))
    tour = item(mission, at(4, 11, 28), venue=venue_north(1, name="STEAMhouse"))

    assert check_travel_time([talk, tour], [participant(mission, "Anna")], buffer_minutes=15) == [
        FeasibilityWarning(
            rule=FeasibilityRule.TRAVEL_TIME,
            item_id=tour.pk,
            subject=f"item:{talk.pk}",
            message="Getting from Library to STEAMhouse takes 29 min (1.0 km on foot, plus "
            "15 min buffer), but there are only 28 min after “Round table”.",
        )
    ]


@pytest.mark.parametrize(
    ("km", "warns"),
    [
        (1.4, True),  # on foot: 19 min + 15 buffer = 34 > 25
        (1.6, False),  # by car: 5 min + 15 buffer = 20 <= 25
    ],
)
def test_travel_time_walks_below_the_limit_and_drives_from_it(mission, km, warns):
    talk = item(mission, at(4, 10), venue=venue_north(0))
    tour = item(mission, at(4, 11, 25), venue=venue_north(km))

    warnings = check_travel_time([talk, tour], [], buffer_minutes=15)

    assert bool(warnings) is warns


def test_travel_time_by_car_says_so(mission):
    talk = item(mission, at(4, 10), title="Round table", venue=venue_north(0, name="Library"))
    tour = item(mission, at(4, 11, 10), venue=venue_north(5, name="Jaguar Land Rover"))

    [warning] = check_travel_time([talk, tour], [], buffer_minutes=15)

    assert warning.message == (
        "Getting from Library to Jaguar Land Rover takes 30 min (5.0 km by car, plus "
        "15 min buffer), but there are only 10 min after “Round table”."
    )


def test_travel_time_minutes_at_the_walking_limit_are_by_car():
    assert feasibility.travel_minutes(feasibility.WALKING_LIMIT_KM - 0.01) == 20
    assert feasibility.travel_minutes(feasibility.WALKING_LIMIT_KM) == 5


def test_travel_time_distance_of_one_degree_of_latitude():
    south = Venue(latitude=52, longitude=-1.9)
    north = Venue(latitude=53, longitude=-1.9)

    assert feasibility.distance_km(south, north) == pytest.approx(111.195, abs=0.001)


def test_travel_time_buffer_set_by_staff_is_added(mission):
    talk = item(mission, at(4, 10), venue=venue_north(0))
    tour = item(mission, at(4, 11, 20), venue=venue_north(1))

    assert check_travel_time([talk, tour], [], buffer_minutes=0) == []
    assert len(check_travel_time([talk, tour], [], buffer_minutes=10)) == 1


def test_travel_time_whole_delegation_travelling_together_is_one_warning(mission):
    talk = item(mission, at(4, 10), venue=venue_north(0))
    tour = item(mission, at(4, 11), venue=venue_north(3))
    everyone = [participant(mission, f"Delegate {n}") for n in range(5)]

    warnings = check_travel_time([talk, tour], everyone, buffer_minutes=15)

    assert [(w.item_id, w.subject) for w in warnings] == [(tour.pk, f"item:{talk.pk}")]


def test_travel_time_names_who_travels_when_not_everyone_does(mission):
    pitch = item(
        mission, at(4, 10), title="Pitch", audience=Audience.SELECTED, venue=venue_north(0)
    )
    lunch = item(mission, at(4, 11), title="Lunch", venue=venue_north(3, name="Mailbox"))
    anna = participant(mission, "Anna Schmidt")
    participant(mission, "Ben Ortiz")
    anna.items.add(pitch)

    [warning] = check_travel_time([pitch, lunch], mission.participants.all(), buffer_minutes=15)

    assert warning.subject == f"item:{pitch.pk}"
    assert warning.message.endswith("after “Pitch”. This affects Anna Schmidt.")


def test_travel_time_follows_each_participant_to_their_next_item(mission):
    # Anna goes from the library to her workshop next door; the others go to the airport.
    talk = item(mission, at(4, 10), minutes=30, venue=venue_north(0))
    workshop = item(mission, at(4, 11), audience=Audience.SELECTED, venue=venue_north(0.1))
    airport = item(mission, at(4, 11), audience=Audience.SELECTED, venue=venue_north(10))
    anna = participant(mission, "Anna Schmidt")
    ben = participant(mission, "Ben Ortiz")
    anna.items.add(workshop)
    ben.items.add(airport)

    warnings = check_travel_time([talk, workshop, airport], [anna, ben], buffer_minutes=15)

    assert [(w.item_id, w.subject) for w in warnings] == [(airport.pk, f"item:{talk.pk}")]


def test_travel_time_same_venue_does_not_warn(mission):
    library = venue_north(0)
    talk = item(mission, at(4, 10), venue=library)
    tour = item(mission, at(4, 11), venue=library)

    assert check_travel_time([talk, tour], [], buffer_minutes=15) == []


def test_travel_time_venue_without_coordinates_does_not_warn(mission):
    talk = item(mission, at(4, 10), venue=venue_north(0))
    tour = item(mission, at(4, 11), venue=VenueFactory(latitude=None, longitude=None))

    assert check_travel_time([talk, tour], [], buffer_minutes=15) == []


def test_travel_time_overnight_does_not_warn(mission):
    dinner = item(mission, at(4, 20), venue=venue_north(0))
    breakfast = item(mission, at(5, 7), venue=venue_north(10))

    assert check_travel_time([dinner, breakfast], [], buffer_minutes=15 * 60) == []


def test_travel_time_ignores_items_the_participant_does_not_attend(mission):
    talk = item(mission, at(4, 10), venue=venue_north(0))
    workshop = item(mission, at(4, 11), audience=Audience.SELECTED, venue=venue_north(10))
    anna = participant(mission, "Anna Schmidt")

    assert check_travel_time([talk, workshop], [anna], buffer_minutes=15) == []


# Rule 4: capacity --------------------------------------------------------------------------


def test_capacity_more_attendees_than_the_item_warns(mission):
    dinner = item(mission, at(4, 19), capacity=2)
    people = [participant(mission, f"Delegate {n}") for n in range(3)]

    assert check_capacity([dinner], people) == [
        FeasibilityWarning(
            rule=FeasibilityRule.CAPACITY,
            item_id=dinner.pk,
            subject="",
            message="3 attendees, more than the item's capacity of 2.",
        )
    ]


def test_capacity_more_attendees_than_the_venue_warns_naming_it(mission):
    dinner = item(mission, at(4, 19), venue=VenueFactory(name="The Ivy", capacity=2))
    people = [participant(mission, f"Delegate {n}") for n in range(3)]

    [warning] = check_capacity([dinner], people)

    assert warning.message == "3 attendees, more than the capacity of The Ivy (2)."


def test_capacity_of_both_item_and_venue_is_one_warning(mission):
    dinner = item(mission, at(4, 19), capacity=1, venue=VenueFactory(name="The Ivy", capacity=2))
    people = [participant(mission, f"Delegate {n}") for n in range(3)]

    [warning] = check_capacity([dinner], people)

    assert warning.message == (
        "3 attendees, more than the item's capacity of 1 and the capacity of The Ivy (2)."
    )


def test_capacity_equal_to_attendees_is_fine(mission):
    dinner = item(mission, at(4, 19), capacity=3, venue=VenueFactory(capacity=3))
    people = [participant(mission, f"Delegate {n}") for n in range(3)]

    assert check_capacity([dinner], people) == []


def test_capacity_declined_participants_do_not_count(mission):
    dinner = item(mission, at(4, 19), capacity=2)
    people = [
        participant(mission, "Anna Schmidt"),
        participant(mission, "Ben Ortiz"),
        participant(mission, "Carla Weiss", rsvp_status=RsvpStatus.DECLINED),
    ]

    assert check_capacity([dinner], people) == []


def test_capacity_of_a_selected_item_counts_those_picked(mission):
    visit = item(mission, at(4, 14), capacity=1, audience=Audience.SELECTED)
    anna = participant(mission, "Anna Schmidt")
    ben = participant(mission, "Ben Ortiz")
    anna.items.add(visit)

    assert check_capacity([visit], [anna, ben]) == []
    ben.items.add(visit)
    assert len(check_capacity([visit], Participant.objects.filter(mission=mission))) == 1


# Rule 5: arrival and departure ---------------------------------------------------------------


def test_arrival_after_the_item_starts_warns(mission):
    welcome = item(mission, at(4, 10))
    anna = participant(mission, "Anna Schmidt", arrival_at=at(4, 10, 30))

    assert check_arrival_departure([welcome], [anna]) == [
        FeasibilityWarning(
            rule=FeasibilityRule.ARRIVAL_DEPARTURE,
            item_id=welcome.pk,
            subject=f"participant:{anna.pk}",
            message="Anna Schmidt arrives on 4 Mar 2025, 10:30 GMT (Europe/London), "
            "after the item starts.",
        )
    ]


def test_departure_before_the_item_ends_warns(mission):
    farewell = item(mission, at(6, 18))
    anna = participant(mission, "Anna Schmidt", departure_at=at(6, 18, 30))

    [warning] = check_arrival_departure([farewell], [anna])

    assert warning.message == (
        "Anna Schmidt leaves on 6 Mar 2025, 18:30 GMT (Europe/London), before the item ends."
    )


def test_arrival_exactly_at_the_start_and_departure_at_the_end_do_not_warn(mission):
    talk = item(mission, at(4, 10))
    anna = participant(mission, "Anna Schmidt", arrival_at=at(4, 10), departure_at=at(4, 11))

    assert check_arrival_departure([talk], [anna]) == []


def test_arrival_after_an_item_the_participant_does_not_attend_does_not_warn(mission):
    workshop = item(mission, at(4, 10), audience=Audience.SELECTED)
    anna = participant(mission, "Anna Schmidt", arrival_at=at(4, 15))

    assert check_arrival_departure([workshop], [anna]) == []


def test_arrival_of_a_declined_participant_does_not_warn(mission):
    talk = item(mission, at(4, 10))
    anna = participant(
        mission, "Anna Schmidt", arrival_at=at(4, 15), rsvp_status=RsvpStatus.DECLINED
    )

    assert check_arrival_departure([talk], [anna]) == []


# Rule 6: site visits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has_venue", "has_host", "message"),
    [
        (False, False, "A site visit needs a venue and a host organisation; it has neither."),
        (False, True, "A site visit needs a venue; it has none."),
        (True, False, "A site visit needs a host organisation; it has none."),
    ],
)
def test_site_visit_without_venue_or_host_warns(mission, has_venue, has_host, message):
    visit = item(
        mission,
        at(5, 14),
        kind=ItemKind.SITE_VISIT,
        venue=VenueFactory() if has_venue else None,
        host=OrganisationFactory() if has_host else None,
    )

    assert check_site_visits([visit]) == [
        FeasibilityWarning(
            rule=FeasibilityRule.SITE_VISIT_INCOMPLETE,
            item_id=visit.pk,
            subject="",
            message=message,
        )
    ]


def test_site_visit_with_venue_and_host_does_not_warn(mission):
    visit = item(
        mission,
        at(5, 14),
        kind=ItemKind.SITE_VISIT,
        venue=VenueFactory(),
        host=OrganisationFactory(),
    )

    assert check_site_visits([visit]) == []


def test_site_visit_rule_leaves_other_kinds_alone(mission):
    assert check_site_visits([item(mission, at(5, 14), kind=ItemKind.ROUND_TABLE)]) == []


# All rules, cancelled items, acknowledgements -------------------------------------------------


def test_check_all_lists_warnings_in_itinerary_order(mission):
    visit = item(mission, at(5, 14), kind=ItemKind.SITE_VISIT)
    dinner = item(mission, at(4, 19), capacity=0)
    anna = participant(mission, "Anna Schmidt")

    warnings = check_all(mission, [visit, dinner], [anna], [])

    assert [(w.item_id, w.rule) for w in warnings] == [
        (dinner.pk, FeasibilityRule.CAPACITY),
        (visit.pk, FeasibilityRule.SITE_VISIT_INCOMPLETE),
    ]


def test_cancelled_items_are_ignored_by_every_rule(mission):
    talk = item(mission, at(4, 10), venue=venue_north(0))
    cancelled = {"is_cancelled": True, "capacity": 0, "kind": ItemKind.SITE_VISIT}
    clash = item(mission, at(4, 10, 30), **cancelled)
    far = item(mission, at(4, 11), venue=venue_north(10), **cancelled)
    late = item(mission, at(7, 10), **cancelled)
    anna = participant(mission, "Anna Schmidt", arrival_at=at(4, 9))

    assert check_all(mission, [talk, clash, far, late], [anna], []) == []
    assert check_overlaps([talk, clash], [anna]) == []
    assert check_travel_time([talk, far], [anna], buffer_minutes=15) == []
    assert check_outside_dates(mission, [late]) == []
    assert check_site_visits([clash]) == []


def test_acknowledged_warning_is_not_open(mission):
    dinner = item(mission, at(4, 19), capacity=0)
    participant(mission, "Anna Schmidt")
    acknowledgement = WarningAcknowledgementFactory(item=dinner, rule=FeasibilityRule.CAPACITY)

    report = mission_warnings(mission)

    [warning] = report.warnings
    assert warning.acknowledgement == acknowledgement
    assert warning.is_open is False
    assert (report.open_count, report.acknowledged_count) == (0, 1)
    assert report.by_item == {dinner.pk: [warning]}


def test_acknowledgement_is_stale_once_the_item_is_saved_again(mission):
    dinner = item(mission, at(4, 19), capacity=0)
    participant(mission, "Anna Schmidt")
    WarningAcknowledgementFactory(item=dinner, rule=FeasibilityRule.CAPACITY)

    dinner.title = "Dinner at the Council House"
    dinner.save()
    report = mission_warnings(mission)

    [warning] = report.warnings
    assert warning.acknowledgement is None
    assert warning.is_open is True
    assert (report.open_count, report.acknowledged_count) == (1, 0)


def test_acknowledgement_covers_only_its_own_participant(mission):
    welcome = item(mission, at(4, 10))
    anna = participant(mission, "Anna Schmidt", arrival_at=at(4, 12))
    ben = participant(mission, "Ben Ortiz", arrival_at=at(4, 12))
    WarningAcknowledgementFactory(
        item=welcome, rule=FeasibilityRule.ARRIVAL_DEPARTURE, subject=f"participant:{anna.pk}"
    )

    report = mission_warnings(mission)

    assert [(w.subject, w.is_open) for w in report.warnings] == [
        (f"participant:{anna.pk}", False),
        (f"participant:{ben.pk}", True),
    ]


def test_acknowledgement_is_current_without_a_query(mission, django_assert_num_queries):
    dinner = item(mission, at(4, 19), capacity=0)
    participant(mission, "Anna Schmidt")
    WarningAcknowledgementFactory(item=dinner, rule=FeasibilityRule.CAPACITY)
    [warning] = mission_warnings(mission).warnings

    with django_assert_num_queries(0):
        assert warning.acknowledgement.is_current is True


def test_open_warning_counts_counts_open_warnings_per_mission(mission):
    quiet = MissionFactory()
    dinner = item(mission, at(4, 19), capacity=0)
    item(mission, at(5, 14), kind=ItemKind.SITE_VISIT)
    participant(mission, "Anna Schmidt")
    WarningAcknowledgementFactory(item=dinner, rule=FeasibilityRule.CAPACITY)

    assert open_warning_counts(Mission.objects.filter(pk__in=[mission.pk, quiet.pk])) == {
        mission.pk: 1,
        quiet.pk: 0,
    }


# Query budgets -------------------------------------------------------------------------------


def fill(mission: Mission, *, items: int, participants: int) -> None:
    """A busy mission, quickly: items over three days at ten venues, half of them for
    selected participants, each of whom picks a few."""
    venues = [venue_north(n * 0.7) for n in range(10)]
    created = ItineraryItem.objects.bulk_create(
        ItineraryItem(
            mission=mission,
            kind=ItemKind.SITE_VISIT if n % 7 == 0 else ItemKind.MEETING,
            title=f"Item {n}",
            starts_at=at(4 + n % 3, 8) + dt.timedelta(minutes=20 * (n // 3)),
            ends_at=at(4 + n % 3, 8) + dt.timedelta(minutes=20 * (n // 3) + 45),
            venue=venues[n % 10],
            capacity=50,
            audience=Audience.SELECTED if n % 2 else Audience.WHOLE_DELEGATION,
        )
        for n in range(items)
    )
    people = Person.objects.bulk_create(
        Person(full_name=f"Delegate {mission.pk}-{n}", email=f"d{mission.pk}-{n}@example.org")
        for n in range(participants)
    )
    joined = Participant.objects.bulk_create(
        Participant(
            mission=mission,
            person=person,
            rsvp_status=RsvpStatus.DECLINED if n % 10 == 0 else RsvpStatus.ACCEPTED,
            arrival_at=at(4, 9) if n % 5 == 0 else None,
        )
        for n, person in enumerate(people)
    )
    selected = [item for item in created if item.audience == Audience.SELECTED]
    Participant.items.through.objects.bulk_create(
        Participant.items.through(participant=someone, itineraryitem=choice)
        for n, someone in enumerate(joined)
        for choice in selected[n % 5 :: 7]
    )


@pytest.mark.parametrize(("items", "participants"), [(1, 1), (100, 300)])
def test_mission_warnings_queries_do_not_grow_with_the_mission(
    mission, django_assert_num_queries, items, participants
):
    fill(mission, items=items, participants=participants)
    WarningAcknowledgementFactory(item=mission.items.first(), rule=FeasibilityRule.CAPACITY)
    mission = Mission.objects.get(pk=mission.pk)

    with django_assert_num_queries(4):
        report = mission_warnings(mission)

    assert report.open_count >= 1


@pytest.mark.parametrize("missions", [1, 10])
def test_open_warning_counts_queries_do_not_grow_with_missions(django_assert_num_queries, missions):
    for _ in range(missions):
        fill(MissionFactory(), items=10, participants=10)
    listed = list(Mission.objects.all())

    with django_assert_num_queries(4):
        counts = open_warning_counts(listed)

    assert sorted(counts) == sorted(mission.pk for mission in listed)
    assert min(counts.values()) >= 1
