"""Reads of the planner's dashboard (/plan/): what needs doing, and the missions' timeline.

Both read the missions the user may see (`missions.selectors.missions_visible_to`, through
`dashboard_missions`) and add a fixed number of queries, however many missions there are:
one for failed messages, one for follow-up actions, one for the next items of the missions
under way. "Today" is always the destination's today (`missions.display.today_at`).
"""

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.reminders import ACTION_OPEN
from messaging.selectors import failed_message_counts
from missions.display import item_period, item_place_short, short_date, today_at
from missions.enums import MissionStatus
from missions.models import FollowUpAction, ItineraryItem, Mission

User = AbstractBaseUser | AnonymousUser

#: RSVP deadlines and follow-up actions this many days ahead need doing now.
HORIZON = dt.timedelta(days=7)
#: The timeline shows this many whole months before the current one, and after it.
MONTHS_BEFORE = 6
MONTHS_AFTER = 12
#: How many follow-up actions the dashboard lists; the rest are counted.
ACTIONS_SHOWN = 10


class Phase(models.TextChoices):
    """Where a mission stands on its own dates, as the timeline colours it."""

    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


def mission_phase(mission: Mission, *, today: dt.date) -> Phase:
    """Cancelled missions stay cancelled; the others follow their dates at `today`."""
    if mission.status == MissionStatus.CANCELLED:
        return Phase.CANCELLED
    if mission.end_date < today:
        return Phase.COMPLETED
    if mission.start_date <= today:
        return Phase.UNDER_WAY
    return Phase.PLANNED


# WHAT NEEDS DOING -------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineDue:
    mission: Mission
    deadline: dt.date
    days_left: int
    silent: int  # invited, not answered yet

    @property
    def day(self) -> str:
        return short_date(self.deadline)


@dataclass(frozen=True)
class MissionCount:
    mission: Mission
    count: int


@dataclass(frozen=True)
class ActionDue:
    action: FollowUpAction
    overdue: bool

    @property
    def day(self) -> str:
        return short_date(self.action.due_date)


@dataclass(frozen=True)
class UnderWay:
    mission: Mission
    next_item: ItineraryItem | None  # the item going on now or starting next
    now: dt.datetime

    @property
    def is_on_now(self) -> bool:
        return self.next_item is not None and self.next_item.starts_at <= self.now

    @property
    def when(self) -> str:
        """In the item's zone, the zone named: `Tue 4 Mar 2025, 10:00–11:30 GMT (Europe/London)`."""
        return item_period(self.next_item) if self.next_item else ""

    @property
    def where(self) -> str:
        return item_place_short(self.next_item) if self.next_item else ""


@dataclass
class NeedsDoing:
    deadlines: list[DeadlineDue] = field(default_factory=list)
    warnings: list[MissionCount] = field(default_factory=list)
    failed_messages: list[MissionCount] = field(default_factory=list)
    actions: list[ActionDue] = field(default_factory=list)
    actions_more: int = 0  # due actions beyond the ACTIONS_SHOWN listed
    under_way: list[UnderWay] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (
            self.deadlines
            or self.warnings
            or self.failed_messages
            or self.actions
            or self.under_way
        )


def needs_doing(
    *, missions: Sequence[Mission], upcoming: Sequence[Mission], open_warnings: dict[int, int]
) -> NeedsDoing:
    """What a planner should look at now, among `missions` (all the user may see).

    `upcoming` are the current and upcoming ones with their `rsvp_no_answer` count
    (`dashboard_missions`), `open_warnings` their open feasibility warnings by id
    (`missions.feasibility.open_warning_counts`, acknowledged ones left out). Three queries.
    """
    live = [mission for mission in upcoming if mission.status != MissionStatus.CANCELLED]
    todays = {mission.pk: today_at(mission) for mission in missions}
    board = NeedsDoing()
    for mission in live:
        today = todays[mission.pk]
        deadline = mission.rsvp_deadline
        if deadline and today <= deadline <= today + HORIZON and mission.rsvp_no_answer:
            board.deadlines.append(
                DeadlineDue(
                    mission=mission,
                    deadline=deadline,
                    days_left=(deadline - today).days,
                    silent=mission.rsvp_no_answer,
                )
            )
        if open_warnings.get(mission.pk):
            board.warnings.append(MissionCount(mission=mission, count=open_warnings[mission.pk]))
    board.deadlines.sort(key=lambda due: (due.deadline, due.mission.title))

    by_id = {mission.pk: mission for mission in missions}
    failed = failed_message_counts(missions=list(by_id))
    board.failed_messages = [
        MissionCount(mission=by_id[pk], count=count) for pk, count in failed.items()
    ]
    board.failed_messages.sort(key=lambda entry: (-entry.count, entry.mission.title))

    due = _actions_due(by_id, todays)
    board.actions, board.actions_more = due[:ACTIONS_SHOWN], max(len(due) - ACTIONS_SHOWN, 0)

    under_way = [m for m in live if mission_phase(m, today=todays[m.pk]) == Phase.UNDER_WAY]
    now = timezone.now()
    board.under_way = [
        UnderWay(mission=mission, next_item=item, now=now)
        for mission, item in zip(under_way, _next_items(under_way, now=now), strict=True)
    ]
    return board


def _actions_due(missions: dict[int, Mission], todays: dict[int, dt.date]) -> list[ActionDue]:
    """Open actions due within the horizon or overdue, the most overdue first. One query."""
    if not missions:
        return []
    # A day's margin either way: each mission's own today is applied below.
    latest = timezone.now().date() + HORIZON + dt.timedelta(days=1)
    actions = FollowUpAction.objects.filter(
        mission__in=list(missions), status__in=ACTION_OPEN, due_date__lte=latest
    ).select_related("organisation")
    due = []
    for action in actions:
        action.mission = missions[action.mission_id]
        today = todays[action.mission_id]
        if action.due_date <= today + HORIZON:
            due.append(ActionDue(action=action, overdue=action.due_date < today))
    due.sort(key=lambda entry: (entry.action.due_date, entry.action.pk))
    return due


def _next_items(missions: Sequence[Mission], *, now: dt.datetime) -> list[ItineraryItem | None]:
    """Each mission's item going on now or starting next (not cancelled). One query."""
    if not missions:
        return []
    by_id = {mission.pk: mission for mission in missions}
    following: dict[int, ItineraryItem] = {}
    items = (
        ItineraryItem.objects.filter(mission__in=list(by_id), is_cancelled=False, ends_at__gt=now)
        .select_related("venue")
        .order_by("starts_at", "pk")
    )
    for item in items:
        if item.mission_id not in following:
            item.mission = by_id[item.mission_id]  # its zone when it has no venue
            following[item.mission_id] = item
    return [following.get(mission.pk) for mission in missions]


# THE TIMELINE ---------------------------------------------------------------------------

#: The timeline's drawing, in SVG user units: a month's width, a row's height, the labels'.
MONTH_WIDTH = 64
ROW_HEIGHT = 40
HEADER_HEIGHT = 36


@dataclass(frozen=True)
class Month:
    first_day: dt.date
    x: int
    show_year: bool


@dataclass(frozen=True)
class Bar:
    mission: Mission
    phase: Phase
    x: int
    width: int
    y: int  # the bar's top; its label sits above it
    label_x: int
    label_anchor: str  # "start", or "end" for bars on the right half

    @property
    def label_y(self) -> int:
        return self.y - 4


@dataclass
class Timeline:
    months: list[Month]
    bars: list[Bar]
    today_x: int
    width: int
    height: int
    first_day: dt.date
    last_day: dt.date

    @property
    def phases(self) -> list[Phase]:
        return list(Phase)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def mission_timeline(*, missions: Iterable[Mission], today: dt.date | None = None) -> Timeline:
    """The missions that touch the last MONTHS_BEFORE months, this one and the next
    MONTHS_AFTER, one bar each, earliest first, placed by their first and last days (a
    bar runs to the end of its last day). No query: `missions` are already loaded.

    `today` (the viewer's, by default) places the months; each mission's phase is taken
    at its destination's today unless `today` is given."""
    given = today
    today = today or timezone.localdate()
    first = _add_months(today, -MONTHS_BEFORE)
    end = _add_months(today, MONTHS_AFTER + 1)  # the day after the last shown
    months = [_add_months(first, n) for n in range(MONTHS_BEFORE + MONTHS_AFTER + 1)]
    width = MONTH_WIDTH * len(months)

    def x_of(day: dt.date) -> int:
        """Days are placed within their month, so that month lines fall on month starts."""
        day = min(max(day, first), end)
        if day == end:
            return width
        month_index = (day.year - first.year) * 12 + day.month - first.month
        length = calendar.monthrange(day.year, day.month)[1]
        return round(MONTH_WIDTH * (month_index + (day.day - 1) / length))

    shown = sorted(
        (m for m in missions if m.start_date < end and m.end_date >= first),
        key=lambda m: (m.start_date, m.end_date, m.title),
    )
    bars = []
    for row, mission in enumerate(shown):
        x = x_of(mission.start_date)
        right = x_of(mission.end_date + dt.timedelta(days=1))
        on_right = x > width / 2
        bars.append(
            Bar(
                mission=mission,
                phase=mission_phase(mission, today=given or today_at(mission)),
                x=x,
                width=max(right - x, 4),  # a one-day mission stays visible
                y=HEADER_HEIGHT + row * ROW_HEIGHT + 18,
                label_x=right if on_right else x,
                label_anchor="end" if on_right else "start",
            )
        )
    return Timeline(
        months=[
            Month(first_day=day, x=MONTH_WIDTH * n, show_year=n == 0 or day.month == 1)
            for n, day in enumerate(months)
        ],
        bars=bars,
        today_x=x_of(today),
        width=width,
        height=HEADER_HEIGHT + len(bars) * ROW_HEIGHT + 8,
        first_day=first,
        last_day=end - dt.timedelta(days=1),
    )
