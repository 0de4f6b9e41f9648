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

import copy
import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from messaging import outbox
from messaging.emails import render_message
from messaging.enums import MessageKind, MessageState
from messaging.invitations import invitation_resend, invitations_send, queued_text
from messaging.models import OutgoingMessage
from missions import tokens
from missions.enums import RsvpStatus
from missions.languages import language_asked, language_for
from missions.models import Mission, Participant
from missions.selectors import can_edit, mission_for, missions_editable_by, participant_for
from missions.services.participants import participants_of
from planning.forms.invitations import InvitationForm, invitation_occasion
from planning.forms.participants import ParticipantFilterForm

# READS ---------------------------------------------------------------------------

# The personal link in a preview: derived from this nonce on an unsaved copy of the
# participant, so no link is issued, then replaced by a placeholder before showing.
PREVIEW_NONCE = "preview"
PREVIEW_LINK = "personal-link"
# The page polls while a message is sending or due within this horizon (a retry
# waits at most OUTBOX_RETRY_MAX_SECONDS); a message due later is merely scheduled.
POLL_HORIZON = dt.timedelta(seconds=settings.OUTBOX_RETRY_MAX_SECONDS)


@dataclass
class Preview:
    language: str
    recipients: list[Participant]
    sample: Participant
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def language_name(self) -> str:
        return dict(settings.LANGUAGES).get(self.language, self.language)


def _render_dry_run(message: OutgoingMessage):
    """Render inside a savepoint that is always rolled back: a preview writes nothing."""
    with transaction.atomic():
        try:
            return render_message(message)
        finally:
            transaction.set_rollback(True)


def invitation_previews(
    *, mission: Mission, participants: list[Participant], sent_by
) -> list[Preview]:
    """The invitation once per language among the recipients, rendered as it will be sent.

    Each is rendered for the first recipient of that language from an unsaved outbox row
    built like `invitations_send` builds it; no row is saved and no link is issued.
    """
    groups: dict[str, list[Participant]] = {}
    for participant in participants:
        groups.setdefault(language_for(participant), []).append(participant)
    order = [code for code, _name in settings.LANGUAGES]
    previews = []
    for code in sorted(groups, key=lambda c: order.index(c) if c in order else len(order)):
        recipients = groups[code]
        preview = Preview(language=code, recipients=recipients, sample=recipients[0])
        stand_in = copy.copy(preview.sample)
        stand_in.token_nonce = PREVIEW_NONCE  # so `token_for` derives a link, issues none
        message = OutgoingMessage(
            recipient_email=stand_in.person.email,
            recipient_name=outbox.clean_header_text(stand_in.person.full_name)[:200],
            language=language_asked(stand_in),
            kind=MessageKind.INVITATION,
            occasion=invitation_occasion(mission),
            mission=mission,
            participant=stand_in,
            due_at=timezone.now(),
            context={"sent_by": getattr(sent_by, "pk", None)},
            message_id=f"<preview@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>",
        )
        try:
            email = _render_dry_run(message)
        except Exception as error:  # noqa: BLE001  (shown to staff: the preview is where to find out)
            preview.error = f"{type(error).__name__}: {error}"
        else:
            token = tokens.token_for(participant=stand_in)
            preview.subject = email.subject.replace(token, PREVIEW_LINK)
            preview.text = email.body.replace(token, PREVIEW_LINK)
            preview.html = "".join(
                content for content, mimetype in email.alternatives if mimetype == "text/html"
            ).replace(token, PREVIEW_LINK)
            preview.attachments = [attachment[0] for attachment in email.attachments]
        previews.append(preview)
    return previews


@dataclass
class Delivery:
    """What the participants page shows about one participant's messages and answer."""

    participant: Participant
    message: OutgoingMessage | None
    link_live: bool
    now: dt.datetime

    @property
    def pending(self) -> bool:
        """On its way: sending, or queued and due soon enough to watch."""
        if self.message is None:
            return False
        if self.message.state == MessageState.IN_FLIGHT:
            return True
        return (
            self.message.state == MessageState.QUEUED
            and self.message.due_at <= self.now + POLL_HORIZON
        )

    @property
    def waiting(self) -> bool:
        """Queued but not due yet: a retry after a temporary failure, or scheduled."""
        message = self.message
        return (
            message is not None
            and message.state == MessageState.QUEUED
            and message.due_at > self.now
        )

    @property
    def answered(self) -> bool:
        return self.participant.rsvp_status in RsvpStatus.ANSWERED


def deliveries_of(*, mission: Mission, participants: list[Participant]) -> list[Delivery]:
    """Each participant's latest message on the mission and link state, in one query."""
    latest = {
        message.participant_id: message
        for message in OutgoingMessage.objects.filter(
            mission=mission, participant__in=[p.pk for p in participants]
        )
        # The newest per participant: a window, not DISTINCT ON, so SQLite answers too.
        .annotate(
            newest=Window(
                RowNumber(),
                partition_by=[F("participant_id")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(newest=1)
        .only(
            "pk",
            "participant_id",
            "kind",
            "state",
            "last_error",
            "due_at",
            "sent_at",
            "attempts",
        )
    }
    today = timezone.localdate(timezone=mission.time_zone)
    link_expired = today > mission.end_date + tokens.VALID_AFTER_MISSION
    now = timezone.now()
    return [
        Delivery(
            participant=participant,
            message=latest.get(participant.pk),
            link_live=bool(participant.token_nonce) and not link_expired,
            now=now,
        )
        for participant in participants
    ]


# VIEWS ---------------------------------------------------------------------------


@login_required
def invitation_compose(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
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
    return render(request, "missions/invitation_preview.html", context)


def _send(request: HttpRequest, mission: Mission, participants: list[Participant]) -> HttpResponse:
    queued = invitations_send(mission=mission, participants=participants, sent_by=request.user)
    messages.success(request, queued_text(queued=queued, skipped=len(participants) - queued))
    return redirect("plan:participant-list", pk=mission.pk)


@login_required
def delivery_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The delivery column of the participants page (same filters), for htmx to swap in."""
    mission = mission_for(request.user, pk)
    filters = ParticipantFilterForm(request.GET or None)
    participants = list(filters.filter(participants_of(mission)))
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
    if outbox.message_retry(message=message):
        text = _("The message to %(email)s is queued again.")
        messages.success(request, text % {"email": message.recipient_email})
    else:
        messages.info(request, _("This message has not failed; there is nothing to retry."))
    return redirect("plan:participant-list", pk=message.mission_id)


def _link_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    participant = participant_for(request.user, pk, edit=True)
    mission = participant.mission
    if request.method != "POST":
        return render(
            request,
            "missions/invitation_link_confirm.html",
            {"mission": mission, "participant": participant, "action": action},
        )
    name = participant.person.full_name
    if action == "regenerate":
        with transaction.atomic():
            tokens.token_issue(participant=participant)
            resend = request.POST.get("send") == "1"
            if resend:
                invitation_resend(participant=participant, sent_by=request.user)
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
