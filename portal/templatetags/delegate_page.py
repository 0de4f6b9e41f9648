"""The long lists of the delegate's page (`/d/<token>/`), rendered in Python.

The page must be cheap to serve whatever the size of the mission (bench/delegate_page.py
measures it): 60 items and 300 names cost tens of milliseconds through the template
language, and still several through `format_html`. So the markup of each item and name
is written here as plain strings, every value escaped with `html.escape` (what Django's
`escape` does, without its lazy-string checks); labels are translated once per page.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, pgettext

from portal.selectors import Change, Contact, DelegateItinerary, Moment, PageItem

register = template.Library()


def _labels() -> dict[str, str]:
    """The page's labels in the active language, escaped."""
    labels = {
        Moment.NOW: gettext("Now"),
        Moment.NEXT: pgettext("the item to go to next", "Next"),
        Change.NEW: gettext("New since your last visit"),
        Change.CHANGED: gettext("Changed since your last visit"),
        "cancelled": gettext("Cancelled"),
        "map": gettext("Map"),
        "meeting_point": gettext("Meeting point:"),
        "online": gettext("Join online"),
        "host": gettext("Host:"),
        "website": gettext("Website"),
        "organisers": gettext("Organisers:"),
    }
    return {key: escape(label) for key, label in labels.items()}


def _contact_line(contact: Contact | None, labels: dict[str, str]) -> str:
    if contact is None:
        return ""
    if contact.phone:
        link = f'<a href="tel:{escape(contact.tel)}">{escape(contact.phone)}</a>'
    else:
        email = escape(contact.email)
        link = f'<a href="mailto:{email}">{email}</a>'
    return f'<p class="mb-0 small">{labels["organisers"]} {escape(contact.name)}, {link}</p>'


def _badges(row: PageItem, labels: dict[str, str]) -> str:
    badges = []
    if row.moment:
        badges.append(f'<span class="badge text-bg-primary">{labels[row.moment]}</span>')
    if row.change:
        badges.append(
            f'<span class="badge text-bg-warning" data-testid="change">{labels[row.change]}</span>'
        )
    if row.is_cancelled:
        badges.append(f'<span class="badge text-bg-dark">{labels["cancelled"]}</span>')
    return f'<p class="mb-1">{" ".join(badges)}</p>' if badges else ""


def _lines(text: str) -> str:
    """What the `linebreaksbr` filter gives: escaped, one `<br>` per line break."""
    return escape(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def _item(row: PageItem, labels: dict[str, str], contact_line: str, at_home: str) -> str:
    title = escape(row.title)
    parts = [
        f'<li id="{row.anchor}" class="{row.classes}">',
        _badges(row, labels),
        '<p class="mb-0 delegate-time delegate-struck" data-testid="local-time">'
        f'<time datetime="{row.starts.isoformat()}">{escape(row.time)}</time> '
        f"{escape(row.zone)}</p>",
    ]
    if row.home_time:
        home = escape(at_home % {"time": row.home_time})
        parts.append(f'<p class="mb-0 small" data-testid="home-time">{home}</p>')
    parts.append(
        f'<h4 class="h6 my-1 text-break delegate-struck">{title} '
        f'<span class="fw-normal small">· {escape(row.kind)}</span></h4>'
    )
    if row.place:
        parts.append(
            f'<p class="mb-1 small text-break">{escape(row.place)} · '
            f'<a href="{escape(row.map_url)}">{labels["map"]}'
            f'<span class="visually-hidden"> ({escape(row.venue)})</span></a></p>'
        )
    if row.meeting_point:
        parts.append(
            f'<p class="mb-1 small text-break">{labels["meeting_point"]} '
            f"{escape(row.meeting_point)}</p>"
        )
    if row.online_link:
        parts.append(
            f'<p class="mb-1 small"><a href="{escape(row.online_link)}" '
            f'rel="noopener noreferrer">{labels["online"]}'
            f'<span class="visually-hidden"> ({title})</span></a></p>'
        )
    if row.description:
        parts.append(f'<div class="small text-break">{_lines(row.description)}</div>')
    if row.host:
        host = row.host
        name = escape(host.name)
        website = (
            f' · <a href="{escape(host.website)}" rel="noopener noreferrer">'
            f'{labels["website"]}<span class="visually-hidden"> ({name})</span></a>'
            if host.website
            else ""
        )
        profile = f'<p class="mb-1 text-break">{escape(host.summary)}</p>' if host.summary else ""
        parts.append(
            f'<details class="small mt-1"><summary>{labels["host"]} {name}</summary>'
            f'<p class="mb-1">{escape(host.kind)}, {escape(host.city)}{website}</p>'
            f"{profile}</details>"
        )
    parts.append(contact_line)
    parts.append("</li>")
    return "\n".join(part for part in parts if part)


@register.simple_tag
def delegate_days(itinerary: DelegateItinerary) -> SafeString:
    """The programme day by day: a heading per day, then its items."""
    labels = _labels()
    contact_line = _contact_line(itinerary.on_site_contact, labels)
    # Translators: the item's time on the clocks at the delegate's home.
    at_home = gettext("%(time)s at home")
    days = []
    for day in itinerary.days:
        items = "\n".join(_item(row, labels, contact_line, at_home) for row in day.items)
        days.append(
            f'<h3 class="h5 delegate-day" id="day-{day.day.isoformat()}">{escape(day.label)}</h3>'
            f'\n<ol class="list-unstyled mb-3">\n{items}\n</ol>'
        )
    return mark_safe("\n".join(days))  # noqa: S308  (every value above is escaped)


@register.simple_tag
def delegate_others(itinerary: DelegateItinerary) -> SafeString:
    """Who else is coming, one name a line."""
    return mark_safe("".join(f"<li>{escape(line)}</li>" for line in itinerary.others))  # noqa: S308  (escaped)
