"""One link for the delegate: `/d/<token>/` carries the answer until they have answered.

The invitation links the delegate's page; the page asks for the answer at the top while
none is given, takes it (POST to the page), and lands the delegate on their programme
with the calendar and the booklet. The answer page of before, `/r/<token>/`, sends its
visitors on. A page with the form is never kept (`portal.delegate_cache`).
"""

import datetime as dt
import gzip
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from missions.enums import RsvpStatus
from missions.models import Participant
from missions.tokens import token_issue, token_revoke
from portal.models import DelegatePage
from tests.factories import ItineraryItemFactory, MissionFactory, ParticipantFactory
from tests.portal.delegate_page import _at, _elements, _item, _links, _november, _texts, _url

pytestmark = pytest.mark.django_db


@pytest.fixture
def silent(tokyo_mission):
    """Invited, not answered yet."""
    _item(tokyo_mission, title="Welcome reception", starts=_at(_november(), 18))
    return ParticipantFactory(
        mission=tokyo_mission, rsvp_status=RsvpStatus.INVITED, phone="+49 341 0000"
    )


@pytest.fixture
def silent_token(silent):
    return token_issue(participant=silent)


def _answer(**overrides) -> dict:
    return {
        "answer": RsvpStatus.ACCEPTED,
        "dietary_requirements": "Vegetarian",
        "accessibility_needs": "",
        "phone": "+49 341 1234",
        "arrival_at": "",
        "arrival_details": "",
        "departure_at": "",
        "departure_details": "",
        "listed": "on",
        **overrides,
    }


def _order(response, *testids: str) -> list[str]:
    """The `data-testid`s given, in the order they appear on the page."""
    return [
        element.attrs["data-testid"]
        for element in _elements(response)
        if element.attrs.get("data-testid") in testids
    ]


def _row(participant: Participant) -> dict:
    return Participant.objects.filter(pk=participant.pk).values().get()


# THE FORM AT THE TOP ----------------------------------------------------------------------


def test_silent_delegates_page_has_the_answer_form_at_the_top(client, silent_token):
    response = client.get(_url(silent_token))

    assert response.status_code == 200
    assert _order(response, "answer-form", "delegate-downloads", "your-answer") == [
        "answer-form",
        "delegate-downloads",
        "your-answer",
    ]
    [form] = [f for f in _elements(response, "form") if f.attrs.get("method") == "post"][1:]
    assert urljoin(_url(silent_token), form.attrs["action"]) == _url(silent_token)
    assert _elements(response, "input", name="phone")[0].attrs["value"] == "+49 341 0000"
    assert _texts(response, data_testid="your-answer") == [
        "You have not answered yet. Answer the invitation"
    ]
    assert "Welcome reception" in response.content.decode()


def test_silent_delegates_page_is_never_kept_and_holds_no_token(client, silent, silent_token):
    pages = [client.get(_url(silent_token)) for _ in range(3)]

    assert DelegatePage.objects.count() == 0
    assert [silent_token in page.content.decode() for page in pages] == [False] * 3
    assert _row(silent)["page_seen_at"] is None  # a mail scanner's visit writes nothing


def test_silent_delegates_page_within_8_queries(
    client, silent_token, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(_url(silent_token))

    assert _order(response, "answer-form") == ["answer-form"]


def test_accept_on_the_page_saves_and_lands_on_the_programme_with_calendar_and_booklet(
    client, silent, silent_token
):
    page = _url(silent_token)

    response = client.post(page, _answer())

    assert (response.status_code, response["Location"]) == (302, page + "?saved=1")
    row = _row(silent)
    assert (row["rsvp_status"], row["phone"], row["dietary_requirements"]) == (
        RsvpStatus.ACCEPTED,
        "+49 341 1234",
        "Vegetarian",
    )
    landed = client.get(response["Location"])
    assert _texts(landed, data_testid="saved") == [
        "Thank you: your answer is saved. Your programme, calendar and booklet are below."
    ]
    assert _order(landed, "answer-form") == []
    assert "Welcome reception" in landed.content.decode()
    links = _links(landed, response["Location"])
    assert client.get(links["Add to calendar"]).content.startswith(b"BEGIN:VCALENDAR")
    assert client.get(links["Booklet (PDF)"])["Content-Type"] == "application/pdf"
    assert _texts(landed, data_testid="your-answer") == [
        "Your answer: Accepted. Change your answer"
    ]


def test_answer_invalid_shows_errors_next_to_the_fields_and_loses_nothing(
    client, tokyo_mission, silent, silent_token
):
    before = _row(silent)
    day = tokyo_mission.start_date

    response = client.post(
        _url(silent_token),
        _answer(
            answer="",
            dietary_requirements="No nuts",
            arrival_at=f"{day:%Y-%m-%d}T18:00",
            arrival_details="LH 716",
            departure_at=f"{day:%Y-%m-%d}T09:00",
        ),
    )

    assert response.status_code == 200
    assert _texts(response, data_testid="form-errors") == ["Please correct the errors below."]
    errors = {
        e.attrs.get("id"): e.text for e in _elements(response) if "invalid-feedback" in e.classes
    }
    assert errors == {
        "id_answer_error": "This field is required.",
        "id_departure_at_error": "Departure must be after arrival.",
    }
    assert _texts(response, "textarea", name="dietary_requirements") == ["No nuts"]
    assert _elements(response, "input", name="arrival_details")[0].attrs["value"] == "LH 716"
    assert _elements(response, "input", name="arrival_at")[0].attrs["value"] == (
        f"{day:%Y-%m-%d}T18:00"
    )
    assert _row(silent) == before
    assert DelegatePage.objects.count() == 0


# ANSWERED -------------------------------------------------------------------------------------


def test_answered_delegate_sees_no_form_at_the_top_and_the_page_is_kept(
    client, delegate, token, tokyo_mission
):
    _item(tokyo_mission, title="Welcome reception", starts=_at(_november(), 18))

    pages = [client.get(_url(token)) for _ in range(3)]

    assert [_order(page, "answer-form") for page in pages] == [[], [], []]
    assert [page.status_code for page in pages] == [200] * 3
    [kept] = DelegatePage.objects.values_list("gzipped", flat=True)
    assert b'<form method="post" action="./"' not in gzip.decompress(kept)


def test_change_link_opens_the_form_with_the_answer_given_and_is_never_kept(
    client, delegate, token
):
    page = client.get(_url(token))
    change = client.get(_links(page, _url(token))["Change your answer"], follow=True)

    assert _texts(change, data_testid="current-answer") == ["Your answer: Accepted."]
    assert _order(change, "answer-form", "delegate-downloads") == [
        "answer-form",
        "delegate-downloads",
    ]
    declined = client.post(_url(token), _answer(answer=RsvpStatus.DECLINED))
    assert declined.status_code == 302
    assert _row(delegate)["rsvp_status"] == RsvpStatus.DECLINED
    kept = [gzip.decompress(p) for p in DelegatePage.objects.values_list("gzipped", flat=True)]
    assert [b'name="dietary_requirements"' in p for p in kept] == [False] * len(kept)


def test_declined_delegates_page_says_so_and_offers_to_change_the_answer(client, delegate, token):
    Participant.objects.filter(pk=delegate.pk).update(
        rsvp_status=RsvpStatus.DECLINED, updated_at=timezone.now()
    )

    response = client.get(_url(token))

    assert _texts(response, data_testid="declined") == [
        "You declined this invitation. Change your answer"
    ]
    assert _order(response, "declined", "answer-form") == ["declined"]
    [change] = [e for e in _elements(response, "a") if e.text == "Change your answer"][:1]
    form = client.get(urljoin(_url(token), change.attrs["href"]), follow=True)
    assert _order(form, "answer-form") == ["answer-form"]


def test_closed_mission_shows_no_form_to_a_silent_delegate(client):
    start = timezone.localdate() - dt.timedelta(days=5)
    mission = MissionFactory(start_date=start, end_date=start + dt.timedelta(days=1))
    ItineraryItemFactory(mission=mission, title="Closing dinner")
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    token = token_issue(participant=participant)

    response = client.get(_url(token))

    assert _texts(response, data_testid="closed") == ["This mission is over."]
    assert _order(response, "answer-form") == []
    assert _texts(response, data_testid="your-answer") == ["You have not answered."]


# THE ADDRESS OF BEFORE: /r/<token>/ ----------------------------------------------------------


def test_old_answer_link_get_goes_on_to_the_delegates_page(client, silent_token):
    response = client.get(_url(silent_token, "rsvp:answer"))

    assert (response.status_code, response["Location"]) == (302, _url(silent_token))
    assert response["Cache-Control"] == "private, no-store"


def test_old_answer_form_still_open_posts_on_to_the_page_and_saves(client, silent, silent_token):
    response = client.post(_url(silent_token, "rsvp:answer"), _answer(), follow=True)

    assert response.redirect_chain == [
        (_url(silent_token), 307),
        (_url(silent_token) + "?saved=1", 302),
    ]
    assert _row(silent)["rsvp_status"] == RsvpStatus.ACCEPTED


def test_old_answer_link_expired_or_revoked_shows_the_friendly_page(client, silent, silent_token):
    start = timezone.localdate() - dt.timedelta(days=60)
    old = MissionFactory(start_date=start, end_date=start + dt.timedelta(days=1))
    expired = token_issue(participant=ParticipantFactory(mission=old))
    token_revoke(participant=silent)

    responses = [client.get(_url(t, "rsvp:answer")) for t in (expired, silent_token)]

    assert [r.status_code for r in responses] == [404, 404]
    assert ["This link no longer works" in r.content.decode() for r in responses] == [True] * 2


def test_language_switch_on_the_feedback_links_lands_on_the_delegates_page(client, silent_token):
    response = client.post(_url(silent_token, "rsvp:language"), {"language": "de"})

    assert (response.status_code, response["Location"]) == (302, _url(silent_token))
    assert "Rückmeldung senden" in client.get(response["Location"]).content.decode()
