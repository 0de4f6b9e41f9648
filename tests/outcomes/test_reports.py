"""The outcomes report: its figures equal a hand count of a small fixture; a value
without a rate is a visible gap, never a zero; the XLSX's totals are the page's; the
number of queries does not grow with the missions."""

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matchmaking.enums import MeetingState
from missions.enums import MissionKind, RsvpStatus
from organisations.enums import MembershipRole
from outcomes import figures, reports
from outcomes.enums import OutcomeKind
from outcomes.enums import OutcomeStatus as S
from planning.views.reports import CHARTS
from tests.factories import (
    ExchangeRateFactory,
    FeedbackFactory,
    ItemRatingFactory,
    ItineraryItemFactory,
    MeetingFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def _participants(mission, *statuses):
    return [ParticipantFactory(mission=mission, rsvp_status=status) for status in statuses]


@pytest.fixture
def fixture():
    """Three missions of Birmingham City Council, one of someone else's."""
    council = OrganisationFactory(name="Birmingham City Council", city="Birmingham")
    leipzig = OrganisationFactory(name="Stadt Leipzig", city="Leipzig", country="DE")
    creative = SectorFactory(name="Creative industries", name_de="Kreativwirtschaft")
    mobility = SectorFactory(name="Mobility")
    ExchangeRateFactory(year=2024, currency="EUR", rate="0.85")
    ExchangeRateFactory(year=2025, currency="EUR", rate="0.84")  # not USD: a gap
    opera_ball = MissionFactory(
        lead_organisation=council,
        kind=MissionKind.OUTBOUND,
        destination_city="Leipzig",
        destination_country="DE",
        start_date=dt.date(2024, 11, 7),
        end_date=dt.date(2024, 11, 9),
    )
    opera_ball.sectors.set([creative])
    received = MissionFactory(
        lead_organisation=council,
        partners=[leipzig],
        start_date=dt.date(2025, 3, 11),
        end_date=dt.date(2025, 3, 13),
    )
    received.sectors.set([creative, mobility])
    tokyo = MissionFactory(
        lead_organisation=council,
        kind=MissionKind.STUDY_VISIT,
        destination_city="Tokyo",
        destination_country="JP",
        start_date=dt.date(2025, 10, 1),
        end_date=dt.date(2025, 10, 3),
    )
    yes, no, maybe = RsvpStatus.ACCEPTED, RsvpStatus.DECLINED, RsvpStatus.TENTATIVE
    waiting, uninvited = RsvpStatus.INVITED, RsvpStatus.NOT_INVITED
    ball = _participants(opera_ball, yes, yes, yes, no, waiting, uninvited)
    came = _participants(received, yes, yes, maybe)
    given = [
        FeedbackFactory(participant=ball[0], rating=4),
        FeedbackFactory(participant=ball[1], rating=5),
        FeedbackFactory(participant=came[0], rating=3),
    ]
    ball_day = dt.datetime(2024, 11, 8, tzinfo=opera_ball.time_zone)
    ball, scene = (
        ItineraryItemFactory(mission=opera_ball, title=title, starts_at=ball_day.replace(hour=h))
        for title, h in (("Opera Ball", 19), ("Leipzig's creative scene", 10))
    )
    round_table = ItineraryItemFactory(mission=received, title="Round table")
    ItemRatingFactory(feedback=given[0], item=scene, rating=5)
    ItemRatingFactory(feedback=given[0], item=ball, rating=4)
    ItemRatingFactory(feedback=given[1], item=ball, rating=2)
    ItemRatingFactory(feedback=given[2], item=round_table, rating=3)
    ItemRatingFactory(rating=1)  # of someone else's mission

    def outcome(mission, kind, status=S.CONFIRMED, **fields):
        return OutcomeFactory(mission=mission, kind=kind, status=status, **fields)

    outcome(opera_ball, OutcomeKind.MEETING)
    outcome(opera_ball, OutcomeKind.MEETING)
    outcome(opera_ball, OutcomeKind.LEAD)
    outcome(opera_ball, OutcomeKind.DEAL, value=Decimal("1000"), currency="EUR")
    outcome(opera_ball, OutcomeKind.DEAL, S.LOST, value=Decimal("5000"), currency="GBP")
    outcome(received, OutcomeKind.AGREEMENT)
    outcome(received, OutcomeKind.DEAL, S.EXPECTED, value=Decimal("2000"), currency="USD")
    outcome(received, OutcomeKind.INVESTMENT, value=Decimal("10000"), currency="GBP")
    outcome(received, OutcomeKind.JOBS, jobs=12)
    outcome(tokyo, OutcomeKind.LEAD, S.EXPECTED)
    outcome(MissionFactory(), OutcomeKind.DEAL, value=Decimal("99999"), currency="GBP")
    planner = MembershipFactory(organisation=council).user
    return {"planner": planner, "creative": creative, "mobility": mobility}


def _report(fixture, **filters) -> figures.Report:
    return reports.report_for(fixture["planner"], figures.Filters(**filters))


def test_report_timeline_equals_hand_count(fixture):
    rows = [(r.year, r.partnership, r.missions, r.delegates) for r in _report(fixture).timeline]

    assert rows == [
        (2024, "Birmingham – Leipzig", 1, 3),
        (2025, "Birmingham – Leipzig", 1, 3),  # received at home: the partner's city
        (2025, "Birmingham – Tokyo", 1, 0),
    ]


def test_report_funnel_and_jobs_equal_hand_count(fixture):
    report = _report(fixture)
    funnel = {r.kind: (r.confirmed, r.expected, r.lost) for r in report.funnel}

    assert [r.kind for r in report.funnel][:4] == list(OutcomeKind.FUNNEL)
    assert funnel[OutcomeKind.MEETING] == (2, 0, 0)
    assert funnel[OutcomeKind.LEAD] == (1, 1, 0)
    assert funnel[OutcomeKind.AGREEMENT] == (1, 0, 0)
    assert funnel[OutcomeKind.DEAL] == (1, 1, 1)
    assert report.jobs == 12


def test_report_values_are_converted_with_the_year_s_rate(fixture):
    values = _report(fixture).values

    assert [(r.label, r.confirmed, r.expected) for r in values.by_mission] == [
        (values.by_mission[0].label, Decimal("10000.00"), None),
        (values.by_mission[1].label, Decimal("850.00"), None),
    ]
    assert [(r.label, r.confirmed) for r in values.by_sector] == [
        ("Creative industries", Decimal("10850.00")),
        ("Mobility", Decimal("10000.00")),
    ]
    assert values.confirmed == Decimal("10850.00")


def test_report_value_without_rate_is_a_gap_not_a_zero(fixture):
    client = Client()
    client.force_login(fixture["planner"])

    page = client.get(reverse("plan:reports"))
    gaps = page.context["report"].values.gaps

    assert gaps == [figures.Gap(currency="USD", year=2025, outcomes=1, value=Decimal("2000.00"))]
    assert page.context["report"].values.expected is None  # the USD deal: no zero for it
    html = page.content.decode()
    assert 'id="value-gaps"' in html
    assert "2,000.00 USD" in html


def test_report_rsvp_and_feedback_equal_hand_count(fixture):
    report = _report(fixture)

    assert [(r.year, r.invited, r.answered, r.accepted) for r in report.rsvp] == [
        (2024, 5, 4, 3),
        (2025, 3, 3, 2),
    ]
    assert (report.rsvp_total.answer_rate, report.rsvp_total.attendance_rate) == (87.5, 62.5)
    assert report.feedback.by_rating == [(1, 0), (2, 0), (3, 1), (4, 1), (5, 1)]
    assert report.feedback.average == 4.0


def test_report_item_ratings_equal_hand_count(fixture):
    feedback = _report(fixture).feedback

    # The newest mission first, each mission's items in time order.
    assert [(r.year, r.item, r.answers, r.average) for r in feedback.by_item] == [
        (2025, "Round table", 1, 3.0),
        (2024, "Leipzig's creative scene", 1, 5.0),
        (2024, "Opera Ball", 2, 3.0),
    ]
    assert (feedback.item_answers, feedback.item_average) == (4, 3.5)
    assert (feedback.answers, feedback.average) == (3, 4.0)  # the missions' own, apart


def test_report_item_ratings_follow_the_filters(fixture):
    feedback = _report(fixture, year_to=2024).feedback

    assert [(r.item, r.answers) for r in feedback.by_item] == [
        ("Leipzig's creative scene", 1),
        ("Opera Ball", 2),
    ]


def test_report_page_lists_the_item_ratings_under_their_chart(fixture):
    client = Client()
    client.force_login(fixture["planner"])

    page = client.get(reverse("plan:reports"))

    html = page.content.decode()
    table = html[html.index('id="table-item-ratings"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row" class="fw-normal text-break">([^<]*)</th>', table)
    assert rows == ["Round table", "Leipzig&#x27;s creative scene", "Opera Ball"]
    assert re.search(r'data-testid="item-answers">4<', table)
    assert re.search(r'data-testid="item-average">3.5<', table)
    assert "/plan/reports/charts/item-ratings.svg?" in html


@pytest.mark.parametrize(
    ("filters", "missions"),
    [
        ({"partner_city": "Leipzig"}, 2),
        ({"partner_country": "JP"}, 1),
        ({"kind": MissionKind.STUDY_VISIT}, 1),
        ({"year_from": 2025}, 2),
        ({"year_to": 2024}, 1),
    ],
)
def test_report_filters_narrow_the_missions(fixture, filters, missions):
    assert _report(fixture, **filters).missions == missions


def test_report_sector_filter_keeps_its_missions(fixture):
    report = _report(fixture, sector=fixture["mobility"].pk)

    assert (report.missions, report.values.confirmed) == (1, Decimal("10000.00"))


def test_report_page_filters_from_the_query_string(fixture):
    client = Client()
    client.force_login(fixture["planner"])

    page = client.get(reverse("plan:reports"), {"partner_city": "Leipzig", "year_from": "2025"})

    assert page.context["report"].missions == 1
    assert "partner_city=Leipzig" in page.context["query"]


def test_report_of_user_without_membership_is_404(fixture, django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create(username="nobody"))

    assert client.get(reverse("plan:reports")).status_code == 404


def test_report_xlsx_opens_and_its_totals_equal_the_page_s(fixture):
    client = Client()
    client.force_login(fixture["planner"])
    page = client.get(reverse("plan:reports")).context["report"]

    response = client.get(reverse("plan:report-xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))

    assert book.sheetnames == [
        "Timeline",
        "Funnel",
        "Value by sector",
        "Value by mission",
        "Values without a rate",
        "Answers and attendance",
        "Feedback ratings",
        "Ratings per itinerary item",
        "Outcomes",
    ]
    timeline = list(book["Timeline"].values)
    by_mission = list(book["Value by mission"].values)
    assert timeline[-1][3:] == (page.missions, page.delegates)
    assert by_mission[-1][2:4] == (float(page.values.confirmed), None)
    assert list(book["Values without a rate"].values)[1] == ("USD", 2025, 1, 2000)
    items = list(book["Ratings per itinerary item"].values)
    assert [row[2:] for row in items[1:-1]] == [
        (r.item, r.answers, r.average) for r in page.feedback.by_item
    ]
    assert items[-1] == (
        "Total",
        None,
        None,
        page.feedback.item_answers,
        page.feedback.item_average,
    )
    assert len(list(book["Outcomes"].values)) == 1 + 10  # the header, the council's ten


def test_report_xlsx_in_german_names_its_sheets_in_german(fixture):
    client = Client()
    client.force_login(fixture["planner"])

    response = client.get(reverse("plan:report-xlsx"), {"language": "de"})

    assert openpyxl.load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Zeitleiste"


@pytest.mark.parametrize("name", CHARTS)
def test_report_chart_is_an_svg(fixture, name):
    client = Client()
    client.force_login(fixture["planner"])

    response = client.get(reverse("plan:report-chart", args=[name]), {"year_from": "2024"})

    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml")
    assert b"<script" not in response.content


def test_report_chart_unknown_is_404(fixture):
    client = Client()
    client.force_login(fixture["planner"])

    assert client.get(reverse("plan:report-chart", args=["pie"])).status_code == 404


def test_report_print_is_in_the_language_asked_for(fixture):
    client = Client()
    client.force_login(fixture["planner"])

    english = client.get(reverse("plan:report-print"), {"language": "en"}).content.decode()
    german = client.get(reverse("plan:report-print"), {"language": "de"}).content.decode()

    assert '<html lang="en">' in english
    assert "Outcomes report" in english
    assert '<html lang="de">' in german
    assert "Ergebnisbericht" in german
    assert "language=de" in german  # its charts too


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("plan:reports"))
    assert response.status_code == 200
    return len(queries)


def _missions(council, n: int, sector) -> None:
    for i in range(n):
        mission = MissionFactory(
            lead_organisation=council,
            destination_city=f"City {i % 7}",
            start_date=dt.date(1996 + i % 30, 5, 1),
            end_date=dt.date(1996 + i % 30, 5, 2),
        )
        mission.sectors.set([sector])
        yes = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
        ItemRatingFactory(feedback__participant=yes, rating=1 + i % 5)
        OutcomeFactory(mission=mission, value=Decimal("100"), currency="EUR")


@pytest.mark.parametrize("missions", [1, 100])
def test_report_query_count_does_not_grow_with_missions(missions):
    council = OrganisationFactory()
    _missions(council, missions, SectorFactory())
    client = Client()
    client.force_login(MembershipFactory(organisation=council, role=MembershipRole.VIEWER).user)

    assert _queries(client) == QUERY_BUDGET


# The session, the user, the membership, the request's savepoint and its release; the
# filters' choices (2); the figures (8).
QUERY_BUDGET = 15


def test_report_funnel_counts_matchmaking_meetings_once(fixture):
    council = fixture["planner"].memberships.get().organisation
    mission = MissionFactory(
        lead_organisation=council, start_date=dt.date(2025, 6, 2), end_date=dt.date(2025, 6, 4)
    )
    held = MeetingFactory(request__mission=mission, state=MeetingState.FINAL)
    MeetingFactory(request__mission=mission)  # preliminary: not counted
    OutcomeFactory(mission=mission, kind=OutcomeKind.MEETING, meeting=held)  # recorded too

    funnel = {r.kind: (r.confirmed, r.expected) for r in _report(fixture).funnel}

    assert funnel[OutcomeKind.MEETING] == (2 + 1, 0)
