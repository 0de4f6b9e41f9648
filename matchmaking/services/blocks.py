"""Meeting blocks (itinerary items given over to one-to-one meetings) and the times
participants said they cannot meet."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matchmaking.models import Meeting, MeetingBlock, Table, Unavailability
from missions.models import ItineraryItem, Participant


@transaction.atomic
def block_mark(
    *,
    item: ItineraryItem,
    slot_minutes: int,
    break_minutes: int = 0,
    tables: int | Sequence[str],
) -> MeetingBlock:
    """Make the item a meeting block (or change it): slots of `slot_minutes` with
    `break_minutes` between them, at `tables` (a count, or the names of the rooms).

    Tables are numbered from 1; a table with meetings cannot go (`ValidationError`: move
    them first). Meetings already placed stay where they are; the next run of the
    scheduler places the unlocked ones in the new slots.
    """
    names = [""] * tables if isinstance(tables, int) else [name.strip() for name in tables]
    if not names:
        raise ValidationError(_("A meeting block needs at least one table."), code="no_tables")
    block = MeetingBlock.objects.filter(item=item).first() or MeetingBlock(item=item)
    block.slot_minutes = slot_minutes
    block.break_minutes = break_minutes
    block.full_clean()
    if not block.slot_times():
        raise ValidationError(
            _("Not one slot of %(minutes)d minutes fits in the item.") % {"minutes": slot_minutes},
            code="no_slot",
        )
    block.save()
    gone = block.tables.filter(number__gt=len(names))
    if Meeting.objects.filter(table__in=gone).exists():
        raise ValidationError(
            _("A table to remove has meetings: move them to other tables first."),
            code="tables_in_use",
        )
    gone.delete()
    existing = {table.number: table for table in block.tables.all()}
    for number, name in enumerate(names, start=1):
        table = existing.get(number) or Table(block=block, number=number)
        if table.pk is None or table.name != name:
            table.name = name
            table.full_clean()
            table.save()
    return block


def block_unmark(*, item: ItineraryItem) -> None:
    """The item is no meeting block any more; its meetings go with it."""
    MeetingBlock.objects.filter(item=item).delete()


def unavailability_add(
    *, participant: Participant, starts_at: dt.datetime, ends_at: dt.datetime
) -> Unavailability:
    """The participant cannot meet from `starts_at` until `ends_at`."""
    unavailability = Unavailability(participant=participant, starts_at=starts_at, ends_at=ends_at)
    unavailability.full_clean()
    unavailability.save()
    return unavailability


def unavailability_remove(*, unavailability: Unavailability) -> None:
    unavailability.delete()
