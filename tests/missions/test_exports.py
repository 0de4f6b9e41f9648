"""CSV exports: participant list, dietary and accessibility list, attendance per item."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.urls import reverse

from missions.enums import Audience, ParticipantRole, RsvpStatus
from missions.exports import safe_cell
from missions.models import Participant
from organisations.enums import MembershipRole
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
LONDON = zoneinfo.ZoneInfo("Europe/London")
EXPORTS = ["participant-export", "dietary-export", "attendance-export"]


@pytest.fixture
def mission():
    return MissionFactory(
        title="Leipzig economic delegation to Japan",
        slug="leipzig-japan-2025",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=dt.date(2025, 11, 12),
        end_date=dt.date(2025, 11, 14),
    )


def download(client, name: str, mission) -> list[list[str]]:
    response = client.get(reverse(f"plan:{name}", args=[mission.pk]))
    assert response.status_code == 200
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


def tokyo(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 11, day, hour, minute, tzinfo=TOKYO)


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("participant-export", "leipzig-japan-2025-participants.csv"),
        ("dietary-export", "leipzig-japan-2025-dietary.csv"),
        ("attendance-export", "leipzig-japan-2025-attendance.csv"),
    ],
)
def test_export_is_utf8_csv_with_bom_named_after_the_mission_and_kept_by_no_cache(
    client, planner, mission, name, filename
):
    ParticipantFactory(mission=mission, person=PersonFactory(full_name="Jörg Müller"))

    response = client.get(reverse(f"plan:{name}", args=[mission.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith("\ufeff".encode())


@pytest.mark.parametrize("name", ["participant-export", "dietary-export", "attendance-export"])
def test_export_for_a_german_planner_is_separated_by_semicolons_as_german_excel_expects(
    client, planner, mission, name
):
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Jörg Müller, Dr."),
        dietary_requirements="vegetarisch",
    )

    german = client.get(reverse(f"plan:{name}", args=[mission.pk]), HTTP_ACCEPT_LANGUAGE="de")
    english = client.get(reverse(f"plan:{name}", args=[mission.pk]), HTTP_ACCEPT_LANGUAGE="en")

    german_header = german.content.decode().splitlines()[0]
    english_header = english.content.decode().splitlines()[0]
    assert ";" in german_header
    assert "," not in german_header
    assert "," in english_header
    assert ";" not in english_header
    rows = list(csv.reader(io.StringIO(german.content.decode()[1:]), delimiter=";"))
    assert len({len(row) for row in rows}) == 1  # every row as wide as the header


@pytest.mark.parametrize("name", EXPORTS)
def test_export_of_someone_elses_mission_gives_404(client, mission, name):
    client.force_login(MembershipFactory().user)

    assert client.get(reverse(f"plan:{name}", args=[mission.pk])).status_code == 404


def test_attendance_export_for_partner_planner_downloads(client, partner, mission):
    url = reverse("plan:attendance-export", args=[mission.pk])

    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["participant-export", "dietary-export"])
def test_personal_data_export_for_partner_planner_gives_404(client, partner, mission, name):
    ParticipantFactory(mission=mission, phone="+49 341 1", dietary_requirements="Halal")

    response = client.get(reverse(f"plan:{name}", args=[mission.pk]))

    assert response.status_code == 404
    assert b"Halal" not in response.content


@pytest.mark.parametrize("name", ["participant-export", "dietary-export"])
def test_personal_data_export_for_viewer_of_the_organisers_gives_404(client, mission, name):
    viewer = MembershipFactory(
        organisation=mission.lead_organisation, role=MembershipRole.VIEWER
    ).user
    client.force_login(viewer)

    assert client.get(reverse(f"plan:{name}", args=[mission.pk])).status_code == 404


@pytest.mark.parametrize("name", ["participant-export", "dietary-export"])
def test_personal_data_export_for_planner_of_a_second_organiser_downloads(client, mission, name):
    second = OrganisationFactory()
    mission.organisers.add(second)
    client.force_login(MembershipFactory(organisation=second).user)
    ParticipantFactory(mission=mission, dietary_requirements="Halal")

    response = client.get(reverse(f"plan:{name}", args=[mission.pk]))

    assert response.status_code == 200
    assert "Halal" in response.content.decode()


def test_participant_export_lists_everyone_with_travel_in_the_mission_zone(
    client, planner, mission
):
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(
            full_name="Jörg Müller",
            email="joerg@example.org",
            organisation=OrganisationFactory(name="Invest Region Leipzig"),
            job_title="Managing director",
            preferred_language="de",
        ),
        phone="0341 123",
        dietary_requirements="Vegan",
        accessibility_needs="Step-free access",
        role=ParticipantRole.LEAD,
        rsvp_status=RsvpStatus.ACCEPTED,
        arrival_at=tokyo(12, 7, 30),
        arrival_details="NH 210",
        departure_at=tokyo(14, 21),
        departure_details="NH 209",
        notes="Meets the mayor",
    )
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Ada Lovelace", email="ada@example.org", organisation=None),
    )

    rows = download(client, "participant-export", mission)

    assert rows == [
        [
            "Name",
            "E-mail",
            "Phone",
            "Organisation",
            "Job title",
            "Role",
            "RSVP",
            "Language",
            "Arrival",
            "Arrives by",
            "Departure",
            "Departs by",
            "Dietary requirements",
            "Accessibility needs",
            "Notes",
        ],
        ["Ada Lovelace", "ada@example.org", "", "", "", "Delegate", "Not invited", "English"]
        + [""] * 7,
        [
            "Jörg Müller",
            "joerg@example.org",
            "0341 123",
            "Invest Region Leipzig",
            "Managing director",
            "Delegation lead",
            "Accepted",
            "German",
            "12 Nov 2025, 07:30 JST (Asia/Tokyo)",
            "NH 210",
            "14 Nov 2025, 21:00 JST (Asia/Tokyo)",
            "NH 209",
            "Vegan",
            "Step-free access",
            "Meets the mayor",
        ],
    ]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+44 121 303 1111", "'+44 121 303 1111"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Müller = Miller", "Müller = Miller"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell_puts_an_apostrophe_before_formulas(value, cell):
    assert safe_cell(value) == cell


def test_participant_export_guards_against_formula_injection(client, planner, mission):
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(
            full_name='=HYPERLINK("http://evil.example","Click")',
            email="eve@example.org",
            organisation=None,
        ),
        phone="+49 341 123",
        dietary_requirements="@SUM(1+1)",
        notes="-1",
    )

    [_, row] = download(client, "participant-export", mission)

    assert row[0] == '\'=HYPERLINK("http://evil.example","Click")'
    assert (row[2], row[12], row[14]) == ("'+49 341 123", "'@SUM(1+1)", "'-1")


@pytest.fixture
def programme(mission):
    """Two whole-delegation items, one for selected people, one cancelled; four people."""
    venue = VenueFactory(name="Tokyo Big Sight", city="Tokyo", country="JP", time_zone=TOKYO)
    items = {
        "briefing": ItineraryItemFactory(
            mission=mission, title="Briefing", starts_at=tokyo(12, 9), ends_at=tokyo(12, 10)
        ),
        "dinner": ItineraryItemFactory(
            mission=mission,
            title="Business dinner",
            audience=Audience.SELECTED,
            venue=venue,
            starts_at=tokyo(12, 19),
            ends_at=tokyo(12, 21),
        ),
        "fair": ItineraryItemFactory(
            mission=mission,
            title="Trade fair",
            venue=VenueFactory(name="Leipzig stand", time_zone=LONDON),  # shown in its own zone
            starts_at=tokyo(13, 10),
            ends_at=tokyo(13, 17),
        ),
        "cancelled": ItineraryItemFactory(
            mission=mission,
            title="Cancelled visit",
            is_cancelled=True,
            starts_at=tokyo(14, 9),
            ends_at=tokyo(14, 10),
        ),
    }
    jana = ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Jana Vogel", organisation=None),
        dietary_requirements="Vegetarian",
        rsvp_status=RsvpStatus.ACCEPTED,
    )
    jana.items.add(items["dinner"])
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(
            full_name="Anton Berg",
            organisation=OrganisationFactory(name="Kreatives Leipzig"),
        ),
        accessibility_needs="Wheelchair user",
    )
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Declined Dora"),
        dietary_requirements="Halal",
        rsvp_status=RsvpStatus.DECLINED,
    ).items.add(items["dinner"])
    ParticipantFactory(mission=mission, person=PersonFactory(full_name="Carl No-Needs"))
    return items


@pytest.mark.usefixtures("programme")
def test_dietary_export_lists_only_people_with_needs_and_their_items(client, planner, mission):
    rows = download(client, "dietary-export", mission)

    briefing = "12 Nov 2025, 09:00 JST (Asia/Tokyo) Briefing"
    dinner = "12 Nov 2025, 19:00 JST (Asia/Tokyo) Business dinner"
    fair = "13 Nov 2025, 01:00 GMT (Europe/London) Trade fair"
    assert rows == [
        [
            "Name",
            "Organisation",
            "Role",
            "Dietary requirements",
            "Accessibility needs",
            "Items attended",
        ],
        [
            "Anton Berg",
            "Kreatives Leipzig",
            "Delegate",
            "",
            "Wheelchair user",
            f"{briefing}; {fair}",
        ],
        [
            "Jana Vogel",
            "",
            "Delegate",
            "Vegetarian",
            "",
            f"{briefing}; {dinner}; {fair}",
        ],
    ]


@pytest.mark.usefixtures("programme")
def test_attendance_export_lists_each_item_with_its_attendees(client, planner, mission):
    rows = download(client, "attendance-export", mission)

    assert rows == [
        ["Starts", "Title", "Venue", "Attendees"],
        [
            "12 Nov 2025, 09:00 JST (Asia/Tokyo)",
            "Briefing",
            "",
            "Anton Berg",
            "Carl No-Needs",
            "Jana Vogel",
        ],
        [
            "12 Nov 2025, 19:00 JST (Asia/Tokyo)",
            "Business dinner",
            "Tokyo Big Sight, Tokyo",
            "Jana Vogel",
        ],
        [
            "13 Nov 2025, 01:00 GMT (Europe/London)",
            "Trade fair",
            "Leipzig stand, Birmingham",
            "Anton Berg",
            "Carl No-Needs",
            "Jana Vogel",
        ],
    ]


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("count", [1, 300])
def test_export_stays_within_10_queries_whatever_the_size(
    client, planner, mission, django_assert_max_num_queries, name, count
):
    selected = ItineraryItemFactory(mission=mission, audience=Audience.SELECTED)
    ItineraryItemFactory(mission=mission, venue=VenueFactory())
    people = PersonFactory.create_batch(count, organisation=OrganisationFactory())
    participants = Participant.objects.bulk_create(
        Participant(mission=mission, person=person, dietary_requirements="Vegan")
        for person in people
    )
    selected.attendees.add(*participants)

    with django_assert_max_num_queries(10):
        rows = download(client, name, mission)

    assert len(rows) == (3 if name == "attendance-export" else count + 1)
