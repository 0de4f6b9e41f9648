"""Writes to a mission's itinerary: items, their attendees, and acknowledged warnings."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from messaging import reminders
from missions.enums import Audience, FeasibilityRule
from missions.models import ItineraryItem, Participant, WarningAcknowledgement


@transaction.atomic
def item_save(
    *, item: ItineraryItem, attendees: Iterable[Participant] | None = None
) -> ItineraryItem:
    """Validate and save an item; for "selected participants", set who attends.

    Attendees of a whole-delegation item are everyone, so its selection is cleared.
    """
    before = reminders.itinerary_affected(item)  # itinerary-changed notices
    item.full_clean()
    item.save()
    if attendees is not None or item.audience == Audience.WHOLE_DELEGATION:
        selected = list(attendees or []) if item.audience == Audience.SELECTED else []
        item.attendees.set(selected)
    reminders.itinerary_item_changed(mission=item.mission, item_id=item.pk, before=before)
    return item


@transaction.atomic
def item_reschedule(
    *, item: ItineraryItem, starts_at: dt.datetime, ends_at: dt.datetime
) -> ItineraryItem:
    """Give an item a new start and end (moved or resized on the timetable).

    Validation as for any edit (it ends after it starts, within the mission's days);
    delegates are told of the change as for any edit.
    """
    before = reminders.itinerary_affected(item)  # itinerary-changed notices
    item.starts_at, item.ends_at = starts_at, ends_at
    item.full_clean()
    item.save(update_fields=["starts_at", "ends_at", "updated_at"])
    reminders.itinerary_item_changed(mission=item.mission, item_id=item.pk, before=before)
    return item


def item_move(*, item: ItineraryItem, minutes: int) -> ItineraryItem:
    """Shift an item earlier or later, keeping its length. Validation as for any edit."""
    shift = dt.timedelta(minutes=minutes)
    return item_reschedule(
        item=item, starts_at=item.starts_at + shift, ends_at=item.ends_at + shift
    )


@transaction.atomic
def item_delete(*, item: ItineraryItem) -> None:
    before, item_id = reminders.itinerary_affected(item), item.pk  # itinerary-changed notices
    item.delete()
    reminders.itinerary_item_changed(mission=item.mission, item_id=item_id, before=before)


@transaction.atomic
def warning_acknowledge(
    *,
    item: ItineraryItem,
    rule: FeasibilityRule,
    subject: str,
    reason: str,
    user: AbstractBaseUser,
) -> WarningAcknowledgement:
    """Record that staff accept one warning on this version of the item.

    Acknowledging again replaces the reason; the acknowledgement lapses when the item
    is next saved (its `updated_at` moves on).
    """
    acknowledgement, _ = WarningAcknowledgement.objects.update_or_create(
        item=item,
        rule=rule,
        subject=subject,
        defaults={
            "reason": reason,
            "acknowledged_by": user,
            "item_updated_at": item.updated_at,
        },
    )
    return acknowledgement
