"""The planner's dashboard (/plan/): what needs doing, and the timeline of the missions.

Dates are relative to today in the mission's zone, so the tests hold on any day.
"""

import datetime as dt
import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging.enums import MessageState
from missions.enums import ActionStatus, FeasibilityRule, ItemKind, MissionStatus, RsvpStatus
from missions.models import Mission
from organisations.enums import MembershipRole
from planning.selectors import MONTH_WIDTH, Phase, mission_timeline
from tests.factories import (
    FollowUpActionFactory,
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    VenueFactory,
    WarningAcknowledgementFactory,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
QUERY_BUDGET = 14  # the same for 1 mission or 8: measured 14


def today(zone: zoneinfo.ZoneInfo = LONDON) -> dt.date:
    return timezone.localdate(timezone=zone)


def mission_in(days: int, *, length: int = 3, zone=LONDON, **kwargs) -> Mission:
    """A mission starting `days` from today in its zone (negative: already begun)."""
    start = today(zone) + dt.timedelta(days=days)
    return MissionFactory(
        start_date=start, end_date=start + dt.timedelta(days=length - 1), time_zone=zone, **kwargs
    )


@pytest.fixture
def planner():
    return MembershipFactory(organisation=OrganisationFactory(name="Birmingham City Council"))


@pytest.fixture
def planner_client(client: Client, planner) -> Client:
    client.force_login(planner.user)
    return client


def section(response, testid: str) -> str:
    """The text of one section of the dashboard, tags removed, spaces collapsed."""
    html = response.content.decode()
    match = re.search(rf'data-testid="{testid}".*?</section>', html, re.S)
    assert match, f"no section {testid}"
    text = " ".join(re.sub(r"<[^>]+>", " ", match.group(0).split(">", 1)[1]).split())
    return text.replace(" ,", ",")


def links(response, testid: str) -> list[str]:
    html = response.content.decode()
    match = re.search(rf'data-testid="{testid}".*?</section>', html, re.S)
    return re.findall(r'href="([^"]+)"', match.group(0))


def timeline_rows(response) -> list[list[str]]:
    """The rows of the timeline's table: mission, dates, status."""
    html = response.content.decode()
    table = html[html.index('data-testid="timeline-table"') :]
    table = table[: table.index("</table>")]
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    ]


# WHAT NEEDS DOING -------------------------------------------------------------------


def test_dashboard_deadline_this_week_shows_how_many_are_silent(planner_client, planner):
    soon = mission_in(10, title="Leipzig trade mission", lead_organisation=planner.organisation)
    soon.rsvp_deadline = today() + dt.timedelta(days=3)
    soon.save()
    ParticipantFactory.create_batch(2, mission=soon, rsvp_status=RsvpStatus.INVITED)
    ParticipantFactory(mission=soon, rsvp_status=RsvpStatus.ACCEPTED)
    later = mission_in(30, title="Later mission", lead_organisation=planner.organisation)
    later.rsvp_deadline = today() + dt.timedelta(days=8)
    later.save()
    ParticipantFactory(mission=later, rsvp_status=RsvpStatus.INVITED)
    answered = mission_in(10, title="All answered", lead_organisation=planner.organisation)
    answered.rsvp_deadline = today() + dt.timedelta(days=1)
    answered.save()
    ParticipantFactory(mission=answered, rsvp_status=RsvpStatus.DECLINED)

    response = planner_client.get(reverse("plan:dashboard"))

    day = soon.rsvp_deadline.strftime("%-d %b %Y")
    assert section(response, "rsvp-deadlines") == (
        f"RSVP deadlines in the next 7 days Leipzig trade mission "
        f"Deadline {day}, in 3 days · 2 have not answered"
    )
    assert links(response, "rsvp-deadlines") == [
        reverse("plan:participant-list", args=[soon.pk]) + "?rsvp_status=invited"
    ]


def test_dashboard_deadline_today_says_today(planner_client, planner):
    mission = mission_in(5, title="Tomorrow's deadline", lead_organisation=planner.organisation)
    mission.rsvp_deadline = today()
    mission.save()
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)

    response = planner_client.get(reverse("plan:dashboard"))

    day = today().strftime("%-d %b %Y")
    assert section(response, "rsvp-deadlines").endswith(
        f"Deadline today, {day} · 1 has not answered"
    )


def test_dashboard_open_warnings_leave_out_acknowledged_ones(planner_client, planner):
    open_one = mission_in(20, title="Site visits", lead_organisation=planner.organisation)
    for hour in (10, 14):  # no venue, no host
        starts = dt.datetime.combine(open_one.start_date, dt.time(hour), LONDON)
        ItineraryItemFactory(
            mission=open_one,
            kind=ItemKind.SITE_VISIT,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
        )
    settled = mission_in(20, title="Settled", lead_organisation=planner.organisation)
    item = ItineraryItemFactory(mission=settled, kind=ItemKind.SITE_VISIT)
    WarningAcknowledgementFactory(item=item, rule=FeasibilityRule.SITE_VISIT_INCOMPLETE)

    response = planner_client.get(reverse("plan:dashboard"))

    assert section(response, "open-warnings") == (
        "Open feasibility warnings Site visits 2 open warnings"
    )
    assert links(response, "open-warnings") == [reverse("plan:itinerary", args=[open_one.pk])]


def test_dashboard_failed_messages_count_those_a_planner_can_retry(planner_client, planner):
    mission = mission_in(20, title="Mail trouble", lead_organisation=planner.organisation)
    for _ in range(2):
        OutgoingMessageFactory(
            participant=ParticipantFactory(mission=mission), state=MessageState.FAILED
        )
    resent = ParticipantFactory(mission=mission)
    OutgoingMessageFactory(participant=resent, state=MessageState.FAILED)
    OutgoingMessageFactory(  # a newer one went out
        participant=resent, state=MessageState.SENT, sent_at=timezone.now(), occasion="again"
    )
    OutgoingMessageFactory(participant=ParticipantFactory(mission=mission))  # queued

    response = planner_client.get(reverse("plan:dashboard"))

    assert section(response, "failed-messages") == (
        "Failed messages Mail trouble 2 messages failed: retry them on the participants page"
    )
    assert links(response, "failed-messages") == [
        reverse("plan:participant-list", args=[mission.pk])
    ]


def test_dashboard_follow_up_actions_due_this_week_or_overdue(planner_client, planner):
    mission = mission_in(-40, title="Spring mission", lead_organisation=planner.organisation)
    leipzig = OrganisationFactory(name="Spinnerei Leipzig")

    def action(days: int, agreed: str, status=ActionStatus.OPEN):
        return FollowUpActionFactory(
            mission=mission,
            organisation=leipzig,
            agreed=agreed,
            due_date=today() + dt.timedelta(days=days),
            status=status,
        )

    overdue = action(-3, "Send the studio list")
    due = action(2, "Book the return visit", ActionStatus.IN_PROGRESS)
    action(20, "Next year's festival")
    action(-5, "Already agreed", ActionStatus.AGREED)

    response = planner_client.get(reverse("plan:dashboard"))

    assert section(response, "actions-due") == (
        "Follow-up actions due "
        f"Spinnerei Leipzig: Send the studio list Spring mission · "
        f"Overdue: due {overdue.due_date:%-d %b %Y} "
        f"Spinnerei Leipzig: Book the return visit Spring mission · Due {due.due_date:%-d %b %Y}"
    )
    follow_up = reverse("plan:follow-up", args=[mission.pk]) + "#actions"
    assert links(response, "actions-due") == [follow_up, follow_up]


def test_dashboard_lists_ten_actions_due_and_counts_the_rest(planner_client, planner):
    mission = mission_in(-40, title="Spring mission", lead_organisation=planner.organisation)
    for n in range(12):
        FollowUpActionFactory(
            mission=mission, agreed=f"Action {n:02d}", due_date=today() - dt.timedelta(days=n)
        )

    response = planner_client.get(reverse("plan:dashboard"))

    text = section(response, "actions-due")
    assert text.count("Spring mission ·") == 10
    assert "Action 11" in text  # the most overdue first
    assert "Action 01" not in text
    assert text.endswith("and 2 more")


def test_dashboard_mission_under_way_shows_its_next_item_in_the_items_zone(planner_client, planner):
    mission = mission_in(
        -1,
        zone=TOKYO,
        title="Tokyo mission",
        lead_organisation=planner.organisation,
        destination_city="Tokyo",
        destination_country="JP",
    )
    venue = VenueFactory(name="Tokyo Big Sight", city="Tokyo", time_zone=TOKYO)
    now = timezone.now()
    ItineraryItemFactory(  # over already
        mission=mission,
        title="Breakfast",
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=2),
    )
    start = (now + dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    ItineraryItemFactory(
        mission=mission,
        title="Keynote",
        venue=venue,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    ItineraryItemFactory(
        mission=mission,
        title="Cancelled visit",
        is_cancelled=True,
        starts_at=now + dt.timedelta(minutes=30),
        ends_at=now + dt.timedelta(hours=1),
    )

    response = planner_client.get(reverse("plan:dashboard"))

    local = timezone.localtime(start, TOKYO)
    assert section(response, "under-way") == (
        f"Under way now Tokyo mission Next: Keynote, {local:%a %-d %b %Y, %H:%M}–"
        f"{local + dt.timedelta(hours=1):%H:%M} JST (Asia/Tokyo) · Tokyo Big Sight, Tokyo"
    )
    assert links(response, "under-way") == [reverse("plan:itinerary", args=[mission.pk])]


def test_dashboard_mission_under_way_says_when_an_item_is_on_now(planner_client, planner):
    mission = mission_in(0, title="Mission of today", lead_organisation=planner.organisation)
    now = timezone.now()
    ItineraryItemFactory(
        mission=mission,
        title="Round table",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(minutes=5),
    )

    response = planner_client.get(reverse("plan:dashboard"))

    assert "Mission of today Now: Round table," in section(response, "under-way")


def test_dashboard_with_nothing_to_do_says_so(planner_client, planner):
    mission_in(60, title="Quiet mission", lead_organisation=planner.organisation)

    response = planner_client.get(reverse("plan:dashboard"))

    html = response.content.decode()
    assert "Nothing needs doing" in html
    assert 'data-testid="under-way"' not in html


def test_dashboard_section_without_entries_says_so(planner_client, planner):
    mission = mission_in(20, title="Site visits", lead_organisation=planner.organisation)
    ItineraryItemFactory(mission=mission, kind=ItemKind.SITE_VISIT)

    response = planner_client.get(reverse("plan:dashboard"))

    assert section(response, "failed-messages") == "Failed messages No failed messages."
    assert section(response, "under-way") == "Under way now No mission is under way."


def busy_mission(organisation, title: str) -> Mission:
    """A mission under way with a deadline, a warning, a failed message and an action due."""
    mission = mission_in(-1, title=title, lead_organisation=organisation)
    mission.rsvp_deadline = mission.end_date
    mission.save()
    item = ItineraryItemFactory(
        mission=mission,
        kind=ItemKind.SITE_VISIT,
        starts_at=timezone.now() + dt.timedelta(minutes=10),
        ends_at=timezone.now() + dt.timedelta(minutes=70),
        venue=VenueFactory(),
    )
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    participant.items.add(item)
    OutgoingMessageFactory(participant=participant, state=MessageState.FAILED)
    FollowUpActionFactory(mission=mission, due_date=today())
    return mission


SECTIONS = ["under-way", "rsvp-deadlines", "open-warnings", "failed-messages", "actions-due"]


def test_dashboard_shows_another_organisations_missions_to_nobody_else(client, planner):
    busy_mission(planner.organisation, "Ours")
    outsider = MembershipFactory()
    busy_mission(outsider.organisation, "Theirs")
    partner = MembershipFactory(role=MembershipRole.VIEWER)
    shared = busy_mission(outsider.organisation, "Shared with a partner")
    shared.partners.add(partner.organisation)

    seen = {}
    for membership in (planner, outsider, partner):
        client.force_login(membership.user)
        response = client.get(reverse("plan:dashboard"))
        seen[membership] = [section(response, testid) for testid in SECTIONS]
        seen[membership].append(str(timeline_rows(response)))

    assert all("Ours" in text and "Theirs" not in text for text in seen[planner])
    assert all("Shared" not in text for text in seen[planner])
    assert all("Theirs" in text and "Ours" not in text for text in seen[outsider])
    assert all("Shared" in text and "Theirs" not in text for text in seen[partner])


@pytest.mark.parametrize("missions", [1, 8])
def test_dashboard_with_everything_to_do_stays_within_query_budget(
    planner_client, planner, django_assert_max_num_queries, missions
):
    for n in range(missions):
        busy_mission(planner.organisation, f"Mission {n}")
        mission_in(-150 + n, lead_organisation=planner.organisation)  # a past one

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = planner_client.get(reverse("plan:dashboard"))

    needs = response.context["needs"]
    assert [
        len(entries)
        for entries in (
            needs.under_way,
            needs.deadlines,
            needs.warnings,
            needs.failed_messages,
            needs.actions,
        )
    ] == [missions] * 5
    assert len(response.context["timeline"].bars) == 2 * missions


def test_dashboard_needs_doing_speaks_german(planner_client, planner):
    busy_mission(planner.organisation, "Leipzig")

    response = planner_client.get(reverse("plan:dashboard"), HTTP_ACCEPT_LANGUAGE="de")

    assert section(response, "failed-messages") == (
        "Fehlgeschlagene Nachrichten Leipzig 1 Nachricht fehlgeschlagen: "
        "auf der Seite der Teilnehmenden erneut senden"
    )
    assert section(response, "rsvp-deadlines").startswith(
        "Rückmeldefristen in den nächsten 7 Tagen Leipzig Frist "
    )


# THE TIMELINE ---------------------------------------------------------------------------


def test_dashboard_timeline_lists_missions_with_their_phase(planner_client, planner):
    organisation = planner.organisation
    mission_in(-120, title="Spring mission", lead_organisation=organisation)
    mission_in(-1, title="Under way", lead_organisation=organisation)
    mission_in(
        30, title="Called off", lead_organisation=organisation, status=MissionStatus.CANCELLED
    )
    planned = mission_in(
        60, title="Next one", lead_organisation=organisation, status=MissionStatus.CONFIRMED
    )
    mission_in(-800, title="Long ago", lead_organisation=organisation)
    mission_in(30, title="Not ours")

    response = planner_client.get(reverse("plan:dashboard"))

    rows = timeline_rows(response)
    assert [(title, status) for title, _, status in rows] == [
        ("Spring mission", "Completed"),
        ("Under way", "Under way"),
        ("Called off", "Cancelled"),
        ("Next one", "Planned"),
    ]
    start, end = planned.start_date, planned.end_date
    assert rows[3][1] == f"{start:%-d %b %Y} – {end:%-d %b %Y}"
    html = response.content.decode()
    assert html.count('data-testid="timeline-bar"') == 4
    assert 'data-phase="cancelled"' in html
    assert "Called off · Cancelled</text>" in html  # the bar says its phase, not colour alone


def test_dashboard_timeline_says_when_no_mission_falls_in_its_months(planner_client, planner):
    mission_in(-800, title="Long ago", lead_organisation=planner.organisation)

    response = planner_client.get(reverse("plan:dashboard"))

    assert "No mission in these months." in response.content.decode()


def test_timeline_places_bars_by_their_days_within_the_months():
    first = MissionFactory.build(
        pk=1,
        start_date=dt.date(2026, 6, 1),
        end_date=dt.date(2026, 6, 30),
        time_zone=LONDON,
    )
    second = MissionFactory.build(
        pk=2,
        start_date=dt.date(2027, 12, 16),
        end_date=dt.date(2028, 2, 1),
        time_zone=LONDON,
    )
    outside = MissionFactory.build(
        pk=3, start_date=dt.date(2026, 5, 1), end_date=dt.date(2026, 5, 31), time_zone=LONDON
    )

    timeline = mission_timeline(missions=[second, outside, first], today=dt.date(2026, 12, 5))

    assert timeline.first_day == dt.date(2026, 6, 1)
    assert timeline.last_day == dt.date(2027, 12, 31)
    assert [bar.mission for bar in timeline.bars] == [first, second]
    assert (timeline.bars[0].x, timeline.bars[0].width) == (0, MONTH_WIDTH)
    # 16 December of the 19th month: half way through it, and cut at the timeline's end
    assert timeline.bars[1].x == 18 * MONTH_WIDTH + round(MONTH_WIDTH * 15 / 31)
    assert timeline.bars[1].x + timeline.bars[1].width == timeline.width
    assert timeline.bars[1].label_anchor == "end"
    assert [bar.phase for bar in timeline.bars] == [Phase.COMPLETED, Phase.PLANNED]
    assert timeline.today_x == 6 * MONTH_WIDTH + round(MONTH_WIDTH * 4 / 31)
