"""The delegate's own page, `/d/<token>/`: their itinerary day by day, on a phone."""

import datetime as dt
import gzip
import ipaddress
import logging
import secrets
import zoneinfo

import pytest
from django.utils import timezone

from missions.enums import Audience, MissionStatus, ParticipantRole, RsvpStatus
from missions.models import ItineraryItem, Participant
from missions.tokens import token_issue, token_revoke
from organisations.models import Person
from portal.selectors import delegate_itinerary
from tests.factories import (
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    VenueFactory,
)
from tests.portal.delegate_page import (
    BERLIN,
    TOKYO,
    _at,
    _elements,
    _item,
    _item_texts,
    _items,
    _links,
    _november,
    _others,
    _texts,
    _url,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
GERMAN_DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


# DATA ----------------------------------------------------------------------------------------


def _unique_client_address() -> str:
    """An address of its own, so parallel runs and earlier tests share no count in Redis."""
    return str(ipaddress.IPv4Address(0x0A000000 + secrets.randbelow(0x00FFFFFF)))


# TIMES ---------------------------------------------------------------------------------------


def test_page_item_in_tokyo_time_with_leipzig_time_alongside(
    client, tokyo_mission, suntory_hall, token
):
    day = _november()
    _item(
        tokyo_mission,
        title="Gewandhausorchester concert",
        starts=_at(day, 19),
        venue=suntory_hall,
    )

    response = client.get(_url(token))

    assert response.status_code == 200
    assert _texts(response, "h3", id=f"day-{day:%Y-%m-%d}") == [f"{day:%A}, 13 November {day.year}"]
    assert _item_texts(response, "Gewandhausorchester concert", "local-time") == ["19:00–21:00 JST"]
    assert _item_texts(response, "Gewandhausorchester concert", "home-time") == [
        "11:00–13:00 CET at home"
    ]


def test_page_home_time_on_another_day_names_that_day(client, tokyo_mission, token):
    day = _november()
    _item(tokyo_mission, title="Breakfast briefing", starts=_at(day, 7, 30), hours=1)

    response = client.get(_url(token))

    yesterday = day - dt.timedelta(days=1)
    assert _item_texts(response, "Breakfast briefing", "local-time") == ["07:30–08:30 JST"]
    assert _item_texts(response, "Breakfast briefing", "home-time") == [
        f"{yesterday:%a} {yesterday.day} Nov, 23:30 – {day:%a} {day.day} Nov, 00:30 CET at home"
    ]


def test_page_no_home_time_when_the_clocks_read_the_same(client):
    mission = MissionFactory(start_date=_november(), end_date=_november(), time_zone=LONDON)
    participant = ParticipantFactory(mission=mission, person=PersonFactory(time_zone=LONDON))
    _item(mission, title="Round table", starts=_at(_november(), 10, zone=LONDON))

    response = client.get(_url(token_issue(participant=participant)))

    assert _item_texts(response, "Round table", "local-time") == ["10:00–12:00 GMT"]
    assert _item_texts(response, "Round table", "home-time") == []


def test_page_items_grouped_day_by_day_in_time_order(client, tokyo_mission, token):
    day = _november()
    _item(tokyo_mission, title="Farewell dinner", starts=_at(day + dt.timedelta(days=1), 18))
    _item(tokyo_mission, title="JETRO briefing", starts=_at(day, 9))
    _item(tokyo_mission, title="Arrival", starts=_at(day - dt.timedelta(days=1), 15))

    response = client.get(_url(token))

    assert list(_items(response)) == ["Arrival", "JETRO briefing", "Farewell dinner"]
    assert len(_elements(response, "h3", class_="h5 delegate-day")) == 3


# THE NEXT ITEM -------------------------------------------------------------------------------


def test_itinerary_next_item_while_under_way_is_the_first_not_over(delegate, tokyo_mission):
    day = _november()
    done = _item(tokyo_mission, title="Breakfast", starts=_at(day, 8), hours=1)
    cancelled = _item(
        tokyo_mission, title="Cancelled visit", starts=_at(day, 10), is_cancelled=True
    )
    following = _item(tokyo_mission, title="Lunch with JETRO", starts=_at(day, 12))
    concert = _item(tokyo_mission, title="Concert", starts=_at(day, 19))

    before = delegate_itinerary(delegate, now=_at(day, 9, 30))
    during = delegate_itinerary(delegate, now=_at(day, 12, 30))

    assert (before.next_item.pk, before.next_item.moment) == (following.pk, "next")
    assert (during.next_item.pk, during.next_item.moment) == (following.pk, "now")
    assert {row.pk: row.moment for row in before.items} == {
        done.pk: "",
        cancelled.pk: "",
        following.pk: "next",
        concert.pk: "",
    }


def test_itinerary_no_next_item_before_the_mission(delegate, tokyo_mission):
    day = _november()
    _item(tokyo_mission, title="Concert", starts=_at(day, 19))

    itinerary = delegate_itinerary(delegate, now=_at(day - dt.timedelta(days=10), 12))

    assert itinerary.under_way is False
    assert itinerary.next_item is None


def _mission_under_way():
    """A Tokyo mission from yesterday to tomorrow, there."""
    today = timezone.localdate(timezone=TOKYO)
    return MissionFactory(
        time_zone=TOKYO,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=1),
        status=MissionStatus.UNDER_WAY,
    )


def test_page_under_way_highlights_the_next_item(client):
    now = timezone.now()
    mission = _mission_under_way()
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    _item(mission, title="Earlier visit", starts=now - dt.timedelta(hours=3), hours=1)
    _item(mission, title="Next visit", starts=now + dt.timedelta(hours=1), hours=1)
    _item(mission, title="Later visit", starts=now + dt.timedelta(hours=3), hours=1)

    response = client.get(_url(token_issue(participant=participant)))

    highlighted = [title for title, li in _items(response).items() if "is-next" in li.classes]
    assert highlighted == ["Next visit"]
    assert _texts(response, "h2", id="next-title") == ["Next"]
    assert _texts(response, "a", href=f"#item-{ItineraryItem.objects.get(title='Next visit').pk}")[
        0
    ] == ("Next visit")


def test_page_in_german_names_the_next_item_als_naechstes(client):
    now = timezone.now()
    mission = _mission_under_way()
    participant = ParticipantFactory(
        mission=mission, rsvp_status=RsvpStatus.ACCEPTED, language="de"
    )
    _item(mission, title="Werksbesichtigung", starts=now + dt.timedelta(hours=1), hours=1)

    response = client.get(_url(token_issue(participant=participant)))

    assert _texts(response, "h2", id="next-title") == ["Als Nächstes"]
    assert "Als Nächstes" in _items(response)["Werksbesichtigung"].text  # its badge


# CANCELLED AND CHANGED -----------------------------------------------------------------------


def test_page_cancelled_item_struck_through_and_named(client, tokyo_mission, token):
    _item(tokyo_mission, title="Harbour cruise", starts=_at(_november(), 16), is_cancelled=True)
    _item(tokyo_mission, title="Concert", starts=_at(_november(), 19))

    response = client.get(_url(token))

    items = _items(response)
    assert "is-cancelled" in items["Harbour cruise"].classes
    assert "is-cancelled" not in items["Concert"].classes
    assert "Cancelled" in items["Harbour cruise"].text
    struck = [e.text for e in _elements(response) if "delegate-struck" in e.classes]
    assert struck[:2] == ["16:00–18:00 JST", "Harbour cruise · Round table"]


def test_page_changes_since_last_visit_marked_and_visit_remembered_without_history(
    client, tokyo_mission, delegate, token
):
    day = _november()
    unchanged = _item(tokyo_mission, title="JETRO briefing", starts=_at(day, 9))
    moved = _item(tokyo_mission, title="Lunch", starts=_at(day, 12))
    last_visit = timezone.now() - dt.timedelta(days=2)
    ItineraryItem.objects.filter(pk__in=[unchanged.pk, moved.pk]).update(
        created_at=last_visit - dt.timedelta(days=1), updated_at=last_visit - dt.timedelta(days=1)
    )
    Participant.objects.filter(pk=delegate.pk).update(page_seen_at=last_visit)
    moved.refresh_from_db()
    moved.starts_at = _at(day, 12, 30)
    moved.ends_at = _at(day, 14)
    moved.save()
    _item(tokyo_mission, title="Concert", starts=_at(day, 19))
    history, updated_at = delegate.history.count(), Participant.objects.get().updated_at

    first = client.get(_url(token))
    second = client.get(_url(token))

    marks = {title: li.text for title, li in _items(first).items()}
    assert "since your last visit" not in marks["JETRO briefing"]
    assert "Changed since your last visit" in marks["Lunch"]
    assert "New since your last visit" in marks["Concert"]
    assert _texts(first, "h2", id="changes-title")[0].startswith(
        "2 items changed since your last visit ("
    )
    assert _texts(second, data_testid="change") == []
    participant = Participant.objects.get()
    assert participant.page_seen_at > last_visit
    assert delegate.history.count() == history
    assert participant.updated_at == updated_at


def test_page_first_visit_marks_nothing(client, tokyo_mission, delegate, token):
    _item(tokyo_mission, title="Concert", starts=_at(_november(), 19))

    response = client.get(_url(token))

    assert _texts(response, data_testid="change") == []
    assert _texts(response, data_testid="changes") == []
    assert Participant.objects.get().page_seen_at is not None


def test_page_head_does_not_count_as_a_visit(client, delegate, token):
    response = client.head(_url(token))

    assert response.status_code == 200
    assert Participant.objects.get().page_seen_at is None


# WHAT EACH ITEM SAYS -------------------------------------------------------------------------


def test_page_item_venue_map_host_meeting_point_online_link_and_contact(
    client, tokyo_mission, suntory_hall, token
):
    host = OrganisationFactory(
        name="Japan External Trade Organization (JETRO)",
        city="Tokyo",
        country="JP",
        website="https://www.jetro.go.jp/en/",
        description="Japan's trade and investment promotion agency.",
    )
    ParticipantFactory(
        mission=tokyo_mission,
        role=ParticipantRole.ORGANISER,
        person=PersonFactory(full_name="Katrin Vogel", email="katrin.vogel@example.org"),
        phone="+49 341 123 4567",
    )
    _item(
        tokyo_mission,
        title="Concert",
        starts=_at(_november(), 19),
        venue=suntory_hall,
        host=host,
        meeting_point="Hotel lobby at 18:15",
        online_link="https://meet.example.org/concert",
    )

    response = client.get(_url(token))

    concert = _items(response)["Concert"].text
    assert "Suntory Hall, 1-13-1 Akasaka, Minato-ku, Tokyo 107-8403" in concert
    assert "Meeting point: Hotel lobby at 18:15" in concert
    assert "Host: Japan External Trade Organization (JETRO)" in concert
    assert "Japan's trade and investment promotion agency." in concert
    assert "Organisers: Katrin Vogel, +49 341 123 4567" in concert
    assert _texts(
        response,
        "a",
        href="https://www.openstreetmap.org/?mlat=35.667300&mlon=139.740600#map=17/35.667300/139.740600",
    ) == ["Map (Suntory Hall)"]
    assert _texts(response, "a", href="https://meet.example.org/concert") == [
        "Join online (Concert)"
    ]
    assert _texts(response, "a", href="tel:+493411234567") == [
        "+49 341 123 4567",
        "+49 341 123 4567",
    ]
    assert _texts(response, "a", href="mailto:katrin.vogel@example.org") == [
        "katrin.vogel@example.org"
    ]


def test_page_mission_line_and_link_to_change_the_answer(client, tokyo_mission, token):
    response = client.get(_url(token))

    day = _november()
    first, last = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    assert _texts(response, data_testid="mission-line") == [
        f"Tokyo, Japan · {first:%A}, 12 November {day.year} – {last:%A}, 14 November {day.year}"
        " · local time: Asia/Tokyo"
    ]
    assert _texts(response, data_testid="your-answer") == [
        "Your answer: Accepted. Change your answer"
    ]
    answer = _links(response, _url(token))["Change your answer"]
    assert answer == _url(token, "delegate:answer")
    followed = client.get(answer)
    assert (followed.status_code, followed["Location"]) == (
        302,
        _url(token) + "?answer=change#answer",
    )
    form = client.get(followed["Location"])
    assert _texts(form, data_testid="current-answer") == ["Your answer: Accepted."]
    checked = [
        e.attrs["value"] for e in _elements(form, "input", name="answer") if "checked" in e.attrs
    ]
    assert checked == ["accepted"]


@pytest.mark.parametrize(
    ("mission_status", "rsvp_status", "notice"),
    [
        (MissionStatus.CANCELLED, RsvpStatus.ACCEPTED, "This mission has been cancelled."),
        (
            MissionStatus.CONFIRMED,
            RsvpStatus.WITHDRAWN,
            "The organisers have withdrawn your place on this mission.",
        ),
        (MissionStatus.CONFIRMED, RsvpStatus.ACCEPTED, None),
    ],
)
def test_page_says_when_the_mission_is_cancelled_or_the_place_withdrawn(
    client, tokyo_mission, delegate, token, mission_status, rsvp_status, notice
):
    tokyo_mission.status = mission_status
    tokyo_mission.save()
    Participant.objects.filter(pk=delegate.pk).update(rsvp_status=rsvp_status)

    response = client.get(_url(token))

    assert _texts(response, data_testid="closed") == ([notice] if notice else [])


def test_page_gzipped_for_a_phone(client, tokyo_mission, token):
    _item(tokyo_mission, title="Concert", starts=_at(_november(), 19))

    response = client.get(_url(token), HTTP_ACCEPT_ENCODING="gzip")

    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding, Accept-Language"
    assert "Concert" in gzip.decompress(response.content).decode()


def test_page_markup_in_titles_is_escaped(client, tokyo_mission, token):
    _item(tokyo_mission, title='<script>alert("x")</script> ‏مرحبا 🎌', starts=_at(_november(), 9))

    response = client.get(_url(token))

    assert b"<script>alert" not in response.content
    assert list(_items(response)) == ['<script>alert("x")</script> ‏مرحبا 🎌']


# WHO ELSE IS COMING --------------------------------------------------------------------------


def test_page_lists_only_other_delegates_who_agreed_and_are_coming(client, tokyo_mission, token):
    leipzig = OrganisationFactory(name="Leipzig University", city="Leipzig")
    for name, status, listed in [
        ("Anna Listed", RsvpStatus.ACCEPTED, True),
        ("Bernd Maybe", RsvpStatus.TENTATIVE, True),
        ("Carla Unlisted", RsvpStatus.ACCEPTED, False),
        ("Dieter Declined", RsvpStatus.DECLINED, True),
        ("Eva Invited", RsvpStatus.INVITED, True),
    ]:
        ParticipantFactory(
            mission=tokyo_mission,
            rsvp_status=status,
            listed=listed,
            person=PersonFactory(full_name=name, organisation=leipzig),
        )
    ParticipantFactory(  # another mission's delegate
        rsvp_status=RsvpStatus.ACCEPTED, listed=True, person=PersonFactory(full_name="Zoe Other")
    )

    response = client.get(_url(token))

    assert _others(response) == [
        "Anna Listed, Leipzig University",
        "Bernd Maybe, Leipzig University (tentative)",
    ]


# LANGUAGE ------------------------------------------------------------------------------------


def test_page_speaks_the_persons_preferred_language(client, tokyo_mission, delegate, token):
    Person.objects.filter(pk=delegate.person_id).update(preferred_language="de")
    _item(tokyo_mission, title="Konzert", starts=_at(_november(), 19))

    response = client.get(_url(token))

    day = _november()
    assert _elements(response, "html")[0].attrs["lang"] == "de"
    assert response["Content-Language"] == "de"
    assert _texts(response, "h3", id=f"day-{day:%Y-%m-%d}") == [
        f"{GERMAN_DAYS[day.weekday()]}, 13. November {day.year}"
    ]


def test_language_switch_is_remembered_on_the_participant_without_history(client, delegate, token):
    history = delegate.history.count()

    response = client.post(_url(token, "delegate:language"), {"language": "de"})
    page = client.get(_url(token))

    assert response.status_code == 302
    assert response["Location"] == _url(token)
    assert Participant.objects.get().language == "de"
    assert delegate.history.count() == history
    assert _elements(page, "html")[0].attrs["lang"] == "de"
    assert _texts(page, "button", name="language", aria_current="true") == ["Deutsch"]


def test_language_switch_refuses_get_and_ignores_unknown_languages(client, delegate, token):
    refused = client.get(_url(token, "delegate:language"))
    unknown = client.post(_url(token, "delegate:language"), {"language": "fr"})

    assert refused.status_code == 405
    assert unknown.status_code == 302
    assert Participant.objects.get().language == ""


# SECURITY ------------------------------------------------------------------------------------


def test_page_other_token_shows_only_that_participants_view(client, tokyo_mission, delegate):
    other = ParticipantFactory(mission=tokyo_mission, rsvp_status=RsvpStatus.ACCEPTED)
    day = _november()
    _item(tokyo_mission, title="Plenary", starts=_at(day, 9))
    selected = {"audience": Audience.SELECTED}
    mine = _item(tokyo_mission, title="Biotech site visit", starts=_at(day, 14), **selected)
    theirs = _item(tokyo_mission, title="Logistics round table", starts=_at(day, 14), **selected)
    delegate.items.add(mine)
    other.items.add(theirs)

    my_page = client.get(_url(token_issue(participant=delegate)))
    their_page = client.get(_url(token_issue(participant=other)))

    assert list(_items(my_page)) == ["Plenary", "Biotech site visit"]
    assert list(_items(their_page)) == ["Plenary", "Logistics round table"]
    assert b"Ines Dietrich" not in their_page.content.split(b"</h1>")[0]
    assert Participant.objects.get(pk=other.pk).page_seen_at is not None


def _expired_token() -> str:
    ended = timezone.localdate() - dt.timedelta(days=31)
    mission = MissionFactory(start_date=ended, end_date=ended)
    return token_issue(participant=ParticipantFactory(mission=mission))


def _revoked_token() -> str:
    participant = ParticipantFactory()
    token = token_issue(participant=participant)
    token_revoke(participant=participant)
    return token


@pytest.mark.parametrize(
    "make_token", [lambda: secrets.token_hex(32), _expired_token, _revoked_token, lambda: "x" * 500]
)
def test_page_bad_token_gets_the_friendly_404_and_is_not_logged(client, make_token, caplog):
    token = make_token()

    with caplog.at_level(logging.DEBUG):
        response = client.get(_url(token))

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "rsvp/link_invalid.html"
    assert _texts(response, "h1") == ["This link no longer works"]
    assert [r.getMessage() for r in caplog.records if token in r.getMessage()] == []
    assert [record for record in caplog.records if record.name == "django.request"] == []


def test_page_token_not_logged_on_success(client, delegate, token, caplog):
    with caplog.at_level(logging.DEBUG):
        client.get(_url(token))
        client.post(_url(token, "delegate:language"), {"language": "de"})
        client.put(_url(token))

    assert [r.getMessage() for r in caplog.records if token in r.getMessage()] == []


def test_page_token_gone_from_the_environ_the_servers_access_log_reads(client, delegate, token):
    # gunicorn puts the request line in RAW_URI and logs it after the response.
    response = client.get(_url(token), RAW_URI=_url(token), REQUEST_URI=_url(token))

    environ = response.wsgi_request.META
    assert response.status_code == 200
    assert environ["RAW_URI"] == "/d/[token]/"
    assert [key for key, value in environ.items() if token in str(value)] == []


def test_page_headers_keep_the_token_private(client, delegate, token):
    responses = [
        client.get(_url(token)),
        client.post(_url(token, "delegate:language"), {"language": "de"}),
        client.get(_url(secrets.token_hex(32))),
        client.put(_url(token)),
    ]

    assert [response.status_code for response in responses] == [200, 302, 404, 405]
    for response in responses:
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "private, no-store"
    page = responses[0]
    assert [m.attrs["content"] for m in _elements(page, "meta", name="robots")] == [
        "noindex, nofollow"
    ]
    assert _elements(page, "script") == []
    assert [e for e in _elements(page) if "style" in e.attrs] == []
    assert "sessionid" not in client.cookies
    assert "csrftoken" not in client.cookies


@pytest.mark.redis
def test_page_answers_429_past_the_rate_limit(client, delegate, token, settings):
    settings.LINK_RATE_READ = "3/h"  # an hour's window: the count cannot reset mid-test
    address = _unique_client_address()

    statuses = [client.get(_url(token), REMOTE_ADDR=address).status_code for _ in range(4)]
    elsewhere = client.get(_url(token), REMOTE_ADDR=_unique_client_address())

    assert statuses == [200, 200, 200, 429]
    assert elsewhere.status_code == 200


# SPEED ---------------------------------------------------------------------------------------


def _big_mission(*, items: int, participants: int) -> Participant:
    """A Tokyo mission with `items` items and `participants` listed delegates who accepted."""
    day = _november()
    mission = MissionFactory(
        time_zone=TOKYO,
        start_date=day,
        end_date=day + dt.timedelta(days=5),
        organisers=[OrganisationFactory(), OrganisationFactory()],
    )
    venues = [
        VenueFactory(time_zone=TOKYO, organisation=OrganisationFactory(description="A host."))
        for _ in range(3)
    ]
    hosts = [venue.organisation for venue in venues]
    ItineraryItem.objects.bulk_create(
        ItineraryItem(
            mission=mission,
            kind="meeting",
            title=f"Meeting {n}",
            starts_at=_at(day + dt.timedelta(days=n % 6), 8 + n // 6),
            ends_at=_at(day + dt.timedelta(days=n % 6), 9 + n // 6),
            venue=venues[n % 3],
            host=hosts[n % 3],
            meeting_point="Lobby",
            is_cancelled=n % 7 == 0,
            audience=Audience.SELECTED if n % 5 == 0 else Audience.WHOLE_DELEGATION,
        )
        for n in range(items)
    )
    organisation = OrganisationFactory(name="Leipzig University", city="Leipzig")
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Delegate {n:03}",
            email=f"big{n}@example.org",
            organisation=organisation,
            time_zone=BERLIN,
        )
        for n in range(participants)
    )
    rows = Participant.objects.bulk_create(
        Participant(
            mission=mission,
            person=person,
            rsvp_status=RsvpStatus.ACCEPTED,
            listed=True,
            role=ParticipantRole.ORGANISER if n == 1 else ParticipantRole.DELEGATE,
        )
        for n, person in enumerate(people)
    )
    rows[0].items.set(ItineraryItem.objects.filter(mission=mission, audience="selected"))
    return rows[0]


@pytest.mark.parametrize(("items", "participants"), [(1, 1), (60, 1), (1, 300), (60, 300)])
def test_page_within_8_queries_whatever_the_numbers(
    client, django_assert_max_num_queries, items, participants
):
    participant = _big_mission(items=items, participants=participants)
    token = token_issue(participant=participant)
    Participant.objects.filter(pk=participant.pk).update(
        page_seen_at=timezone.now() - dt.timedelta(days=1)
    )

    with django_assert_max_num_queries(8):
        response = client.get(_url(token))

    assert response.status_code == 200
    assert len(_items(response)) == items
    assert len(_others(response)) == participants - 1
