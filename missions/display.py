"""How dates, times and places read on every page, mail, PDF and export: each format once.

Pure functions: no queries (callers load what they format, e.g. an item's venue) and
no writes; text in the active language. Times are always those of a place, with its
zone named: an item's in its own zone (`ItineraryItem.time_zone`), a mission's dates
as the local dates of its destination.

Where two texts serve the same purpose in different places (an item's times in the
invitation and on the answer page with the weekday, in reminders and notices without),
both are here under names that say the difference.
"""

import datetime as dt
import functools
import re
import zoneinfo
from urllib.parse import urlencode

from django.conf import global_settings, settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_countries import countries

from missions.models import ItineraryItem, Mission

# Date formats in each language's convention where it differs from the English one
# (Django's named formats in config/formats/ have no weekday): `Tuesday, 4 March 2025` and
# `Dienstag, 4. März 2025`.
LONG_DATE = {"de": "l, j. F Y"}
DAY_AND_TIME = {"de": "D, j. M Y, H:i"}
# `Thu 13 Nov` and `Do., 13. Nov.`: the day of a time that falls on another date.
SHORT_DAY = {"de": "D, j. M"}


def _format(formats: dict[str, str], default: str) -> str:
    return formats.get(translation.get_language() or "", default)


# DATES ---------------------------------------------------------------------------


def long_date(day: dt.date) -> str:
    """A date spelt out: `Tuesday, 4 March 2025`."""
    return date_format(day, _format(LONG_DATE, "l, j F Y"))


def mission_dates(mission: Mission) -> str:
    """The mission's local dates: `Tuesday, 4 March 2025 – Thursday, 6 March 2025`."""
    if mission.start_date == mission.end_date:
        return long_date(mission.start_date)
    return f"{long_date(mission.start_date)} – {long_date(mission.end_date)}"


def short_date(day: dt.date) -> str:
    """`13 Nov 2025` in English, `13.11.2025` in German: a date in the language's short
    format (staff pages: feasibility warnings, a mission's history)."""
    return date_format(day, "SHORT_DATE_FORMAT")


def short_day(moment: dt.datetime) -> str:
    """`Thu 13 Nov`: the day of a local time, short."""
    return date_format(moment, _format(SHORT_DAY, "D j M"))


# MOMENTS -------------------------------------------------------------------------


def clock(moment: dt.datetime) -> str:
    """`19:00`: the wall-clock time of a local time (the same in every language we ship)."""
    return f"{moment.hour:02}:{moment.minute:02}"


def format_local(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """`13 Nov 2025, 19:00 JST (Asia/Tokyo)`: a moment in a place's zone, with the zone named
    (staff pages, the admin, exports, feasibility warnings)."""
    local = timezone.localtime(moment, tz)
    return f"{date_format(local, 'SHORT_DATETIME_FORMAT')} {local.tzname()} ({tz.key})"


def long_moment(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    """`Tuesday, 4 March 2025, 10:00 GMT`: a moment spelt out in a place's zone (booklets)."""
    local = timezone.localtime(moment, tz)
    return f"{long_date(local.date())}, {clock(local)} {local.tzname()}"


# TIME SPANS ----------------------------------------------------------------------


def time_span(starts: dt.datetime, ends: dt.datetime) -> str:
    """`19:00–21:00` on one day; the end's day named when it is on another. Local times."""
    if starts.date() == ends.date():
        return f"{clock(starts)}–{clock(ends)}"
    return f"{clock(starts)} – {short_day(ends)}, {clock(ends)}"


def zone_names(starts: dt.datetime, ends: dt.datetime) -> str:
    """`CET`, or `CET/CEST` when the clocks change during the item. Local times."""
    first, last = starts.tzname(), ends.tzname()
    return first if first == last else f"{first}/{last}"


def time_span_with_zone(starts: dt.datetime, ends: dt.datetime) -> str:
    """`19:00–21:00 JST`: `time_span` and `zone_names` in one text (booklets)."""
    return f"{time_span(starts, ends)} {zone_names(starts, ends)}"


def day_span(starts_at: dt.datetime, ends_at: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """`Thu 13 Nov, 10:00–10:20 JST (Asia/Tokyo)`: a short span in `zone` on its day, the
    zone named (the slots a participant picks a meeting's from)."""
    starts, ends = timezone.localtime(starts_at, zone), timezone.localtime(ends_at, zone)
    return f"{short_day(starts)}, {time_span_with_zone(starts, ends)} ({zone.key})"


def home_time(starts: dt.datetime, ends: dt.datetime, home: zoneinfo.ZoneInfo | None) -> str:
    """The item's time on the clocks at home (`11:00–13:00 CET`), or "" when they read as
    at the place (or no home zone is known)."""
    if home is None:
        return ""
    home_starts, home_ends = starts.astimezone(home), ends.astimezone(home)
    if home_starts.utcoffset() == starts.utcoffset() and home_ends.utcoffset() == ends.utcoffset():
        return ""
    text = time_span(home_starts, home_ends)
    if home_starts.date() != starts.date():
        text = f"{short_day(home_starts)}, {text}"
    return f"{text} {zone_names(home_starts, home_ends)}"


def item_period(item: ItineraryItem) -> str:
    """`Tue 4 Mar 2025, 10:00–11:30 GMT (Europe/London)`: when an item happens, in its
    zone, with the weekday (the invitation, the answer page)."""
    zone = item.time_zone
    start = timezone.localtime(item.starts_at, zone)
    end = timezone.localtime(item.ends_at, zone)
    day_and_time = _format(DAY_AND_TIME, "D j M Y, H:i")
    if start.date() != end.date():
        return (
            f"{date_format(start, day_and_time)} {start.tzname()} – "
            f"{date_format(end, day_and_time)} {end.tzname()} ({zone.key})"
        )
    if start.tzname() != end.tzname():  # the clocks change during the item
        return (
            f"{date_format(start, day_and_time)} {start.tzname()} – "
            f"{date_format(end, 'H:i')} {end.tzname()} ({zone.key})"
        )
    until = date_format(end, "H:i")
    return f"{date_format(start, day_and_time)}–{until} {end.tzname()} ({zone.key})"


def local_span(starts_at: dt.datetime, ends_at: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """`4 Mar 2025, 10:00–11:30 GMT (Europe/London)`, or both ends in full across days:
    times in `zone`, without the weekday (reminders and itinerary notices, which also
    give an old version of an item its own zone)."""
    start, end = timezone.localtime(starts_at, zone), timezone.localtime(ends_at, zone)
    if start.date() != end.date():
        return f"{format_local(starts_at, zone)} – {format_local(ends_at, zone)}"
    times = f"{date_format(start, 'SHORT_DATETIME_FORMAT')}–{date_format(end, 'H:i')}"
    return f"{times} {end.tzname()} ({zone.key})"


# PLACES --------------------------------------------------------------------------


def venue_place(*, name: str, address: str, city: str) -> str:
    """`STEAMHouse, Belmont Row, Birmingham`: a venue with its address, the city added
    when the address does not name it."""
    parts = [name, address]
    if city.casefold() not in address.casefold():
        parts.append(city)
    return ", ".join(part for part in parts if part)


def item_place(item: ItineraryItem) -> str:
    """Where to go: the venue with its address, else the meeting point, else "Online"
    (the invitation, the answer page, calendar events)."""
    if item.venue_id:
        venue = item.venue
        return venue_place(name=venue.name, address=venue.address, city=venue.city)
    if item.meeting_point:
        return item.meeting_point
    if item.online_link:
        return _("Online")
    return ""


def item_place_short(item: ItineraryItem) -> str:
    """`STEAMHouse, Birmingham`: the venue and its city only, else the meeting point, else
    "Online" (the itinerary lines of reminders and notices)."""
    if item.venue_id:
        return f"{item.venue.name}, {item.venue.city}"
    return item.meeting_point or (_("Online") if item.online_link else "")


def address_line(*, address: str, city: str, country: str) -> str:
    """`Belmont Row, Birmingham, United Kingdom`: an address for readers from abroad, the
    city added when the address does not name it, the country by name (booklets)."""
    parts = [address]
    if city and city.casefold() not in address.casefold():
        parts.append(city)
    parts.append(str(countries.name(country)))
    return ", ".join(part for part in parts if part)


def coordinates(latitude, longitude) -> str:
    """`52.482500, -1.886300`, or "" without both."""
    if latitude is None or longitude is None:
        return ""
    return f"{latitude:f}, {longitude:f}"


def map_url(*, latitude, longitude, address: str, city: str) -> str:
    """OpenStreetMap at the venue's coordinates; a search for its address without them."""
    if latitude is not None and longitude is not None:
        lat, lon = f"{latitude:f}", f"{longitude:f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
    query = ", ".join(part for part in (address, city) if part)
    return "https://www.openstreetmap.org/search?" + urlencode({"query": query})


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


def clean_header_text(value: str) -> str:
    """A display name safe for a header: CR, LF and other control characters become spaces."""
    return CONTROL_CHARACTERS.sub(" ", value).strip()


def today_at(mission: Mission) -> dt.date:
    """Today's date where the mission takes place."""
    return timezone.localdate(timezone=mission.time_zone)


# PEOPLE --------------------------------------------------------------------------


def user_name(user) -> str:
    """How a staff account is named to others: its full name, else its e-mail address,
    else (an account with neither) its username. Never the username beside an address:
    `planner <planner@example.org>` reads as a mistake."""
    return user.get_full_name() or user.email or user.get_username()


def moment_here(moment: dt.datetime, *, long: bool = False) -> str:
    """`4 Dec 2026, 19:00 GMT` (`4. Dezember 2026, 19:00 MEZ` with `long`, in German): a
    moment in the active time zone (a page's `timezone.override`), with its abbreviation."""
    local = timezone.localtime(moment)
    named = "DATETIME_FORMAT" if long else "SHORT_DATETIME_FORMAT"
    return f"{date_format(local, named)} {local.tzname()}"


# A language as a profile keeps it: a two- or three-letter code (en, de, yue).
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def language_name(code: str) -> str:
    """`German` for `de`: a language by its name in the active language (Django's list of
    languages); a code it does not know stays as it is."""
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def language_names(codes: list[str]) -> str:
    """`German, English` for `["de", "en"]` (`language_name` of each)."""
    return ", ".join(language_name(code) for code in codes)


@functools.cache
def _codes_by_name() -> dict[str, str]:
    """Each language of Django's list with a two- or three-letter code, by its names
    casefolded: in English, in itself and in each language the site speaks."""
    names = {}
    for code, _name in global_settings.LANGUAGES:
        if not LANGUAGE_CODE.match(code):
            continue  # a variant (pt-br, zh-hans): a profile lists languages, not variants
        info = translation.get_language_info(code)
        names[info["name"].casefold()] = names[info["name_local"].casefold()] = code
        for site_language, _site_name in settings.LANGUAGES:
            with translation.override(site_language):
                names[str(translation.gettext(info["name"])).casefold()] = code
    return names


def language_codes(text: str) -> list[str]:
    """The codes of the languages `text` lists, separated by commas or semicolons, each as
    a code (`en`, `yue`) or by its name in English, in itself or in a language the site
    speaks (`English`, `Deutsch`, `Englisch`); each once, in the order given.

    ValueError with the entries it does not know as its argument.
    """
    codes, unknown = [], []
    for entry in (entry.strip() for entry in re.split(r"[,;]", text)):
        if not entry:
            continue
        code = entry.lower() if LANGUAGE_CODE.match(entry.lower()) else None
        code = code or _codes_by_name().get(entry.casefold())
        if code is None:
            unknown.append(entry)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise ValueError(unknown)
    return codes
