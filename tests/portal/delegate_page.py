"""Reading the delegate's page back, and the items its tests put on it (test_delegate*)."""

import datetime as dt
import zoneinfo
from urllib.parse import urljoin

from django.urls import reverse
from django.utils import timezone

from missions.models import ItineraryItem
from tests.factories import ItineraryItemFactory
from tests.html_elements import Element, elements

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

# PAGE PARSING --------------------------------------------------------------------------------


def _elements(response, tag: str | None = None, **attrs: str) -> list[Element]:
    return [
        element
        for element in elements(response.content.decode())
        if (tag is None or element.tag == tag)
        and all(element.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
    ]


def _texts(response, tag: str | None = None, **attrs: str) -> list[str]:
    return [element.text for element in _elements(response, tag, **attrs)]


def _links(response, address: str) -> dict[str, str]:
    """The page's links by their text, as a browser at `address` resolves them."""
    return {
        element.text: urljoin(address, element.attrs["href"])
        for element in _elements(response, "a")
        if element.attrs.get("href")
    }


def _items(response) -> dict[str, Element]:
    """The page's items by title."""
    titles = {element.attrs.get("id"): element for element in _elements(response, "li")}
    return {
        ItineraryItem.objects.get(pk=int(key.removeprefix("item-"))).title: element
        for key, element in titles.items()
        if key and key.startswith("item-")
    }


def _item_texts(response, title: str, testid: str) -> list[str]:
    """The texts of the `data-testid` elements inside one item."""
    item = _items(response)[title]
    page = elements(response.content.decode())
    start = page.index(item)
    inside = []
    for element in page[start + 1 :]:
        if element.tag == "li" and (element.attrs.get("id") or "").startswith("item-"):
            break
        if element.attrs.get("data-testid") == testid:
            inside.append(element.text)
    return inside


def _others(response) -> list[str]:
    """The lines under "Who else is coming"."""
    inside, found = [], False
    for element in elements(response.content.decode()):
        if element.attrs.get("data-testid") == "others":
            found = True
            continue
        if found and element.tag == "li":
            inside.append(element.text)
        elif found and element.tag != "li":
            break
    return inside


# DATA ----------------------------------------------------------------------------------------


def _url(token: str, name: str = "delegate:page") -> str:
    return reverse(name, kwargs={"token": token})


def _november() -> dt.date:
    """13 November next year: Tokyo is on JST, Leipzig on CET (winter time)."""
    return dt.date(timezone.localdate().year + 1, 11, 13)


def _at(day: dt.date, hour: int, minute: int = 0, zone: zoneinfo.ZoneInfo = TOKYO):
    return dt.datetime.combine(day, dt.time(hour, minute), zone)


def _item(mission, *, title: str, starts: dt.datetime, hours: float = 2, **kwargs):
    return ItineraryItemFactory(
        mission=mission,
        title=title,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        **kwargs,
    )
