"""The itinerary's timetable and the venues' map in a real browser: an organiser drags an
item half an hour later and stretches another, the map shows a marker per venue without
tiles (on the itinerary and the delegate's page), a long warning keeps the list's two
columns, and axe-core and the Content-Security-Policy find nothing on a desktop or a
phone."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from missions.enums import RsvpStatus
from missions.models import ItineraryItem
from missions.tokens import token_issue
from tests.browser.conftest import accessibility_problems, new_context
from tests.factories import (
    LONDON,
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    ParticipantFactory,
    VenueFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}


# A month ahead: the delegate's link works until the mission is over.
FIRST_DAY = dt.date.today() + dt.timedelta(days=30)


def london(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(FIRST_DAY, dt.time(hour, minute), LONDON)


def wall_clock(hour: int, minute: int = 0) -> str:
    return f"{FIRST_DAY.isoformat()}T{hour:02}:{minute:02}"


@pytest.fixture
def mission():
    membership = MembershipFactory(user__username="fiona")
    mission = MissionFactory(
        title="Leipzig creative industries trade mission",
        lead_organisation=membership.organisation,
        time_zone=LONDON,
        start_date=FIRST_DAY,
        end_date=FIRST_DAY + dt.timedelta(days=1),
        travel_buffer_minutes=10,
    )
    chamber = VenueFactory(
        name="Greater Birmingham Chambers of Commerce, Chamber House, conference suite",
        latitude="52.483000",
        longitude="-1.904000",
    )
    steamhouse = VenueFactory(
        name="STEAMHouse, Belmont Row, the innovation centre of Birmingham City University",
        latitude="52.482600",
        longitude="-1.884600",
    )
    ItineraryItemFactory(
        mission=mission,
        title="Round table on creative exports",
        venue=chamber,
        starts_at=london(9),
        ends_at=london(10),
    )
    # Across town with too little time: a long travel-time warning on the list.
    ItineraryItemFactory(
        mission=mission,
        title="Site visit at STEAMHouse",
        venue=steamhouse,
        starts_at=london(10, 5),
        ends_at=london(11),
    )
    return mission


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()


def drag(page: Page, handle, *, dy: float, dx: float = 0) -> None:
    """Press on the middle of `handle`, move by `dx`, `dy` pixels in steps, release."""
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y + dy / 2, steps=5)
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def row_height(page: Page) -> float:
    return page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.tt-day .tt-grid')).gridAutoRows)"
    )


def test_organiser_drags_an_item_half_an_hour_later_and_stretches_another(
    page: Page, mission, artifacts
):
    sign_in(page)
    page.goto(f"/plan/missions/{mission.pk}/itinerary/")
    round_table = ItineraryItem.objects.get(title__startswith="Round table")
    visit = ItineraryItem.objects.get(title__startswith="Site visit")
    block = page.locator(f"[data-testid=tt-block][data-item='{round_table.pk}']")
    expect(block).to_have_attribute("data-starts", wall_clock(9))

    # Two rows of a quarter of an hour down: half an hour later, the same length.
    with page.expect_response(lambda response: "/reschedule/" in response.url):
        drag(page, block.get_by_role("link"), dy=2 * row_height(page))  # by its title
    block = page.locator(f"[data-testid=tt-block][data-item='{round_table.pk}']")
    expect(block).to_have_attribute("data-starts", wall_clock(9, 30))
    round_table.refresh_from_db()
    assert (round_table.starts_at, round_table.ends_at) == (london(9, 30), london(10, 30))
    # Now the round table overlaps the visit: side by side.
    assert "tt-lane-1" in block.get_attribute("class")
    visit_block = page.locator(f"[data-testid=tt-block][data-item='{visit.pk}']")
    assert "tt-lane-2" in visit_block.get_attribute("class")

    # The visit's lower edge three rows down: it ends 45 minutes later.
    with page.expect_response(lambda response: "/reschedule/" in response.url):
        drag(page, visit_block.get_by_test_id("tt-resize"), dy=3 * row_height(page))
    visit_block = page.locator(f"[data-testid=tt-block][data-item='{visit.pk}']")
    expect(visit_block).to_have_attribute("data-ends", wall_clock(11, 45))
    visit.refresh_from_db()
    assert (visit.starts_at, visit.ends_at) == (london(10, 5), london(11, 45))

    # A click without a drag opens the item in the list, and nothing moves.
    block.get_by_role("link").click()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#item-{round_table.pk}")
    round_table.refresh_from_db()
    assert round_table.starts_at == london(9, 30)

    # Across to the next day's column: the same time a day later.
    columns = page.get_by_test_id("tt-day")
    dx = columns.nth(1).bounding_box()["x"] - columns.nth(0).bounding_box()["x"]
    with page.expect_response(lambda response: "/reschedule/" in response.url):
        drag(page, block, dx=dx, dy=0)
    block = page.locator(f"[data-testid=tt-block][data-item='{round_table.pk}']")
    next_day = (FIRST_DAY + dt.timedelta(days=1)).isoformat()
    expect(block).to_have_attribute("data-starts", f"{next_day}T09:30")
    round_table.refresh_from_db()
    assert round_table.starts_at == london(9, 30) + dt.timedelta(days=1)
    page.screenshot(path=artifacts / "timetable-1280.png", full_page=True)


def test_a_move_the_server_refuses_to_take_says_so_and_the_block_goes_back(page: Page, mission):
    sign_in(page)
    page.goto(f"/plan/missions/{mission.pk}/itinerary/")
    round_table = ItineraryItem.objects.get(title__startswith="Round table")
    block = page.locator(f"[data-testid=tt-block][data-item='{round_table.pk}']")
    home = block.bounding_box()
    # The server fails (a 500, or a proxy in between): nothing is saved.
    page.route("**/reschedule/", lambda route: route.fulfill(status=500, body="Server Error"))
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))

    with page.expect_response(lambda response: "/reschedule/" in response.url):
        drag(page, block.get_by_role("link"), dy=2 * row_height(page))

    expect(block).not_to_have_class(re.compile("tt-dragging"))
    assert block.bounding_box()["y"] == home["y"]
    assert dialogs == [
        "That did not go through: the server could not be reached or answered with an "
        "error. Reload the page and try again."
    ]
    round_table.refresh_from_db()
    assert round_table.starts_at == london(9)

    # A button of the list (htmx, too) that fails says the same.
    page.route("**/move/", lambda route: route.fulfill(status=500, body="Server Error"))
    with page.expect_event("dialog"):
        page.locator(f"#item-{round_table.pk}").get_by_role("button", name="+15 min").click()
    assert dialogs[1] == dialogs[0]
    round_table.refresh_from_db()
    assert round_table.starts_at == london(9)


def test_timetable_and_map_fit_and_pass_axe_on_a_desktop_and_a_phone(
    browser: Browser, live_server, mission, csp_violations, artifacts
):
    problems = []
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        context = new_context(browser, csp_violations, base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        sign_in(page)
        page.goto(f"/plan/missions/{mission.pk}/itinerary/")
        expect(page.get_by_test_id("tt-day")).to_have_count(2)
        expect(page.get_by_test_id("tt-journey")).to_have_count(1)
        # A marker per venue, drawn without tiles (the tests set no MAP_TILE_URL).
        expect(page.locator("#venue-map .leaflet-marker-icon")).to_have_count(2)
        assert page.locator("#venue-map .leaflet-tile").count() == 0
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page is {width} px wide"
        if name == "desktop":
            # The long travel-time warning wraps beside the time, not under it.
            row = page.locator(".item-row").filter(has_text="Site visit at STEAMHouse")
            time_box = row.locator(".item-time").bounding_box()
            body_box = row.locator(".item-body").bounding_box()
            assert body_box["x"] > time_box["x"] + time_box["width"]
            assert abs(body_box["y"] - time_box["y"]) < 2
        problems += accessibility_problems(page, name)
        page.screenshot(path=artifacts / f"itinerary-{name}.png", full_page=True)
        # In German too.
        page.locator("button[name=language][value=de]").click()
        expect(page.get_by_role("heading", name="Zeitplan")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}, German: the page is {width} px wide"
        problems += accessibility_problems(page, f"{name}, German")
        page.screenshot(path=artifacts / f"itinerary-{name}-de.png", full_page=True)
        context.close()
    assert problems == [], "\n".join(problems)


def test_delegate_page_shows_the_venues_on_a_map_on_a_desktop_and_a_phone(
    browser: Browser, live_server, mission, csp_violations, artifacts
):
    delegate = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    path = reverse("delegate:page", kwargs={"token": token_issue(participant=delegate)})
    problems = []
    for name, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)):
        context = new_context(browser, csp_violations, base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        page.goto(path)
        expect(page.get_by_test_id("venue-list").locator("li")).to_have_count(2)
        expect(page.locator("#venue-map .leaflet-marker-icon")).to_have_count(2)
        assert page.locator("#venue-map .leaflet-tile").count() == 0
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name}: the page is {width} px wide"
        problems += accessibility_problems(page, f"delegate page, {name}")
        page.screenshot(path=artifacts / f"delegate-map-{name}.png", full_page=True)
        context.close()
    assert problems == [], "\n".join(problems)
