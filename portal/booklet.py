"""The delegate's booklet: their programme, hosts, venues and contacts as a PDF to print.

`participant_booklet(participant)` is one delegate's booklet (`/d/<token>/booklet.pdf`);
`write_booklets(mission=..., participants=..., file=...)` is every delegate's for staff in
one ZIP, each in its delegate's language (a worker builds it: `portal.booklet_archives`).
Both read the mission once (`booklet_sources`: its items with venue and host, who attends
which selected item, the organisers and their people to contact, a fixed number of
queries whatever the number of items or delegates), then lay out each booklet with fpdf2,
a pure-Python PDF library.

Text is set in PT Sans (shipped by the `fontpkg-pt-sans` package and embedded, subset):
Latin with every European accent, German umlauts and ß, Greek and Cyrillic. A
character the font does not have (Japanese, Hebrew, emoji) cannot be drawn; it is
replaced (`pdf_text`) rather than left to fail, so a hostile or exotic name never
breaks a booklet. The delegate's page shows every name as written.

Times are the place's local time with its zone (`19:00–21:00 JST`), and the delegate's
home time beside them when the clocks at home read differently.
"""

import datetime as dt
import logging
import unicodedata
import zipfile
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import IO

import fontpkg
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django_countries import countries
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from missions.attendance import attends, chosen_items
from missions.display import (
    address_line,
    coordinates,
    home_time,
    long_date,
    long_moment,
    map_url,
    mission_dates,
    time_span_with_zone,
)
from missions.enums import ItemKind, ParticipantRole, RsvpStatus
from missions.languages import language_for
from missions.models import ItineraryItem, Mission, Participant
from missions.tokens import personal_url
from organisations.enums import OrganisationKind
from portal.selectors import MeetingRow, meeting_rows

# fontTools reports each step of subsetting the font at INFO, a dozen lines a booklet.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# Whose booklets staff download at once: everyone still expected or asked to come.

FONT = "PT Sans"
REPLACEMENT = "?"  # what stands for a character the font cannot draw
LONG_TEXT = 3000  # characters of a description or profile that a booklet prints

ITEM_FIELDS = (
    "pk",
    "kind",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "audience",
    "meeting_point",
    "online_link",
    "venue_id",
    "venue__name",
    "venue__address",
    "venue__city",
    "venue__country",
    "venue__latitude",
    "venue__longitude",
    "venue__time_zone",
    "host_id",
    "host__name",
    "host__kind",
    "host__city",
    "host__country",
    "host__website",
    "host__description",
)


# FONT AND TEXT ------------------------------------------------------------------------


@cache
def _font_files() -> tuple[str, str]:
    return str(fontpkg.path(FONT, weight=400)), str(fontpkg.path(FONT, weight=700))


@cache
def _drawable() -> frozenset[int]:
    """The code points that both the regular and the bold face can draw."""
    regular, bold = (set(TTFont(path).getBestCmap()) for path in _font_files())
    return frozenset(regular & bold)


def _character(char: str, drawable: frozenset[int]) -> str:
    if ord(char) in drawable:
        return char
    if char == "\t":
        return " "
    category = unicodedata.category(char)
    # Controls, direction marks, joiners, variation selectors and emoji leave no trace.
    if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Sk", "So"):
        return ""
    # A letter with an accent the font lacks keeps its letter: `ệ` becomes `e`.
    base = "".join(part for part in unicodedata.normalize("NFKD", char) if ord(part) in drawable)
    return base or REPLACEMENT


def pdf_text(text: str, limit: int | None = None) -> str:
    """`text` as the booklet's font can draw it: what it lacks replaced, runs of spaces made
    one, at most `limit` characters."""
    text = unicodedata.normalize("NFC", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    if limit is not None:
        text = Truncator(text).chars(limit)
    drawable = _drawable()
    text = "".join(char if char == "\n" else _character(char, drawable) for char in text)
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


# WHAT A BOOKLET SAYS --------------------------------------------------------------------


@dataclass(frozen=True)
class BookletItem:
    title: str
    kind: str
    time: str  # `19:00–21:00 JST`
    home_time: str  # `11:00–13:00 CET at home`, or ""
    place: str  # the venue with its address, or ""
    meeting_point: str
    online_link: str
    host: str
    description: str


@dataclass(frozen=True)
class BookletDay:
    label: str
    items: list[BookletItem]


@dataclass(frozen=True)
class BookletHost:
    name: str
    about: str  # `Company, Birmingham, United Kingdom`
    website: str
    description: str


@dataclass(frozen=True)
class BookletVenue:
    name: str
    address: str  # street, city and country
    coordinates: str  # `52.480000, -1.904300`, or ""
    map_url: str


@dataclass(frozen=True)
class BookletContact:
    name: str
    organisation: str
    email: str
    phone: str


@dataclass(frozen=True)
class Booklet:
    language: str
    mission_title: str
    destination: str
    dates: str
    mission_description: str
    delegate: str
    delegate_organisation: str
    home_zone: str  # `Europe/Berlin`, or "" when unknown
    link: str  # the delegate's own page, or "" when they have no personal link
    as_of: str
    travel: list[str]
    days: list[BookletDay]
    hosts: list[BookletHost]
    venues: list[BookletVenue]
    organisers: list[str]
    contacts: list[BookletContact]
    meetings: list[MeetingRow]  # the final B2B meetings, in time order


@dataclass(frozen=True)
class BookletSources:
    """What every booklet of a mission shares, read once."""

    mission: Mission
    items: list[dict]  # the items that take place, in order
    selected: dict[int, set[int]]  # participant -> the items they were put on
    organisers: list[str]
    contacts: list[BookletContact]
    meetings: dict[int, list[MeetingRow]]  # participant -> their final B2B meetings


def booklet_participants(mission: Mission) -> list[Participant]:
    """The participants staff print booklets for: invited, accepted or tentative."""
    return list(
        mission.participants.filter(rsvp_status__in=RsvpStatus.MAY_COME)
        .select_related("mission", "person", "person__organisation")
        .order_by("person__full_name", "pk")
    )


def booklet_sources(mission: Mission, participants: Iterable[Participant]) -> BookletSources:
    """Five queries: items, attendance of the participants, organisers, their contacts,
    the participants' final B2B meetings."""
    pks = [participant.pk for participant in participants]
    items = list(
        ItineraryItem.objects.filter(mission=mission, is_cancelled=False)
        .order_by("starts_at", "pk")
        .values(*ITEM_FIELDS)
    )
    selected = chosen_items(pks)
    organisers = [
        organisation.name for organisation in mission.organisers.order_by("name").only("name")
    ]
    people = (
        Participant.objects.filter(mission=mission, role=ParticipantRole.ORGANISER)
        .filter(~Q(rsvp_status__in=RsvpStatus.NOT_COMING))
        .order_by("person__full_name", "pk")
        .values_list("person__full_name", "person__organisation__name", "person__email", "phone")
    )
    contacts = [
        BookletContact(name=name, organisation=organisation or "", email=email, phone=phone)
        for name, organisation, email, phone in people
    ]
    return BookletSources(
        mission=mission,
        items=items,
        selected=selected,
        organisers=organisers,
        contacts=contacts,
        meetings=meeting_rows(pks, final_only=True),
    )


def _home_time(starts: dt.datetime, ends: dt.datetime, home: zoneinfo.ZoneInfo | None) -> str:
    text = home_time(starts, ends, home)
    return _("%(time)s at home") % {"time": text} if text else ""


def _item_rows(sources: BookletSources, participant: Participant) -> list[dict]:
    chosen = sources.selected.get(participant.pk, set())
    return [row for row in sources.items if attends(row["audience"], row["pk"], chosen)]


def _travel(participant: Participant, zone: zoneinfo.ZoneInfo) -> list[str]:
    lines = []
    for label, moment, details in (
        (_("Arrival"), participant.arrival_at, participant.arrival_details),
        (_("Departure"), participant.departure_at, participant.departure_details),
    ):
        if moment is None and not details:
            continue
        parts = []
        if moment is not None:
            parts.append(long_moment(moment, zone))
        if details:
            parts.append(details)
        lines.append(f"{label}: {', '.join(parts)}")
    return lines


def booklet_for(
    sources: BookletSources, participant: Participant, *, now: dt.datetime | None = None
) -> Booklet:
    """One participant's booklet, in the active language. No query beyond `sources`,
    given the participant with its person and the person's organisation loaded."""
    mission = sources.mission
    home = participant.person.time_zone
    kinds = {value: str(label) for value, label in ItemKind.choices}
    host_kinds = {value: str(label) for value, label in OrganisationKind.choices}
    days: dict[dt.date, list[BookletItem]] = {}
    hosts: dict[int, BookletHost] = {}
    venues: dict[int, BookletVenue] = {}
    for row in _item_rows(sources, participant):
        zone = row["venue__time_zone"] if row["venue_id"] else mission.time_zone
        starts, ends = row["starts_at"].astimezone(zone), row["ends_at"].astimezone(zone)
        place = ""
        if row["venue_id"]:
            address = address_line(
                address=row["venue__address"],
                city=row["venue__city"],
                country=row["venue__country"],
            )
            place = f"{row['venue__name']}, {address}"
            if row["venue_id"] not in venues:
                venues[row["venue_id"]] = BookletVenue(
                    name=row["venue__name"],
                    address=address,
                    coordinates=coordinates(row["venue__latitude"], row["venue__longitude"]),
                    map_url=map_url(
                        latitude=row["venue__latitude"],
                        longitude=row["venue__longitude"],
                        address=row["venue__address"],
                        city=row["venue__city"],
                    ),
                )
        if row["host_id"] and row["host_id"] not in hosts:
            about = [host_kinds.get(row["host__kind"], ""), row["host__city"]]
            about.append(str(countries.name(row["host__country"])))
            hosts[row["host_id"]] = BookletHost(
                name=row["host__name"],
                about=", ".join(part for part in about if part),
                website=row["host__website"],
                description=row["host__description"],
            )
        days.setdefault(starts.date(), []).append(
            BookletItem(
                title=row["title"],
                kind=kinds.get(row["kind"], ""),
                time=time_span_with_zone(starts, ends),
                home_time=_home_time(starts, ends, home),
                place=place,
                meeting_point=row["meeting_point"],
                online_link=row["online_link"],
                host=row["host__name"] or "",
                description=row["description"],
            )
        )
    person = participant.person
    link = ""
    if participant.token_nonce:  # never issue a link here: reading writes nothing
        link = personal_url(participant, "delegate:page")
    return Booklet(
        language=translation.get_language() or "en",
        mission_title=mission.title,
        destination=f"{mission.destination_city}, {mission.destination_country.name}",
        dates=mission_dates(mission),
        mission_description=mission.description,
        delegate=person.full_name,
        delegate_organisation=person.organisation.name if person.organisation else "",
        home_zone=home.key if home else "",
        link=link,
        as_of=long_moment(now or timezone.now(), mission.time_zone),
        travel=_travel(participant, mission.time_zone),
        days=[BookletDay(label=long_date(day), items=items) for day, items in days.items()],
        hosts=list(hosts.values()),
        venues=list(venues.values()),
        organisers=sources.organisers,
        contacts=sources.contacts,
        meetings=sources.meetings.get(participant.pk, []),
    )


# LAYOUT ---------------------------------------------------------------------------------

A5 = (148, 210)  # mm
MARGIN = 14  # mm
INK = (33, 37, 41)
MUTED = (95, 99, 104)
ACCENT = (13, 80, 160)


class _Document(FPDF):
    def __init__(self, footer: str) -> None:
        super().__init__(format=A5)
        self.footer_text = footer
        regular, bold = _font_files()
        self.add_font(FONT, "", regular)
        self.add_font(FONT, "B", bold)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=16)
        self.set_text_color(*INK)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 4, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(*INK)

    def text_block(
        self,
        text: str,
        *,
        size: float = 9.5,
        bold: bool = False,
        colour: tuple[int, int, int] = INK,
        link: str = "",
        after: float = 0.8,
        limit: int | None = LONG_TEXT,
    ) -> None:
        text = pdf_text(text, limit).strip()
        if not text:
            return
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(
            0,
            size * 0.5,
            text,
            align="L",
            link=link or None,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)
        self.ln(after)

    def heading(self, text: str, *, size: float = 14, page_break: bool = False) -> None:
        # A new section starts a page; no heading is left alone at the foot of one.
        if page_break or self.get_y() > self.h - 45:
            self.add_page()
        self.text_block(text, size=size, bold=True, colour=ACCENT, after=2, limit=300)

    def rule(self) -> None:
        self.set_draw_color(200, 204, 208)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)


def _cover(pdf: _Document, booklet: Booklet) -> None:
    pdf.add_page()
    pdf.text_block(_("Delegate booklet"), size=10, colour=MUTED, after=3)
    pdf.text_block(booklet.mission_title, size=18, bold=True, after=2, limit=300)
    pdf.text_block(booklet.destination, size=11, limit=300)
    pdf.text_block(booklet.dates, size=11, after=6)
    pdf.text_block(_("Prepared for"), size=9, colour=MUTED, after=0.5)
    pdf.text_block(booklet.delegate, size=13, bold=True, after=0.5, limit=300)
    pdf.text_block(booklet.delegate_organisation, size=10, after=6, limit=300)
    pdf.text_block(booklet.mission_description, after=4)
    if booklet.travel:
        pdf.text_block(_("Your travel"), size=11, bold=True, after=1)
        for line in booklet.travel:
            pdf.text_block(line)
        pdf.ln(3)
    pdf.text_block(
        _("Programme as of %(when)s. Changes made later are on your personal page.")
        % {"when": booklet.as_of},
        size=8.5,
        colour=MUTED,
    )
    if booklet.link:
        pdf.text_block(booklet.link, size=8.5, colour=ACCENT, link=booklet.link)


def _programme(pdf: _Document, booklet: Booklet) -> None:
    pdf.heading(_("Your programme"), page_break=True)
    if booklet.home_zone:
        pdf.text_block(
            _("Times are local; your home time (%(zone)s) is shown where it differs.")
            % {"zone": booklet.home_zone},
            size=8.5,
            colour=MUTED,
            after=2,
        )
    if not booklet.days:
        pdf.text_block(_("The programme has not been published yet."))
    for number, day in enumerate(booklet.days):
        if number:
            pdf.ln(2)
        pdf.heading(day.label, size=11.5)
        for item in day.items:
            pdf.text_block(item.time, size=10, bold=True, after=0.2)
            if item.home_time:
                pdf.text_block(item.home_time, size=8.5, colour=MUTED, after=0.2)
            pdf.text_block(f"{item.title} · {item.kind}", size=10.5, bold=True, after=0.5)
            if item.place:
                pdf.text_block(item.place, size=9)
            if item.meeting_point:
                pdf.text_block(_("Meeting point: %(place)s") % {"place": item.meeting_point})
            if item.online_link:
                pdf.text_block(
                    _("Online: %(link)s") % {"link": item.online_link},
                    colour=ACCENT,
                    link=item.online_link,
                )
            if item.host:
                pdf.text_block(_("Host: %(host)s") % {"host": item.host})
            pdf.text_block(item.description, size=9, colour=MUTED)
            pdf.ln(1.5)


def _meetings(pdf: _Document, booklet: Booklet) -> None:
    if not booklet.meetings:
        return
    pdf.ln(2)
    pdf.heading(_("Your B2B meetings"), size=11.5)
    for meeting in booklet.meetings:
        pdf.text_block(f"{meeting.day}, {meeting.time}", size=10, bold=True, after=0.2)
        other = (
            f"{meeting.other}, {meeting.organisation}" if meeting.organisation else meeting.other
        )
        pdf.text_block(other, size=10.5, bold=True, after=0.3)
        place = f"{meeting.block}, {meeting.place}" if meeting.place else meeting.block
        pdf.text_block(f"{place} · {meeting.table}", size=9)
        pdf.ln(1.5)


def _hosts(pdf: _Document, booklet: Booklet) -> None:
    if not booklet.hosts:
        return
    pdf.heading(_("Host organisations"), page_break=True)
    for host in booklet.hosts:
        pdf.text_block(host.name, size=10.5, bold=True, after=0.3)
        pdf.text_block(host.about, size=9, colour=MUTED, after=0.3)
        if host.website:
            pdf.text_block(host.website, size=9, colour=ACCENT, link=host.website, after=0.3)
        pdf.text_block(host.description, size=9)
        pdf.ln(2)


def _venues(pdf: _Document, booklet: Booklet) -> None:
    if not booklet.venues:
        return
    pdf.heading(_("Venues"), page_break=not booklet.hosts)
    if booklet.hosts:
        pdf.ln(2)
    for venue in booklet.venues:
        pdf.text_block(venue.name, size=10.5, bold=True, after=0.3)
        pdf.text_block(venue.address, size=9, after=0.3)
        if venue.coordinates:
            pdf.text_block(
                _("Coordinates: %(coordinates)s") % {"coordinates": venue.coordinates},
                size=9,
                colour=ACCENT,
                link=venue.map_url,
            )
        pdf.ln(2)


def _contacts(pdf: _Document, booklet: Booklet) -> None:
    pdf.heading(_("Contacts"), page_break=not (booklet.hosts or booklet.venues))
    if booklet.organisers:
        pdf.text_block(
            _("Organised by %(organisers)s.") % {"organisers": ", ".join(booklet.organisers)},
            after=2,
        )
    if not booklet.contacts:
        pdf.text_block(_("Please reply to your invitation e-mail with any question."))
    for contact in booklet.contacts:
        name = contact.name
        if contact.organisation:
            name = f"{name}, {contact.organisation}"
        pdf.text_block(name, size=10, bold=True, after=0.3)
        pdf.text_block(contact.email, size=9, colour=ACCENT, link=f"mailto:{contact.email}")
        if contact.phone:
            pdf.text_block(contact.phone, size=9)
        pdf.ln(1.5)


def booklet_pdf(booklet: Booklet) -> bytes:
    """The booklet laid out on A5 pages: cover, programme, hosts, venues, contacts."""
    pdf = _Document(footer=pdf_text(booklet.mission_title, 80))
    pdf.set_title(pdf_text(f"{booklet.mission_title} – {booklet.delegate}", 400))
    pdf.set_author("Itinera")
    pdf.set_creator("Itinera")
    pdf.set_lang(booklet.language)
    _cover(pdf, booklet)
    _programme(pdf, booklet)
    _meetings(pdf, booklet)
    _hosts(pdf, booklet)
    _venues(pdf, booklet)
    _contacts(pdf, booklet)
    return bytes(pdf.output())


# BOOKLETS -------------------------------------------------------------------------------


def participant_booklet(participant: Participant) -> bytes:
    """One participant's booklet as a PDF, in the active language.

    Expects the participant with its mission and person loaded (as
    `missions.tokens.participant_for_token` gives it); reads the mission with
    `booklet_sources` and the person's organisation: six queries at most.
    """
    sources = booklet_sources(participant.mission, [participant])
    return booklet_pdf(booklet_for(sources, participant))


def booklet_filename(participant: Participant) -> str:
    """`ines-dietrich.pdf`: the person's name in ASCII, never empty, never a path."""
    name = slugify(participant.person.full_name)[:80].strip("-_")
    return f"{name or f'participant-{participant.pk}'}.pdf"


class BookletError(Exception):
    """A participant's booklet could not be laid out."""

    def __init__(self, participant: Participant, error: Exception) -> None:
        super().__init__(f"{participant.person.full_name}: {type(error).__name__}: {error}")
        self.participant = participant


def write_booklets(
    *,
    mission: Mission,
    participants: list[Participant],
    file: IO[bytes],
    on_booklet: Callable[[int, Participant], None] | None = None,
) -> None:
    """Write every participant's booklet, each in their language, as a ZIP to `file`.

    Reads the mission once for all of them (`booklet_sources`); file names come from
    the people's names, numbered when two are the same. `on_booklet(count, participant)`
    is called after each booklet is laid out (a worker counts its progress with it); an
    exception in a layout propagates with `participant` noted (`BookletError`).
    """
    sources = booklet_sources(mission, participants)
    used: set[str] = set()
    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for count, participant in enumerate(participants, start=1):
            name = booklet_filename(participant)
            stem, number = name.removesuffix(".pdf"), 2
            while name in used:
                name, number = f"{stem}-{number}.pdf", number + 1
            used.add(name)
            try:
                with translation.override(language_for(participant)):
                    pdf = booklet_pdf(booklet_for(sources, participant))
            except Exception as error:
                raise BookletError(participant, error) from error
            archive.writestr(name, pdf)
            if on_booklet is not None:
                on_booklet(count, participant)
