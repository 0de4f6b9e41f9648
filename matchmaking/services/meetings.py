"""Meetings placed or moved by hand, locked, published.

A meeting placed or moved here is checked against the same rules as the scheduler's
(`matchmaking.scheduler.check_placement`, the one home of what a valid placement is).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matchmaking.enums import Conflict, MeetingState, RequestStatus
from matchmaking.models import Meeting, MeetingBlock, MeetingRequest, Table
from matchmaking.selectors import schedule_problem
from missions.models import Mission
from missions.services.missions import mission_lock


def _checked_table(
    *, request: MeetingRequest, block: MeetingBlock, starts_at: dt.datetime, table: Table | None
) -> tuple[int, dt.datetime]:
    """The table the meeting may take at `starts_at` in `block` (the first free one when
    `table` is None), and when the slot ends; `ValidationError` with every rule it breaks."""
    read = schedule_problem(request.mission)
    slot_id = read.slot_ids.get((block.pk, starts_at))
    if slot_id is None:
        raise ValidationError(Conflict.NO_SUCH_SLOT.label, code=str(Conflict.NO_SUCH_SLOT))
    table_id, conflicts = read.check(
        request=request, slot_id=slot_id, table_id=table.pk if table else None
    )
    if conflicts:
        raise ValidationError([ValidationError(str(c.label), code=str(c)) for c in conflicts])
    return table_id, read.slots[slot_id].ends_at


@transaction.atomic
def meeting_place(
    *,
    request: MeetingRequest,
    block: MeetingBlock,
    starts_at: dt.datetime,
    table: Table | None = None,
    locked: bool = False,
) -> Meeting:
    """Put an accepted request's meeting in a slot (when participants pick their slot,
    or staff place one): at `table`, or the first free one. `ValidationError` when the
    request is not accepted, has its meeting already, or the placement breaks a rule."""
    mission_lock(mission_id=request.mission_id)
    if request.status != RequestStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted meeting can be placed."), code="not_accepted")
    if Meeting.objects.filter(request=request).exists():
        raise ValidationError(_("This meeting has its slot already."), code="placed")
    table_id, ends_at = _checked_table(
        request=request, block=block, starts_at=starts_at, table=table
    )
    meeting = Meeting(
        request=request,
        block=block,
        table_id=table_id,
        starts_at=starts_at,
        ends_at=ends_at,
        locked=locked,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_move(
    *,
    meeting: Meeting,
    block: MeetingBlock,
    starts_at: dt.datetime,
    table: Table | None = None,
    lock: bool = True,
) -> Meeting:
    """Move a meeting to another slot or table (staff dragging it on the grid), checked
    like the scheduler's placements; locked by default, so the next run keeps it where
    staff put it. It keeps its calendar UID and its state."""
    mission_lock(mission_id=meeting.request.mission_id)
    meeting = Meeting.objects.select_related("request__mission").get(pk=meeting.pk)
    table_id, ends_at = _checked_table(
        request=meeting.request, block=block, starts_at=starts_at, table=table
    )
    meeting.block = block
    meeting.table_id = table_id
    meeting.starts_at = starts_at
    meeting.ends_at = ends_at
    meeting.locked = meeting.locked or lock
    meeting.full_clean(validate_unique=False)  # the table's slot was checked above
    meeting.save()
    return meeting


def meeting_lock(*, meeting: Meeting, locked: bool) -> Meeting:
    """Lock a meeting where it is (the scheduler keeps it), or let the scheduler move it."""
    meeting.locked = locked
    meeting.save(update_fields=["locked", "updated_at"])
    return meeting


@transaction.atomic
def schedule_publish(*, mission: Mission) -> int:
    """Make the mission's preliminary meetings final; how many were."""
    preliminary = Meeting.objects.filter(request__mission=mission, state=MeetingState.PRELIMINARY)
    count = 0
    for meeting in preliminary.select_for_update():
        meeting.state = MeetingState.FINAL
        meeting.save(update_fields=["state", "updated_at"])  # each leaves its history
        count += 1
    return count
