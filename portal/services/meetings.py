"""A participant answers a meeting request on their page, picking a slot when the
mission lets participants pick one (`matchmaking.enums.SlotPicking.PARTICIPANTS`)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matchmaking.models import MeetingBlock, MeetingRequest
from matchmaking.selectors import matchmaking_settings
from matchmaking.services.meeting_requests import request_answer
from matchmaking.services.meetings import meeting_place
from missions.models import Participant
from portal.selectors import participants_pick_slots


@transaction.atomic
def request_answer_on_page(
    *,
    request: MeetingRequest,
    answered_by: Participant,
    accept: bool,
    slot: tuple[int, dt.datetime] | None = None,
) -> MeetingRequest:
    """Accept or decline the request (`matchmaking.services.meeting_requests.request_answer`);
    accepting, when the mission's participants pick their slots (`participants_pick_slots`),
    puts the meeting into `slot` (a block's id and the slot's start) in the same
    transaction, so a slot taken meanwhile leaves the request waiting. `ValidationError`
    with what went wrong."""
    slot_wanted = participants_pick_slots(matchmaking_settings(request.mission))
    if accept and slot_wanted and slot is None:
        raise ValidationError(_("Choose a slot for the meeting."), code="no_slot")
    request = request_answer(request=request, answered_by=answered_by, accept=accept)
    if accept and slot_wanted:
        block = MeetingBlock.objects.filter(pk=slot[0], item__mission_id=request.mission_id).first()
        if block is None:
            raise ValidationError(_("There is no such slot."), code="no_such_slot")
        meeting_place(request=request, block=block, starts_at=slot[1])
    return request
