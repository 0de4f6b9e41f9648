"""The delegate's page served as last rendered while nothing on it changed.

Each test opens the page until it is kept (`portal.delegate_cache`), changes one
thing the page shows, the way staff or another delegate would, and opens it again: the
change must show at once.
"""

import datetime as dt
import gzip
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from missions.enums import Audience, ParticipantRole, RsvpStatus
from missions.tokens import calendar_token_for, token_issue
from portal import delegate_cache, selectors
from portal.models import DelegatePage
from portal.services.delegate import delegate_language_set
from tests.factories import (
    ItineraryItemFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
)
from tests.portal.delegate_page import (
    _at,
    _elements,
    _item,
    _items,
    _links,
    _november,
    _others,
    _texts,
    _url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(client):
    def visit(token: str, **headers):
        return client.get(_url(token), **headers)

    return visit


@pytest.fixture
def programme(tokyo_mission, suntory_hall):
    day = _november()
    return [
        _item(tokyo_mission, title="Welcome reception", starts=_at(day, 18), venue=suntory_hall),
        _item(
            tokyo_mission, title="Round table", starts=_at(day, 10), host=suntory_hall.organisation
        ),
    ]


@pytest.fixture
def kept(visit, token, programme):
    """The page opened until it is kept: the first visit is remembered, then rendered again."""
    visit(token)
    visit(token)
    return visit(token)


def test_page_unchanged_is_served_as_kept_in_one_query(
    visit, token, kept, django_assert_num_queries
):
    with django_assert_num_queries(1):  # the link, the page's version and the kept page
        again = visit(token)

    assert again.content == kept.content
    assert "Welcome reception" in again.content.decode()


def _kept_pages() -> list[bytes]:
    """Every kept page as it rests in the database, unzipped."""
    return [
        gzip.decompress(page) for page in DelegatePage.objects.values_list("gzipped", flat=True)
    ]


def test_kept_page_holds_no_working_link_and_the_served_page_links_work(
    client, visit, token, kept, delegate
):
    """A database backup holds no personal link: the page is kept without any, yet the
    page served from it links the answer, the calendars, the booklet and the language."""
    feed_token = calendar_token_for(participant=delegate)
    page = _url(token)
    served = visit(token, HTTP_ACCEPT_ENCODING="gzip")

    [rested] = _kept_pages()
    assert token.encode() not in rested
    assert feed_token.encode() not in rested
    assert gzip.decompress(served.content) == rested  # served as kept
    links = _links(kept, page)
    answer = client.get(links["Change your answer"])
    assert (answer.status_code, answer["Location"]) == (302, _url(token) + "?answer=change#answer")
    assert client.get(answer["Location"]).status_code == 200
    for name in ("Add to calendar", "Subscribe to the calendar"):
        assert client.get(links[name]).status_code == 200
    subscribe = client.get(links["Subscribe to the calendar"])
    feed = _url(feed_token, "calendar:feed")
    assert f'href="webcal://testserver{feed}"' in subscribe.content.decode()
    assert client.get(feed).content.startswith(b"BEGIN:VCALENDAR")
    booklet = client.get(links["Booklet (PDF)"])
    assert booklet["Content-Type"] == "application/pdf"
    [form] = _elements(kept, "form")
    switched = client.post(urljoin(page, form.attrs["action"]), {"language": "de"})
    assert (switched.status_code, switched["Location"]) == (302, page)
    assert visit(token)["Content-Language"] == "de"
    assert [token.encode() in page for page in _kept_pages()] == [False]


def test_page_kept_gzipped_and_plain_for_a_client_without_gzip(visit, token, kept):
    zipped = visit(token, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == kept.content
    assert not kept.has_header("Content-Encoding")


def test_item_edited_shows_at_once_and_is_marked(visit, token, kept, programme):
    reception = programme[0]
    reception.title = "Welcome reception at the embassy"
    reception.save()

    page = visit(token)

    assert "Welcome reception at the embassy" in _items(page)
    assert _texts(page, "section", data_testid="changes")  # marked as changed
    assert "Welcome reception at the embassy" not in kept.content.decode()


def test_item_added_or_deleted_shows_at_once(visit, token, kept, tokyo_mission, programme):
    _item(tokyo_mission, title="Visit to the port", starts=_at(_november(), 14))
    added = set(_items(visit(token)))
    programme[1].delete()
    deleted = set(_items(visit(token)))

    assert added == {"Welcome reception", "Round table", "Visit to the port"}
    assert deleted == {"Welcome reception", "Visit to the port"}


def test_venue_and_host_edited_in_the_directory_show_at_once(visit, token, kept, suntory_hall):
    suntory_hall.name = "Suntory Hall (Blue Rose)"
    suntory_hall.save()
    host = suntory_hall.organisation
    host.description = "Tokyo's first concert hall built for classical music."
    host.save()

    page = visit(token).content.decode()

    assert "Suntory Hall (Blue Rose)" in page
    assert "first concert hall built for classical music" in page


def test_another_delegate_agreeing_to_be_listed_shows_at_once(visit, token, kept, tokyo_mission):
    other = ParticipantFactory(
        mission=tokyo_mission,
        rsvp_status=RsvpStatus.ACCEPTED,
        person=PersonFactory(full_name="Jonas Keller", organisation=None),
    )
    unlisted = visit(token)
    other.listed = True
    other.save()

    listed = visit(token)

    assert "Jonas Keller" not in _others(unlisted)
    assert "Jonas Keller" in _others(listed)


def test_listed_delegates_name_and_organisation_edited_show_at_once(
    visit, token, kept, tokyo_mission
):
    organisation = OrganisationFactory(name="Leipziger Messe")
    person = PersonFactory(full_name="Jonas Keller", organisation=organisation)
    ParticipantFactory(
        mission=tokyo_mission, person=person, rsvp_status=RsvpStatus.ACCEPTED, listed=True
    )
    visit(token)
    person.full_name = "Jonas Keller-Braun"
    person.save()
    organisation.name = "Leipziger Messe GmbH"
    organisation.save()

    page = visit(token)

    assert "Jonas Keller-Braun, Leipziger Messe GmbH" in _others(page)


def test_organisers_phone_edited_shows_at_once(visit, token, kept, tokyo_mission):
    organiser = ParticipantFactory(
        mission=tokyo_mission,
        person=PersonFactory(full_name="Karin Vogel"),
        role=ParticipantRole.ORGANISER,
        rsvp_status=RsvpStatus.ACCEPTED,
    )
    visit(token)
    organiser.phone = "+49 341 123 4567"
    organiser.save()

    page = visit(token)

    assert "+49 341 123 4567" in " ".join(_texts(page, "ul", data_testid="contacts"))


def test_organising_organisation_added_shows_at_once(visit, token, kept, tokyo_mission):
    tokyo_mission.organisers.add(OrganisationFactory(name="Japan External Trade Organization"))

    page = visit(token).content.decode()

    assert "Japan External Trade Organization" in page


def test_item_chosen_for_the_delegate_shows_at_once(visit, token, kept, delegate, tokyo_mission):
    dinner = ItineraryItemFactory(
        mission=tokyo_mission,
        title="Dinner with the mayor",
        starts_at=_at(_november(), 20),
        ends_at=_at(_november(), 22),
        audience=Audience.SELECTED,
    )
    before = visit(token)
    delegate.items.add(dinner)  # staff pick the delegate: no save of either row

    after = visit(token)

    assert "Dinner with the mayor" not in _items(before)
    assert "Dinner with the mayor" in _items(after)


def test_mission_edited_shows_at_once(visit, token, kept, tokyo_mission):
    tokyo_mission.title = "Leipzig–Tokyo economic delegation 2026"
    tokyo_mission.save()

    assert "Leipzig–Tokyo economic delegation 2026" in visit(token).content.decode()


def test_home_zone_changed_shows_home_times_at_once(visit, token, kept, delegate):
    person = delegate.person
    person.time_zone = None
    person.save()

    page = visit(token).content.decode()

    assert "your home time" in kept.content.decode()
    assert "your home time" not in page


def test_language_chosen_serves_the_page_in_that_language(visit, token, kept, delegate):
    delegate_language_set(participant=delegate, language="de")

    page = visit(token)

    assert page["Content-Language"] == "de"
    assert "Wer noch dabei ist" in page.content.decode()


def test_regenerated_link_serves_its_own_addresses_and_the_old_one_nothing(
    client, visit, token, kept, delegate
):
    new = token_issue(participant=delegate)

    old_page, new_page = visit(token), visit(new)

    assert old_page.status_code == 404
    assert new_page.status_code == 200
    answer = _links(new_page, _url(new))["Change your answer"]
    assert client.get(answer)["Location"] == _url(new) + "?answer=change#answer"
    assert token not in new_page.content.decode()


def test_next_item_moves_on_with_the_clock_with_no_change_to_the_data(
    client, monkeypatch, tokyo_mission
):
    delegate = ParticipantFactory(mission=tokyo_mission, rsvp_status=RsvpStatus.ACCEPTED)
    link = token_issue(participant=delegate)
    day = _november()
    _item(tokyo_mission, title="Breakfast briefing", starts=_at(day, 8), hours=1)
    _item(tokyo_mission, title="Factory tour", starts=_at(day, 10), hours=2)
    during_breakfast = _at(day, 8, 30)
    monkeypatch.setattr(timezone, "now", lambda: during_breakfast)
    client.get(_url(link))
    first = client.get(_url(link))
    monkeypatch.setattr(timezone, "now", lambda: during_breakfast + dt.timedelta(hours=1))

    later = client.get(_url(link))

    assert "Breakfast briefing" in " ".join(_texts(first, "section", data_testid="next-item"))
    assert "Factory tour" in " ".join(_texts(later, "section", data_testid="next-item"))


def test_kept_page_ends_at_the_next_moment_and_within_the_hour(token, kept, delegate, programme):
    page = DelegatePage.objects.get(participant=delegate)

    assert page.fresh_until <= timezone.now() + delegate_cache.MAX_AGE
    assert page.fresh_until > timezone.now()


def test_item_cancelled_is_struck_through_at_once(visit, token, kept, programme):
    reception = programme[0]
    reception.is_cancelled = True
    reception.save()

    page = visit(token)

    assert "is-cancelled" not in _items(kept)["Welcome reception"].classes
    assert "is-cancelled" in _items(page)["Welcome reception"].classes


@pytest.mark.parametrize(
    "stored",
    [
        dt.datetime(2026, 11, 22, 4, 53, 13, 313546),  # SQLite's converter: naive, UTC
        "2026-11-22 04:53:13.313546",  # SQLite, through an aggregate: text
        dt.datetime(2026, 11, 22, 4, 53, 13, 313546, tzinfo=dt.UTC),  # PostgreSQL
    ],
)
def test_kept_page_time_read_alike_from_sqlite_and_postgresql(stored):
    # `make run` serves the demo from SQLite: its plain queries give times as text or
    # naive datetimes, which must compare with the clock like PostgreSQL's.
    moment = selectors._moment(stored)

    assert moment == dt.datetime(2026, 11, 22, 4, 53, 13, 313546, tzinfo=dt.UTC)
    assert moment < timezone.now()
