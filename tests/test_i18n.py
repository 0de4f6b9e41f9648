"""German and English pages, the language switcher, and the compiled German catalogue."""

import ast
import datetime as dt
import gettext
import re
import shutil
import zoneinfo
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from messaging.emails import render_message
from missions import display
from missions.enums import MissionStatus
from tests.factories import (
    MembershipFactory,
    MissionFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "de" / "LC_MESSAGES"
LONDON = zoneinfo.ZoneInfo("Europe/London")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


# PAGES -----------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())


class _Elements(HTMLParser):
    """Every element of a page with its attributes and its text (descendants' included)."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                del self._open[depth:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.parts.append(data)


def _elements(response, tag: str, **attrs: str) -> list[Element]:
    """The page's `tag` elements whose attributes have the given values."""
    assert response.status_code == 200
    parser = _Elements()
    parser.feed(response.content.decode())
    return [
        element
        for element in parser.elements
        if element.tag == tag and all(element.attrs.get(k) == v for k, v in attrs.items())
    ]


def _texts(response, tag: str, **attrs: str) -> list[str]:
    return [element.text for element in _elements(response, tag, **attrs)]


def _html_lang(response) -> str | None:
    return _elements(response, "html")[0].attrs.get("lang")


def _current_language_button(response) -> list[str]:
    return _texts(response, "button", name="language", **{"aria-current": "true"})


def test_home_anonymous_accept_language_de_renders_german(client: Client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")

    assert _html_lang(response) == "de"
    assert _texts(response, "title") == ["Missionen · Itinera"]
    assert _texts(response, "h1") == [
        "Planen Sie Delegationsreisen und Wirtschaftsmissionen zwischen Partnerstädten."
    ]
    # The sign-in button of the navigation bar (base.html) and of the welcome (home.html).
    assert _texts(response, "a", href=reverse("login")) == ["Anmelden", "Anmelden"]
    assert _texts(response, "a", href="#main") == ["Zum Inhalt springen"]
    assert _current_language_button(response) == ["DE"]


def test_home_anonymous_accept_language_en_renders_english(client: Client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert _html_lang(response) == "en"
    assert _texts(response, "title") == ["Missions · Itinera"]
    assert _texts(response, "h1") == ["Plan delegations and trade missions between partner cities."]
    assert _texts(response, "a", href=reverse("login")) == ["Sign in", "Sign in"]
    assert _texts(response, "a", href="#main") == ["Skip to content"]
    assert _current_language_button(response) == ["EN"]


def test_home_after_set_language_de_renders_german(client: Client):
    assert _html_lang(client.get("/")) == "en"

    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    page = client.get("/")
    assert _html_lang(page) == "de"
    assert _texts(page, "h1") == [
        "Planen Sie Delegationsreisen und Wirtschaftsmissionen zwischen Partnerstädten."
    ]
    assert _texts(page, "a", href=reverse("login")) == ["Anmelden", "Anmelden"]
    assert _current_language_button(page) == ["DE"]


def test_dashboard_planner_in_german_shows_german_mission_table(client: Client):
    start = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(status=MissionStatus.CONFIRMED, start_date=start, end_date=start)
    membership = MembershipFactory(organisation=mission.lead_organisation)
    client.force_login(membership.user)

    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de")["Location"] == reverse("plan:dashboard")
    response = client.get(reverse("plan:dashboard"), HTTP_ACCEPT_LANGUAGE="de")

    assert _html_lang(response) == "de"
    assert _texts(response, "h1") == ["Ihre Missionen"]
    assert _texts(response, "th", scope="col") == [
        *["Mission", "Zeitraum (Ortszeit)", "Status"],  # the timeline's table
        "Mission",
        "Zielort",
        "Zeitraum (Ortszeit)",
        "Status",
        "Eingeladen",
        "Zugesagt",
        "Unter Vorbehalt",
        "Abgesagt",
        "Keine Rückmeldung",
        "Nicht eingeladen",
        "Offene Warnungen",
    ]
    cells = _texts(response, "td")
    assert len(cells) == 2 + 11  # one mission, on the timeline and in the table
    assert cells[1] == "Geplant"  # on the timeline: it has not begun
    assert cells[2 + 3] == "Bestätigt"
    assert _texts(response, "button") == ["EN", "DE", "Abmelden"]


# DATES -----------------------------------------------------------------------

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A date pattern of a template's own (`|date:"j F Y"`): German needs `j. F Y`, which the
# named formats (config/formats/de/formats.py) and missions.display's filters give.
OWN_DATE_PATTERN = re.compile(r"""\|date:["'][^"']*\bj\b[^"']*["']""")


def test_templates_write_dates_in_the_language_s_format_never_a_pattern_of_their_own():
    own = sorted(
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.*")
        if path.suffix in {".html", ".txt"}
        for match in OWN_DATE_PATTERN.finditer(path.read_text(encoding="utf-8"))
    )

    assert own == []


def test_german_dates_have_the_dot_after_the_day_in_mail_and_pages():
    mission = MissionFactory(
        start_date=dt.date(2026, 12, 4), end_date=dt.date(2026, 12, 4), rsvp_deadline=None
    )
    participant = ParticipantFactory(mission=mission, person__preferred_language="de")
    reminder = OutgoingMessageFactory(
        participant=participant, kind="mission_reminder", language="de", occasion="r"
    )

    body = " ".join(render_message(reminder).body.split())

    assert "Freitag, 4. Dezember 2026" in body
    assert "4 Dezember" not in body
    with translation.override("de"):
        assert (
            display.local_span(
                dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC),
                dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC),
                LONDON,
            )
            == "04.12.2026, 09:00–10:00 GMT (Europe/London)"
        )
        assert display.moment_here(dt.datetime(2026, 12, 4, 9, tzinfo=dt.UTC), long=True) == (
            "4. Dezember 2026, 09:00 UTC"
        )


# CATALOGUE -------------------------------------------------------------------


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr, msgstr[n] and flags.

    Obsolete (`#~`) entries are left out. Enough of the format for Django's catalogues.
    """
    entries, entry, key = [], {}, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return entries


def _po_translations(entries: list[dict]) -> dict:
    """Translations keyed as GNUTranslations keys its catalogue (context, plural index)."""
    translations = {}
    for entry in entries:
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if msgid == "":
            continue
        if "msgid_plural" in entry:
            for key, value in entry.items():
                if key.startswith("msgstr["):
                    translations[(msgid, int(key[7:-1]))] = value
        else:
            translations[msgid] = entry["msgstr"]
    return translations


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    return _po_entries(CATALOGUE / "django.po")


@pytest.fixture(scope="module")
def mo() -> gettext.GNUTranslations:
    with (CATALOGUE / "django.mo").open("rb") as file:
        return gettext.GNUTranslations(file)


def test_po_every_msgid_translated_and_not_fuzzy(po_entries):
    translations = _po_translations(po_entries)

    assert len(translations) > 100
    assert [msgid for msgid, msgstr in translations.items() if not msgstr] == []
    assert [entry["msgid"] for entry in po_entries if "fuzzy" in entry.get("flags", ())] == []


def test_po_has_every_string_of_the_code_and_the_templates(tmp_path, monkeypatch):
    """What `make messages` collects is in the .po file, in German: a string added to the
    code or to a template (the admin's own included) without its German fails here, not
    in front of a German council. makemessages runs on a copy of the project."""
    copy = tmp_path / "itinera"
    skipped = shutil.ignore_patterns(".*", "var", "artifacts", "__pycache__", "*.png", "*.mo")
    shutil.copytree(settings.BASE_DIR, copy, ignore=skipped)
    monkeypatch.chdir(copy)

    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["de"], verbosity=0)

    entries = _po_entries(copy / "locale" / "de" / "LC_MESSAGES" / "django.po")
    assert [msgid for msgid, msgstr in _po_translations(entries).items() if not msgstr] == []
    assert [entry["msgid"] for entry in entries if "fuzzy" in entry.get("flags", ())] == []


def test_mo_compiled_from_current_po(po_entries, mo):
    """A translation added or changed without `compilemessages` fails here."""
    compiled = {key: value for key, value in mo._catalog.items() if key != ""}

    assert compiled == _po_translations(po_entries)


def test_mo_header_declares_german_utf8_two_plurals(mo):
    info = mo.info()

    assert info["language"] == "de"
    assert info["content-type"] == "text/plain; charset=UTF-8"
    assert info["plural-forms"] == "nplurals=2; plural=(n != 1);"
