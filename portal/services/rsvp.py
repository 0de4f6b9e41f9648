"""What a participant does behind their personal link: answer, choose a language, give feedback.

Every write here is idempotent: sending the same answer again changes nothing, not even
`updated_at` or the history. The reads at the end are what the answer page and the
messages need to know of the participant's link and of whether they may still answer.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from missions.display import short_day, time_span_with_zone, today_at
from missions.enums import MissionStatus, RsvpStatus
from missions.models import Feedback, ItemRating, ItineraryItem, Participant
from missions.selectors import participant_items

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
def feedback_record(
    *,
    participant: Participant,
    rating: int,
    comment: str,
    item_ratings: dict[int, int | None] | None = None,
) -> Feedback:
    """Store the participant's feedback, replacing what they gave before; no write if unchanged.

    `item_ratings` rates items of the participant's mission, by primary key: 1 to 5, or
    None for no rating (one given before is taken back); items it leaves out keep theirs.
    An item of another mission, or a rating outside 1 to 5, is a ValueError. A rating
    changed alone still moves the feedback's `updated_at`: it is part of the feedback.
    """
    item_ratings = item_ratings or {}
    if any(value is not None and not 1 <= value <= 5 for value in item_ratings.values()):
        raise ValueError(f"not a rating from 1 to 5: {item_ratings!r}")
    ours = ItineraryItem.objects.filter(mission_id=participant.mission_id, pk__in=item_ratings)
    if foreign := set(item_ratings) - set(ours.values_list("pk", flat=True)):
        raise ValueError(f"not items of the participant's mission: {sorted(foreign)}")
    feedback = Feedback.objects.select_for_update().filter(participant=participant).first()
    if feedback is None:
        feedback = Feedback(participant=participant)
    given = {row.item_id: row for row in feedback.item_ratings.all()} if feedback.pk else {}
    new, changed, taken_back = [], [], []
    for item, value in item_ratings.items():
        row = given.get(item)
        if row is None and value is not None:
            new.append(ItemRating(item_id=item, rating=value))
        elif row is not None and value is None:
            taken_back.append(row.pk)
        elif row is not None and row.rating != value:
            row.rating = value
            changed.append(row)
    same = feedback.pk is not None and (feedback.rating, feedback.comment) == (rating, comment)
    if same and not (new or changed or taken_back):
        return feedback
    feedback.rating, feedback.comment = rating, comment
    feedback.full_clean()
    feedback.save()
    for row in new:
        row.feedback = feedback
    ItemRating.objects.bulk_create(new)
    ItemRating.objects.bulk_update(changed, ["rating"])
    ItemRating.objects.filter(pk__in=taken_back).delete()
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


@dataclass(frozen=True)
class RatedItem:
    """An item the feedback form asks the participant to rate."""

    pk: int
    label: str  # `Welcome dinner · Thu 13 Nov, 19:00–21:00 JST`


def feedback_items(participant: Participant) -> list[RatedItem]:
    """The items of the delegate's itinerary that took place (not cancelled), in time
    order, each named by its title and its day and time where it happened (one query)."""
    rated = []
    for item in participant_items(participant):
        starts, ends = item.local_starts_at, item.local_ends_at
        when = f"{short_day(starts)}, {time_span_with_zone(starts, ends)}"
        rated.append(RatedItem(pk=item.pk, label=f"{item.title} · {when}"))
    return rated
