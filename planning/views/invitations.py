"""Sending invitations from the workspace, their live delivery status, personal links.

- `invitation_compose`: pick participants, preview the message once per language
  (a dry run that writes nothing), send through `invitations_send`.
- `delivery_status`: the htmx fragment that keeps the delivery column of the
  participants page current; it asks to be polled again only while something is on
  its way, and stays within a fixed number of queries whatever the mission's size.
- `message_retry`, `link_regenerate`, `link_revoke`: staff actions, each a POST.

Lookups go through missions.selectors: out of scope is a 404, and the pages that
change something are a 404 for read-only users.
"""

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from messaging.invitations import (
    invitation_previews,
    invitations_closed_because,
    invitations_send,
    participant_link_regenerate,
    participant_message_retry,
    queued_text,
)
from messaging.models import OutgoingMessage
from messaging.selectors import deliveries_of
from missions import tokens
from missions.models import Mission, Participant
from missions.selectors import can_edit, mission_for, missions_editable_by, participant_for
from missions.services.participants import participants_of
from planning.forms.invitations import InvitationForm
from planning.forms.participants import ParticipantFilterForm

# VIEWS ---------------------------------------------------------------------------


@login_required
def invitation_compose(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    if closed := invitations_closed_because(mission):  # the page says why, and has no form
        return render(
            request, "missions/invitation_compose.html", {"mission": mission, "closed": closed}
        )
    posted = request.POST if request.method == "POST" else None
    form = InvitationForm(posted, mission=mission)
    context = {"mission": mission, "form": form}
    if posted is None or "change" in posted or not form.is_valid():
        return render(request, "missions/invitation_compose.html", context)
    participants = form.cleaned_data["participants"]
    if "send" in posted:
        return _send(request, mission, participants)
    previews = invitation_previews(mission=mission, participants=participants, sent_by=request.user)
    already_invited = sum(1 for participant in participants if participant.already_invited)
    context |= {"participants": participants, "previews": previews, "skipped": already_invited}
    return _preview(request, context)


# An e-mail carries its styles in style attributes (mail clients drop style sheets), and
# the preview's sandboxed srcdoc frames inherit the page's Content-Security-Policy: this
# page alone allows style attributes, so each message looks as it will in the inbox.
# Scripts stay as strict as everywhere (the frames are sandboxed without scripts anyway).
@csp_replace({"style-src-attr": ["'unsafe-inline'"]})  # a hash there would void it
def _preview(request: HttpRequest, context: dict) -> HttpResponse:
    return render(request, "missions/invitation_preview.html", context)


def _send(request: HttpRequest, mission: Mission, participants: list[Participant]) -> HttpResponse:
    queued = invitations_send(mission=mission, participants=participants, sent_by=request.user)
    messages.success(request, queued_text(queued=queued, skipped=len(participants) - queued))
    return redirect("plan:participant-list", pk=mission.pk)


@login_required
def delivery_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The delivery column of the participants page (same filters, same page), for htmx to
    swap in."""
    mission = mission_for(request.user, pk)
    filters = ParticipantFilterForm(request.GET or None)
    participants = list(filters.page(participants_of(mission), request.GET.get("page")))
    deliveries = deliveries_of(mission=mission, participants=participants)
    with timezone.override(mission.time_zone):
        return render(
            request,
            "missions/_delivery_status.html",
            {
                "mission": mission,
                "deliveries": deliveries,
                "pending": any(delivery.pending for delivery in deliveries),
                "editable": can_edit(request.user, mission),
            },
        )


@login_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(
        OutgoingMessage, pk=pk, mission__in=missions_editable_by(request.user)
    )
    if participant_message_retry(message=message):
        text = _("The message to %(email)s is queued again.")
        messages.success(request, text % {"email": message.recipient_email})
    else:
        messages.info(
            request,
            _(
                "There is nothing to retry: the message has not failed, or it is already on "
                "its way to the person's current address."
            ),
        )
    return redirect("plan:participant-list", pk=message.mission_id)


def _link_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    participant = participant_for(request.user, pk, edit=True)
    mission = participant.mission
    if request.method != "POST":
        return render(
            request,
            "missions/invitation_link_confirm.html",
            {
                "mission": mission,
                "participant": participant,
                "action": action,
                "closed": invitations_closed_because(mission),
            },
        )
    name = participant.person.full_name
    if action == "regenerate":
        resend = request.POST.get("send") == "1"
        try:
            participant_link_regenerate(
                participant=participant, sent_by=request.user, resend=resend
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("plan:participant-list", pk=mission.pk)
        text = _("%(name)s has a new personal link; any earlier link no longer works.")
        if resend:
            text += " " + _("The invitation with the new link is on its way to them.")
    else:
        tokens.token_revoke(participant=participant)
        text = _("%(name)s's personal link no longer works.")
    messages.success(request, text % {"name": name})
    return redirect("plan:participant-list", pk=mission.pk)


@login_required
def link_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_action(request, pk, "regenerate")


@login_required
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _link_action(request, pk, "revoke")
