"""What a participant does behind their personal link: answer, choose a language, give feedback.

Every write here is idempotent: sending the same answer again changes nothing, not even
`updated_at` or the history. The reads at the end are what the answer page and the
messages need to know of the participant's link and of whether they may still answer.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from missions.display import today_at
from missions.enums import MissionStatus, RsvpStatus
from missions.models import Feedback, Participant

# WRITES --------------------------------------------------------------------------


@transaction.atomic
def rsvp_record(
    *,
    participant: Participant,
    answer: str,
    dietary_requirements: str,
    accessibility_needs: str,
    phone: str,
    arrival_at: dt.datetime | None,
    arrival_details: str,
    departure_at: dt.datetime | None,
    departure_details: str,
    listed: bool,
) -> bool:
    """Record a participant's answer; returns whether anything changed.

    Everything here is what the person tells this mission, kept on the participant
    (never in the shared directory). Only changed fields are written, and `answered_at`
    moves only when something changed: posting the same answer again writes nothing at
    all (no history row, no new `updated_at`), so a resubmitted form or a double click
    is harmless.
    """
    if answer not in RsvpStatus.DELEGATE_ANSWERS:
        raise ValueError(f"not an answer: {answer!r}")
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    wanted = {
        "rsvp_status": answer,
        "phone": phone,
        "dietary_requirements": dietary_requirements,
        "accessibility_needs": accessibility_needs,
        "arrival_at": arrival_at,
        "arrival_details": arrival_details,
        "departure_at": departure_at,
        "departure_details": departure_details,
        "listed": listed,
    }
    changed = [name for name, value in wanted.items() if getattr(participant, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(participant, name, wanted[name])
    participant.answered_at = timezone.now()
    participant.full_clean()
    participant.save(update_fields=[*changed, "answered_at", "updated_at"])
    return True


def participant_language_set(*, participant: Participant, language: str) -> bool:
    """Remember the language the participant chose on their page; False if it was already set.

    A preference, not part of the answer: written without a history row (as on the
    delegate's page), so switching languages does not clutter what staff review.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"not a language of the site: {language!r}")
    if participant.language == language:
        return False
    Participant.objects.filter(pk=participant.pk).update(language=language)
    participant.language = language
    return True


@transaction.atomic
def feedback_record(*, participant: Participant, rating: int, comment: str) -> Feedback:
    """Store the participant's feedback, replacing what they gave before; no write if unchanged."""
    feedback = Feedback.objects.select_for_update().filter(participant=participant).first()
    if feedback is None:
        feedback = Feedback(participant=participant)
    elif (feedback.rating, feedback.comment) == (rating, comment):
        return feedback
    feedback.rating, feedback.comment = rating, comment
    feedback.full_clean()
    feedback.save()
    return feedback


# READS ---------------------------------------------------------------------------
# What the answer page and the messages need beside the display formats
# (`missions.display`) and the participant's items (`missions.selectors`).


def answer_closed_because(participant: Participant) -> str:
    """Why the participant cannot answer (any more), or "" when they can."""
    mission = participant.mission
    if mission.status == MissionStatus.CANCELLED:
        return _("This mission has been cancelled.")
    if participant.rsvp_status == RsvpStatus.WITHDRAWN:
        return _("The organisers have withdrawn your place on this mission.")
    if today_at(mission) > mission.end_date:
        return _("This mission is over.")
    return ""


def answer_wanted(participant: Participant) -> bool:
    """Whether the delegate's page asks for their answer at the top: not given, still open."""
    return not participant.own_answer and not answer_closed_because(participant)


def feedback_open(participant: Participant) -> bool:
    """Feedback is asked for from the mission's last day on (local date), unless called off."""
    mission = participant.mission
    return mission.status != MissionStatus.CANCELLED and today_at(mission) >= mission.end_date
