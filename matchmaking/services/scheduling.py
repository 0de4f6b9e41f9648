"""The schedule of a mission's meetings: asked for by staff, computed by a worker.

Staff ask (`schedule_request`): a `ScheduleRun` is queued and, after commit, handed to
the task `matchmaking.tasks.schedule` by name (this module is below the tasks). The
worker runs `run_execute`: it claims the run, computes the schedule outside any
transaction while writing its progress on the run (so the page that polls sees it), and
writes the meetings in one transaction (`schedule_mission`).

A run is idempotent: the claim is a conditional UPDATE (queued or running → running), so
a task delivered again after its worker died runs again from the start, and a run done
or failed is left as it is. Writing the meetings replaces the unlocked ones in one
transaction, so two runs at once leave one whole schedule, never a mix.
"""

import logging
import uuid
from collections.abc import Callable

from celery import current_app
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from matchmaking import scheduler
from matchmaking.enums import MeetingState, RequestStatus, RunState
from matchmaking.models import Meeting, MeetingRequest, ScheduleRun
from matchmaking.selectors import (
    MissionProblem,
    active_run,
    blocks_of,
    run_is_stuck,
    schedule_problem,
)
from missions.models import Mission
from missions.services.missions import mission_lock

logger = logging.getLogger(__name__)

SCHEDULE_TASK = "matchmaking.tasks.schedule"
MESSAGE_LENGTH = 500  # characters of an error that staff see


@transaction.atomic
def schedule_request(*, mission: Mission, requested_by: AbstractBaseUser | None) -> ScheduleRun:
    """Ask a worker to schedule the mission's accepted meetings; the run on its way.

    One run at a time per mission: while one is queued or running, that one is the
    answer. When it looks stuck (`run_is_stuck`) it is handed to a worker again and
    counts as asked for now, so the page stops offering to ask again until it looks
    stuck once more. `ValidationError` when there is no meeting block or no accepted
    request. The task is enqueued after commit; a rolled-back request enqueues nothing.
    """
    mission_lock(mission_id=mission.pk)
    active = active_run(mission)
    if active is not None:
        if run_is_stuck(active):
            logger.warning("Schedule run %s looks stuck; enqueued again", active.pk)
            active.created_at = timezone.now()
            ScheduleRun.objects.filter(pk=active.pk).update(created_at=active.created_at)
            _enqueue(active.pk)
        return active
    if not blocks_of(mission).exists():
        raise ValidationError(
            _("Mark an itinerary item as a meeting block first."), code="no_block"
        )
    if not MeetingRequest.objects.filter(mission=mission, status=RequestStatus.ACCEPTED).exists():
        raise ValidationError(_("There is no accepted meeting to schedule."), code="no_meeting")
    run = ScheduleRun(mission=mission, requested_by=requested_by)
    run.full_clean()
    run.save()
    _enqueue(run.pk)
    return run


def _enqueue(run_id: int) -> None:
    transaction.on_commit(lambda: current_app.send_task(SCHEDULE_TASK, kwargs={"run_id": run_id}))


def run_execute(*, run_id: int, time_limit: float | None = None) -> None:
    """Run a queued run: schedule its mission, recording progress and the outcome on the
    run. A run gone, done or failed is left alone; an error fails the run with its
    message (and is logged), it is not raised."""
    now = timezone.now()
    claimed = ScheduleRun.objects.filter(pk=run_id, state__in=RunState.ACTIVE).update(
        state=RunState.RUNNING, started_at=now, progress=0, step="", message=""
    )
    if not claimed:
        return
    run = ScheduleRun.objects.select_related("mission").get(pk=run_id)

    def progress(step: str, fraction: float) -> None:
        ScheduleRun.objects.filter(pk=run_id).update(
            step=step, progress=min(100, round(fraction * 100))
        )

    limits = {} if time_limit is None else {"time_limit": time_limit}
    try:
        result = schedule_mission(mission=run.mission, progress=progress, **limits)
    except ValidationError as error:
        _fail(run_id, " ".join(error.messages))
        return
    except Exception as error:
        logger.exception("Schedule run %s failed", run_id)
        _fail(run_id, _("The scheduler failed: %(error)s") % {"error": error})
        return
    ScheduleRun.objects.filter(pk=run_id).update(**run_done(result), finished_at=timezone.now())


def run_done(result: scheduler.Schedule) -> dict[str, object]:
    """What a run that computed `result` records: done, how many meetings it placed, and
    each request it left out with why (the tab lists them)."""
    return {
        "state": RunState.DONE,
        "progress": 100,
        "step": "done",
        "placed": result.placed,
        "unplaced": len(result.unplaced),
        "unplaced_reasons": [
            {"request": u.request, "reason": str(u.reason)} for u in result.unplaced
        ],
    }


def _fail(run_id: int, message: str) -> None:
    ScheduleRun.objects.filter(pk=run_id).update(
        state=RunState.FAILED, message=message[:MESSAGE_LENGTH], finished_at=timezone.now()
    )


def schedule_mission(
    *,
    mission: Mission,
    progress: Callable[[str, float], None] | None = None,
    time_limit: float = scheduler.TIME_LIMIT_SECONDS,
    gap_time_limit: float = scheduler.GAP_TIME_LIMIT_SECONDS,
) -> scheduler.Schedule:
    """Schedule the mission's accepted meetings and write them, preliminary.

    Locked meetings stay as they are. The other meetings are replaced in one transaction;
    a meeting placed where it was keeps its state, and every meeting keeps its calendar
    UID across runs. `ValidationError` (nothing written) when a locked meeting changed
    while the scheduler ran: run it again.
    """
    read = schedule_problem(mission)
    result = scheduler.schedule(
        read.problem, time_limit=time_limit, gap_time_limit=gap_time_limit, progress=progress
    )
    _write(mission=mission, read=read, result=result)
    return result


@transaction.atomic
def _write(*, mission: Mission, read: MissionProblem, result: scheduler.Schedule) -> None:
    mission_lock(mission_id=mission.pk)
    meetings = Meeting.objects.filter(request__mission=mission)
    locked_now = set(meetings.filter(locked=True).values_list("pk", "table_id", "starts_at"))
    locked_then = {(m.pk, m.table_id, m.starts_at) for m in read.meetings if m.locked}
    if locked_now != locked_then:
        raise ValidationError(
            _("Locked meetings changed while the scheduler ran: run it again."), code="outdated"
        )
    accepted = set(
        MeetingRequest.objects.filter(mission=mission, status=RequestStatus.ACCEPTED).values_list(
            "pk", flat=True
        )
    )
    before = {m.request_id: m for m in meetings.filter(locked=False)}
    for meeting in before.values():
        meeting.delete()  # one by one: each leaves its line in the history
    new = []
    for placement in result.placements:
        if placement.locked or placement.request not in accepted:
            continue
        key = read.slots[placement.slot]
        old = before.get(placement.request)
        same = old is not None and (old.block_id, old.starts_at, old.table_id) == (
            key.block,
            key.starts_at,
            placement.table,
        )
        new.append(
            Meeting(
                request_id=placement.request,
                block_id=key.block,
                table_id=placement.table,
                starts_at=key.starts_at,
                ends_at=key.ends_at,
                state=old.state if same else MeetingState.PRELIMINARY,
                uid=old.uid if old is not None else uuid.uuid4(),
            )
        )
    bulk_create_with_history(new, Meeting)
