"""The participant's .ics, parsed back with icalendar and compared with the database.

The file itself (`participant_calendar`), then the delegate's feed under its own
read-only token (`calendar:feed`), the download and the page to subscribe under the
personal link (`delegate:calendar-ics`, `delegate:calendar`), and what each token opens.
"""

import datetime as dt
import hashlib
import ipaddress
import logging
import secrets
import zoneinfo

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from missions.enums import Audience, MissionStatus, RsvpStatus
from missions.models import ItineraryItem, Participant
from missions.tokens import (
    calendar_token_for,
    participant_for_token,
    token_for,
    token_issue,
    token_revoke,
)
from organisations.models import Person
from portal.calendar import participant_calendar
from tests.dates import year_like_2025
from tests.factories import (
    ItineraryItemFactory,
    MissionFactory,
    ParticipantFactory,
    PersonFactory,
    VenueFactory,
)
from tests.portal.delegate_page import _links

pytestmark = pytest.mark.django_db


LONDON = zoneinfo.ZoneInfo("Europe/London")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


YEAR = year_like_2025()


@pytest.fixture
def tour():
    """A tour from Birmingham to Tokyo, with a night in Birmingham as the clocks go forward."""
    mission = MissionFactory(
        title="Creative industries tour: Birmingham and Tokyo",
        time_zone=LONDON,
        start_date=dt.date(YEAR, 3, 28),
        end_date=dt.date(YEAR, 4, 2),
    )
    steamhouse = VenueFactory(
        name="STEAMHouse", address="Belmont Row", city="Birmingham", time_zone=LONDON
    )
    suntory = VenueFactory(
        name="Suntory Hall",
        address="1-13-1 Akasaka, Minato-ku, Tokyo 107-8403",
        city="Tokyo",
        country="JP",
        latitude="35.667900",
        longitude="139.740400",
        time_zone=TOKYO,
    )
    participant = ParticipantFactory(
        mission=mission, person=PersonFactory(full_name="Ines Dietrich")
    )

    def item(title, starts, ends, **kwargs):
        return ItineraryItemFactory(
            mission=mission, title=title, starts_at=starts, ends_at=ends, **kwargs
        )

    items = {
        "briefing": item(
            "Briefing",
            dt.datetime(YEAR, 3, 28, 9, 0, tzinfo=LONDON),
            dt.datetime(YEAR, 3, 28, 10, 0, tzinfo=LONDON),
            venue=steamhouse,
            description="Programme, contacts, <b>what to bring</b>.",
        ),
        # 00:30 GMT to 03:00 BST: the clocks go forward at 01:00, so it lasts 90 minutes.
        "night_shoot": item(
            "Night shoot in Digbeth",
            dt.datetime(YEAR, 3, 30, 0, 30, tzinfo=LONDON),
            dt.datetime(YEAR, 3, 30, 3, 0, tzinfo=LONDON),
            venue=steamhouse,
            audience=Audience.SELECTED,
        ),
        "concert": item(
            "Concert and reception",
            dt.datetime(YEAR, 4, 1, 19, 0, tzinfo=TOKYO),
            dt.datetime(YEAR, 4, 1, 21, 30, tzinfo=TOKYO),
            venue=suntory,
        ),
        "not_theirs": item(
            "Studio visit for animators",
            dt.datetime(YEAR, 3, 31, 14, 0, tzinfo=LONDON),
            dt.datetime(YEAR, 3, 31, 15, 0, tzinfo=LONDON),
            audience=Audience.SELECTED,
        ),
        "cancelled": item(
            "Cancelled dinner",
            dt.datetime(YEAR, 3, 29, 19, 0, tzinfo=LONDON),
            dt.datetime(YEAR, 3, 29, 21, 0, tzinfo=LONDON),
            is_cancelled=True,
        ),
    }
    participant.items.set([items["night_shoot"]])
    return participant, items


def _events(ics: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(ics).walk("VEVENT")}


def _uid(item) -> str:
    return f"item-{item.pk}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}"


def test_calendar_has_one_event_per_item_attended_and_not_cancelled(tour):
    participant, items = tour

    events = _events(participant_calendar(participant))

    attended = [items["briefing"], items["night_shoot"], items["concert"]]
    assert sorted(events) == sorted(_uid(item) for item in attended)
    assert [str(events[_uid(item)]["SUMMARY"]) for item in attended] == [
        "Briefing",
        "Night shoot in Digbeth",
        "Concert and reception",
    ]


def test_calendar_event_times_match_the_database_in_the_items_zones(tour):
    participant, items = tour

    events = _events(participant_calendar(participant))

    for name in ("briefing", "night_shoot", "concert"):
        item = items[name]
        event = events[_uid(item)]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start, end) == (item.starts_at, item.ends_at)
        assert event["DTSTART"].params["TZID"] == item.time_zone.key
        assert event["DTEND"].params["TZID"] == item.time_zone.key
    night = events[_uid(items["night_shoot"])]
    assert night.decoded("DTEND") - night.decoded("DTSTART") == dt.timedelta(hours=2, minutes=30)
    assert (
        night.decoded("DTEND").astimezone(dt.UTC) - night.decoded("DTSTART").astimezone(dt.UTC)
    ) == dt.timedelta(minutes=90)


def test_calendar_lines_name_the_iana_zone_never_gmt(tour):
    participant, _ = tour

    text = participant_calendar(participant).decode()

    assert f"DTSTART;TZID=Europe/London:{YEAR}0330T003000" in text.splitlines()
    assert f"DTEND;TZID=Europe/London:{YEAR}0330T030000" in text.splitlines()
    assert f"DTSTART;TZID=Asia/Tokyo:{YEAR}0401T190000" in text.splitlines()
    assert "TZID=GMT" not in text
    assert "TZID:GMT" not in text


def test_calendar_vtimezones_alone_place_every_event_right(tour):
    """A calendar that knows no IANA zone uses the VTIMEZONE definitions: they must agree."""
    participant, items = tour

    calendar = icalendar.Calendar.from_ical(participant_calendar(participant))

    zones = {
        str(zone["TZID"]): zone.to_tz(lookup_tzid=False) for zone in calendar.walk("VTIMEZONE")
    }
    assert sorted(zones) == ["Asia/Tokyo", "Europe/London"]
    assert calendar.get_missing_tzids() == set()
    for name in ("briefing", "night_shoot", "concert"):
        item = items[name]
        event = _events(calendar.to_ical())[_uid(item)]
        zone = zones[event["DTSTART"].params["TZID"]]
        start = event.decoded("DTSTART").replace(tzinfo=None).replace(tzinfo=zone)
        end = event.decoded("DTEND").replace(tzinfo=None).replace(tzinfo=zone)
        assert (start.astimezone(dt.UTC), end.astimezone(dt.UTC)) == (item.starts_at, item.ends_at)


def test_calendar_events_carry_place_description_link_and_stable_uid(tour):
    participant, items = tour

    event = _events(participant_calendar(participant))[_uid(items["concert"])]
    briefing = _events(participant_calendar(participant))[_uid(items["briefing"])]

    assert str(event["LOCATION"]) == "Suntory Hall, 1-13-1 Akasaka, Minato-ku, Tokyo 107-8403"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (35.6679, 139.7404)
    link = str(event["URL"])
    assert link.startswith(settings.SITE_URL.rstrip("/") + "/d/")  # the delegate's page
    assert participant_for_token(link.rstrip("/").rsplit("/", 1)[1]) == participant
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(briefing["LOCATION"]) == "STEAMHouse, Belmont Row, Birmingham"
    description = str(briefing["DESCRIPTION"])
    assert description.splitlines()[0] == "Programme, contacts, <b>what to bring</b>."
    assert description.endswith(link)


def test_calendar_prodid_and_sequence_grows_with_each_change(tour):
    participant, items = tour
    concert = items["concert"]
    first = icalendar.Calendar.from_ical(participant_calendar(participant))

    concert.title = "Concert and reception with JETRO"
    concert.save()
    concert.ends_at += dt.timedelta(minutes=30)
    concert.save()
    second = _events(participant_calendar(participant))[_uid(concert)]

    assert str(first["PRODID"]) == "-//Itinera//Delegation and trade-mission planner//EN"
    assert str(first["VERSION"]) == "2.0"
    assert _events(first.to_ical())[_uid(concert)]["SEQUENCE"] == 0
    assert second["SEQUENCE"] == 2
    assert str(second["SUMMARY"]) == "Concert and reception with JETRO"
    assert second.decoded("DTEND") == dt.datetime(YEAR, 4, 1, 22, 0, tzinfo=TOKYO)


def test_calendar_with_cancelled_items_marks_them_cancelled(tour):
    participant, items = tour

    events = _events(participant_calendar(participant, include_cancelled=True))

    assert str(events[_uid(items["cancelled"])]["STATUS"]) == "CANCELLED"
    assert _uid(items["not_theirs"]) not in events


def test_calendar_of_someone_not_coming_cancels_every_item(tour):
    participant, items = tour
    participant.rsvp_status = RsvpStatus.DECLINED
    participant.save()

    events = _events(participant_calendar(participant, include_cancelled=True))

    assert {str(event["STATUS"]) for event in events.values()} == {"CANCELLED"}
    assert len(events) == 4


def test_calendar_of_a_cancelled_mission_cancels_every_item(tour):
    participant, items = tour
    participant.mission.status = MissionStatus.CANCELLED
    participant.mission.save()

    events = _events(participant_calendar(participant))

    assert [str(event["STATUS"]) for event in events.values()] == ["CANCELLED"] * 3


# THE FEED AND THE DOWNLOAD ---------------------------------------------------------------


def _url(token: str, name: str = "calendar:feed") -> str:
    return reverse(name, kwargs={"token": token})


@pytest.fixture
def token(tour):
    participant, _ = tour
    return token_issue(participant=participant)


@pytest.fixture
def feed_token(tour, token):
    """The calendar feed's own token, issued with the personal link (`token`)."""
    participant, _ = tour
    return calendar_token_for(participant=participant)


def _token_of(participant, name: str) -> str:
    """The participant's token for the page `name`: the feed's own, or the personal link."""
    if name == "calendar:feed":
        return calendar_token_for(participant=participant)
    return token_for(participant=participant)


def test_feed_serves_the_calendar_with_cancelled_items_for_subscription(client, tour, feed_token):
    participant, items = tour

    response = client.get(_url(feed_token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Content-Disposition" not in response
    calendar = icalendar.Calendar.from_ical(response.content)
    events = _events(response.content)
    expected = ["briefing", "night_shoot", "concert", "cancelled"]
    assert sorted(events) == sorted(_uid(items[name]) for name in expected)
    assert str(events[_uid(items["cancelled"])]["STATUS"]) == "CANCELLED"
    assert str(events[_uid(items["briefing"])]["STATUS"]) == "CONFIRMED"
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"
    # What calendars keep, and may share, opens no page: no event links the personal page.
    assert [event.get("URL") for event in events.values()] == [None] * 4
    assert token_for(participant=participant).encode() not in response.content
    assert b"Your programme and your answer" not in response.content


def test_feed_times_match_the_database_across_the_change_of_the_clocks(client, tour, feed_token):
    participant, items = tour

    events = _events(client.get(_url(feed_token)).content)

    for name in ("briefing", "night_shoot", "concert", "cancelled"):
        item = items[name]
        event = events[_uid(item)]
        assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (item.starts_at, item.ends_at)
    night = events[_uid(items["night_shoot"])]
    assert night["DTSTART"].to_ical().decode() == f"{YEAR}0330T003000"
    assert night["DTEND"].to_ical().decode() == f"{YEAR}0330T030000"
    assert night.decoded("DTSTART").utcoffset() == dt.timedelta(0)  # still GMT
    assert night.decoded("DTEND").utcoffset() == dt.timedelta(hours=1)  # already BST


def test_feed_london_zone_is_europe_london_with_gmt_and_bst_never_gmt_as_a_zone(
    client, tour, feed_token
):
    response = client.get(_url(feed_token))
    calendar = icalendar.Calendar.from_ical(response.content)
    text = response.content.decode()

    [london] = [zone for zone in calendar.walk("VTIMEZONE") if zone["TZID"] == "Europe/London"]
    names = {(part.name, str(part["TZNAME"])) for part in london.subcomponents if "TZNAME" in part}
    assert names == {("STANDARD", "GMT"), ("DAYLIGHT", "BST")}
    starts = [line for line in text.splitlines() if line.startswith("DTSTART;")]
    assert sorted({line.split(":")[0] for line in starts}) == [
        "DTSTART;TZID=Asia/Tokyo",
        "DTSTART;TZID=Europe/London",
    ]
    assert "TZID=GMT" not in text
    assert "TZID:GMT" not in text


def test_feed_uids_and_events_stay_the_same_across_two_fetches(client, tour, feed_token):
    first = client.get(_url(feed_token)).content
    second = client.get(_url(feed_token)).content

    assert sorted(_events(first)) == sorted(_events(second))
    assert [event.to_ical() for event in _events(first).values()] == [
        event.to_ical() for event in _events(second).values()
    ]


def test_feed_editing_an_item_raises_its_sequence_only(client, tour, feed_token):
    participant, items = tour
    before = _events(client.get(_url(feed_token)).content)
    concert = items["concert"]

    concert.starts_at += dt.timedelta(minutes=30)
    concert.save()
    after = _events(client.get(_url(feed_token)).content)

    assert after[_uid(concert)]["SEQUENCE"] == before[_uid(concert)]["SEQUENCE"] + 1
    assert after[_uid(concert)].decoded("DTSTART") == dt.datetime(YEAR, 4, 1, 19, 30, tzinfo=TOKYO)
    briefing = _uid(items["briefing"])
    assert after[briefing]["SEQUENCE"] == before[briefing]["SEQUENCE"]


def test_feed_item_cancelled_after_subscribing_turns_cancelled_with_a_higher_sequence(
    client, tour, feed_token
):
    participant, items = tour
    briefing = items["briefing"]
    before = _events(client.get(_url(feed_token)).content)[_uid(briefing)]

    briefing.is_cancelled = True
    briefing.save()
    after = _events(client.get(_url(feed_token)).content)[_uid(briefing)]

    assert (str(before["STATUS"]), str(after["STATUS"])) == ("CONFIRMED", "CANCELLED")
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1


def test_feed_with_alarm_reminds_an_hour_before_every_item_that_takes_place(
    client, tour, feed_token
):
    participant, items = tour

    plain = _events(client.get(_url(feed_token)).content)
    reminded = _events(client.get(_url(feed_token) + "?alarm=1").content)

    assert [event.walk("VALARM") for event in plain.values()] == [[]] * 4
    for name in ("briefing", "night_shoot", "concert"):
        [alarm] = reminded[_uid(items[name])].walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].to_ical() == b"-PT1H"
        assert alarm.decoded("TRIGGER") == -dt.timedelta(hours=1)
        assert str(alarm["DESCRIPTION"]) == items[name].title
    assert reminded[_uid(items["cancelled"])].walk("VALARM") == []


def test_download_is_the_same_calendar_as_an_attachment_named_after_the_mission(
    client, tour, token, feed_token
):
    participant, items = tour

    response = client.get(_url(token, "delegate:calendar-ics"))
    reminded = client.get(_url(token, "delegate:calendar-ics") + "?alarm=1")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{participant.mission.slug}.ics"'
    )
    assert sorted(_events(response.content)) == sorted(
        _events(client.get(_url(feed_token)).content)
    )
    assert "REFRESH-INTERVAL" not in icalendar.Calendar.from_ical(response.content)
    assert len(_events(reminded.content)[_uid(items["concert"])].walk("VALARM")) == 1


def test_feed_speaks_the_participants_language(client, tour, feed_token):
    participant, items = tour
    participant.language = "de"
    participant.save()

    response = client.get(_url(feed_token))

    assert response["Content-Language"] == "de"
    assert str(_events(response.content)[_uid(items["concert"])]["CATEGORIES"].cats[0]) == (
        "Runder Tisch"
    )


@pytest.mark.parametrize("name", ["calendar:feed", "delegate:calendar-ics", "delegate:calendar"])
def test_feed_headers_keep_the_token_private(client, tour, token, name):
    url = _url(_token_of(tour[0], name), name)
    responses = [client.get(url), client.head(url), client.post(url)]

    assert [response.status_code for response in responses] == [200, 200, 405]
    for response in responses:
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["Cache-Control"] == "private, no-store"
    assert "sessionid" not in client.cookies


def _expired_token(name: str) -> str:
    ended = timezone.localdate() - dt.timedelta(days=31)
    mission = MissionFactory(start_date=ended, end_date=ended)
    return _token_of(ParticipantFactory(mission=mission), name)


def _revoked_token(name: str) -> str:
    participant = ParticipantFactory()
    token = _token_of(participant, name)
    token_revoke(participant=participant)
    return token


def _regenerated_token(name: str) -> str:
    participant = ParticipantFactory()
    token = _token_of(participant, name)
    token_issue(participant=participant)
    return token


@pytest.mark.parametrize("name", ["calendar:feed", "delegate:calendar-ics", "delegate:calendar"])
@pytest.mark.parametrize(
    "make_token",
    [
        lambda name: secrets.token_hex(32),
        _expired_token,
        _revoked_token,
        _regenerated_token,
        lambda name: "x" * 500,
    ],
)
def test_feed_bad_token_gets_the_friendly_404_and_is_not_logged(client, make_token, name, caplog):
    token = make_token(name)

    with caplog.at_level(logging.DEBUG):
        response = client.get(_url(token, name))

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "rsvp/link_invalid.html"
    assert response["Referrer-Policy"] == "no-referrer"
    assert [r.getMessage() for r in caplog.records if token in r.getMessage()] == []
    assert [record for record in caplog.records if record.name == "django.request"] == []


def test_feed_of_another_participant_shows_only_their_items(client, tour):
    participant, items = tour
    other = ParticipantFactory(mission=participant.mission)

    mine = _events(client.get(_url(calendar_token_for(participant=participant))).content)
    theirs = _events(client.get(_url(calendar_token_for(participant=other))).content)

    assert _uid(items["night_shoot"]) in mine
    assert _uid(items["night_shoot"]) not in theirs
    assert len(theirs) == len(mine) - 1


def test_feed_stays_within_8_queries_whatever_the_number_of_items(
    client, tour, feed_token, django_assert_max_num_queries
):
    participant, items = tour
    mission = participant.mission
    venues = [VenueFactory(time_zone=LONDON), VenueFactory(time_zone=TOKYO, country="JP")]
    starts = [
        dt.datetime(YEAR, 3, 28, 8 + n // 5, tzinfo=venues[n % 2].time_zone)
        + dt.timedelta(days=n % 5)
        for n in range(60)
    ]
    ItineraryItem.objects.bulk_create(
        ItineraryItem(
            mission=mission,
            kind="meeting",
            title=f"Meeting {n}",
            starts_at=starts[n],
            ends_at=starts[n] + dt.timedelta(hours=1),
            venue=venues[n % 2],
            host=venues[n % 2].organisation,
            audience=Audience.SELECTED if n % 3 else Audience.WHOLE_DELEGATION,
        )
        for n in range(60)
    )
    participant.items.add(
        *mission.items.filter(audience=Audience.SELECTED, title__startswith="Meeting")
    )

    with django_assert_max_num_queries(8):
        response = client.get(_url(feed_token) + "?alarm=1")

    assert len(_events(response.content)) == 64


def _unique_client_address() -> str:
    """An address of its own, so parallel runs and earlier tests share no count in Redis."""
    return str(ipaddress.IPv4Address(0x0A000000 + secrets.randbelow(0x00FFFFFF)))


@pytest.mark.redis
def test_feed_answers_429_past_its_links_own_limit_from_any_address(
    client, tour, feed_token, settings
):
    settings.LINK_RATE_FEED = "3/h"  # an hour's window: the count cannot reset mid-test

    statuses = [
        client.get(_url(feed_token), REMOTE_ADDR=_unique_client_address()).status_code
        for _ in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


@pytest.mark.redis
def test_feed_fetched_by_one_calendar_server_for_many_people_is_not_limited_by_address(
    client, tour, settings
):
    # Google's and Microsoft's servers fetch the feeds of thousands from a few addresses.
    settings.LINK_RATE_READ = "2/h"
    server = _unique_client_address()
    mission = tour[0].mission
    links = [
        calendar_token_for(
            participant=ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
        )
        for _ in range(4)
    ]

    statuses = [client.get(_url(link), REMOTE_ADDR=server).status_code for link in links]

    assert statuses == [200, 200, 200, 200]


@pytest.mark.redis
def test_wrong_feed_links_still_count_against_the_address(client, tour, settings):
    settings.LINK_RATE_READ = "2/h"
    guesser = _unique_client_address()

    statuses = [
        client.get(_url(secrets.token_hex(32)), REMOTE_ADDR=guesser).status_code for _ in range(3)
    ]

    assert statuses == [404, 404, 429]


# ITS OWN TOKEN ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "delegate:page"),
        ("get", "delegate:answer"),
        ("get", "delegate:calendar"),
        ("get", "delegate:calendar-ics"),
        ("get", "delegate:booklet"),
        ("post", "delegate:language"),
        ("get", "rsvp:answer"),
        ("post", "rsvp:answer"),
        ("post", "rsvp:language"),
        ("get", "rsvp:feedback"),
    ],
)
def test_feed_token_opens_no_page_and_changes_nothing(client, tour, feed_token, method, name):
    participant, _ = tour
    rows = (
        Participant.objects.filter(pk=participant.pk),
        Person.objects.filter(pk=participant.person_id),
    )
    before = [row.values().get() for row in rows]
    data = {"answer": RsvpStatus.DECLINED, "language": "de", "dietary_requirements": "vegan"}

    response = getattr(client, method)(_url(feed_token, name), data)

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "rsvp/link_invalid.html"
    assert [row.values().get() for row in rows] == before


def test_page_token_opens_the_page_and_not_the_feed(client, tour, token, feed_token):
    assert feed_token != token
    assert client.get(reverse("delegate:page", kwargs={"token": token})).status_code == 200
    assert client.get(reverse("rsvp:answer", kwargs={"token": token})).status_code == 302
    assert client.get(_url(token)).status_code == 404
    assert client.get(_url(feed_token)).status_code == 200


def test_feed_regenerated_with_the_personal_link_and_revoked_with_it(client, tour, feed_token):
    participant, _ = tour

    token_issue(participant=participant)
    renewed = calendar_token_for(participant=participant)
    statuses = [client.get(_url(feed_token)).status_code, client.get(_url(renewed)).status_code]
    token_revoke(participant=participant)

    assert statuses == [404, 200]
    assert client.get(_url(renewed)).status_code == 404


def test_feed_token_kept_only_as_its_hash(tour, feed_token):
    participant, _ = tour
    row = Participant.objects.filter(pk=participant.pk).values().get()

    assert row["calendar_token_hash"] == hashlib.sha256(feed_token.encode()).hexdigest()
    assert feed_token not in {str(value) for value in row.values()}


# ON THE DELEGATE'S PAGE ------------------------------------------------------------------


def test_delegate_page_links_the_download_and_the_page_to_subscribe(client, tour, token):
    page = reverse("delegate:page", kwargs={"token": token})
    response = client.get(page)

    links = _links(response, page)
    assert links["Add to calendar"] == _url(token, "delegate:calendar-ics")
    assert links["Subscribe to the calendar"] == _url(token, "delegate:calendar")


def test_calendar_page_gives_the_feeds_webcal_and_https_addresses_under_its_own_token(
    client, tour, token, feed_token
):
    response = client.get(_url(token, "delegate:calendar"))
    html = response.content.decode()

    feed, download = _url(feed_token), _url(token, "delegate:calendar-ics")
    assert response.status_code == 200
    assert f'href="webcal://testserver{feed}"' in html
    assert f'value="http://testserver{feed}"' in html
    assert f'href="webcal://testserver{feed}?alarm=1"' in html
    assert f'href="{download}?alarm=1"' in html
    # The language switch (its address and this page's, to return to), the download and
    # the way back: never in the feed's addresses.
    assert html.count(token) == 4
