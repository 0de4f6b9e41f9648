"""The matchmaking of the demo's upcoming mission (matchmaking/demo.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from matchmaking.demo import load_demo_matchmaking
from matchmaking.enums import MeetingState, RequestStatus, RunState
from matchmaking.models import MatchmakingSettings, Meeting, MeetingRequest, Profile, ScheduleRun
from matchmaking.scheduler import check_placement
from matchmaking.selectors import blocks_of, schedule_problem
from matchmaking.services.blocks import block_mark
from missions.demo import load_demo
from missions.demo.living import MATCHMAKING, UPCOMING
from missions.models import Mission


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo with its matchmaking, loaded once for this module and rolled back."""
    from django.db import transaction  # noqa: PLC0415 (the module fixture's own transaction)

    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        load_demo(now=now)
        counts = load_demo_matchmaking(now=now)
        yield {"now": now, "counts": counts, "mission": Mission.objects.get(slug=UPCOMING)}
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_demo_matchmaking_is_a_meeting_block_at_three_tables(demo):
    mission = demo["mission"]
    block = mission.items.get(title=MATCHMAKING).meeting_block

    assert [str(table) for table in block.tables.all()] == [
        "Atrium, table 1",
        "Atrium, table 2",
        "Meeting room 3",
    ]
    assert MatchmakingSettings.objects.get(mission=mission).requests_need_acceptance is True


@pytest.mark.django_db
def test_demo_has_profiles_mutual_accepted_and_waiting_requests(demo):
    mission = demo["mission"]
    requests = MeetingRequest.objects.filter(mission=mission)

    assert Profile.objects.filter(participant__mission=mission, opted_in=True).count() == 10
    assert requests.filter(mutual=True).count() == 2
    assert requests.filter(status=RequestStatus.ACCEPTED).count() == 7
    assert requests.filter(status=RequestStatus.REQUESTED).count() == 1


@pytest.mark.django_db
def test_demo_schedule_is_published_and_keeps_the_rules(demo):
    mission = demo["mission"]
    meetings = list(Meeting.objects.filter(request__mission=mission))
    read = schedule_problem(mission)
    placements = [read.placement_of(meeting) for meeting in meetings]

    assert demo["counts"]["meetings"] == len(meetings) == 7
    assert {meeting.state for meeting in meetings} == {MeetingState.FINAL}
    assert ScheduleRun.objects.get(mission=mission).state == RunState.DONE
    for placement in placements:
        others = [p for p in placements if p != placement]
        assert check_placement(read.problem, placements=others, candidate=placement) == []


@pytest.mark.django_db
def test_demo_matchmaking_loaded_again_changes_nothing(demo):
    mission = demo["mission"]
    before = list(Meeting.objects.filter(request__mission=mission).values_list("uid", "updated_at"))
    profiles = list(Profile.objects.filter(participant__mission=mission).values_list("updated_at"))

    counts = load_demo_matchmaking(now=demo["now"])

    assert counts == demo["counts"]
    assert sorted(
        Meeting.objects.filter(request__mission=mission).values_list("uid", "updated_at")
    ) == sorted(before)
    assert (
        list(Profile.objects.filter(participant__mission=mission).values_list("updated_at"))
        == profiles
    )
    assert ScheduleRun.objects.filter(mission=mission).count() == 1


@pytest.mark.django_db
def test_demo_matchmaking_a_week_later_schedules_again_on_the_moved_block(demo):
    mission = demo["mission"]
    later = demo["now"] + dt.timedelta(days=7)  # the mission moves a week along
    first_slot = Meeting.objects.filter(request__mission=mission).order_by("starts_at")[0]
    load_demo(now=later)

    counts = load_demo_matchmaking(now=later)

    block = mission.items.get(title=MATCHMAKING).meeting_block
    slots = {starts_at for starts_at, _ in block.slot_times()}
    meetings = list(Meeting.objects.filter(request__mission=mission))
    assert counts["meetings"] == len(meetings) == 7
    assert {meeting.starts_at in slots for meeting in meetings} == {True}
    assert {meeting.state for meeting in meetings} == {MeetingState.FINAL}
    assert min(meeting.starts_at for meeting in meetings) > first_slot.starts_at


@pytest.mark.django_db
def test_demo_loaded_over_one_whose_block_was_the_round_table_keeps_one_block(demo):
    mission = demo["mission"]
    round_table = mission.items.get(title__startswith="Round table")
    block_mark(item=round_table, slot_minutes=20, break_minutes=5, tables=["Boardroom"])

    load_demo_matchmaking(now=demo["now"])

    assert [block.item.title for block in blocks_of(mission)] == [MATCHMAKING]
    assert Meeting.objects.filter(request__mission=mission).count() == 7
