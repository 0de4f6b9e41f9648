"""Participants ask each other for meetings, and answer.

A pair has at most one open request (requested or accepted): when the other side asks
too, their request becomes mutual and counts as accepted (both want the meeting). The
mission's settings say whether a request needs the recipient's acceptance; either way
an accepted meeting must fit both people's meeting limit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matchmaking.enums import RequestStatus
from matchmaking.models import Meeting, MeetingRequest
from matchmaking.selectors import accepted_count, profile_of, settings_for, side_of
from missions.models import Participant


def _check_limits(request: MeetingRequest) -> None:
    limit = settings_for(request.mission).max_meetings_per_person
    for participant in (request.requester, request.recipient):
        if accepted_count(participant) >= limit:
            raise ValidationError(
                ngettext(
                    "%(name)s has %(limit)d meeting already, the most this mission allows.",
                    "%(name)s has %(limit)d meetings already, the most this mission allows.",
                    limit,
                )
                % {"name": participant.person.full_name, "limit": limit},
                code="meeting_limit",
            )


@transaction.atomic
def request_create(
    *, requester: Participant, recipient: Participant, message: str = ""
) -> MeetingRequest:
    """`requester` asks `recipient` for a meeting; the request as it now stands.

    Both must be of the same mission and of its two sides (a host and a delegate), with
    profiles shown to others. If `recipient` asked `requester` already, that request is
    the answer, now mutual and accepted. A request withdrawn before is asked again; one
    declined stays declined. Accepted at once when the mission needs no acceptance.
    `ValidationError` otherwise, or when an accepted meeting would pass a limit.
    """
    if requester.pk == recipient.pk:
        raise ValidationError(_("Nobody can ask themselves for a meeting."), code="self")
    if requester.mission_id != recipient.mission_id or side_of(requester) == side_of(recipient):
        raise ValidationError(_("Meetings are between delegates and hosts."), code="side")
    for participant in (requester, recipient):
        profile = profile_of(participant)
        if profile is None or not profile.opted_in:
            raise ValidationError(
                _("Both need a profile shown to others before a meeting is asked for."),
                code="no_profile",
            )
    # Two requests at once for one pair: they wait for each other here.
    list(
        Participant.objects.select_for_update()
        .filter(pk__in=[requester.pk, recipient.pk])
        .order_by("pk")
        .values_list("pk")
    )
    reverse = MeetingRequest.objects.filter(
        requester=recipient, recipient=requester, status__in=RequestStatus.OPEN
    ).first()
    if reverse is not None:
        if reverse.status == RequestStatus.REQUESTED:
            _check_limits(reverse)
            reverse.status = RequestStatus.ACCEPTED
            reverse.answered_at = timezone.now()
        reverse.mutual = True
        reverse.save()
        return reverse
    request = MeetingRequest.objects.filter(requester=requester, recipient=recipient).first()
    if request is not None and request.status in RequestStatus.OPEN:
        raise ValidationError(_("You asked for this meeting already."), code="asked")
    if request is not None and request.status == RequestStatus.DECLINED:
        raise ValidationError(_("This meeting was declined."), code="declined")
    request = request or MeetingRequest(
        mission=requester.mission, requester=requester, recipient=recipient
    )
    request.message = message.strip()
    request.mutual = False
    request.answered_at = None
    request.status = RequestStatus.REQUESTED
    if not settings_for(requester.mission).requests_need_acceptance:
        _check_limits(request)
        request.status = RequestStatus.ACCEPTED
        request.answered_at = timezone.now()
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def request_answer(
    *, request: MeetingRequest, answered_by: Participant, accept: bool
) -> MeetingRequest:
    """The recipient accepts or declines a request waiting for their answer.

    `PermissionDenied` for anyone else (the requester included); `ValidationError` when
    the request is not waiting for an answer, or accepting passes a limit.
    """
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if answered_by.pk != request.recipient_id:
        raise PermissionDenied(_("Only the person asked can answer a meeting request."))
    if request.status != RequestStatus.REQUESTED:
        raise ValidationError(_("This request has its answer already."), code="answered")
    if accept:
        _check_limits(request)
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED
    request.answered_at = timezone.now()
    request.save()
    return request


@transaction.atomic
def request_withdraw(*, request: MeetingRequest, withdrawn_by: Participant) -> MeetingRequest:
    """The requester takes back an open request; its meeting, if scheduled, goes.

    `PermissionDenied` for anyone else; `ValidationError` when it is not open, or when its
    meeting is in the published schedule (the other side would come to a meeting that
    is gone without a word: the organisers cancel it, and tell them).
    """
    request = MeetingRequest.objects.select_for_update().get(pk=request.pk)
    if withdrawn_by.pk != request.requester_id:
        raise PermissionDenied(_("Only the person who asked can withdraw a meeting request."))
    if request.status not in RequestStatus.OPEN:
        raise ValidationError(_("This request is not open."), code="not_open")
    if request.meeting_is_final:
        raise ValidationError(
            _(
                "This meeting is in the published schedule and cannot be withdrawn here. "
                "If you cannot come, please tell the organisers."
            ),
            code="final",
        )
    request.status = RequestStatus.WITHDRAWN
    request.save()
    Meeting.objects.filter(request=request).delete()
    return request
