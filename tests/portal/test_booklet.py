"""The delegate's printable booklet (PDF), their own and every one of a mission for staff.

The PDFs are read back with pypdf: what a delegate would read on the page is what the
tests compare.
"""

import datetime as dt
import io
import secrets
import zoneinfo

import pypdf
import pytest
from django.urls import reverse

from missions.enums import Audience, ParticipantRole, RsvpStatus
from missions.tokens import token_issue
from organisations.enums import Language, OrganisationKind
from organisations.models import Organisation
from portal.booklet import booklet_filename, pdf_text
from tests.dates import year_like_2025
from tests.factories import (
    ItineraryItemFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    VenueFactory,
)
from tests.portal.delegate_page import _links

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


YEAR = year_like_2025()


@pytest.fixture
def mission():
    return leipzig_mission()


def leipzig_mission():
    """Leipzig's creative businesses in Birmingham: two days, two hosts, two venues."""
    council = OrganisationFactory(
        name="Birmingham City Council", kind=OrganisationKind.CITY_COUNCIL, website=""
    )
    mission = MissionFactory(
        title="Leipzig creative industries trade mission to Birmingham",
        slug="leipzig-creative-birmingham",
        time_zone=LONDON,
        start_date=dt.date(YEAR, 3, 11),
        end_date=dt.date(YEAR, 3, 12),
        lead_organisation=council,
        description="Prepared with Kreatives Leipzig e. V.",
    )
    chamber = OrganisationFactory(
        name="Greater Birmingham Chambers of Commerce",
        kind=OrganisationKind.CHAMBER,
        website="https://www.greaterbirminghamchambers.com",
        description="Chamber of commerce for Birmingham and its region.",
    )
    kreatives = OrganisationFactory(
        name="Kreatives Leipzig e. V.",
        kind=OrganisationKind.CULTURAL,
        city="Leipzig",
        country="DE",
        description="Grüße aus Leipzig: das Netzwerk der Kreativwirtschaft, Straße für Straße.",
    )
    schloss = VenueFactory(
        name="Albert's Schloss",
        address="120 Bristol Street",
        city="Birmingham",
        latitude="52.480000",
        longitude="-1.904300",
    )
    steamhouse = VenueFactory(
        name="STEAMHouse", address="Belmont Row, Birmingham B4 7RQ", latitude=None, longitude=None
    )

    def item(title, day, hour, **kwargs):
        starts = dt.datetime(YEAR, 3, day, hour, 30, tzinfo=LONDON)
        return ItineraryItemFactory(
            mission=mission,
            title=title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            **kwargs,
        )

    item(
        "Round table on Birmingham's creative ecosystem",
        11,
        9,
        venue=schloss,
        host=chamber,
        description="Chaired by Anthony Tattum.",
    )
    item("Kreative Begegnung: Grüße aus Leipzig", 11, 14, host=kreatives, meeting_point="Foyer")
    item("Studio visit for animators", 12, 9, venue=steamhouse, audience=Audience.SELECTED)
    item("Cancelled dinner", 12, 18, venue=schloss, is_cancelled=True)
    ParticipantFactory(
        mission=mission,
        role=ParticipantRole.ORGANISER,
        rsvp_status=RsvpStatus.ACCEPTED,
        person=PersonFactory(
            full_name="Fiona Latter",
            email="fiona.latter@example.org",
            organisation=council,
        ),
        phone="+44 121 303 1111",
    )
    return mission


def _lichtkammer() -> Organisation:
    found = Organisation.objects.filter(name="Lichtkammer Connewitz").first()
    return found or OrganisationFactory(name="Lichtkammer Connewitz", city="Leipzig")


def _delegate(mission, name: str, *, language=Language.ENGLISH, **kwargs):
    return ParticipantFactory(
        mission=mission,
        rsvp_status=kwargs.pop("rsvp_status", RsvpStatus.ACCEPTED),
        person=PersonFactory(
            full_name=name,
            preferred_language=language,
            time_zone=BERLIN,
            organisation=_lichtkammer(),
        ),
        **kwargs,
    )


@pytest.fixture
def delegate(mission):
    return _delegate(mission, "Jürgen Weiß")


def _url(participant) -> str:
    return reverse("delegate:booklet", kwargs={"token": token_issue(participant=participant)})


def _text(pdf: bytes) -> str:
    """The booklet's text as a reader sees it, one space between words."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _language(pdf: bytes) -> str:
    return str(pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"])


# THE DELEGATE'S BOOKLET ------------------------------------------------------------------


def test_booklet_is_a_pdf_with_the_delegates_itinerary(client, delegate):
    response = client.get(_url(delegate))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="leipzig-creative-birmingham-booklet.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
    for line in [
        "Leipzig creative industries trade mission to Birmingham",
        "Birmingham, United Kingdom",
        f"Tuesday, 11 March {YEAR} – Wednesday, 12 March {YEAR}",
        "Jürgen Weiß",
        "Lichtkammer Connewitz",
        f"Tuesday, 11 March {YEAR}",
        "09:30–11:30 GMT",
        "10:30–12:30 CET at home",
        "Round table on Birmingham's creative ecosystem · Round table",
        "Albert's Schloss, 120 Bristol Street, Birmingham, United Kingdom",
        "Host: Greater Birmingham Chambers of Commerce",
        "Chaired by Anthony Tattum.",
        "Meeting point: Foyer",
    ]:
        assert line in text
    assert "Studio visit for animators" not in text  # selected participants only
    assert "Cancelled dinner" not in text


def test_booklet_umlauts_and_eszett_survive(client, delegate):
    text = _text(client.get(_url(delegate)).content)

    assert "Jürgen Weiß" in text
    assert "Kreative Begegnung: Grüße aus Leipzig" in text
    assert "Grüße aus Leipzig: das Netzwerk der Kreativwirtschaft, Straße für Straße." in text


def test_booklet_profiles_hosts_lists_venues_and_contacts(client, delegate):
    text = _text(client.get(_url(delegate)).content)

    hosts = text[text.index("Host organisations") :]
    assert (
        "Greater Birmingham Chambers of Commerce Chamber of commerce, Birmingham, United Kingdom"
    ) in hosts
    assert "https://www.greaterbirminghamchambers.com" in hosts
    assert "Kreatives Leipzig e. V. Cultural institution, Leipzig, Germany" in hosts
    venues = text[text.index("Venues") :]
    assert (
        "Albert's Schloss 120 Bristol Street, Birmingham, United Kingdom "
        "Coordinates: 52.480000, -1.904300"
    ) in venues
    assert "STEAMHouse" not in venues  # a venue of an item the delegate does not attend
    contacts = text[text.index("Contacts") :]
    assert "Organised by Birmingham City Council." in contacts
    assert (
        "Fiona Latter, Birmingham City Council fiona.latter@example.org +44 121 303 1111"
    ) in contacts


def test_booklet_of_a_selected_item_attendee_includes_it(client, mission, delegate):
    studio = mission.items.get(title="Studio visit for animators")
    delegate.items.add(studio)

    text = _text(client.get(_url(delegate)).content)

    assert "Studio visit for animators" in text
    assert "STEAMHouse, Belmont Row, Birmingham B4 7RQ, United Kingdom" in text


def test_booklet_is_german_for_a_german_delegate(client, mission):
    delegate = _delegate(mission, "Katrin Vogel", language=Language.GERMAN)

    response = client.get(_url(delegate))

    assert response["Content-Language"] == "de"
    assert _language(response.content) == "de"
    text = _text(response.content)
    assert f"Dienstag, 11. März {YEAR} – Mittwoch, 12. März {YEAR}" in text
    assert "Round table on Birmingham's creative ecosystem · Runder Tisch" in text
    assert "Birmingham, Vereinigtes Königreich" in text
    assert f"Tuesday, 11 March {YEAR}" not in text


def test_booklet_follows_the_language_chosen_on_the_page(client, delegate):
    delegate.language = "de"
    delegate.save()

    pdf = client.get(_url(delegate)).content

    assert _language(pdf) == "de"
    assert f"Dienstag, 11. März {YEAR}" in _text(pdf)


def test_booklet_stays_within_10_queries(client, mission, delegate, django_assert_max_num_queries):
    url = _url(delegate)
    for n in range(30):
        ItineraryItemFactory(
            mission=mission,
            title=f"Meeting {n}",
            host=OrganisationFactory(),
            venue=VenueFactory(),
            audience=Audience.SELECTED if n % 2 else Audience.WHOLE_DELEGATION,
        )
    delegate.items.add(*mission.items.filter(title__startswith="Meeting"))

    with django_assert_max_num_queries(10):
        response = client.get(url)

    assert "Meeting 29" in _text(response.content)


def test_booklet_bad_token_gets_the_friendly_404(client):
    response = client.get(reverse("delegate:booklet", kwargs={"token": secrets.token_hex(32)}))

    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "rsvp/link_invalid.html"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "private, no-store"


def test_booklet_with_hostile_text_renders_what_the_font_can_draw(client, mission):
    delegate = _delegate(mission, "Ines 😀 \u202eDietrich שלום 東京")
    hostile = "<script>alert(1)</script> 👩\u200d👩\u200d👧 مرحبا " + "Ä" * 10_000
    mission.items.filter(title__startswith="Round table").update(
        title="Round table 🎉 \u200fمرحبا", description=hostile
    )
    host = mission.items.get(title__startswith="Round table").host
    host.name, host.description = "🏢 Ωmega Жук Nguyễn", "x" * 10_000 + "\x07\x1b\t" + "y" * 500
    host.save()

    response = client.get(_url(delegate))

    assert response.status_code == 200
    text = _text(response.content)
    assert "Ines Dietrich ???? ??" in text
    assert "Round table ????? · Round table" in text
    assert "<script>alert(1)</script> ????? ÄÄÄÄ" in text
    assert "Ωmega Жук Nguyen" in text


def test_pdf_text_keeps_what_the_font_draws_and_replaces_the_rest():
    assert pdf_text("Grüße aus Leipzig, Straße ẞ") == "Grüße aus Leipzig, Straße ẞ"
    assert pdf_text("Ines 😀 Dietrich\u200f") == "Ines Dietrich"
    assert pdf_text("東京 Tokyo, שלום") == "?? Tokyo, ????"
    assert pdf_text("Nguyễn Thị") == "Nguyen Thi"
    assert pdf_text("a\x00b\tc\r\nd") == "ab c\nd"
    assert pdf_text("Ä" * 10_000, 10) == "ÄÄÄÄÄÄÄÄÄ…"


# EVERY BOOKLET OF A MISSION, FOR STAFF -----------------------------------------------------


# Staff get every booklet of a mission as one ZIP: tests/portal/test_booklet_archives.py.


def test_booklets_zip_names_files_safely(mission):
    odd = [
        _delegate(mission, "../../etc/passwd"),
        _delegate(mission, "😀🎉"),
        _delegate(mission, "Zoë O'Brien-Łukasiewicz " + "x" * 150),
    ]

    names = [booklet_filename(participant) for participant in odd]

    assert names[0] == "etcpasswd.pdf"
    assert names[1] == f"participant-{odd[1].pk}.pdf"
    assert names[2] == "zoe-obrien-ukasiewicz-" + "x" * 58 + ".pdf"


# PRINTING THE PAGE -------------------------------------------------------------------------


def test_delegate_page_links_the_booklet_and_a_print_stylesheet(client, delegate):
    token = token_issue(participant=delegate)

    page = reverse("delegate:page", kwargs={"token": token})
    response = client.get(page)
    html = response.content.decode()

    assert _links(response, page)["Booklet (PDF)"] == reverse(
        "delegate:booklet", kwargs={"token": token}
    )
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in html
