"""Who attends which itinerary item: the one home of the rule.

An item for the whole delegation is attended by every participant of its mission; an
item for selected participants by those put on it (`Participant.items`). Whether people
who declined or withdrew count, and whether cancelled items do, is for each caller to
say by the participants and items it passes in.
"""

from collections.abc import Container, Iterable

from django.db.models import Q

from missions.enums import Audience
from missions.models import Participant


def attends(audience: str, item_id: int | None, chosen: Container[int]) -> bool:
    """Whether someone put on the items `chosen` (ids) attends an item of this audience.

    An unsaved item (no id) is attended only if it is for the whole delegation.
    """
    return audience != Audience.SELECTED or item_id in chosen


def chosen_items(participant_ids: Iterable[int]) -> dict[int, set[int]]:
    """The ids of the items each participant was put on, every id a key: one query."""
    chosen: dict[int, set[int]] = {pk: set() for pk in participant_ids}
    links = Participant.items.through.objects.filter(participant_id__in=list(chosen))
    for participant_id, item_id in links.values_list("participant_id", "itineraryitem_id"):
        chosen[participant_id].add(item_id)
    return chosen


def attended_by(participant: Participant) -> Q:
    """The rule as a filter of `ItineraryItem`: the items the participant attends (of any
    mission; filter by theirs)."""
    return Q(audience=Audience.WHOLE_DELEGATION) | Q(
        audience=Audience.SELECTED, pk__in=participant.items.values("pk")
    )


def attending(audience: str, item_id: int) -> Q:
    """The rule as a filter of `Participant`: those of the item's mission who attend it."""
    return Q(items=item_id) if audience == Audience.SELECTED else Q()
