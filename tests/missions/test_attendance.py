import pytest

from missions.attendance import attended_by, attending, attends, chosen_items
from missions.enums import Audience, RsvpStatus
from missions.models import ItineraryItem, Participant
from tests.factories import ItineraryItemFactory, MissionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    """A mission with a plenary for everyone, a workshop Anna is put on and a visit nobody
    is, a cancelled dinner for everyone; Ben declined."""
    mission = MissionFactory()
    anna = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    ben = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.DECLINED)
    items = {
        "plenary": ItineraryItemFactory(mission=mission, audience=Audience.WHOLE_DELEGATION),
        "workshop": ItineraryItemFactory(mission=mission, audience=Audience.SELECTED),
        "visit": ItineraryItemFactory(mission=mission, audience=Audience.SELECTED),
        "dinner": ItineraryItemFactory(
            mission=mission, audience=Audience.WHOLE_DELEGATION, is_cancelled=True
        ),
    }
    anna.items.add(items["workshop"])
    return anna, ben, items


def test_attends_a_whole_delegation_item_without_being_put_on_it():
    assert attends(Audience.WHOLE_DELEGATION, 7, chosen=set()) is True


def test_attends_a_selected_item_only_when_put_on_it():
    assert attends(Audience.SELECTED, 7, chosen={7}) is True
    assert attends(Audience.SELECTED, 7, chosen={8}) is False


def test_nobody_attends_an_unsaved_selected_item():
    assert attends(Audience.SELECTED, None, chosen={7}) is False


def test_chosen_items_reads_every_participant_in_one_query(programme, django_assert_num_queries):
    anna, ben, items = programme

    with django_assert_num_queries(1):
        chosen = chosen_items([anna.pk, ben.pk])

    assert chosen == {anna.pk: {items["workshop"].pk}, ben.pk: set()}


def test_attended_by_lists_the_items_of_the_rule_cancelled_or_not(programme):
    anna, ben, items = programme

    def items_of(participant):
        found = ItineraryItem.objects.filter(mission=participant.mission).filter(
            attended_by(participant)
        )
        return {item.pk for item in found}

    assert items_of(anna) == {items["plenary"].pk, items["workshop"].pk, items["dinner"].pk}
    assert items_of(ben) == {items["plenary"].pk, items["dinner"].pk}


def test_attending_lists_the_participants_of_the_rule_whatever_their_answer(programme):
    anna, ben, items = programme

    def attendees_of(item):
        found = Participant.objects.filter(mission=item.mission).filter(
            attending(item.audience, item.pk)
        )
        return set(found)

    assert attendees_of(items["plenary"]) == {anna, ben}
    assert attendees_of(items["workshop"]) == {anna}
    assert attendees_of(items["visit"]) == set()
