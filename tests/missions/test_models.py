import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from missions.display import format_local
from tests.factories import (
    ItemRatingFactory,
    ItineraryItemFactory,
    MissionFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def test_mission_ending_before_it_starts_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="mission_end_after_start"):
        MissionFactory(start_date=dt.date(2025, 3, 6), end_date=dt.date(2025, 3, 4))


def test_rsvp_deadline_after_the_mission_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="mission_rsvp_deadline_not_after_end"):
        MissionFactory(rsvp_deadline=dt.date(2025, 3, 7))


def test_item_ending_when_it_starts_is_refused_by_the_database():
    mission = MissionFactory()
    start = dt.datetime(2025, 3, 4, 10, tzinfo=dt.UTC)
    with pytest.raises(IntegrityError, match="item_end_after_start"):
        ItineraryItemFactory(mission=mission, starts_at=start, ends_at=start)


def test_same_person_twice_on_a_mission_is_refused_by_the_database():
    participant = ParticipantFactory()
    # PostgreSQL names the constraint, SQLite its columns.
    refused = "participant_unique_person_per_mission|missions_participant.mission_id, "
    with pytest.raises(IntegrityError, match=refused + "missions_participant.person_id"):
        ParticipantFactory(mission=participant.mission, person=participant.person)


def test_email_differing_only_in_case_is_refused_by_the_database():
    PersonFactory(email="ines.dietrich@example.org")
    with pytest.raises(IntegrityError, match="person_unique_email_ci"):
        PersonFactory(email="Ines.Dietrich@EXAMPLE.org")


@pytest.mark.parametrize("rating", [0, 6])
def test_item_rating_outside_1_to_5_is_refused_by_the_database(rating):
    with pytest.raises(IntegrityError, match="item_rating_1_to_5"):
        ItemRatingFactory(rating=rating)


def test_same_item_rated_twice_in_one_feedback_is_refused_by_the_database():
    rating = ItemRatingFactory()
    # PostgreSQL names the constraint, SQLite its columns.
    refused = "item_rating_unique_per_feedback|missions_itemrating.feedback_id, "
    with pytest.raises(IntegrityError, match=refused + "missions_itemrating.item_id"):
        ItemRatingFactory(feedback=rating.feedback, item=rating.item, rating=2)


def test_item_outside_the_mission_dates_is_an_error_on_its_field():
    mission = MissionFactory(start_date=dt.date(2025, 3, 4), end_date=dt.date(2025, 3, 6))
    item = ItineraryItemFactory.build(
        mission=mission,
        starts_at=dt.datetime(2025, 3, 7, 10, tzinfo=mission.time_zone),
        ends_at=dt.datetime(2025, 3, 7, 11, tzinfo=mission.time_zone),
    )
    with pytest.raises(ValidationError) as caught:
        item.full_clean()
    assert set(caught.value.message_dict) == {"starts_at", "ends_at"}
    assert caught.value.message_dict["starts_at"] == [
        "The item starts on 2025-03-07, outside the mission (2025-03-04 to 2025-03-06)."
    ]


def test_tokyo_item_at_19_jst_is_stored_as_10_utc_and_shown_as_19_with_the_zone():
    mission = MissionFactory(
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=dt.date(2025, 11, 12),
        end_date=dt.date(2025, 11, 14),
    )
    item = ItineraryItemFactory(
        mission=mission,
        starts_at=dt.datetime(2025, 11, 13, 19, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 11, 13, 21, tzinfo=TOKYO),
    )
    item.refresh_from_db()
    assert item.starts_at == dt.datetime(2025, 11, 13, 10, tzinfo=dt.UTC)
    assert item.starts_at.utcoffset() == dt.timedelta(0)
    assert format_local(item.starts_at, item.time_zone) == "13 Nov 2025, 19:00 JST (Asia/Tokyo)"


def test_two_messages_with_one_message_id_are_refused_by_the_database():
    message = OutgoingMessageFactory()
    # PostgreSQL names the constraint, SQLite its column.
    refused = "message_unique_message_id|missions_outgoingmessage.message_id"
    with pytest.raises(IntegrityError, match=refused):
        OutgoingMessageFactory(message_id=message.message_id)
