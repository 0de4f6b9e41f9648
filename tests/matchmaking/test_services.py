"""Profiles, requests and answers, blocks, the schedule and moves, as users notice them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from matchmaking import scheduler
from matchmaking.enums import MeetingState, RequestStatus, RunState, UnplacedReason
from matchmaking.models import Meeting, MeetingRequest, ScheduleRun
from matchmaking.selectors import (
    STUCK_AFTER,
    meetings_of,
    profiles_visible_to,
    run_is_stuck,
    schedule_problem,
    slots_open_for,
)
from matchmaking.services import scheduling
from matchmaking.services.blocks import block_mark, block_unmark, unavailability_add
from matchmaking.services.meeting_requests import (
    request_answer,
    request_create,
    request_withdraw,
)
from matchmaking.services.meetings import (
    meeting_move,
    meeting_place,
    schedule_publish,
)
from matchmaking.services.profiles import profile_save, settings_save
from matchmaking.tasks import schedule as schedule_task
from missions.enums import Audience, ParticipantRole, RsvpStatus
from tests.factories import (
    ItineraryItemFactory,
    MeetingFactory,
    MeetingRequestFactory,
    ProfileFactory,
    ScheduleRunFactory,
    SectorFactory,
    UserFactory,
)

T0 = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)  # the block's slots: 10:00, 10:25, 10:50
T1 = T0 + dt.timedelta(minutes=25)
T2 = T0 + dt.timedelta(minutes=50)
FAST = {"time_limit": 2.0, "gap_time_limit": 0.5}


def accepted(requester, recipient):
    return MeetingRequestFactory(
        mission=requester.mission,
        requester=requester,
        recipient=recipient,
        status=RequestStatus.ACCEPTED,
    )


# PROFILES --------------------------------------------------------------------------


def test_profile_save_keeps_each_language_once_in_lower_case(delegate):
    sector = SectorFactory()

    profile = profile_save(
        participant=delegate,
        offer=" Games ",
        languages=["DE", "en", "de"],
        sectors=[sector],
        opted_in=True,
    )

    profile.refresh_from_db()
    assert (profile.offer, profile.languages, list(profile.sectors.all())) == (
        "Games",
        ["de", "en"],
        [sector],
    )


def test_profile_save_with_a_bad_language_code_is_refused(delegate):
    with pytest.raises(ValidationError):
        profile_save(participant=delegate, languages=["English!"])


def test_profiles_visible_to_a_delegate_are_the_hosts_who_opted_in(delegate, host, mission):
    hidden = ProfileFactory(
        participant__mission=mission, participant__role=ParticipantRole.HOST, opted_in=False
    )
    ProfileFactory(participant__mission=mission)  # another delegate
    ProfileFactory(participant__role=ParticipantRole.HOST)  # another mission's host

    visible = list(profiles_visible_to(delegate))

    assert visible == [host.matchmaking_profile]
    assert hidden not in visible


def test_profiles_visible_to_filters_by_language_and_words(delegate, host, other_host):
    profile_save(
        participant=other_host,
        offer="Test beds",
        pitch="Robotics in Birmingham",
        languages=["en"],
        opted_in=True,
    )

    assert list(profiles_visible_to(delegate, text="robotics")) == [other_host.matchmaking_profile]
    assert list(profiles_visible_to(delegate, language="de")) == [host.matchmaking_profile]


def test_profiles_visible_to_filters_by_sector(delegate, host, other_host):
    games = SectorFactory()
    host.matchmaking_profile.sectors.add(games, SectorFactory())

    assert list(profiles_visible_to(delegate, sector=games.pk)) == [host.matchmaking_profile]


# REQUESTS --------------------------------------------------------------------------


def test_request_create_waits_for_the_recipients_answer(delegate, host):
    request = request_create(requester=delegate, recipient=host, message=" Hello ")

    assert (request.status, request.message, request.mutual) == (
        RequestStatus.REQUESTED,
        "Hello",
        False,
    )


def test_request_create_where_no_acceptance_is_needed_counts_as_accepted(mission, delegate, host):
    settings_save(
        mission=mission,
        requests_need_acceptance=False,
        slot_picking="organisers",
        max_meetings_per_person=12,
    )

    assert request_create(requester=delegate, recipient=host).status == RequestStatus.ACCEPTED


def test_request_create_both_ways_makes_one_mutual_accepted_request(delegate, host):
    first = request_create(requester=delegate, recipient=host)

    second = request_create(requester=host, recipient=delegate)

    assert second.pk == first.pk
    assert (second.status, second.mutual) == (RequestStatus.ACCEPTED, True)
    assert host.meeting_requests_made.count() == 0


def test_request_create_to_a_profile_not_shown_is_refused(delegate, mission):
    hidden = ProfileFactory(
        participant__mission=mission, participant__role=ParticipantRole.HOST, opted_in=False
    ).participant

    with pytest.raises(ValidationError) as error:
        request_create(requester=delegate, recipient=hidden)

    assert error.value.code == "no_profile"


def test_request_create_between_two_delegates_is_refused(delegate, mission):
    other = ProfileFactory(participant__mission=mission).participant

    with pytest.raises(ValidationError) as error:
        request_create(requester=delegate, recipient=other)

    assert error.value.code == "side"


def test_request_create_after_a_decline_is_refused(delegate, host):
    request = request_create(requester=delegate, recipient=host)
    request_answer(request=request, answered_by=host, accept=False)

    with pytest.raises(ValidationError) as error:
        request_create(requester=delegate, recipient=host)

    assert error.value.code == "declined"


def test_request_create_after_a_withdrawal_asks_again(delegate, host):
    request = request_withdraw(
        request=request_create(requester=delegate, recipient=host), withdrawn_by=delegate
    )

    again = request_create(requester=delegate, recipient=host)

    assert (again.pk, again.status) == (request.pk, RequestStatus.REQUESTED)


def test_request_answer_past_the_limit_is_refused(mission, delegate, host, other_host):
    settings_save(
        mission=mission,
        requests_need_acceptance=True,
        slot_picking="organisers",
        max_meetings_per_person=1,
    )
    request_answer(
        request=request_create(requester=delegate, recipient=host), answered_by=host, accept=True
    )
    second = request_create(requester=delegate, recipient=other_host)

    with pytest.raises(ValidationError) as error:
        request_answer(request=second, answered_by=other_host, accept=True)

    assert error.value.code == "meeting_limit"


def test_request_answer_by_the_recipient_accepts(delegate, host):
    request = request_answer(
        request=request_create(requester=delegate, recipient=host), answered_by=host, accept=True
    )

    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED
    assert request.answered_at is not None


@pytest.mark.parametrize("who", ["requester", "someone else"])
def test_request_answer_by_anyone_but_the_recipient_is_refused(who, delegate, host, other_host):
    request = request_create(requester=delegate, recipient=host)
    answered_by = delegate if who == "requester" else other_host

    with pytest.raises(PermissionDenied):
        request_answer(request=request, answered_by=answered_by, accept=True)

    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED


def test_request_answer_twice_is_refused(delegate, host):
    request = request_create(requester=delegate, recipient=host)
    request_answer(request=request, answered_by=host, accept=False)

    with pytest.raises(ValidationError):
        request_answer(request=request, answered_by=host, accept=True)


def test_request_withdraw_removes_its_meeting(mission, block, delegate, host):
    meeting = MeetingFactory(
        request=accepted(delegate, host), block=block, table=block.tables.first()
    )

    request_withdraw(request=meeting.request, withdrawn_by=delegate)

    assert not Meeting.objects.filter(pk=meeting.pk).exists()


def test_request_withdraw_keeps_a_meeting_in_the_published_schedule(block, delegate, host):
    meeting = MeetingFactory(
        request=accepted(delegate, host),
        block=block,
        table=block.tables.first(),
        state=MeetingState.FINAL,
    )

    with pytest.raises(ValidationError) as refused:
        request_withdraw(request=meeting.request, withdrawn_by=delegate)

    assert refused.value.code == "final"
    meeting.refresh_from_db()
    assert meeting.request.status == RequestStatus.ACCEPTED


def test_request_withdraw_by_the_recipient_is_refused(delegate, host):
    with pytest.raises(PermissionDenied):
        request_withdraw(
            request=request_create(requester=delegate, recipient=host), withdrawn_by=host
        )


# BLOCKS ----------------------------------------------------------------------------


def test_block_mark_cuts_the_item_into_slots(mission):
    item = ItineraryItemFactory(mission=mission)  # 10:00 to 11:30

    block = block_mark(item=item, slot_minutes=20, break_minutes=5, tables=3)

    assert [start for start, _ in block.slot_times()] == [T0, T1, T2]
    assert [str(table) for table in block.tables.all()] == ["Table 1", "Table 2", "Table 3"]


def test_block_mark_with_names_gives_the_rooms_their_names(mission):
    item = ItineraryItemFactory(mission=mission)
    block_mark(item=item, slot_minutes=30, tables=4)

    block = block_mark(item=item, slot_minutes=30, tables=["Aston", "Digbeth"])

    assert [str(table) for table in block.tables.all()] == ["Aston", "Digbeth"]


def test_block_mark_cannot_remove_a_table_with_meetings(block, delegate, host):
    MeetingFactory(request=accepted(delegate, host), block=block, table=block.tables.last())

    with pytest.raises(ValidationError) as error:
        block_mark(item=block.item, slot_minutes=20, break_minutes=5, tables=1)

    assert error.value.code == "tables_in_use"
    assert block.tables.count() == 2


def test_block_unmark_takes_the_blocks_meetings_with_it(block, delegate, host):
    meeting = MeetingFactory(
        request=accepted(delegate, host), block=block, table=block.tables.last()
    )

    block_unmark(item=block.item)

    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert MeetingRequest.objects.filter(pk=meeting.request_id).exists()  # the request stays


def test_block_mark_where_no_slot_fits_is_refused(mission):
    with pytest.raises(ValidationError) as error:
        block_mark(item=ItineraryItemFactory(mission=mission), slot_minutes=120, tables=2)

    assert error.value.code == "no_slot"


# THE SCHEDULE ----------------------------------------------------------------------


def test_schedule_mission_writes_preliminary_meetings_in_slots_both_are_free(
    mission, block, delegate, host, other_host
):
    # The delegate visits a site from 10:20 to 10:45: the 10:25 slot is not theirs.
    ItineraryItemFactory(
        mission=mission,
        starts_at=T0 + dt.timedelta(minutes=20),
        ends_at=T1 + dt.timedelta(minutes=20),
        audience=Audience.SELECTED,
    ).attendees.add(delegate)
    unavailability_add(participant=host, starts_at=T0, ends_at=T1)
    first, second = accepted(delegate, host), accepted(delegate, other_host)

    result = scheduling.schedule_mission(mission=mission, **FAST)

    assert result.placed == 2
    meetings = {m.request_id: m for m in meetings_of(delegate)}
    assert meetings[first.pk].starts_at == T2  # the host is away until 10:25
    assert meetings[second.pk].starts_at == T0
    assert {m.state for m in meetings.values()} == {MeetingState.PRELIMINARY}


def test_schedule_mission_keeps_locked_meetings_and_each_meetings_uid(
    mission, block, delegate, host, other_host
):
    locked = MeetingFactory(
        request=accepted(delegate, host),
        block=block,
        table=block.tables.last(),
        starts_at=T1,
        locked=True,
    )
    accepted(delegate, other_host)
    scheduling.schedule_mission(mission=mission, **FAST)
    uids = dict(Meeting.objects.values_list("request_id", "uid"))

    scheduling.schedule_mission(mission=mission, **FAST)

    locked_now = Meeting.objects.get(pk=locked.pk)
    assert (locked_now.starts_at, locked_now.table_id) == (T1, block.tables.last().pk)
    assert dict(Meeting.objects.values_list("request_id", "uid")) == uids
    assert Meeting.objects.count() == 2


def test_schedule_mission_leaves_out_who_no_longer_comes(mission, block, delegate, host):
    host.rsvp_status = RsvpStatus.DECLINED
    host.save()
    request = accepted(delegate, host)

    result = scheduling.schedule_mission(mission=mission, **FAST)

    assert result.unplaced == (scheduler.Unplaced(request.pk, UnplacedReason.NO_COMMON_SLOT),)
    assert not Meeting.objects.exists()


def test_schedule_mission_places_nobody_in_a_block_they_do_not_attend(mission, delegate, host):
    item = ItineraryItemFactory(mission=mission, audience=Audience.SELECTED)
    item.attendees.add(delegate)
    block_mark(item=item, slot_minutes=20, break_minutes=5, tables=2)
    accepted(delegate, host)

    result = scheduling.schedule_mission(mission=mission, **FAST)

    assert result.placed == 0


def test_schedule_problem_reads_a_mission_in_a_fixed_number_of_queries(
    mission, block, delegate, host, django_assert_max_num_queries
):
    for _ in range(5):
        accepted(ProfileFactory(participant__mission=mission).participant, host)

    with django_assert_max_num_queries(9):
        schedule_problem(mission)


def test_schedule_request_queues_one_run_and_hands_it_over_after_commit(
    mission, block, delegate, host, django_capture_on_commit_callbacks
):
    accepted(delegate, host)
    planner = UserFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = scheduling.schedule_request(mission=mission, requested_by=planner)
        again = scheduling.schedule_request(mission=mission, requested_by=planner)

    assert again.pk == run.pk
    assert (run.state, len(callbacks)) == (RunState.QUEUED, 1)


def test_schedule_request_of_a_stuck_run_hands_it_over_again(
    mission, block, delegate, host, django_capture_on_commit_callbacks
):
    accepted(delegate, host)
    stuck = ScheduleRunFactory(mission=mission)
    ScheduleRun.objects.filter(pk=stuck.pk).update(
        created_at=stuck.created_at - STUCK_AFTER - dt.timedelta(seconds=1)
    )
    assert run_is_stuck(ScheduleRun.objects.get(pk=stuck.pk))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = scheduling.schedule_request(mission=mission, requested_by=None)

    assert (run.pk, len(callbacks)) == (stuck.pk, 1)
    assert not run_is_stuck(ScheduleRun.objects.get(pk=stuck.pk))  # asked for again now
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scheduling.schedule_request(mission=mission, requested_by=None)
    assert callbacks == []  # ... so asking once more waits for that worker


def test_run_is_stuck_only_while_on_its_way_long_after_it_was_asked_for():
    asked = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    later = asked + STUCK_AFTER + dt.timedelta(seconds=1)

    assert [
        run_is_stuck(ScheduleRunFactory.build(state=state, created_at=asked), now=now)
        for state in RunState
        for now in (asked + STUCK_AFTER, later)
    ] == [False, True, False, True, False, False, False, False]


def test_schedule_request_without_a_block_is_refused(mission, delegate, host):
    accepted(delegate, host)

    with pytest.raises(ValidationError) as error:
        scheduling.schedule_request(mission=mission, requested_by=None)

    assert error.value.code == "no_block"


def test_schedule_task_records_progress_and_the_outcome(
    monkeypatch, mission, block, delegate, host, other_host
):
    accepted(delegate, host)
    blocked = accepted(
        delegate,
        ProfileFactory(
            participant__mission=mission,
            participant__role=ParticipantRole.HOST,
            participant__rsvp_status=RsvpStatus.DECLINED,
        ).participant,
    )
    run = ScheduleRunFactory(mission=mission)
    seen = []
    solve = scheduler.schedule

    def watched(problem, *, progress, **kwargs):
        def spy(step, fraction):
            progress(step, fraction)
            seen.append(ScheduleRun.objects.values_list("state", "progress").get(pk=run.pk))

        return solve(problem, progress=spy, **kwargs)

    monkeypatch.setattr(scheduling.scheduler, "schedule", watched)

    schedule_task.apply(kwargs={"run_id": run.pk})

    run.refresh_from_db()
    assert seen[0] == (RunState.RUNNING, 10)
    assert seen[-1] == (RunState.RUNNING, 100)
    assert (run.state, run.placed, run.unplaced, run.progress) == (RunState.DONE, 1, 1, 100)
    assert run.unplaced_reasons == [{"request": blocked.pk, "reason": "no_common_slot"}]
    assert run.started_at <= run.finished_at


def test_schedule_task_runs_twice_schedules_once(mission, block, delegate, host):
    accepted(delegate, host)
    run = ScheduleRunFactory(mission=mission)
    scheduling.run_execute(run_id=run.pk, time_limit=2.0)
    first = ScheduleRun.objects.get(pk=run.pk)
    uids = list(Meeting.objects.values_list("uid", flat=True))

    schedule_task.apply(kwargs={"run_id": run.pk})

    assert ScheduleRun.objects.get(pk=run.pk).finished_at == first.finished_at
    assert list(Meeting.objects.values_list("uid", flat=True)) == uids


def test_schedule_task_of_a_deleted_run_does_nothing(mission):
    run = ScheduleRunFactory(mission=mission)
    run.delete()

    schedule_task.apply(kwargs={"run_id": run.pk})

    assert not ScheduleRun.objects.exists()


def test_schedule_task_when_staff_lock_a_meeting_meanwhile_fails_with_the_reason(
    monkeypatch, mission, block, delegate, host, other_host
):
    meeting = MeetingFactory(
        request=accepted(delegate, host), block=block, table=block.tables.first()
    )
    accepted(delegate, other_host)
    run = ScheduleRunFactory(mission=mission)
    solve = scheduler.schedule

    def meanwhile(problem, **kwargs):
        Meeting.objects.filter(pk=meeting.pk).update(locked=True)
        return solve(problem, **kwargs)

    monkeypatch.setattr(scheduling.scheduler, "schedule", meanwhile)

    schedule_task.apply(kwargs={"run_id": run.pk})

    run.refresh_from_db()
    assert run.state == RunState.FAILED
    assert run.message == "Locked meetings changed while the scheduler ran: run it again."
    assert Meeting.objects.get(pk=meeting.pk).starts_at == T0


# MEETINGS BY HAND ------------------------------------------------------------------


def test_meeting_move_to_a_free_slot_moves_and_locks_it(block, delegate, host):
    meeting = MeetingFactory(
        request=accepted(delegate, host), block=block, table=block.tables.first()
    )
    uid = meeting.uid

    moved = meeting_move(meeting=meeting, block=block, starts_at=T2, table=block.tables.last())

    moved.refresh_from_db()
    assert (moved.starts_at, moved.ends_at, moved.table, moved.locked, moved.uid) == (
        T2,
        T2 + dt.timedelta(minutes=20),
        block.tables.last(),
        True,
        uid,
    )


def test_meeting_move_onto_a_taken_table_is_refused(block, delegate, host, other_host):
    first = MeetingFactory(
        request=accepted(delegate, host), block=block, table=block.tables.first()
    )
    other = ProfileFactory(participant__mission=block.item.mission).participant
    second = MeetingFactory(
        request=accepted(other, other_host), block=block, table=block.tables.first(), starts_at=T1
    )

    with pytest.raises(ValidationError) as error:
        meeting_move(meeting=second, block=block, starts_at=T0, table=first.table)

    assert error.value.messages == ["The table is taken in that slot."]


def test_meeting_move_where_one_of_the_two_is_busy_is_refused(block, delegate, host):
    meeting = MeetingFactory(
        request=accepted(delegate, host), block=block, table=block.tables.first()
    )
    unavailability_add(participant=host, starts_at=T2, ends_at=T2 + dt.timedelta(hours=1))

    with pytest.raises(ValidationError) as error:
        meeting_move(meeting=meeting, block=block, starts_at=T2)

    assert error.value.messages == ["One of the two is not free in that slot."]
    meeting.refresh_from_db()
    assert meeting.starts_at == T0


def test_meeting_place_takes_the_first_free_table(block, delegate, host, other_host):
    MeetingFactory(request=accepted(delegate, host), block=block, table=block.tables.first())
    other = ProfileFactory(participant__mission=block.item.mission).participant

    meeting = meeting_place(request=accepted(other, other_host), block=block, starts_at=T0)

    assert meeting.table == block.tables.last()


def test_meeting_place_of_a_request_not_accepted_is_refused(block, delegate, host):
    request = request_create(requester=delegate, recipient=host)

    with pytest.raises(ValidationError):
        meeting_place(request=request, block=block, starts_at=T0)


def test_slots_open_for_a_request_are_those_both_can_take(block, delegate, host, other_host):
    MeetingFactory(
        request=accepted(delegate, other_host),
        block=block,
        table=block.tables.first(),
        starts_at=T1,
    )
    unavailability_add(participant=host, starts_at=T0, ends_at=T0 + dt.timedelta(minutes=5))

    open_slots = slots_open_for(accepted(delegate, host))

    assert [(key.block, key.starts_at) for key in open_slots] == [(block.pk, T2)]


def test_schedule_publish_makes_the_preliminary_meetings_final(block, delegate, host, other_host):
    MeetingFactory(request=accepted(delegate, host), block=block, table=block.tables.first())
    MeetingFactory(
        request=accepted(delegate, other_host),
        block=block,
        table=block.tables.first(),
        starts_at=T1,
        state=MeetingState.FINAL,
    )

    assert schedule_publish(mission=block.item.mission) == 1
    assert set(Meeting.objects.values_list("state", flat=True)) == {MeetingState.FINAL}


def test_meeting_request_both_ways_open_at_once_is_refused_by_the_database(delegate, host):
    MeetingRequestFactory(mission=delegate.mission, requester=delegate, recipient=host)

    with pytest.raises(IntegrityError, match="meeting_request_one_open_per_pair"):
        MeetingRequestFactory(mission=delegate.mission, requester=host, recipient=delegate)
