"""Reminders, "itinerary changed" notices, thank-yous and follow-up actions falling due.

Everything here ends as an outbox row (messaging.outbox), one per recipient, kind and
occasion, so the database's unique constraint is what makes each message go out once.

The scan (`reminders_scan`, every five minutes from Celery beat) works out which
messages are due *now* and queues only those: no row waits for weeks, and no countdown
is used. Two scans at once, or one run twice, give one row per message: the second
insert of the same occasion is a no-op. Each message is inserted in its own short
transaction, so concurrent scans never wait on each other for more than one row.

- Reminder rules (`ReminderRule`, else `DEFAULT_RULES`): a mission without rule rows
  uses the defaults; the rules page saves the whole set, so a mission with rows uses
  exactly those (untick "active" to stop one). The occasion is what the rule says, not
  its row (`rule:<anchor>:<days>:participant:<id>`): saving the rules page unchanged
  never repeats a reminder, while a changed rule is a new reminder.
- A reminder is due at 09:00 on its day in the recipient's zone (the person's home
  zone, else the mission's destination); the thank-you at 10:00 the day after the last
  day; an action at 09:00 on its due date in the mission's zone. A message more than
  `LATE_LIMIT` overdue is skipped, so a scheduler that was down, a rule changed to an
  earlier day or the first deployment never sends a burst of stale reminders.
- A reminder whose condition no longer holds is not sent: each scan first cancels
  queued rows whose participant answered, stopped attending or whose action was closed
  (`messages_cancel_stale`; a row waiting for an SMTP retry is caught too). A row a
  worker has already claimed is left alone; the outbox checks its batch once more
  right before sending (`messages_cancel_stale(ids=...)`).
- Itinerary changes (`itinerary_notices_queue`, called by planning.services.itinerary):
  each affected participant gets one notice 15 minutes after the first change, and
  later changes in those 15 minutes are gathered into it.
"""

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from matchmaking.models import Meeting
from matchmaking.selectors import meetings_of
from messaging import outbox
from messaging.enums import MessageKind, MessageState, ReminderAnchor
from messaging.models import OutgoingMessage
from missions.attendance import attending
from missions.display import item_place_short, local_span
from missions.enums import ActionStatus, MissionStatus, RsvpStatus
from missions.languages import language_asked
from missions.models import FollowUpAction, ItineraryItem, Mission, Participant
from missions.selectors import participant_items
from organisations.models import Venue

logger = logging.getLogger(__name__)

REMINDER_HOUR = dt.time(9)
THANKS_HOUR = dt.time(10)
ACTION_HOUR = dt.time(9)
LATE_LIMIT = dt.timedelta(days=1)
GATHER = dt.timedelta(minutes=15)

# Missions whose participants are reminded; and whose itinerary changes are announced.
REMINDED_STATUSES = (
    MissionStatus.DRAFT,
    MissionStatus.PLANNING,
    MissionStatus.CONFIRMED,
    MissionStatus.UNDER_WAY,
)
NOTIFIED_STATUSES = (MissionStatus.CONFIRMED, MissionStatus.UNDER_WAY)
THANKED_STATUSES = (MissionStatus.CONFIRMED, MissionStatus.UNDER_WAY, MissionStatus.COMPLETED)
ACTION_OPEN = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Rule:
    """A reminder rule as the scan and the rules page see it, stored or default."""

    kind: str
    anchor: str
    days: int
    is_active: bool = True

    @property
    def key(self) -> str:
        return f"rule:{self.anchor}:{self.days}"


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(MessageKind.RSVP_REMINDER, ReminderAnchor.AFTER_INVITATION, 7),
    Rule(MessageKind.RSVP_REMINDER, ReminderAnchor.BEFORE_DEADLINE, 3),
    Rule(MessageKind.MISSION_REMINDER, ReminderAnchor.BEFORE_START, 7),
    Rule(MessageKind.MISSION_REMINDER, ReminderAnchor.BEFORE_START, 1),
)
# Which anchors make sense for which kind (the rules page checks this).
ANCHORS_OF_KIND = {
    MessageKind.RSVP_REMINDER: (
        ReminderAnchor.AFTER_INVITATION,
        ReminderAnchor.BEFORE_DEADLINE,
        ReminderAnchor.BEFORE_START,
    ),
    MessageKind.MISSION_REMINDER: (ReminderAnchor.BEFORE_START,),
}


def rules_of(mission: Mission) -> list[Rule]:
    """The mission's rules, active or not; the defaults when it has none.

    Uses `mission.reminder_rules.all()`, so a prefetch makes it free.
    """
    stored = [
        Rule(rule.kind, rule.anchor, rule.days, rule.is_active)
        for rule in mission.reminder_rules.all()
    ]
    return stored or list(DEFAULT_RULES)


def local_moment(day: dt.date, hour: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """`hour` on `day` on the wall clocks of `zone`, in UTC (09:00 stays 09:00 across DST)."""
    return dt.datetime.combine(day, hour, tzinfo=zone).astimezone(dt.UTC)


def recipient_zone(participant: Participant) -> zoneinfo.ZoneInfo:
    return participant.person.time_zone or participant.mission.time_zone


def addressed_to(participant: Participant, *, mission: Mission) -> dict:
    """The fields of an outbox row for a message to the participant of `mission`: their
    address and name, and the language they asked for (`language_asked`)."""
    return {
        "recipient_email": participant.person.email,
        "recipient_name": participant.person.full_name,
        "language": language_asked(participant),
        "mission": mission,
        "participant": participant,
    }


def _is_due(due: dt.datetime | None, now: dt.datetime) -> bool:
    return due is not None and due <= now < due + LATE_LIMIT


def reminder_due(
    rule: Rule,
    *,
    mission: Mission,
    zone: zoneinfo.ZoneInfo,
    invited_at: dt.datetime | None,
) -> dt.datetime | None:
    """When a rule reminds someone (09:00 in `zone`), or None if it never applies.

    A reminder to answer is pointless on or after the first day or after the deadline;
    a reminder before the mission is pointless after the first day.
    """
    if rule.anchor == ReminderAnchor.AFTER_INVITATION:
        if invited_at is None:
            return None
        day = timezone.localtime(invited_at, zone).date() + dt.timedelta(days=rule.days)
    elif rule.anchor == ReminderAnchor.BEFORE_DEADLINE:
        if mission.rsvp_deadline is None:
            return None
        day = mission.rsvp_deadline - dt.timedelta(days=rule.days)
    else:
        day = mission.start_date - dt.timedelta(days=rule.days)
    if rule.kind == MessageKind.RSVP_REMINDER:
        if day >= mission.start_date or (mission.rsvp_deadline and day > mission.rsvp_deadline):
            return None
    elif day > mission.start_date:
        return None
    return local_moment(day, REMINDER_HOUR, zone)


def reminder_build(rule: Rule, *, participant: Participant, due_at: dt.datetime) -> OutgoingMessage:
    """The reminder the rule sends the participant (of `participant.mission`), unsaved.
    Its occasion names the rule and the participant: each goes out once."""
    return outbox.message_build(
        **addressed_to(participant, mission=participant.mission),
        kind=rule.kind,
        occasion=f"{rule.key}:participant:{participant.pk}",
        due_at=due_at,
        context={"anchor": rule.anchor, "days": rule.days},
    )


# THE SCAN --------------------------------------------------------------------------------


def reminders_scan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Queue every reminder, thank-you and action reminder due at `now`; returns counts.

    Idempotent and safe to run concurrently: each message has a fixed occasion, and the
    outbox's unique (recipient, kind, occasion) turns a repeat into a no-op.
    """
    now = now or timezone.now()
    counts = {"cancelled": messages_cancel_stale(now=now)}
    counts.update(_queue_rule_reminders(now))
    counts[MessageKind.FOLLOW_UP.value] = _queue_thanks(now)
    counts[MessageKind.ACTION_DUE.value] = _queue_action_reminders(now)
    logger.info("reminders: %s", counts)
    return counts


@transaction.atomic
def _queue(messages: list[OutgoingMessage]) -> list[OutgoingMessage]:
    """Queue what a scan found due, at once; those that are new (the others were queued
    by an earlier scan). Those due now leave in one hand-over, in batches."""
    return outbox.messages_queue(messages=messages)


def _queue_rule_reminders(now: dt.datetime) -> dict[str, int]:
    counts = {MessageKind.RSVP_REMINDER.value: 0, MessageKind.MISSION_REMINDER.value: 0}
    # A reminder is never due after the first day, so past missions are left out.
    missions = {
        mission.pk: mission
        for mission in Mission.objects.filter(
            status__in=REMINDED_STATUSES, start_date__gte=(now - LATE_LIMIT).date()
        ).prefetch_related("reminder_rules")
    }
    if not missions:
        return counts
    invited_at = (
        OutgoingMessage.objects.filter(
            participant=OuterRef("pk"), kind=MessageKind.INVITATION, state=MessageState.SENT
        )
        .order_by("sent_at")
        .values("sent_at")[:1]
    )
    participants = (
        Participant.objects.filter(mission__in=missions.keys())
        .filter(
            Q(rsvp_status=RsvpStatus.INVITED, answered_at__isnull=True)
            | Q(rsvp_status=RsvpStatus.ACCEPTED)
        )
        .select_related("person")
        .annotate(invited_at=Subquery(invited_at))
        .order_by("pk")
    )
    due_messages = []
    for participant in participants:
        mission = participant.mission = missions[participant.mission_id]
        zone = recipient_zone(participant)
        if participant.rsvp_status == RsvpStatus.INVITED:
            kind, since = MessageKind.RSVP_REMINDER, participant.invited_at
            if since is None:  # no invitation has gone out (yet): nothing to remind of
                continue
        else:
            kind, since = MessageKind.MISSION_REMINDER, participant.answered_at
        for rule in rules_of(mission):
            if rule.kind != kind or not rule.is_active:
                continue
            due = reminder_due(rule, mission=mission, zone=zone, invited_at=participant.invited_at)
            # Due before they qualified (invited late, accepted late): not for them.
            if not _is_due(due, now) or (since is not None and due < since):
                continue
            due_messages.append(reminder_build(rule, participant=participant, due_at=due))
    for message in _queue(due_messages):
        counts[message.kind] += 1
    return counts


def thanks_day(mission: Mission) -> dt.date:
    """The day the thank-you messages go out: the day after the mission's last day."""
    return mission.end_date + dt.timedelta(days=1)


def thanks_due(participant: Participant) -> dt.datetime:
    """10:00 on the day after the mission's last day, in the participant's zone."""
    return local_moment(thanks_day(participant.mission), THANKS_HOUR, recipient_zone(participant))


def _queue_thanks(now: dt.datetime) -> int:
    # Zones run from UTC-12 to UTC+14: "the day after" is within a day of UTC's.
    window = ((now - LATE_LIMIT - dt.timedelta(days=2)).date(), now.date())
    participants = (
        Participant.objects.filter(
            rsvp_status__in=RsvpStatus.COMING,
            mission__status__in=THANKED_STATUSES,
            mission__end_date__range=window,
        )
        .select_related("person", "mission")
        .order_by("pk")
    )
    return len(
        _queue(
            [
                outbox.message_build(
                    **addressed_to(participant, mission=participant.mission),
                    kind=MessageKind.FOLLOW_UP,
                    occasion=f"thanks:{participant.mission_id}",
                    due_at=thanks_due(participant),
                )
                for participant in participants
                if _is_due(thanks_due(participant), now)
            ]
        )
    )


def action_due(action: FollowUpAction) -> dt.datetime:
    """09:00 on the action's due date, in the mission's zone."""
    return local_moment(action.due_date, ACTION_HOUR, action.mission.time_zone)


def action_occasion(action: FollowUpAction) -> str:
    return f"action:{action.pk}:{action.due_date.isoformat()}"


def _queue_action_reminders(now: dt.datetime) -> int:
    window = ((now - LATE_LIMIT - dt.timedelta(days=1)).date(), (now + dt.timedelta(days=1)).date())
    actions = (
        FollowUpAction.objects.filter(status__in=ACTION_OPEN, due_date__range=window)
        .exclude(owner__email="")
        .select_related("mission", "owner")
        .order_by("pk")
    )
    return len(
        _queue(
            [
                outbox.message_build(
                    recipient_email=action.owner.email,
                    recipient_name=action.owner.get_full_name(),  # none: the address alone
                    language=settings.LANGUAGE_CODE,
                    kind=MessageKind.ACTION_DUE,
                    occasion=action_occasion(action),
                    mission=action.mission,
                    action=action,
                    due_at=action_due(action),
                )
                for action in actions
                if _is_due(action_due(action), now)
            ]
        )
    )


def messages_stale(*, now: dt.datetime | None = None) -> QuerySet[OutgoingMessage]:
    """Queued messages whose reason went away before they were sent.

    A reminder to answer to someone who answered, a reminder before the mission to
    someone no longer coming, a notice or thank-you to someone who withdrew, anything
    for participants of a cancelled mission, a reminder (to answer, or before the
    mission) of a mission that has ended, an action reminder for an action closed or
    moved to another date.
    """
    queued = OutgoingMessage.objects.filter(state=MessageState.QUEUED)
    # Ended everywhere on Earth: the last day is over even 14 hours ahead of UTC (a
    # reminder waiting for an SMTP retry goes at the latest a day after it is pointless).
    ended_everywhere = ((now or timezone.now()) - dt.timedelta(days=1)).date()
    participant_kinds = (
        MessageKind.RSVP_REMINDER,
        MessageKind.MISSION_REMINDER,
        MessageKind.ITINERARY_CHANGED,
        MessageKind.FOLLOW_UP,
        MessageKind.MEETINGS_PUBLISHED,
    )
    not_invited = ~Q(participant__rsvp_status=RsvpStatus.INVITED) | Q(
        participant__answered_at__isnull=False
    )
    stale = (
        (Q(kind=MessageKind.RSVP_REMINDER) & not_invited)
        | (Q(kind=MessageKind.MISSION_REMINDER) & ~Q(participant__rsvp_status=RsvpStatus.ACCEPTED))
        | (
            Q(kind__in=(MessageKind.ITINERARY_CHANGED, MessageKind.FOLLOW_UP))
            & ~Q(participant__rsvp_status__in=RsvpStatus.COMING)
        )
        | Q(kind__in=participant_kinds, mission__status=MissionStatus.CANCELLED)
        | Q(
            Q(mission__end_date__lt=ended_everywhere) | Q(mission__status=MissionStatus.COMPLETED),
            kind__in=(MessageKind.RSVP_REMINDER, MessageKind.MISSION_REMINDER),
        )
        | (Q(kind=MessageKind.ACTION_DUE) & ~Q(action__status__in=ACTION_OPEN))
    )
    moved = [
        message.pk
        for message in queued.filter(kind=MessageKind.ACTION_DUE).select_related("action")
        if message.action is not None and message.occasion != action_occasion(message.action)
    ]
    return queued.filter(stale | Q(pk__in=moved))


def messages_cancel_stale(
    *, ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Cancel the queued messages of `messages_stale` at `now` (of `ids` only, if given);
    how many.

    Only rows still queued are touched (the UPDATE re-checks the state under the row
    lock), so a message a worker has already claimed is left to it. The scan cancels
    them every few minutes; `messaging.outbox.deliver` once more for its batch, just
    before sending, so someone who answered a moment ago gets no reminder to answer.
    """
    stale = messages_stale(now=now)
    if ids is not None:
        stale = stale.filter(pk__in=list(ids))
    return stale.update(
        state=MessageState.CANCELLED,
        last_error="Not sent: its reason went away before it was due to go out.",
    )


# ITINERARY CHANGED -----------------------------------------------------------------------


# What participants see of an item: a save that changes none of it tells nobody.
VISIBLE = ("starts_at", "ends_at", "title", "venue", "meeting_point", "online_link", "description")


@dataclass(frozen=True)
class ItemState:
    """An item as saved, as far as its attendees are concerned."""

    attendees: frozenset[int]  # accepted or tentative participants who have it
    visible: tuple


def _item_state(item_id: int) -> ItemState | None:
    """The item's state in the database; None if it does not exist (any more)."""
    row = (
        ItineraryItem.objects.filter(pk=item_id)
        .values("mission", "audience", "is_cancelled", *VISIBLE)
        .first()
    )
    if row is None:
        return None
    visible = tuple(row[field] for field in VISIBLE)
    if row["is_cancelled"]:
        return ItemState(frozenset(), visible)
    participants = Participant.objects.filter(
        attending(row["audience"], item_id),
        mission=row["mission"],
        rsvp_status__in=RsvpStatus.COMING,
    )
    return ItemState(frozenset(participants.values_list("pk", flat=True)), visible)


def itinerary_affected(item: ItineraryItem) -> ItemState | None:
    """Call before changing an item: its state as saved (None if new or nobody is told)."""
    if item.pk is None or item.mission.status not in NOTIFIED_STATUSES:
        return None
    return _item_state(item.pk)


def itinerary_item_changed(
    *,
    mission: Mission,
    item_id: int,
    before: ItemState | None,
    now: dt.datetime | None = None,
) -> int:
    """Call after an item was saved, moved, cancelled or deleted: tell who had or has it.

    `before` is `itinerary_affected(item)` from before the change. Nobody is told of a
    save that changed nothing they see. Returns how many notices were newly queued.
    """
    if mission.status not in NOTIFIED_STATUSES:
        return 0
    after = _item_state(item_id)
    if before == after:
        return 0
    return itinerary_notices_queue(
        mission=mission,
        item_id=item_id,
        before=set(before.attendees if before else ()),
        after=set(after.attendees if after else ()),
        now=now,
    )


@transaction.atomic
def itinerary_notices_queue(
    *,
    mission: Mission,
    item_id: int,
    before: set[int],
    after: set[int],
    now: dt.datetime | None = None,
) -> int:
    """One "itinerary changed" notice per participant, gathering changes for 15 minutes.

    `before` and `after` are the participants who had the item on their itinerary before
    and after the change; each of them is told. Someone with a notice still waiting
    (queued, not yet due) gets the item added to it and nothing new; anyone else gets a
    notice due in 15 minutes, whose occasion names the minute of the first change.
    The notice's context keeps the items (`items`) and those among them the participant
    had before their first change (`had`), which history alone cannot tell for items of
    selected participants. The participants' rows are locked, so two edits at once still
    give one notice. Only accepted and tentative participants of confirmed missions or
    missions under way are told; returns how many notices were newly queued.
    """
    return _notices_queue(
        mission=mission,
        participant_ids=before | after,
        entry=lambda participant: {
            "items": [item_id],
            "had": [item_id] if participant.pk in before else [],
        },
        known=lambda context: item_id in context.get("items", []),
        now=now,
    )


@transaction.atomic
def meeting_notices_queue(*, meeting: Meeting, before: str, now: dt.datetime | None = None) -> int:
    """A published meeting moved (another slot or table): both people get the
    "itinerary changed" notice, gathered like an item's changes (`itinerary_notices_queue`).
    `before` is `meeting_when(meeting)` from before the move; a notice waiting already
    keeps the first `before`, so it tells the change since the person last heard."""
    return _notices_queue(
        mission=meeting.request.mission,
        participant_ids={meeting.request.requester_id, meeting.request.recipient_id},
        entry=lambda participant: {"meetings": [{"id": meeting.pk, "before": before}]},
        known=lambda context: any(m["id"] == meeting.pk for m in context.get("meetings", [])),
        now=now,
    )


def _notices_queue(
    *,
    mission: Mission,
    participant_ids: set[int],
    entry: Callable[[Participant], dict[str, list]],
    known: Callable[[dict], bool],
    now: dt.datetime | None,
) -> int:
    """The gathering of "itinerary changed" notices: a new notice due in 15 minutes, or
    the change (`entry`: lists to add to the context) added to the notice waiting unless
    it is `known` there already."""
    if mission.status not in NOTIFIED_STATUSES:
        return 0
    now = now or timezone.now()
    participants = list(
        Participant.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(mission=mission, pk__in=participant_ids, rsvp_status__in=RsvpStatus.COMING)
        .order_by("pk")
    )
    if not participants:
        return 0
    waiting = {
        message.participant_id: message
        for message in OutgoingMessage.objects.select_for_update().filter(
            kind=MessageKind.ITINERARY_CHANGED,
            participant__in=participants,
            state=MessageState.QUEUED,
            due_at__gt=now,
        )
    }
    minute = int(now.timestamp()) // 60
    queued = 0
    for participant in participants:
        message = waiting.get(participant.pk)
        if message is None:
            new = outbox.message_queue(
                **addressed_to(participant, mission=mission),
                kind=MessageKind.ITINERARY_CHANGED,
                occasion=f"changes:{mission.pk}:{participant.pk}:{minute}",
                due_at=now + GATHER,
                context={"items": [], "had": [], **entry(participant)},
            )
            queued += new is not None
        elif not known(message.context):
            context = dict(message.context)
            for key, values in entry(participant).items():
                context[key] = [*context.get(key, []), *values]
            message.context = context
            message.save(update_fields=["context"])
    return queued


# MEETINGS PUBLISHED (matchmaking) ---------------------------------------------------------


def meeting_when(meeting: Meeting) -> str:
    """A meeting's time in its block's zone, with its table: what a notice compares."""
    item = meeting.block.item
    return f"{local_span(meeting.starts_at, meeting.ends_at, item.time_zone)}, {meeting.table}"


@transaction.atomic
def meetings_published_queue(
    *, mission: Mission, participant_ids: Iterable[int], now: dt.datetime | None = None
) -> int:
    """Each of the participants gets their meeting schedule now, through the outbox (one
    mail each per publishing minute); how many were queued. Nobody of a cancelled mission,
    nobody not coming."""
    if mission.status == MissionStatus.CANCELLED:
        return 0
    now = now or timezone.now()
    minute = int(now.timestamp()) // 60
    participants = (
        Participant.objects.filter(mission=mission, pk__in=list(participant_ids))
        .exclude(rsvp_status__in=RsvpStatus.NOT_COMING)
        .select_related("person")
        .order_by("pk")
    )
    messages = [
        outbox.message_build(
            **addressed_to(participant, mission=mission),
            kind=MessageKind.MEETINGS_PUBLISHED,
            occasion=f"meetings:{mission.pk}:{participant.pk}:{minute}",
            due_at=now,
        )
        for participant in participants
    ]
    return len(outbox.messages_queue(messages=messages))


@dataclass
class MeetingLine:
    when: str
    other: str
    organisation: str
    place: str
    mutual: bool


def personal_meetings(participant: Participant) -> list[MeetingLine]:
    """The participant's final meetings in time order: when and where, with whom."""
    lines = []
    for meeting in meetings_of(participant, final_only=True):
        request = meeting.request
        other = request.other_than(participant)
        organisation = other.person.organisation
        lines.append(
            MeetingLine(
                when=meeting_when(meeting),
                other=other.person.full_name,
                organisation=organisation.name if organisation else "",
                place=item_place_short(meeting.block.item),
                mutual=request.mutual,
            )
        )
    return lines


# WHAT THE MESSAGES SAY (used by messaging.emails at send time) ----------------------------


@dataclass
class ItineraryLine:
    title: str
    when: str
    place: str
    kind: str


@dataclass
class Change:
    """One change to someone's itinerary: `what` is added, moved, changed, cancelled or removed."""

    what: str
    title: str
    before: str = ""
    after: str = ""


def personal_itinerary(participant: Participant) -> list[ItineraryLine]:
    """The participant's itinerary, each item in its own local time with the zone named."""
    return [
        ItineraryLine(
            title=item.title,
            when=local_span(item.starts_at, item.ends_at, item.time_zone),
            place=item_place_short(item),
            kind=item.get_kind_display(),
        )
        for item in participant_items(participant)
    ]


def notice_since(message: OutgoingMessage) -> dt.datetime:
    """Since when the notice tells changes: the participant's previous notice, else invitation."""
    earlier = OutgoingMessage.objects.filter(
        participant=message.participant_id, state=MessageState.SENT
    ).exclude(pk=message.pk)
    since = earlier.filter(kind=MessageKind.ITINERARY_CHANGED).aggregate(at=Max("sent_at"))["at"]
    since = since or earlier.filter(kind=MessageKind.INVITATION).aggregate(at=Max("sent_at"))["at"]
    return since or message.participant.created_at


DETAILS = ("title", "venue_id", "meeting_point", "online_link", "description")


def itinerary_changes(message: OutgoingMessage) -> list[Change]:
    """What changed on the participant's itinerary since `notice_since`, in time order.

    The items are those gathered on the message and any item they attend updated since;
    the version they knew is the item's history record as of then (django-simple-history).
    Items saved without a visible change are left out.
    """
    participant = message.participant
    since = notice_since(message)
    attending = {item.pk: item for item in participant_items(participant)}
    gathered = set(message.context.get("items", []))
    had_gathered = set(message.context.get("had", []))
    ids = gathered | {pk for pk, item in attending.items() if item.updated_at > since}
    current = {
        item.pk: item
        for item in ItineraryItem.objects.filter(pk__in=ids).select_related("venue", "mission")
    }
    known: dict[int, object] = {}  # the version they knew; None if it did not exist then
    for record in ItineraryItem.history.filter(id__in=ids, history_date__lte=since).order_by(
        "history_date"
    ):
        known[record.id] = None if record.history_type == "-" else record
    changes: list[tuple[dt.datetime, Change]] = []
    for pk in ids:
        old, item = known.get(pk), current.get(pk)
        # Gathered items know whether they had it; for others, the version they knew says.
        had = (pk in had_gathered) if pk in gathered else bool(old and not old.is_cancelled)
        change = _change(old, item, had=had, has=pk in attending, mission=message.mission)
        if change is not None:
            changes.append(((item or old).starts_at, change))
    changes.extend(_meeting_changes(message))
    return [change for _, change in sorted(changes, key=lambda pair: pair[0])]


def _meeting_changes(message: OutgoingMessage) -> list[tuple[dt.datetime, Change]]:
    """The meetings gathered on the notice that moved since (`meeting_notices_queue`)."""
    gathered = {entry["id"]: entry["before"] for entry in message.context.get("meetings", [])}
    meetings = Meeting.objects.filter(pk__in=gathered).select_related(
        "table", "block__item__venue", "request__requester__person", "request__recipient__person"
    )
    changes = []
    for meeting in meetings:
        request = meeting.request
        mine = message.participant_id == request.requester_id
        other = (request.recipient if mine else request.requester).person.full_name
        after = meeting_when(meeting)
        if after != gathered[meeting.pk]:
            title = _("Meeting with %(name)s") % {"name": other}
            changes.append(
                (
                    meeting.starts_at,
                    Change("moved", title, before=gathered[meeting.pk], after=after),
                )
            )
    return changes


def _change(old, item, *, had: bool, has: bool, mission: Mission) -> Change | None:
    """The change between the version they knew (`old`) and the item now (None: deleted)."""
    now = local_span(item.starts_at, item.ends_at, item.time_zone) if item else ""
    if has and (not had or old is None):
        return Change("added", item.title, after=now)
    if had and not has:
        if old is None:
            return None
        what = "cancelled" if item is not None and item.is_cancelled else "removed"
        return Change(what, old.title, before=_old_span(old, mission))
    if not has:
        return None
    if (old.starts_at, old.ends_at) != (item.starts_at, item.ends_at):
        return Change("moved", item.title, before=_old_span(old, mission), after=now)
    if any(getattr(old, field) != getattr(item, field) for field in DETAILS):
        return Change("changed", item.title, after=now)
    return None


def _old_span(record, mission: Mission) -> str:
    """An old version's times, in its own venue's zone (the venue may have changed since)."""
    zone = mission.time_zone
    if record.venue_id:
        venue = Venue.objects.filter(pk=record.venue_id).only("time_zone").first()
        zone = venue.time_zone if venue else zone
    return local_span(record.starts_at, record.ends_at, zone)
