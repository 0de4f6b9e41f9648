import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from missions.enums import Audience, ItemKind, MissionStatus, ParticipantRole, RsvpStatus
from missions.models import Mission
from missions.selectors import rsvp_group_counts
from missions.services.missions import (
    dashboard_missions,
    duplicate_title,
    mission_cancel,
    mission_create,
    mission_duplicate,
    mission_history,
    mission_organisations,
    mission_slug,
    mission_update,
)
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    SectorFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def mission_data(**overrides) -> dict:
    return {
        "title": "Creative industries trade mission 2025",
        "kind": "inbound",
        "destination_city": "Birmingham",
        "destination_country": "GB",
        "time_zone": LONDON,
        "start_date": dt.date(2025, 3, 4),
        "end_date": dt.date(2025, 3, 6),
        "rsvp_deadline": None,
        "lead_organisation": OrganisationFactory(),
        "objectives": "",
        "description": "",
        "travel_buffer_minutes": 15,
        **overrides,
    }


# CREATE, UPDATE, CANCEL -----------------------------------------------------------


def test_mission_create_is_a_draft_led_and_organised_by_the_lead():
    user = UserFactory()
    data = mission_data()

    mission = mission_create(user=user, data=data)

    assert mission.status == MissionStatus.DRAFT
    assert mission.slug == "creative-industries-trade-mission-2025"
    assert list(mission.organisers.all()) == [data["lead_organisation"]]
    assert mission.history.get().history_user == user


def test_mission_create_twice_with_one_title_gives_two_slugs():
    first = mission_create(user=UserFactory(), data=mission_data(title="Opera Ball"))
    second = mission_create(user=UserFactory(), data=mission_data(title="Opera Ball"))
    third = mission_create(user=UserFactory(), data=mission_data(title="Opera Ball"))

    assert [first.slug, second.slug, third.slug] == ["opera-ball", "opera-ball-2", "opera-ball-3"]


@pytest.mark.parametrize("title", ["🎉🎉", "بعثة تجارية", "---"])
def test_mission_slug_of_title_without_latin_letters_is_mission(title):
    assert mission_slug(title=title) == "mission"


def test_mission_slug_of_200_characters_fits_the_field_with_a_suffix():
    MissionFactory(slug=mission_slug(title="x" * 200))

    slug = mission_slug(title="x" * 200)

    assert slug == "x" * 190 + "-2"


def test_mission_create_with_end_before_start_is_refused():
    data = mission_data(start_date=dt.date(2025, 3, 6), end_date=dt.date(2025, 3, 4))

    with pytest.raises(ValidationError):
        mission_create(user=UserFactory(), data=data)

    assert Mission.objects.count() == 0


def test_mission_create_partner_that_organises_is_not_also_a_partner():
    lead, other = OrganisationFactory.create_batch(2)
    data = mission_data(lead_organisation=lead, organisers=[other], partners=[lead, other])

    mission = mission_create(user=UserFactory(), data=data)

    assert set(mission.organisers.all()) == {lead, other}
    assert list(mission.partners.all()) == []


def test_mission_update_keeps_the_slug_and_records_the_user():
    mission = MissionFactory(title="Old", slug="old")
    user = UserFactory()
    sector = SectorFactory()

    mission_update(
        mission=mission,
        user=user,
        data={"title": "New title", "status": MissionStatus.PLANNING, "sectors": [sector]},
    )

    mission.refresh_from_db()
    assert (mission.title, mission.slug, mission.status) == ("New title", "old", "planning")
    assert list(mission.sectors.all()) == [sector]
    assert list(mission.organisers.all()) == [mission.lead_organisation]
    assert mission.history.first().history_user == user


def test_mission_cancel_sets_cancelled_once():
    mission = MissionFactory(upcoming=True)
    user = UserFactory()

    mission_cancel(mission=mission, user=user)
    mission_cancel(mission=mission, user=user)

    mission.refresh_from_db()
    assert mission.status == MissionStatus.CANCELLED
    assert [h.history_type for h in mission.history.all()] == ["~", "+"]


@pytest.mark.parametrize("status", [MissionStatus.COMPLETED, MissionStatus.CONFIRMED])
def test_mission_cancel_of_a_mission_that_has_ended_is_refused(status):
    mission = MissionFactory(status=status)  # 4 to 6 March 2025: over

    with pytest.raises(ValidationError) as refused:
        mission_cancel(mission=mission, user=UserFactory())

    mission.refresh_from_db()
    assert mission.status == status
    assert refused.value.messages == ["This mission has ended: there is nothing left to cancel."]


# DUPLICATE --------------------------------------------------------------------------


@pytest.fixture
def source() -> Mission:
    """The 2025 creative mission: organisers, partners, sectors, items, participants."""
    lead, organiser, partner = OrganisationFactory.create_batch(3)
    mission = MissionFactory(
        title="Creative mission 2025",
        lead_organisation=lead,
        organisers=[lead, organiser],
        partners=[partner],
        status=MissionStatus.CONFIRMED,
        start_date=dt.date(2025, 3, 25),
        end_date=dt.date(2025, 3, 27),
        rsvp_deadline=dt.date(2025, 3, 1),
        objectives="Partnerships in immersive media.",
        travel_buffer_minutes=20,
    )
    mission.sectors.add(SectorFactory(name="Creative industries"))
    venue = VenueFactory(name="STEAMHouse", capacity=80)
    ItineraryItemFactory(
        mission=mission,
        title="Round table",
        kind=ItemKind.ROUND_TABLE,
        venue=venue,
        host=venue.organisation,
        starts_at=dt.datetime(2025, 3, 25, 10, tzinfo=LONDON),
        ends_at=dt.datetime(2025, 3, 25, 12, tzinfo=LONDON),
        capacity=30,
        meeting_point="Main entrance",
    )
    workshop = ItineraryItemFactory(
        mission=mission,
        title="XR workshop",
        kind=ItemKind.SITE_VISIT,
        audience=Audience.SELECTED,
        # 27 March 2025 is GMT; 26 March 2026, 364 days later, is in British Summer Time.
        starts_at=dt.datetime(2025, 3, 27, 14, tzinfo=LONDON),
        ends_at=dt.datetime(2025, 3, 27, 16, tzinfo=LONDON),
    )
    ItineraryItemFactory(mission=mission, title="Dropped visit", is_cancelled=True)
    lead_person = ParticipantFactory(
        mission=mission,
        role=ParticipantRole.LEAD,
        rsvp_status=RsvpStatus.ACCEPTED,
        arrival_at=dt.datetime(2025, 3, 24, 18, tzinfo=LONDON),
        arrival_details="EW 2460",
        notes="Vegetarian",
    )
    speaker = ParticipantFactory(
        mission=mission, role=ParticipantRole.SPEAKER, rsvp_status=RsvpStatus.DECLINED
    )
    speaker.items.add(workshop)
    lead_person.items.add(workshop)
    return mission


def test_mission_duplicate_copies_fields_and_organisations_as_a_draft(source):
    user = UserFactory()

    copy = mission_duplicate(
        mission=source, title="Creative mission 2026", shift_days=364, user=user
    )

    assert copy.pk != source.pk
    assert (copy.title, copy.slug, copy.status) == (
        "Creative mission 2026",
        "creative-mission-2026",
        MissionStatus.DRAFT,
    )
    assert (copy.start_date, copy.end_date, copy.rsvp_deadline) == (
        dt.date(2026, 3, 24),
        dt.date(2026, 3, 26),
        dt.date(2026, 2, 28),
    )
    assert copy.start_date.weekday() == source.start_date.weekday()
    assert (copy.objectives, copy.travel_buffer_minutes, copy.lead_organisation) == (
        source.objectives,
        20,
        source.lead_organisation,
    )
    assert set(copy.organisers.all()) == set(source.organisers.all())
    assert set(copy.partners.all()) == set(source.partners.all())
    assert set(copy.sectors.all()) == set(source.sectors.all())
    assert copy.history.get().history_user == user


def test_mission_duplicate_shifts_items_to_the_same_local_time_across_dst(source):
    copy = mission_duplicate(mission=source, title="Again", shift_days=364, user=UserFactory())

    items = list(copy.items.select_related("venue", "host").order_by("starts_at"))
    assert [(i.title, i.local_starts_at.strftime("%a %d %b %Y %H:%M %Z")) for i in items] == [
        ("Round table", "Tue 24 Mar 2026 10:00 GMT"),
        ("XR workshop", "Thu 26 Mar 2026 14:00 GMT"),
    ]
    original = source.items.get(title="Round table")
    round_table = items[0]
    assert (round_table.venue, round_table.host, round_table.capacity) == (
        original.venue,
        original.host,
        30,
    )
    assert round_table.meeting_point == "Main entrance"
    assert items[1].audience == Audience.SELECTED


def test_mission_duplicate_keeps_local_time_when_the_shift_crosses_into_summer_time():
    mission = MissionFactory(start_date=dt.date(2025, 3, 25), end_date=dt.date(2025, 3, 25))
    ItineraryItemFactory(
        mission=mission,
        starts_at=dt.datetime(2025, 3, 25, 9, tzinfo=LONDON),
        ends_at=dt.datetime(2025, 3, 25, 10, tzinfo=LONDON),
    )

    copy = mission_duplicate(mission=mission, title="Week later", shift_days=7, user=UserFactory())

    item = copy.items.get()
    assert item.local_starts_at.strftime("%d %b %H:%M %Z") == "01 Apr 09:00 BST"
    assert item.starts_at == dt.datetime(2025, 4, 1, 8, tzinfo=dt.UTC)


def test_mission_duplicate_copies_people_and_roles_without_their_answers(source):
    copy = mission_duplicate(mission=source, title="Again", shift_days=364, user=UserFactory())

    copied = list(copy.participants.order_by("role"))
    originals = list(source.participants.order_by("role"))
    assert [(p.person, p.role) for p in copied] == [(p.person, p.role) for p in originals]
    assert [
        (p.rsvp_status, p.arrival_at, p.arrival_details, p.departure_at, p.notes) for p in copied
    ] == [(RsvpStatus.NOT_INVITED, None, "", None, "")] * 2


def test_mission_duplicate_keeps_who_attends_the_selected_items(source):
    copy = mission_duplicate(mission=source, title="Again", shift_days=364, user=UserFactory())

    workshop = copy.items.get(title="XR workshop")
    assert sorted(p.role for p in workshop.attendees.all()) == ["lead", "speaker"]
    assert {p.mission_id for p in workshop.attendees.all()} == {copy.pk}


def test_mission_duplicate_leaves_out_cancelled_items_and_the_original_unchanged(source):
    before = (source.items.count(), source.participants.count(), source.status)

    copy = mission_duplicate(mission=source, title="Again", shift_days=364, user=UserFactory())

    assert list(copy.items.filter(title="Dropped visit")) == []
    source.refresh_from_db()
    assert (source.items.count(), source.participants.count(), source.status) == before


def test_mission_duplicate_records_history_of_the_copied_items_and_people(source):
    user = UserFactory()

    copy = mission_duplicate(mission=source, title="Again", shift_days=364, user=user)

    page = mission_history(copy, 1, personal_data=True)
    assert sorted((e.kind, e.action) for e in page.object_list) == [
        ("item", "+"),
        ("item", "+"),
        ("mission", "+"),
        ("participant", "+"),
        ("participant", "+"),
    ]
    assert {e.user for e in page.object_list} == {user}


def test_mission_duplicate_with_a_taken_title_gets_a_free_slug(source):
    MissionFactory(slug="creative-mission-2026")

    copy = mission_duplicate(
        mission=source, title="Creative mission 2026", shift_days=364, user=UserFactory()
    )

    assert copy.slug == "creative-mission-2026-2"


@pytest.mark.parametrize(
    ("title", "shift", "expected"),
    [
        ("Creative mission 2025", 364, "Creative mission 2026"),
        ("Creative mission 2025", 30, "Creative mission 2025"),
        ("25 years since 1992: 2025 anniversary", 364, "25 years since 1992: 2026 anniversary"),
        ("Opera Ball", 364, "Opera Ball"),
    ],
)
def test_duplicate_title_moves_the_mission_year_only(title, shift, expected):
    mission = MissionFactory.build(title=title, start_date=dt.date(2025, 3, 4))

    assert duplicate_title(mission, shift) == expected


# READS ------------------------------------------------------------------------------


def test_rsvp_group_counts_split_invited_by_answer():
    mission = MissionFactory()
    for status, n in [
        (RsvpStatus.NOT_INVITED, 1),
        (RsvpStatus.INVITED, 2),
        (RsvpStatus.ACCEPTED, 3),
        (RsvpStatus.TENTATIVE, 4),
        (RsvpStatus.DECLINED, 5),
        (RsvpStatus.WITHDRAWN, 6),
    ]:
        ParticipantFactory.create_batch(n, mission=mission, rsvp_status=status)
    ParticipantFactory(rsvp_status=RsvpStatus.ACCEPTED)  # another mission's

    assert rsvp_group_counts(mission) == {
        "total": 21,
        "invited": 20,
        "accepted": 3,
        "tentative": 4,
        "declined": 11,
        "no_answer": 2,
        "not_invited": 1,
    }


def test_mission_organisations_splits_organisers_and_partners_by_name(
    django_assert_num_queries,
):
    leipzig, birmingham, steamhouse, kreatives = (
        OrganisationFactory(name=name)
        for name in ["City of Leipzig", "Birmingham City Council", "STEAMHouse", "Kreatives"]
    )
    mission = MissionFactory(
        lead_organisation=leipzig,
        organisers=[leipzig, birmingham],
        partners=[steamhouse, kreatives],
    )
    MissionFactory(organisers=[steamhouse])

    with django_assert_num_queries(1):
        organisers, partners = mission_organisations(mission)

    assert (organisers, partners) == ([birmingham, leipzig], [kreatives, steamhouse])


def test_dashboard_missions_split_by_the_destination_today():
    """Kiritimati (UTC+14) and Pago Pago (UTC−11) never share a date."""
    kiritimati = zoneinfo.ZoneInfo("Pacific/Kiritimati")
    pago_pago = zoneinfo.ZoneInfo("Pacific/Pago_Pago")
    today_there = {zone: dt.datetime.now(zone).date() for zone in (kiritimati, pago_pago)}
    membership = MembershipFactory()
    ended_yesterday = MissionFactory(
        title="Ended yesterday in Kiritimati",
        lead_organisation=membership.organisation,
        time_zone=kiritimati,
        start_date=today_there[kiritimati] - dt.timedelta(days=3),
        end_date=today_there[kiritimati] - dt.timedelta(days=1),
    )
    ends_today = MissionFactory(
        title="Ends today in Pago Pago",
        lead_organisation=membership.organisation,
        time_zone=pago_pago,
        start_date=today_there[pago_pago] - dt.timedelta(days=3),
        end_date=today_there[pago_pago],
    )

    board = dashboard_missions(membership.user)

    assert (board.upcoming, board.past) == ([ends_today], [ended_yesterday])


def test_dashboard_missions_upcoming_soonest_first_and_past_latest_first():
    membership = MembershipFactory()
    today = dt.date.today()
    days = [-400, -30, 10, 100]
    missions = {
        n: MissionFactory(
            title=f"Day {n}",
            lead_organisation=membership.organisation,
            start_date=today + dt.timedelta(days=n),
            end_date=today + dt.timedelta(days=n + 2),
        )
        for n in reversed(days)
    }

    board = dashboard_missions(membership.user)

    assert board.upcoming == [missions[10], missions[100]]
    assert board.past == [missions[-30], missions[-400]]


# HISTORY ------------------------------------------------------------------------------


def test_mission_history_names_user_and_changed_fields_newest_first():
    alice = UserFactory(username="alice")
    mission = mission_create(user=alice, data=mission_data(title="Mission", time_zone=TOKYO))
    mission_update(
        mission=mission,
        user=alice,
        data={"title": "Mission to Tokyo", "end_date": dt.date(2025, 3, 7)},
    )
    item = ItineraryItemFactory(mission=mission, title="Dinner")
    item.starts_at = dt.datetime(2025, 3, 5, 19, tzinfo=TOKYO)
    item.ends_at = dt.datetime(2025, 3, 5, 21, tzinfo=TOKYO)
    item._history_user = alice
    item.save()

    page = mission_history(mission, None, personal_data=True)

    entries = page.object_list
    assert [(e.kind, e.label, e.action) for e in entries] == [
        ("item", "Dinner", "~"),
        ("item", "Dinner", "+"),
        ("mission", "Mission to Tokyo", "~"),
        ("mission", "Mission", "+"),
    ]
    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("Starts", "4 Mar 2025, 10:00 JST (Asia/Tokyo)", "5 Mar 2025, 19:00 JST (Asia/Tokyo)"),
        ("Ends", "4 Mar 2025, 11:30 JST (Asia/Tokyo)", "5 Mar 2025, 21:00 JST (Asia/Tokyo)"),
    ]
    assert [(c.label, c.old, c.new) for c in entries[2].changes] == [
        ("Title", "Mission", "Mission to Tokyo"),
        ("Last day", "6 Mar 2025", "7 Mar 2025"),
    ]
    assert entries[2].user == alice


def test_mission_history_shows_names_and_labels_rather_than_ids():
    mission = MissionFactory()
    participant = ParticipantFactory(mission=mission, person__full_name="Anna Schmidt")
    participant.rsvp_status = RsvpStatus.ACCEPTED
    participant.save()
    new_lead = OrganisationFactory(name="City of Leipzig")
    old_lead = mission.lead_organisation
    mission.lead_organisation = new_lead
    mission.save()

    entries = mission_history(mission, 1, personal_data=True).object_list

    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [
        ("Lead organisation", old_lead.name, "City of Leipzig")
    ]
    assert (entries[1].label, [(c.label, c.old, c.new) for c in entries[1].changes]) == (
        "Anna Schmidt",
        [("RSVP", "Not invited", "Accepted")],
    )


def test_mission_history_names_countries_zones_and_yes_no():
    mission = MissionFactory()
    item = ItineraryItemFactory(mission=mission)
    mission.destination_country = "DE"
    mission.time_zone = zoneinfo.ZoneInfo("Europe/Berlin")
    mission.save()
    item.is_cancelled = True
    item.save()

    entries = mission_history(mission, 1, personal_data=True).object_list

    assert [(c.label, c.old, c.new) for c in entries[0].changes] == [("Cancelled", "no", "yes")]
    assert [(c.label, c.old, c.new) for c in entries[1].changes] == [
        ("Destination country", "United Kingdom", "Germany"),
        ("Time zone of the destination", "Europe/London", "Europe/Berlin"),
    ]


def test_mission_history_keeps_deleted_items():
    mission = MissionFactory()
    item = ItineraryItemFactory(mission=mission, title="Boat trip")
    item.delete()

    entries = mission_history(mission, 1, personal_data=True).object_list

    assert [(e.kind, e.label, e.action) for e in entries[:2]] == [
        ("item", "Boat trip", "-"),
        ("item", "Boat trip", "+"),
    ]


def test_mission_history_leaves_out_other_missions():
    mission = MissionFactory()
    ItineraryItemFactory(title="Elsewhere")

    entries = mission_history(mission, 1, personal_data=True).object_list

    assert [(e.kind, e.action) for e in entries] == [("mission", "+")]


@pytest.mark.parametrize("changes", [1, 60])
def test_mission_history_page_queries_stay_bounded(django_assert_max_num_queries, changes):
    mission = MissionFactory()
    venue = VenueFactory()
    for n in range(changes):
        item = ItineraryItemFactory(mission=mission, venue=venue)
        item.venue = VenueFactory() if n % 2 else None
        item.save()
        ParticipantFactory(mission=mission)

    with django_assert_max_num_queries(10):
        page = mission_history(mission, 1, personal_data=True)
        assert len(page.object_list) == min(25, 1 + 3 * changes)
