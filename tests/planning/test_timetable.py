"""The itinerary's timetable: days as columns, blocks placed and sized by class, lanes for
overlapping items, journeys between venues; moving and resizing from it; the venues' map."""

import datetime as dt
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from config.settings.base import map_tile_sources
from missions.feasibility import distance_km, travel_minutes
from missions.models import ItineraryItem
from tests.factories import ItineraryItemFactory, MissionFactory, VenueFactory

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mission():
    return MissionFactory(
        title="Leipzig economic delegation to Japan",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=dt.date(2025, 11, 12),
        end_date=dt.date(2025, 11, 14),
        travel_buffer_minutes=10,
    )


def tokyo(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 11, day, hour, minute, tzinfo=TOKYO)


class _Elements(HTMLParser):
    """Every element with a data-testid: (testid, attributes, classes)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict, set[str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if "data-testid" in attributes:
            classes = set((attributes.get("class") or "").split())
            self.found.append((attributes["data-testid"], attributes, classes))


def elements(html: str, testid: str) -> list[tuple[dict, set[str]]]:
    parser = _Elements()
    parser.feed(html)
    return [(attrs, classes) for name, attrs, classes in parser.found if name == testid]


def layout(classes: set[str]) -> set[str]:
    """The classes that place a block on the grid."""
    placing = ("tt-row-", "tt-span-", "tt-lane-", "tt-width-")
    return {name for name in classes if name.startswith(placing)}


def blocks(html: str) -> dict[str, tuple[dict, set[str]]]:
    """The timetable's blocks by item title."""
    items = {str(item.pk): item.title for item in ItineraryItem.objects.all()}
    return {
        items[attrs["data-item"]]: (attrs, classes) for attrs, classes in elements(html, "tt-block")
    }


def test_timetable_has_a_column_per_day_and_blocks_sized_by_duration(client, planner, mission):
    ItineraryItemFactory(
        mission=mission, title="Round table", starts_at=tokyo(13, 10), ends_at=tokyo(13, 11, 30)
    )
    ItineraryItemFactory(
        mission=mission, title="Breakfast", starts_at=tokyo(12, 7), ends_at=tokyo(12, 7, 45)
    )
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()

    days = [attrs["data-day"] for attrs, _ in elements(html, "tt-day")]
    assert days == ["2025-11-12", "2025-11-13", "2025-11-14"]
    placed = blocks(html)
    # The axis starts at 07:00 (the breakfast), a row a quarter of an hour.
    assert layout(placed["Breakfast"][1]) == {"tt-row-1", "tt-span-3", "tt-lane-1", "tt-width-1"}
    assert layout(placed["Round table"][1]) == {"tt-row-13", "tt-span-6", "tt-lane-1", "tt-width-1"}
    assert placed["Round table"][0]["data-starts"] == "2025-11-13T10:00"
    assert placed["Round table"][0]["data-ends"] == "2025-11-13T11:30"
    assert "Times in Asia/Tokyo" in html


def test_timetable_block_at_a_venue_in_another_zone_shows_its_local_time(client, planner, mission):
    shanghai = VenueFactory(name="Expo Centre", time_zone=zoneinfo.ZoneInfo("Asia/Shanghai"))
    ItineraryItemFactory(
        mission=mission, venue=shanghai, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11)
    )
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    [(attrs, classes)] = elements(html, "tt-block")
    assert attrs["data-starts"] == "2025-11-13T10:00"  # on the axis: Tokyo's clock
    assert {"tt-row-9", "tt-span-4"} <= classes
    assert html.count("09:00 in Asia/Shanghai") == 2  # on the timetable and in the list


def test_timetable_item_past_midnight_stops_at_the_bottom_and_says_so(client, planner, mission):
    ItineraryItemFactory(
        mission=mission, title="Night market", starts_at=tokyo(12, 22), ends_at=tokyo(13, 1)
    )
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    [(attrs, classes)] = elements(html, "tt-block")
    # The axis runs from 08:00 to midnight: 22:00 is row 57, two hours are 8 rows.
    assert {"tt-row-57", "tt-span-8"} <= classes
    assert attrs["data-ends"] == "2025-11-13T01:00"
    assert "(next day)" in html


def test_timetable_puts_overlapping_items_side_by_side(client, planner, mission):
    ItineraryItemFactory(
        mission=mission, title="Panel", starts_at=tokyo(13, 10), ends_at=tokyo(13, 11)
    )
    ItineraryItemFactory(
        mission=mission, title="Press talk", starts_at=tokyo(13, 10, 30), ends_at=tokyo(13, 11, 30)
    )
    ItineraryItemFactory(
        mission=mission, title="Lunch", starts_at=tokyo(13, 12), ends_at=tokyo(13, 13)
    )
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()

    placed = blocks(html)
    assert {"tt-lane-1", "tt-width-1"} <= placed["Panel"][1]
    assert {"tt-lane-2", "tt-width-1"} <= placed["Press talk"][1]
    assert {"tt-lane-1", "tt-width-2"} <= placed["Lunch"][1]  # alone: the whole column
    assert 'class="tt-grid tt-lanes-2"' in html


def test_timetable_draws_the_journey_between_consecutive_venues(client, planner, mission):
    shibuya = VenueFactory(
        name="Shibuya Stream", time_zone=TOKYO, latitude="35.657000", longitude="139.702000"
    )
    roppongi = VenueFactory(
        name="Roppongi Hills", time_zone=TOKYO, latitude="35.660500", longitude="139.729300"
    )
    ItineraryItemFactory(
        mission=mission,
        title="Start-up pitches",
        venue=shibuya,
        starts_at=tokyo(13, 10),
        ends_at=tokyo(13, 11),
    )
    ItineraryItemFactory(
        mission=mission,
        title="Mori Art Museum",
        venue=roppongi,
        starts_at=tokyo(13, 11, 30),
        ends_at=tokyo(13, 12, 30),
    )
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()

    [(attrs, classes)] = elements(html, "tt-journey")
    needed = travel_minutes(distance_km(shibuya, roppongi)) + 10
    assert (attrs["data-needed"], attrs["data-available"]) == (str(needed), "30")
    assert {"tt-row-13", "tt-span-2"} <= classes  # from 11:00 to 11:30 on an axis from 08:00
    assert ("tt-tight" in classes) == (needed > 30)
    assert "From Shibuya Stream to Roppongi Hills" in html


def test_timetable_shows_no_journey_at_the_same_venue(client, planner, mission):
    hall = VenueFactory(time_zone=TOKYO)
    for hour in (10, 12):
        ItineraryItemFactory(
            mission=mission, venue=hall, starts_at=tokyo(13, hour), ends_at=tokyo(13, hour + 1)
        )
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    assert elements(html, "tt-journey") == []


def test_timetable_of_a_partner_cannot_be_dragged(client, partner, mission):
    ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    [(attrs, classes)] = elements(html, "tt-block")
    assert ("data-url" in attrs, "tt-draggable" in classes) == (False, False)
    assert elements(html, "tt-resize") == []


def test_item_rescheduled_from_the_timetable_moves_and_resizes(client, planner, mission):
    item = ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    response = client.post(
        reverse("plan:item-reschedule", args=[item.pk]),
        {"starts_at": "2025-11-14T10:30", "ends_at": "2025-11-14T12:00"},
        **HTMX,
    )
    item.refresh_from_db()
    assert response.status_code == 200
    assert (item.starts_at, item.ends_at) == (tokyo(14, 10, 30), tokyo(14, 12))
    assert 'data-starts="2025-11-14T10:30"' in response.content.decode()


def test_item_rescheduled_outside_the_mission_stays_and_says_why(client, planner, mission):
    item = ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    response = client.post(
        reverse("plan:item-reschedule", args=[item.pk]),
        {"starts_at": "2025-11-15T10:00", "ends_at": "2025-11-15T11:00"},
        **HTMX,
    )
    item.refresh_from_db()
    assert item.starts_at == tokyo(13, 10)
    assert "outside the mission" in response.content.decode()


def test_item_rescheduled_to_end_before_it_starts_is_refused(client, planner, mission):
    item = ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    response = client.post(
        reverse("plan:item-reschedule", args=[item.pk]),
        {"starts_at": "2025-11-13T10:00", "ends_at": "2025-11-13T09:00"},
        **HTMX,
    )
    item.refresh_from_db()
    assert item.ends_at == tokyo(13, 11)
    assert "The item must end after it starts." in response.content.decode()


def test_item_rescheduled_without_times_is_refused(client, planner, mission):
    item = ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    response = client.post(
        reverse("plan:item-reschedule", args=[item.pk]), {"starts_at": "soon"}, **HTMX
    )
    item.refresh_from_db()
    assert item.starts_at == tokyo(13, 10)
    assert "give its new start and end" in response.content.decode()


@pytest.mark.parametrize("who", ["partner", "outsider"])
def test_item_rescheduled_by_someone_who_may_not_edit_is_not_found(client, mission, who, request):
    request.getfixturevalue(who)
    item = ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    response = client.post(
        reverse("plan:item-reschedule", args=[item.pk]),
        {"starts_at": "2025-11-13T11:00", "ends_at": "2025-11-13T12:00"},
    )
    item.refresh_from_db()
    assert (response.status_code, item.starts_at) == (404, tokyo(13, 10))


def test_long_warning_stays_beside_the_item_s_time(client, planner, mission):
    ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    # flex-md-nowrap: from 768 px on the text wraps in its column (the browser test measures)
    assert 'class="item-columns d-flex flex-wrap flex-md-nowrap gap-3"' in html


def test_map_lists_the_venues_with_coordinates_once(client, planner, mission):
    hall = VenueFactory(name="Suntory Hall", time_zone=TOKYO)
    VenueFactory(name="Nowhere", latitude=None, longitude=None)
    for hour in (10, 12):
        ItineraryItemFactory(
            mission=mission, venue=hall, starts_at=tokyo(13, hour), ends_at=tokyo(13, hour + 1)
        )
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    [(attrs, _)] = elements(html, "venue-map")
    assert attrs["data-tiles"] == ""  # the tests' settings: markers only
    assert html.count('data-name="Suntory Hall"') == 1
    assert 'data-lat="52.471000" data-lng="-1.929000"' in html


def test_map_is_left_out_without_venues(client, planner, mission):
    ItineraryItemFactory(mission=mission, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11))
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    assert elements(html, "venue-map") == []


def test_map_tiles_are_allowed_from_their_host_only():
    assert map_tile_sources("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == [
        "https://tile.openstreetmap.org"
    ]
    assert map_tile_sources("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == [
        "https://*.tiles.example.org"
    ]
    assert map_tile_sources("") == []


def test_map_tile_host_is_in_the_content_security_policy(client, planner, mission, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"img-src": ["'self'", *map_tile_sources(settings.MAP_TILE_URL)]}
    }
    hall = VenueFactory(time_zone=TOKYO)
    ItineraryItemFactory(
        mission=mission, venue=hall, starts_at=tokyo(13, 10), ends_at=tokyo(13, 11)
    )
    response = client.get(reverse("plan:itinerary", args=[mission.pk]))
    [(attrs, _)] = elements(response.content.decode(), "venue-map")
    assert attrs["data-tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert "img-src 'self' https://tiles.example.org" in response["Content-Security-Policy"]
