"""The personal link: the token's promises, the answer form, feedback, headers and rate limit."""

import datetime as dt
import hashlib
import ipaddress
import logging
import re
import secrets
import zoneinfo

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from missions.enums import Audience, MissionStatus, RsvpStatus
from missions.models import Feedback, ItemRating, Participant
from missions.tokens import participant_for_token, token_for, token_issue, token_revoke
from organisations.models import Person
from portal.services.rsvp import feedback_record
from tests.factories import (
    FeedbackFactory,
    ItineraryItemFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
MAIL_SCANNERS = [
    {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Barracuda Sentinel (EE))"},
    {
        "HTTP_USER_AGENT": "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.5197)",
        "HTTP_X_FORWARDED_FOR": "40.94.0.10",
        "HTTP_ACCEPT": "*/*",
    },
    {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Safari/537.36 Proofpoint"},
]


def _mission(*, start_in_days: int = 40, days: int = 3, **kwargs):
    start = timezone.localdate(timezone=TOKYO) + dt.timedelta(days=start_in_days)
    return MissionFactory(
        **{
            "title": "Smart city mission to Tokyo",
            "destination_city": "Tokyo",
            "destination_country": "JP",
            "time_zone": TOKYO,
            "start_date": start,
            "end_date": start + dt.timedelta(days=days - 1),
            "rsvp_deadline": start - dt.timedelta(days=14),
            "objectives": "Meet Tokyo's smart-city programme and its suppliers.",
            **kwargs,
        }
    )


@pytest.fixture
def mission():
    return _mission(lead_organisation=OrganisationFactory(name="Birmingham City Council"))


@pytest.fixture
def participant(mission):
    participant = ParticipantFactory(
        mission=mission,
        rsvp_status=RsvpStatus.INVITED,
        person=PersonFactory(full_name="Ines Dietrich", email="ines.dietrich@example.org"),
    )
    return participant


@pytest.fixture
def token(participant):
    return token_issue(participant=participant)


def _url(token: str, name: str = "delegate:page") -> str:
    return reverse(name, kwargs={"token": token})


def _answer(**overrides) -> dict:
    return {
        "answer": RsvpStatus.ACCEPTED,
        "dietary_requirements": "Vegetarian",
        "accessibility_needs": "",
        "arrival_at": "",
        "arrival_details": "",
        "departure_at": "",
        "departure_details": "",
        "listed": "on",
        **overrides,
    }


def _state(participant: Participant) -> dict:
    """Everything a visit could change: the participant, the person, their histories."""
    participant = Participant.objects.get(pk=participant.pk)
    person = Person.objects.get(pk=participant.person_id)
    return {
        "participant": {
            field.attname: getattr(participant, field.attname)
            for field in Participant._meta.concrete_fields
        },
        "person": {
            field.attname: getattr(person, field.attname) for field in Person._meta.concrete_fields
        },
        "participant_history": participant.history.count(),
        "person_history": person.history.count(),
        "feedback": Feedback.objects.count(),
    }


def _text(response) -> str:
    return response.content.decode()


# THE TOKEN -----------------------------------------------------------------------


def test_token_has_at_least_128_random_bits_and_only_its_hash_is_stored(participant):
    token = token_issue(participant=participant)

    participant.refresh_from_db()
    assert len(token) == 64  # an HMAC-SHA256 in hex
    assert int(token, 16) >= 0
    assert len(participant.token_nonce) * 4 == 128  # the random part: 128 bits of hex
    assert participant.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [
        str(value)
        for row in Participant.history.filter(id=participant.pk).values()
        for value in row.values()
    ] + [str(getattr(participant, field.attname)) for field in Participant._meta.concrete_fields]
    assert [value for value in stored if token in value] == []


def test_token_belongs_to_one_participant(mission, participant, token):
    other = ParticipantFactory(mission=mission)
    other_token = token_issue(participant=other)

    assert token != other_token
    assert participant_for_token(token) == participant
    assert participant_for_token(other_token) == other
    assert token_for(participant=participant) == token  # the same link in every message


@pytest.mark.parametrize(("ended_days_ago", "status"), [(30, 200), (31, 404)])
def test_token_expires_30_days_after_the_mission_ends(client, ended_days_ago, status):
    mission = _mission(start_in_days=-ended_days_ago - 2)
    participant = ParticipantFactory(mission=mission)
    token = token_issue(participant=participant)

    assert client.get(_url(token)).status_code == status


def test_token_revoked_or_regenerated_old_link_stops_working(client, participant, token):
    token_revoke(participant=participant)
    assert client.get(_url(token)).status_code == 404

    new = token_issue(participant=participant)
    assert new != token
    assert client.get(_url(token)).status_code == 404
    assert client.get(_url(new)).status_code == 200


def test_wrong_expired_and_revoked_links_get_the_same_page_and_write_nothing(client, participant):
    old_mission = _mission(start_in_days=-40)
    expired = token_issue(participant=ParticipantFactory(mission=old_mission))
    revoked = token_issue(participant=participant)
    token_revoke(participant=participant)
    before = _state(participant)

    responses = [
        client.get(_url(secrets.token_hex(32))),
        client.get(_url(expired)),
        client.get(_url(revoked)),
        client.post(_url(revoked), _answer()),
        client.post(_url(expired, "rsvp:feedback"), {"rating": "5"}),
    ]

    assert [response.status_code for response in responses] == [404] * 5
    assert len({response.content for response in responses}) == 1
    assert "This link no longer works" in _text(responses[0])
    assert _state(participant) == before
    assert Feedback.objects.count() == 0


# READING THE PAGE ------------------------------------------------------------------


def test_answer_page_shows_the_mission_programme_and_the_form(client, mission, participant, token):
    ItineraryItemFactory(
        mission=mission,
        title="Smart city round table",
        starts_at=dt.datetime.combine(mission.start_date, dt.time(10), TOKYO),
        ends_at=dt.datetime.combine(mission.start_date, dt.time(11, 30), TOKYO),
    )
    ItineraryItemFactory(mission=mission, title="Site visit for others", audience=Audience.SELECTED)

    response = client.get(_url(token))

    text = _text(response)
    assert response.status_code == 200
    assert "Smart city mission to Tokyo" in text
    assert "Please tell the organisers whether you will take part." in text
    assert "You have not answered yet." in text
    assert "Smart city round table" in text
    assert "Site visit for others" not in text
    assert 'name="answer" value="accepted"' in text
    assert "Local time in Asia/Tokyo." in text


@pytest.mark.parametrize("headers", MAIL_SCANNERS)
def test_get_by_a_mail_scanner_writes_nothing(client, participant, token, headers):
    before = _state(participant)

    assert client.get(_url(token), **headers).status_code == 200
    assert client.head(_url(token), **headers).status_code == 200
    assert client.get(_url(token, "rsvp:feedback"), **headers).status_code == 200

    assert _state(participant) == before


def test_answer_page_speaks_the_persons_preferred_language(client, participant, token):
    Person.objects.filter(pk=participant.person_id).update(preferred_language="de")

    response = client.get(_url(token), HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in _text(response)


def test_language_switch_is_remembered_on_the_participant(client, participant, token):
    history = participant.history.count()

    response = client.post(_url(token, "rsvp:language"), {"language": "de", "next": "answer"})

    assert response.status_code == 302
    assert response["Location"] == _url(token)
    participant.refresh_from_db()
    assert participant.language == "de"
    assert participant.history.count() == history
    page = client.get(_url(token), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="de">' in _text(page)
    assert 'aria-current="true">Deutsch</button>' in _text(page)


def test_language_switch_refuses_get_and_unknown_languages(client, participant, token):
    before = _state(participant)

    assert client.get(_url(token, "rsvp:language")).status_code == 405
    assert client.post(_url(token, "rsvp:language"), {"language": "xx"}).status_code == 302

    assert _state(participant) == before


# ANSWERING ---------------------------------------------------------------------------


def test_answer_accept_records_answer_needs_and_travel_in_the_missions_zone(
    client, mission, participant, token
):
    day_before = mission.start_date - dt.timedelta(days=1)
    response = client.post(
        _url(token),
        _answer(
            dietary_requirements="Vegetarian, no nuts",
            accessibility_needs="Step-free access",
            arrival_at=f"{day_before:%Y-%m-%d}T18:45",
            arrival_details="LH 716",
            departure_at=f"{mission.end_date:%Y-%m-%d}T21:10",
            departure_details="NH 223",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == _url(token) + "?saved=1"
    participant.refresh_from_db()
    assert participant.rsvp_status == RsvpStatus.ACCEPTED
    assert participant.arrival_at == dt.datetime.combine(day_before, dt.time(18, 45), TOKYO)
    assert participant.arrival_at.astimezone(dt.UTC).time() == dt.time(9, 45)
    assert participant.departure_at == dt.datetime.combine(mission.end_date, dt.time(21, 10), TOKYO)
    assert (participant.arrival_details, participant.departure_details) == ("LH 716", "NH 223")
    assert participant.listed is True
    assert participant.answered_at is not None
    assert (participant.dietary_requirements, participant.accessibility_needs) == (
        "Vegetarian, no nuts",
        "Step-free access",
    )
    page = client.get(response["Location"])
    assert "Thank you: your answer is saved." in _text(page)
    assert "Your answer: Accepted." in _text(page)
    change = client.get(_url(token) + "?answer=change")
    assert f'value="{day_before:%Y-%m-%d}T18:45"' in _text(change)


@pytest.mark.parametrize("answer", [RsvpStatus.TENTATIVE, RsvpStatus.DECLINED])
def test_answer_tentative_or_decline_is_recorded(client, participant, token, answer):
    client.post(_url(token), _answer(answer=answer, listed=""))

    participant.refresh_from_db()
    assert (participant.rsvp_status, participant.listed) == (answer, False)


def test_answer_posted_again_changes_nothing(client, participant, token):
    client.post(_url(token), _answer())
    first = _state(participant)

    response = client.post(_url(token), _answer())

    assert response.status_code == 302
    assert _state(participant) == first  # no history row, same updated_at and answered_at


def test_answer_changed_moves_answered_at_and_writes_history(client, participant, token):
    client.post(_url(token), _answer())
    first = _state(participant)

    client.post(_url(token), _answer(answer=RsvpStatus.DECLINED))

    then = _state(participant)
    assert then["participant"]["rsvp_status"] == RsvpStatus.DECLINED
    assert then["participant"]["answered_at"] > first["participant"]["answered_at"]
    assert then["participant_history"] == first["participant_history"] + 1
    assert then["person_history"] == first["person_history"]


def test_answer_without_a_choice_is_refused_next_to_the_field(client, participant, token):
    before = _state(participant)

    response = client.post(_url(token), _answer(answer=""))

    assert response.status_code == 200
    assert "This field is required." in _text(response)
    assert _state(participant) == before


def test_answer_departure_before_arrival_is_refused(client, mission, participant, token):
    before = _state(participant)
    day = f"{mission.start_date:%Y-%m-%d}"

    response = client.post(
        _url(token), _answer(arrival_at=f"{day}T18:00", departure_at=f"{day}T09:00")
    )

    assert response.status_code == 200
    assert "Departure must be after arrival." in _text(response)
    assert _state(participant) == before


def test_answer_arrival_far_from_the_mission_is_refused(client, mission, participant, token):
    before = _state(participant)

    response = client.post(_url(token), _answer(arrival_at="9999-12-31T23:59"))

    first = mission.start_date - dt.timedelta(days=30)
    assert response.status_code == 200
    assert f"Enter a date between {first.day} {first:%B} {first.year} and " in _text(response)
    assert _state(participant) == before


def test_answer_with_10000_characters_of_dietary_text_gets_a_clear_error(
    client, participant, token
):
    before = _state(participant)

    response = client.post(_url(token), _answer(dietary_requirements="x" * 10_000))

    assert response.status_code == 200
    assert "Ensure this value has at most 300 characters (it has 10000)." in _text(response)
    assert _state(participant) == before


def test_answer_needs_and_phone_belong_to_this_mission_only(client, participant, token):
    elsewhere = ParticipantFactory(
        person=participant.person, dietary_requirements="Halal", phone="+44 1"
    )

    client.post(_url(token), _answer(dietary_requirements="Vegan", phone="+49 341 9"))

    participant.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (participant.dietary_requirements, participant.phone) == ("Vegan", "+49 341 9")
    assert (elsewhere.dietary_requirements, elsewhere.phone) == ("Halal", "+44 1")


def test_answer_form_shows_what_was_told_this_mission_not_another(client, participant, token):
    ParticipantFactory(person=participant.person, dietary_requirements="Halal")
    participant.dietary_requirements = "Kosher"
    participant.save()

    page = _text(client.get(_url(token)))

    assert "Kosher" in page
    assert "Halal" not in page


def test_answer_markup_is_stored_as_written_and_escaped_on_the_page(client, participant, token):
    client.post(_url(token), _answer(dietary_requirements="<script>alert(1)</script>"))

    page = _text(client.get(_url(token) + "?answer=change"))

    participant.refresh_from_db()
    assert participant.dietary_requirements == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_answer_right_to_left_text_and_emoji_are_kept(client, participant, token):
    client.post(
        _url(token),
        _answer(dietary_requirements="حلال فقط 🥗", arrival_details="✈️ EK 39"),
    )

    participant.refresh_from_db()
    assert participant.dietary_requirements == "حلال فقط 🥗"
    assert participant.arrival_details == "✈️ EK 39"
    assert "حلال فقط 🥗" in _text(client.get(_url(token) + "?answer=change"))


def test_answer_after_the_mission_is_closed_and_writes_nothing(client):
    mission = _mission(start_in_days=-5)
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    token = token_issue(participant=participant)
    before = _state(participant)

    response = client.post(_url(token), _answer())

    assert response.status_code == 200
    assert "This mission is over." in _text(response)
    assert _state(participant) == before


def test_answer_to_a_cancelled_mission_is_closed(client):
    mission = _mission(status=MissionStatus.CANCELLED)
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    token = token_issue(participant=participant)
    before = _state(participant)

    response = client.post(_url(token), _answer())

    assert "This mission has been cancelled." in _text(response)
    assert _state(participant) == before


# FEEDBACK --------------------------------------------------------------------------------


@pytest.fixture
def past_participant():
    participant = ParticipantFactory(
        mission=_mission(start_in_days=-4), rsvp_status=RsvpStatus.ACCEPTED
    )
    return participant, token_issue(participant=participant)


def test_feedback_is_stored_and_given_again_replaces_it(client, past_participant):
    participant, token = past_participant

    first = client.post(_url(token, "rsvp:feedback"), {"rating": "4", "comment": "Good contacts."})
    again = client.post(_url(token, "rsvp:feedback"), {"rating": "5", "comment": "Even better."})

    assert first.status_code == again.status_code == 302
    assert again["Location"] == _url(token, "rsvp:feedback") + "?saved=1"
    assert list(Feedback.objects.values_list("participant", "rating", "comment")) == [
        (participant.pk, 5, "Even better.")
    ]
    page = _text(client.get(again["Location"]))
    assert "Thank you for your feedback." in page
    assert "Even better." in page


def test_feedback_same_again_changes_nothing(client, past_participant):
    participant, token = past_participant
    FeedbackFactory(participant=participant, rating=4, comment="Good contacts.")
    before = Feedback.objects.values().get()

    client.post(_url(token, "rsvp:feedback"), {"rating": "4", "comment": "Good contacts."})

    assert Feedback.objects.values().get() == before


@pytest.mark.parametrize("rating", ["0", "6", "five", ""])
def test_feedback_rating_outside_1_to_5_is_refused(client, past_participant, rating):
    _, token = past_participant

    response = client.post(_url(token, "rsvp:feedback"), {"rating": rating})

    assert response.status_code == 200
    assert Feedback.objects.count() == 0


def test_feedback_comment_longer_than_5000_characters_is_refused(client, past_participant):
    _, token = past_participant

    response = client.post(_url(token, "rsvp:feedback"), {"rating": "3", "comment": "y" * 5001})

    assert "Ensure this value has at most 5000 characters (it has 5001)." in _text(response)
    assert Feedback.objects.count() == 0


def test_feedback_before_the_mission_ends_is_not_asked_for(client, participant, token):
    response = client.post(_url(token, "rsvp:feedback"), {"rating": "5"})

    assert response.status_code == 200
    assert "You can give feedback once the mission has ended." in _text(response)
    assert Feedback.objects.count() == 0


# FEEDBACK ON EACH ITEM ---------------------------------------------------------------------


@pytest.fixture
def rated():
    """A Tokyo mission that ended two days ago, a delegate's link and the items on their
    itinerary (by title): two for the whole delegation, one they were selected for; an
    item for others and a cancelled one are not theirs to rate."""
    mission = _mission(start_in_days=-4)

    def item(title, day, hour, **fields):
        starts = dt.datetime.combine(mission.start_date + dt.timedelta(days=day), dt.time(hour))
        starts = starts.replace(tzinfo=TOKYO)
        return ItineraryItemFactory(
            mission=mission,
            title=title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            **fields,
        )

    items = {
        "Welcome dinner": item("Welcome dinner", 1, 19),
        "Smart city round table": item("Smart city round table", 0, 10),
        "Studio visit": item("Studio visit", 2, 10, audience=Audience.SELECTED),
    }
    item("Site visit for others", 2, 14, audience=Audience.SELECTED)
    item("Cancelled talk", 1, 14, is_cancelled=True)
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    participant.items.add(items["Studio visit"])
    return participant, token_issue(participant=participant), items


def _ratings() -> list[tuple[str, int]]:
    return sorted(ItemRating.objects.values_list("item__title", "rating"))


def test_feedback_form_offers_the_delegate_s_items_in_order_with_day_and_time(client, rated):
    participant, token, _items = rated
    first, second, third = (participant.mission.start_date + dt.timedelta(days=n) for n in range(3))

    text = _text(client.get(_url(token, "rsvp:feedback")))

    legends = re.findall(r'<legend class="fs-6 mb-1 text-break">([^<]*)</legend>', text)
    assert legends == [
        f"Smart city round table · {first:%a} {first.day} {first:%b}, 10:00–12:00 JST",
        f"Welcome dinner · {second:%a} {second.day} {second:%b}, 19:00–21:00 JST",
        f"Studio visit · {third:%a} {third.day} {third:%b}, 10:00–12:00 JST",
    ]
    assert text.count('value="" checked') == 3  # "did not attend or no answer" by default
    assert "Did not attend or no answer" in text


def test_feedback_with_two_items_rated_then_one_changed_keeps_one_row_each(client, rated):
    participant, token, items = rated
    dinner, visit = items["Welcome dinner"].pk, items["Studio visit"].pk
    url = _url(token, "rsvp:feedback")

    first = client.post(url, {"rating": "4", f"item_{dinner}": "5", f"item_{visit}": "3"})
    again = client.post(url, {"rating": "4", f"item_{dinner}": "5", f"item_{visit}": "2"})

    assert first.status_code == again.status_code == 302
    assert _ratings() == [("Studio visit", 2), ("Welcome dinner", 5)]
    assert Feedback.objects.get().item_ratings.count() == 2
    page = _text(client.get(again["Location"]))
    assert f'id="id_item_{dinner}_0" value="5" checked' in page
    assert f'id="id_item_{visit}_3" value="2" checked' in page


def test_feedback_item_set_back_to_no_answer_loses_its_rating(client, rated):
    _, token, items = rated
    dinner, visit = items["Welcome dinner"].pk, items["Studio visit"].pk
    url = _url(token, "rsvp:feedback")
    client.post(url, {"rating": "4", f"item_{dinner}": "5", f"item_{visit}": "3"})

    client.post(url, {"rating": "4", f"item_{dinner}": "5", f"item_{visit}": ""})

    assert _ratings() == [("Welcome dinner", 5)]


@pytest.mark.parametrize("value", ["0", "6", "five"])
def test_feedback_item_rating_outside_1_to_5_is_refused_next_to_its_item(client, rated, value):
    _, token, items = rated
    dinner = items["Welcome dinner"].pk

    response = client.post(_url(token, "rsvp:feedback"), {"rating": "4", f"item_{dinner}": value})

    text = _text(response)
    assert response.status_code == 200
    assert "Please correct the errors below." in text
    error = re.search(
        rf'<div class="invalid-feedback d-block" id="id_item_{dinner}_error">([^<]*)<', text
    )
    assert error.group(1) == f"Select a valid choice. {value} is not one of the available choices."
    assert f'aria-describedby="id_item_{dinner}_error"' in text
    assert Feedback.objects.count() == ItemRating.objects.count() == 0


def test_feedback_rating_of_an_item_not_offered_is_ignored(client, rated):
    _, token, _items = rated
    others = ItineraryItemFactory(title="Another mission's item")

    client.post(_url(token, "rsvp:feedback"), {"rating": "4", f"item_{others.pk}": "5"})

    assert (Feedback.objects.count(), ItemRating.objects.count()) == (1, 0)


def test_feedback_record_refuses_an_item_of_another_mission(rated):
    participant, _, _items = rated
    others = ItineraryItemFactory()

    with pytest.raises(ValueError, match="not items of the participant's mission"):
        feedback_record(participant=participant, rating=4, comment="", item_ratings={others.pk: 5})

    assert Feedback.objects.count() == 0


def test_feedback_with_the_same_item_ratings_again_writes_nothing(client, rated):
    _, token, items = rated
    dinner = items["Welcome dinner"].pk
    data = {"rating": "4", "comment": "Good contacts.", f"item_{dinner}": "5"}
    client.post(_url(token, "rsvp:feedback"), data)
    before = Feedback.objects.values().get(), list(ItemRating.objects.values())

    client.post(_url(token, "rsvp:feedback"), data)

    assert (Feedback.objects.values().get(), list(ItemRating.objects.values())) == before


def test_feedback_page_in_german_names_the_items_in_german(client, rated):
    participant, token, _items = rated
    Person.objects.filter(pk=participant.person_id).update(preferred_language="de")

    text = _text(client.get(_url(token, "rsvp:feedback")))

    assert "Jeder Teil des Programms" in text
    assert re.search(r"Welcome dinner · \w+\.?, \d+\. \w+\.?, 19:00–21:00 JST", text)  # Do, 3. Dez
    assert "Nicht teilgenommen oder keine Antwort" in text


# HEADERS, LOGS, RATE LIMIT -------------------------------------------------------------------


def test_token_pages_send_no_referrer_and_are_not_cached(client, participant, token):
    responses = [
        client.get(_url(token)),
        client.get(_url(token, "rsvp:feedback")),
        client.post(_url(token), _answer()),
        client.get(_url(secrets.token_hex(32))),
        client.put(_url(token)),
    ]

    assert [response.status_code for response in responses] == [200, 200, 302, 404, 405]
    for response in responses:
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "private, no-store"
    assert "csrftoken" not in client.cookies
    assert "sessionid" not in client.cookies


def test_bad_token_is_not_logged(client, participant, token, caplog):
    wrong = secrets.token_hex(32)

    with caplog.at_level(logging.DEBUG):
        client.get(_url(wrong))
        client.put(_url(token))
        client.post(_url(token), _answer(answer="maybe"))

    assert [record for record in caplog.records if record.name == "django.request"] == []
    assert [r.getMessage() for r in caplog.records if wrong in r.getMessage()] == []
    assert [r.getMessage() for r in caplog.records if token in r.getMessage()] == []


def _unique_client_address() -> str:
    """An address of its own, so parallel runs and earlier tests share no count in Redis."""
    return str(ipaddress.IPv4Address(0x0A000000 + secrets.randbelow(0x00FFFFFF)))


@pytest.mark.redis
def test_token_pages_answer_429_past_the_limit_through_redis(client, participant, token, settings):
    assert caches["links"].__class__.__name__ == "RedisCache"
    settings.LINK_RATE_READ = "3/h"  # an hour's window: the count cannot reset mid-test
    address = _unique_client_address()

    statuses = [
        client.get(_url(secrets.token_hex(32)), REMOTE_ADDR=address).status_code,
        client.get(_url(token), REMOTE_ADDR=address).status_code,
        client.get(_url(token), REMOTE_ADDR=address).status_code,
        client.get(_url(token), REMOTE_ADDR=address).status_code,
    ]
    limited = client.get(_url(token), REMOTE_ADDR=address)
    elsewhere = client.get(_url(token), REMOTE_ADDR=_unique_client_address())

    assert statuses == [404, 200, 200, 429]
    assert limited.status_code == 429
    assert "Too many requests" in _text(limited)
    assert limited["Referrer-Policy"] == "no-referrer"
    assert limited["Cache-Control"] == "private, no-store"
    assert elsewhere.status_code == 200


@pytest.mark.redis
def test_answers_have_their_own_lower_limit(client, participant, token, settings):
    settings.LINK_RATE_WRITE = "2/h"
    address = _unique_client_address()

    statuses = [
        client.post(_url(token), _answer(), REMOTE_ADDR=address).status_code for _ in range(3)
    ]
    reading = client.get(_url(token), REMOTE_ADDR=address)

    assert statuses == [302, 302, 429]
    assert reading.status_code == 200
    participant.refresh_from_db()
    assert participant.rsvp_status == RsvpStatus.ACCEPTED
