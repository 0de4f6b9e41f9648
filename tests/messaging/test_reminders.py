"""Reminders, "itinerary changed" notices, thank-yous and action reminders (messaging.reminders).

Scans take `now=`, so the tests pick the moment; rows due in the past are handed to the
worker on commit, which these (rolled-back) tests never reach: nothing is published.
"""

import datetime as dt
import re
import threading
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from messaging import outbox
from messaging.emails import render_message
from messaging.enums import MessageKind, MessageState, ReminderAnchor
from messaging.models import OutgoingMessage
from messaging.reminders import (
    DEFAULT_RULES,
    itinerary_affected,
    itinerary_item_changed,
    local_moment,
    reminders_scan,
    rules_of,
)
from messaging.tasks import scan_reminders
from missions.enums import ActionStatus, Audience, MissionStatus, RsvpStatus
from missions.models import Participant
from planning.services.itinerary import item_delete, item_move, item_save
from tests.factories import (
    FollowUpActionFactory,
    ItineraryItemFactory,
    MissionFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    ReminderRuleFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def at(day: str, clock: str = "00:00", zone: zoneinfo.ZoneInfo = UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=zone)


def invited(mission, *, sent_at: dt.datetime, **person) -> Participant:
    """A participant whose invitation went out at `sent_at` and who has not answered."""
    participant = ParticipantFactory(
        mission=mission,
        rsvp_status=RsvpStatus.INVITED,
        **{f"person__{key}": value for key, value in person.items()},
    )
    OutgoingMessageFactory(
        participant=participant,
        kind=MessageKind.INVITATION,
        state=MessageState.SENT,
        sent_at=sent_at,
    )
    return participant


def answered(mission, status=RsvpStatus.ACCEPTED, *, on: dt.datetime, **person) -> Participant:
    return ParticipantFactory(
        mission=mission,
        rsvp_status=status,
        answered_at=on,
        **{f"person__{key}": value for key, value in person.items()},
    )


def queued(kind: MessageKind) -> list[tuple[str, str, dt.datetime]]:
    """(recipient, occasion, due) of the queued messages of a kind."""
    return list(
        OutgoingMessage.objects.filter(kind=kind, state=MessageState.QUEUED)
        .order_by("recipient_email", "due_at")
        .values_list("recipient_email", "occasion", "due_at")
    )


def text_of(message: OutgoingMessage) -> str:
    return " ".join(render_message(message).body.split())


@pytest.fixture
def mission():
    """Confirmed, 4 to 6 March 2025 in Birmingham, RSVP by 20 February."""
    return MissionFactory(
        status=MissionStatus.CONFIRMED,
        time_zone=LONDON,
        start_date=dt.date(2025, 3, 4),
        end_date=dt.date(2025, 3, 6),
        rsvp_deadline=dt.date(2025, 2, 20),
    )


# RULES ------------------------------------------------------------------------------------


def test_rules_of_mission_without_rules_are_the_defaults(mission):
    assert rules_of(mission) == list(DEFAULT_RULES)
    assert [(r.kind, r.anchor, r.days) for r in DEFAULT_RULES] == [
        (MessageKind.RSVP_REMINDER, ReminderAnchor.AFTER_INVITATION, 7),
        (MessageKind.RSVP_REMINDER, ReminderAnchor.BEFORE_DEADLINE, 3),
        (MessageKind.MISSION_REMINDER, ReminderAnchor.BEFORE_START, 7),
        (MessageKind.MISSION_REMINDER, ReminderAnchor.BEFORE_START, 1),
    ]


def test_rules_of_mission_with_rules_are_only_its_own(mission):
    ReminderRuleFactory(mission=mission, anchor=ReminderAnchor.AFTER_INVITATION, days=5)

    assert [(r.anchor, r.days) for r in rules_of(mission)] == [("after_invitation", 5)]


# REMINDERS TO ANSWER ----------------------------------------------------------------------


def test_rsvp_reminder_due_seven_days_after_invitation_at_nine_local(mission):
    participant = invited(
        mission, sent_at=at("2025-02-01", "15:00"), email="ines@example.org", time_zone=TOKYO
    )
    due = at("2025-02-09", "09:00", TOKYO)  # 2 Feb in Tokyo when it was sent, + 7 days

    before = reminders_scan(now=due - dt.timedelta(minutes=1))
    after = reminders_scan(now=due)

    assert (before["rsvp_reminder"], after["rsvp_reminder"]) == (0, 1)
    assert queued(MessageKind.RSVP_REMINDER) == [
        (
            "ines@example.org",
            f"rule:after_invitation:7:participant:{participant.pk}",
            at("2025-02-09", "00:00"),
        )
    ]


def test_rsvp_reminder_due_three_days_before_deadline_in_mission_zone(mission):
    invited(mission, sent_at=at("2025-02-14", "10:00"), email="anthony@example.org")

    counts = reminders_scan(now=at("2025-02-17", "09:00", LONDON))

    assert counts["rsvp_reminder"] == 1
    [(_, occasion, due)] = queued(MessageKind.RSVP_REMINDER)
    assert (occasion.split(":")[1:3], due) == (["before_deadline", "3"], at("2025-02-17", "09:00"))


def test_rsvp_reminder_scan_twice_queues_one(mission):
    invited(mission, sent_at=at("2025-02-01", "10:00"))
    now = at("2025-02-08", "12:00")

    first, second = reminders_scan(now=now), reminders_scan(now=now)

    assert (first["rsvp_reminder"], second["rsvp_reminder"]) == (1, 0)
    assert OutgoingMessage.objects.filter(kind=MessageKind.RSVP_REMINDER).count() == 1


@pytest.mark.parametrize(
    "case",
    ["answered", "invitation not sent yet", "more than a day late", "deadline passed"],
)
def test_rsvp_reminder_not_queued_when(mission, case):
    now = at("2025-02-08", "09:00")
    participant = invited(mission, sent_at=at("2025-02-01", "10:00"))
    if case == "answered":
        Participant.objects.filter(pk=participant.pk).update(
            rsvp_status=RsvpStatus.DECLINED, answered_at=now - dt.timedelta(days=1)
        )
    elif case == "invitation not sent yet":
        OutgoingMessage.objects.update(state=MessageState.QUEUED, sent_at=None)
    elif case == "more than a day late":
        now += dt.timedelta(days=1, minutes=1)
    else:
        mission.rsvp_deadline = dt.date(2025, 2, 7)
        mission.save()

    assert reminders_scan(now=now)["rsvp_reminder"] == 0


def test_rsvp_reminder_due_before_the_invitation_is_not_sent(mission):
    """Invited two days before the deadline: the "3 days before" reminder is not for them."""
    invited(mission, sent_at=at("2025-02-18", "10:00"))

    assert reminders_scan(now=at("2025-02-18", "12:00"))["rsvp_reminder"] == 0


def test_rsvp_reminder_cancelled_when_answered_before_it_went_out(mission, mailoutbox):
    participant = invited(mission, sent_at=at("2025-02-01", "10:00"))
    reminders_scan(now=at("2025-02-08", "09:00"))
    [message] = OutgoingMessage.objects.filter(kind=MessageKind.RSVP_REMINDER)
    Participant.objects.filter(pk=participant.pk).update(
        rsvp_status=RsvpStatus.ACCEPTED, answered_at=timezone.now()
    )

    counts = reminders_scan(now=at("2025-02-08", "09:05"))
    delivered = outbox.deliver([message.pk])

    message.refresh_from_db()
    assert (counts["cancelled"], message.state) == (1, MessageState.CANCELLED)
    assert (delivered["sent"], mailoutbox) == (0, [])


def test_rsvp_reminder_not_sent_to_someone_who_answered_a_moment_before_the_worker(
    mission, mailoutbox
):
    participant = invited(mission, sent_at=at("2025-02-01", "10:00"))
    reminders_scan(now=at("2025-02-08", "09:00"))
    [message] = OutgoingMessage.objects.filter(kind=MessageKind.RSVP_REMINDER)
    Participant.objects.filter(pk=participant.pk).update(
        rsvp_status=RsvpStatus.ACCEPTED, answered_at=timezone.now()
    )

    delivered = outbox.deliver([message.pk])  # no scan in between

    message.refresh_from_db()
    assert message.state == MessageState.CANCELLED
    assert (delivered["sent"], mailoutbox) == (0, [])


@pytest.mark.parametrize("kind", [MessageKind.RSVP_REMINDER, MessageKind.MISSION_REMINDER])
def test_reminder_waiting_for_a_retry_is_not_sent_once_the_mission_has_ended(mission, kind):
    """A reminder queued before the mission (its SMTP attempt failed for a while) is
    cancelled once the last day is over everywhere, not sent after the mission."""
    if kind == MessageKind.RSVP_REMINDER:
        participant = invited(mission, sent_at=at("2025-02-01", "10:00"))
    else:
        participant = answered(mission, on=at("2025-02-02", "10:00"))
    message = OutgoingMessageFactory(
        participant=participant, kind=kind, occasion="rule", due_at=at("2025-02-08", "09:00")
    )

    during = reminders_scan(now=at("2025-03-06", "12:00"))["cancelled"]
    after = reminders_scan(now=at("2025-03-08", "00:00"))["cancelled"]

    message.refresh_from_db()
    assert (during, after, message.state) == (0, 1, MessageState.CANCELLED)


def test_rsvp_reminder_rule_inactive_or_changed_by_staff(mission):
    ReminderRuleFactory(mission=mission, anchor=ReminderAnchor.AFTER_INVITATION, days=2)
    ReminderRuleFactory(
        mission=mission, anchor=ReminderAnchor.BEFORE_DEADLINE, days=3, is_active=False
    )
    participant = invited(mission, sent_at=at("2025-02-01", "10:00"))

    counts = [reminders_scan(now=at(day, "09:00")) for day in ("2025-02-03", "2025-02-17")]

    assert [c["rsvp_reminder"] for c in counts] == [1, 0]
    assert [occasion for _, occasion, _ in queued(MessageKind.RSVP_REMINDER)] == [
        f"rule:after_invitation:2:participant:{participant.pk}"
    ]


def test_rsvp_reminder_says_the_deadline_and_the_link(mission):
    invited(mission, sent_at=at("2025-02-01", "10:00"), full_name="Ines Dietrich")
    reminders_scan(now=at("2025-02-08", "09:00"))
    [message] = OutgoingMessage.objects.filter(kind=MessageKind.RSVP_REMINDER)

    email = render_message(message)

    assert email.subject == f"Reminder: please answer the invitation to {mission.title}"
    assert "Please let us know by 20 February 2025 whether you will join us." in email.body
    assert re.search(r"Answer here: http://\S+/d/[0-9a-f]{64}/", email.body)


# REMINDERS BEFORE THE MISSION -------------------------------------------------------------


def test_mission_reminders_seven_and_one_day_before_start(mission):
    participant = answered(mission, on=at("2025-02-10", "10:00"), email="ken@example.org")

    counts = [
        reminders_scan(now=moment)
        for moment in (at("2025-02-25", "09:00"), at("2025-03-03", "09:00"), at("2025-03-03"))
    ]

    assert [c["mission_reminder"] for c in counts] == [1, 1, 0]
    assert queued(MessageKind.MISSION_REMINDER) == [
        (
            "ken@example.org",
            f"rule:before_start:7:participant:{participant.pk}",
            at("2025-02-25", "09:00"),
        ),
        (
            "ken@example.org",
            f"rule:before_start:1:participant:{participant.pk}",
            at("2025-03-03", "09:00"),
        ),
    ]


@pytest.mark.parametrize("status", [RsvpStatus.INVITED, RsvpStatus.TENTATIVE, RsvpStatus.DECLINED])
def test_mission_reminder_only_for_people_who_accepted(mission, status):
    answered(mission, status, on=at("2025-02-10", "10:00"))

    assert reminders_scan(now=at("2025-03-03", "09:00"))["mission_reminder"] == 0


@pytest.mark.parametrize("status", [MissionStatus.CANCELLED, MissionStatus.COMPLETED])
def test_mission_reminder_not_for_a_mission(mission, status):
    answered(mission, on=at("2025-02-10", "10:00"))
    mission.status = status
    mission.save()

    assert reminders_scan(now=at("2025-03-03", "09:00"))["mission_reminder"] == 0


def test_mission_reminder_not_for_someone_who_accepted_after_it_was_due(mission):
    answered(mission, on=at("2025-03-03", "10:00"))

    assert reminders_scan(now=at("2025-03-03", "11:00"))["mission_reminder"] == 0


def test_mission_reminder_lists_personal_itinerary_in_local_time(mission):
    participant = answered(mission, on=at("2025-02-10", "10:00"), full_name="Ken Wood")
    venue = VenueFactory(name="STEAMHouse", city="Birmingham")
    ItineraryItemFactory(mission=mission, title="Welcome breakfast", venue=venue)
    selected = ItineraryItemFactory(
        mission=mission,
        title="Visit to Leipzig studios",
        audience=Audience.SELECTED,
        starts_at=at("2025-03-05", "14:00", LONDON),
        ends_at=at("2025-03-05", "15:00", LONDON),
    )
    selected.attendees.add(participant)
    ItineraryItemFactory(mission=mission, title="Press briefing", audience=Audience.SELECTED)
    ItineraryItemFactory(mission=mission, title="Called off", is_cancelled=True)
    reminders_scan(now=at("2025-03-03", "09:00"))
    [message] = OutgoingMessage.objects.filter(kind=MessageKind.MISSION_REMINDER)

    email = render_message(message)

    assert email.subject == f"{mission.title} begins tomorrow"
    body = " ".join(email.body.split())
    assert (
        "Your itinerary (local times): "
        "- 4 Mar 2025, 10:00–11:30 GMT (Europe/London) Welcome breakfast · STEAMHouse, Birmingham "
        "- 5 Mar 2025, 14:00–15:00 GMT (Europe/London) Visit to Leipzig studios "
    ) in body
    assert "Press briefing" not in body
    assert "Called off" not in body
    assert "STEAMHouse, Birmingham" in email.alternatives[0][0]


# DAYLIGHT SAVING TIME ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_day", "due_utc"),
    [
        (dt.date(2025, 3, 31), at("2025-03-30", "07:00")),  # clocks go forward on the 30th
        (dt.date(2025, 10, 27), at("2025-10-26", "08:00")),  # and back on 26 October
    ],
)
def test_reminder_on_the_day_the_clocks_change_goes_out_at_nine_local(first_day, due_utc):
    mission = MissionFactory(
        status=MissionStatus.CONFIRMED,
        time_zone=BERLIN,
        start_date=first_day,
        end_date=first_day + dt.timedelta(days=2),
    )
    ReminderRuleFactory(
        mission=mission,
        kind=MessageKind.MISSION_REMINDER,
        anchor=ReminderAnchor.BEFORE_START,
        days=1,
    )
    answered(mission, on=due_utc - dt.timedelta(days=20), time_zone=BERLIN)

    early = reminders_scan(now=due_utc - dt.timedelta(minutes=1))
    on_time = reminders_scan(now=due_utc)

    assert (early["mission_reminder"], on_time["mission_reminder"]) == (0, 1)
    [(_, _, due)] = queued(MessageKind.MISSION_REMINDER)
    assert due == due_utc
    assert timezone.localtime(due, BERLIN).time() == dt.time(9)


def test_local_moment_keeps_nine_oclock_across_the_change():
    assert [
        local_moment(day, dt.time(9), BERLIN).time()
        for day in (dt.date(2025, 3, 29), dt.date(2025, 3, 30), dt.date(2025, 3, 31))
    ] == [dt.time(8), dt.time(7), dt.time(7)]


# TWO SCANS AT ONCE ------------------------------------------------------------------------


@pytest.mark.postgresql(reason="two transactions at once, serialised by row locks")
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_queue_each_reminder_once():
    start = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(
        status=MissionStatus.CONFIRMED,
        time_zone=LONDON,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )
    ParticipantFactory.create_batch(
        40, mission=mission, rsvp_status=RsvpStatus.ACCEPTED, answered_at=timezone.now()
    )
    # Due in the (real) future: the rows wait for `rescue`, nothing goes to the broker.
    now = local_moment(start - dt.timedelta(days=7), dt.time(9), LONDON) + dt.timedelta(minutes=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scan() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(reminders_scan(now=now))
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(result["mission_reminder"] for result in results) == 40
    assert OutgoingMessage.objects.filter(kind=MessageKind.MISSION_REMINDER).count() == 40
    assert OutgoingMessage.objects.values("recipient_email", "occasion").distinct().count() == 40


# THANK-YOU AFTER THE MISSION --------------------------------------------------------------


def test_thank_you_the_day_after_the_mission_at_ten_in_their_zone(mission):
    accepted = answered(mission, on=at("2025-02-10"), email="ines@example.org")
    answered(
        mission,
        RsvpStatus.TENTATIVE,
        on=at("2025-02-10"),
        email="ken@example.org",
        time_zone=NEW_YORK,
    )
    answered(mission, RsvpStatus.DECLINED, on=at("2025-02-10"))
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)

    counts = [
        reminders_scan(now=moment)
        for moment in (
            at("2025-03-07", "09:59"),
            at("2025-03-07", "10:00"),
            at("2025-03-07", "15:00"),
        )
    ]

    assert [c["follow_up"] for c in counts] == [0, 1, 1]
    assert queued(MessageKind.FOLLOW_UP) == [
        ("ines@example.org", f"thanks:{mission.pk}", at("2025-03-07", "10:00")),
        ("ken@example.org", f"thanks:{mission.pk}", at("2025-03-07", "10:00", NEW_YORK)),
    ]
    assert OutgoingMessage.objects.get(recipient_email="ines@example.org").participant == accepted


def test_thank_you_scan_twice_queues_one(mission):
    answered(mission, on=at("2025-02-10"))
    mission.status = MissionStatus.COMPLETED
    mission.save()

    counts = [reminders_scan(now=at("2025-03-07", "11:00")) for _ in range(2)]

    assert [c["follow_up"] for c in counts] == [1, 0]


@pytest.mark.parametrize("status", [MissionStatus.CANCELLED, MissionStatus.DRAFT])
def test_thank_you_not_for_a_mission(mission, status):
    answered(mission, on=at("2025-02-10"))
    mission.status = status
    mission.save()

    assert reminders_scan(now=at("2025-03-07", "11:00"))["follow_up"] == 0


def test_thank_you_not_sent_for_missions_long_past(mission):
    answered(mission, on=at("2025-02-10"))

    assert reminders_scan(now=at("2025-03-09", "11:00"))["follow_up"] == 0


# FOLLOW-UP ACTIONS FALLING DUE ------------------------------------------------------------


def test_action_reminder_to_owner_at_nine_on_due_date_in_mission_zone(mission):
    owner = UserFactory(email="chris.lowe@example.org", first_name="Chris", last_name="Lowe")
    action = FollowUpActionFactory(mission=mission, owner=owner, due_date=dt.date(2025, 4, 30))
    due = at("2025-04-30", "08:00")  # 09:00 British Summer Time

    counts = [reminders_scan(now=moment) for moment in (due - dt.timedelta(seconds=1), due, due)]

    assert [c["action_due"] for c in counts] == [0, 1, 0]
    assert queued(MessageKind.ACTION_DUE) == [
        ("chris.lowe@example.org", f"action:{action.pk}:2025-04-30", due)
    ]
    message = OutgoingMessage.objects.get(kind=MessageKind.ACTION_DUE)
    email = render_message(message)
    assert email.to == ["Chris Lowe <chris.lowe@example.org>"]
    assert email.subject == f"Follow-up due: {action.organisation.name}"
    assert f"/plan/actions/{action.pk}/edit/" in email.body


@pytest.mark.parametrize("status", [ActionStatus.AGREED, ActionStatus.DROPPED])
def test_action_reminder_not_for_closed_action(mission, status):
    FollowUpActionFactory(mission=mission, status=status, due_date=dt.date(2025, 4, 30))

    assert reminders_scan(now=at("2025-04-30", "12:00"))["action_due"] == 0


def test_action_reminder_cancelled_when_closed_or_moved_before_it_went_out(mission):
    closed, moved = FollowUpActionFactory.create_batch(
        2, mission=mission, due_date=dt.date(2025, 4, 30)
    )
    reminders_scan(now=at("2025-04-30", "08:00"))
    closed.status = ActionStatus.AGREED
    closed.save()
    moved.due_date = dt.date(2025, 5, 14)
    moved.save()

    counts = reminders_scan(now=at("2025-04-30", "08:05"))

    assert counts["cancelled"] == 2
    assert queued(MessageKind.ACTION_DUE) == []


# THE PERIODIC TASK ------------------------------------------------------------------------


def test_scan_task_run_twice_queues_one_message(django_capture_on_commit_callbacks):
    """The task scans at the real time: an action due today (09:00 London) has fallen due."""
    local_now = timezone.localtime(timezone.now(), LONDON)
    due_date = local_now.date() if local_now.hour >= 9 else local_now.date() - dt.timedelta(1)
    mission = MissionFactory(time_zone=LONDON)
    FollowUpActionFactory(mission=mission, due_date=due_date)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = scan_reminders.apply().get()
        second = scan_reminders.apply().get()

    assert (first["action_due"], second["action_due"]) == (1, 0)
    assert OutgoingMessage.objects.filter(kind=MessageKind.ACTION_DUE).count() == 1
    assert len(callbacks) == 1  # handed to a worker once, after commit


# ITINERARY CHANGED ------------------------------------------------------------------------


@pytest.fixture
def confirmed(mission):
    """The mission's round table and an accepted delegate told about it at invitation."""
    item = ItineraryItemFactory(mission=mission, title="Round table on immersive media")
    participant = answered(mission, on=at("2025-02-10"), email="ines@example.org")
    OutgoingMessageFactory(
        participant=participant,
        kind=MessageKind.INVITATION,
        state=MessageState.SENT,
        sent_at=timezone.now(),
    )
    return item, participant


def notices() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(kind=MessageKind.ITINERARY_CHANGED).order_by("pk"))


def test_three_edits_within_fifteen_minutes_give_one_notice(confirmed):
    item, participant = confirmed
    started = timezone.now()

    item_move(item=item, minutes=30)
    item.title = "Round table on immersive media and games"
    item_save(item=item)
    item_move(item=item, minutes=30)

    [notice] = notices()
    assert (notice.recipient_email, notice.state) == ("ines@example.org", MessageState.QUEUED)
    assert notice.occasion.startswith(f"changes:{item.mission_id}:{participant.pk}:")
    assert int(notice.occasion.rsplit(":", 1)[1]) == int(started.timestamp()) // 60
    assert (
        started + dt.timedelta(minutes=15)
        <= notice.due_at
        <= timezone.now() + dt.timedelta(minutes=15)
    )
    assert notice.context["items"] == [item.pk]


def test_edit_twenty_minutes_after_first_notice_was_sent_gives_a_second(confirmed):
    item, participant = confirmed
    item_move(item=item, minutes=30)
    # The first change was 20 minutes ago; its notice went out 5 minutes ago.
    first_change = timezone.now() - dt.timedelta(minutes=20)
    minute = int(first_change.timestamp()) // 60
    OutgoingMessage.objects.filter(kind=MessageKind.ITINERARY_CHANGED).update(
        state=MessageState.SENT,
        occasion=f"changes:{item.mission_id}:{participant.pk}:{minute}",
        due_at=first_change + dt.timedelta(minutes=15),
        sent_at=first_change + dt.timedelta(minutes=15),
    )

    item_move(item=item, minutes=30)

    assert [n.state for n in notices()] == [MessageState.SENT, MessageState.QUEUED]


def test_edit_after_the_notice_fell_due_gives_a_new_one(confirmed):
    """A notice already due may be rendered any moment: a later change gets its own."""
    item, _ = confirmed
    item_move(item=item, minutes=30)
    later = timezone.now() + dt.timedelta(minutes=16)
    before = itinerary_affected(item)
    item.title = "Round table on games"
    item.save()

    itinerary_item_changed(mission=item.mission, item_id=item.pk, before=before, now=later)

    first, second = notices()
    assert second.due_at == later + dt.timedelta(minutes=15)
    assert first.occasion != second.occasion


@pytest.mark.parametrize("status", [MissionStatus.DRAFT, MissionStatus.PLANNING])
def test_no_notice_for_unconfirmed_mission(confirmed, status):
    item, _ = confirmed
    item.mission.status = status
    item.mission.save()

    item_move(item=item, minutes=30)

    assert notices() == []


def test_no_notice_for_declined_participants_but_for_tentative(mission):
    item = ItineraryItemFactory(mission=mission)
    answered(mission, RsvpStatus.DECLINED, on=at("2025-02-10"), email="declined@example.org")
    answered(mission, RsvpStatus.TENTATIVE, on=at("2025-02-10"), email="maybe@example.org")
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)

    item_move(item=item, minutes=30)

    assert [n.recipient_email for n in notices()] == ["maybe@example.org"]


def test_no_notice_for_a_save_that_changes_nothing(confirmed):
    item, _ = confirmed

    item_save(item=item)

    assert notices() == []


def test_notice_only_for_attendees_of_selected_item_and_who_left_it(mission):
    stays, leaves, never = (
        answered(mission, on=at("2025-02-10"), email=f"{name}@example.org")
        for name in ("stays", "leaves", "never")
    )
    item = ItineraryItemFactory(mission=mission, audience=Audience.SELECTED)
    item.attendees.set([stays, leaves])

    item_save(item=item, attendees=[stays])

    assert sorted(n.recipient_email for n in notices()) == [
        "leaves@example.org",
        "stays@example.org",
    ]


def test_notice_shows_moved_item_with_old_and_new_local_times(confirmed):
    item, _ = confirmed
    item_move(item=item, minutes=60)
    [notice] = notices()

    body = text_of(notice)

    assert (
        "Moved: Round table on immersive media, now 4 Mar 2025, 11:00–12:30 GMT (Europe/London) "
        "(was 4 Mar 2025, 10:00–11:30 GMT (Europe/London))"
    ) in body
    assert "Your itinerary (local times): - 4 Mar 2025, 11:00–12:30 GMT (Europe/London)" in body


def test_notice_shows_cancelled_deleted_and_new_items(confirmed, mission):
    item, _ = confirmed
    dinner = ItineraryItemFactory(mission=mission, title="Dinner at the Council House")
    OutgoingMessage.objects.filter(kind=MessageKind.INVITATION).update(sent_at=timezone.now())

    item.is_cancelled = True
    item_save(item=item)
    item_delete(item=dinner)
    item_save(item=ItineraryItemFactory.build(mission=mission, title="Canal walk"))
    [notice] = notices()

    body = text_of(notice)

    assert (
        "Cancelled: Round table on immersive media "
        "(was 4 Mar 2025, 10:00–11:30 GMT (Europe/London))"
    ) in body
    assert (
        "No longer on your itinerary: Dinner at the Council House "
        "(4 Mar 2025, 10:00–11:30 GMT (Europe/London))"
    ) in body
    assert "New: Canal walk, 4 Mar 2025, 10:00–11:30 GMT (Europe/London)" in body


def test_notice_escapes_markup_in_html_only(confirmed):
    item, _ = confirmed
    item.title = "<b>Round table</b> & dinner"
    item_save(item=item)
    [notice] = notices()

    email = render_message(notice)

    assert "Details changed: <b>Round table</b> & dinner" in email.body
    assert "&lt;b&gt;Round table&lt;/b&gt; &amp; dinner" in email.alternatives[0][0]
    assert "<b>Round table" not in email.alternatives[0][0]


def test_notice_cancelled_when_participant_withdraws_before_it_goes_out(confirmed):
    item, participant = confirmed
    item_move(item=item, minutes=30)
    Participant.objects.filter(pk=participant.pk).update(rsvp_status=RsvpStatus.WITHDRAWN)

    reminders_scan()

    assert [n.state for n in notices()] == [MessageState.CANCELLED]
