"""A planner's day, in a real browser: from an empty dashboard to a checked itinerary
with its delegates, as in the Leipzig creative mission to Birmingham."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from missions.models import Mission
from organisations.enums import OrganisationKind
from tests.dates import year_like_2025
from tests.factories import LONDON, MembershipFactory, OrganisationFactory, VenueFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
# A coming year with 2025's weekdays: the mission has not ended, so invitations can go out.
YEAR = year_like_2025()


@pytest.fixture
def planner():
    council = OrganisationFactory(
        name="Birmingham City Council", kind=OrganisationKind.CITY_COUNCIL
    )
    chamber = OrganisationFactory(
        name="Greater Birmingham Chambers of Commerce", kind=OrganisationKind.CHAMBER
    )
    VenueFactory(
        name="Chamber House",
        organisation=chamber,
        time_zone=LONDON,
        latitude="52.483000",
        longitude="-1.904000",
    )
    VenueFactory(
        name="STEAMHouse",
        organisation=OrganisationFactory(name="STEAMHouse"),
        time_zone=LONDON,
        latitude="52.482600",
        longitude="-1.884600",
    )
    return MembershipFactory(organisation=council, user__username="fiona").user


def participants_csv() -> bytes:
    rows = [["full_name", "email", "organisation", "role", "dietary_requirements"]]
    rows += [
        [f"Leipzig creative {n}", f"creative{n}@example.org", "", "delegate", ""]
        for n in range(1, 10)
    ]
    rows.append(["Ines Dietrich", "ines.dietrich@example.org", "", "lead", "vegetarian"])
    rows.append(["No Address", "not-an-email", "", "delegate", ""])
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def add_item(page: Page, day: str, *, kind: str, title: str, start: str, end: str, venue: str):
    page.locator(f"#day-{day}").get_by_role("link", name="Add item").click()
    form = page.locator("#item-form-new")
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Title").fill(title)
    form.locator("input[name=starts_at_1]").fill(start)
    form.locator("input[name=ends_at_1]").fill(end)
    form.locator("select[name=venue]").select_option(label=venue)
    form.locator("select[name=host]").select_option(index=1)
    form.get_by_role("button", name="Save item").click()
    expect(page.locator("#itinerary").get_by_test_id("item").get_by_text(title)).to_be_visible()


def test_planner_builds_a_checked_mission_with_its_delegates(page: Page, planner, artifacts):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    # An empty dashboard says what to do first.
    page.get_by_role("link", name="Create your first mission").click()
    page.get_by_label("Title").fill("Leipzig creative industries trade mission")
    page.get_by_label("Kind").select_option(label="Inbound delegation")
    page.get_by_label("Destination city").fill("Birmingham")
    page.get_by_label("Destination country").select_option(label="United Kingdom")
    page.get_by_label("Time zone of the destination").select_option("Europe/London")
    page.get_by_label("First day").fill(f"{YEAR}-03-11")
    page.get_by_label("Last day").fill(f"{YEAR}-03-12")
    page.locator("main form").get_by_role("button", name=re.compile("Create|Save")).click()
    mission = Mission.objects.get()
    expect(page.get_by_role("heading", name=mission.title)).to_be_visible()

    # A two-day itinerary: a round table, then a site visit across town too soon after.
    page.locator(".nav-tabs").get_by_role("link", name="Itinerary").click()
    add_item(
        page,
        f"{YEAR}-03-11",
        kind="Round table",
        title="Round table on creative industries",
        start="09:30",
        end="11:00",
        venue="Chamber House, Birmingham",
    )
    add_item(
        page,
        f"{YEAR}-03-11",
        kind="Site visit",
        title="STEAMHouse tour",
        start="11:10",
        end="12:30",
        venue="STEAMHouse, Birmingham",
    )
    add_item(
        page,
        f"{YEAR}-03-12",
        kind="Briefing",
        title="Farewell briefing",
        start="10:00",
        end="11:00",
        venue="Chamber House, Birmingham",
    )
    warning = page.locator("[data-rule=travel_time]")
    expect(warning).to_contain_text("Getting from Chamber House to STEAMHouse takes")

    # The planner fixes it by starting the visit later.
    page.locator("[data-testid=item]", has_text="STEAMHouse tour").get_by_role(
        "link", name="Edit"
    ).click()
    page.locator("input[name=starts_at_1]").fill("11:45")
    page.get_by_role("button", name="Save item").click()
    expect(page.locator("[data-rule=travel_time]")).to_have_count(0)
    expect(page.get_by_test_id("open-warnings")).to_have_text("No open warnings")
    page.screenshot(path=artifacts / "builder-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts / "builder-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Ten delegates from a CSV; the one bad row is rejected with its reason.
    page.locator(".nav-tabs").get_by_role("link", name="Participants").click()
    page.get_by_role("link", name="Import from CSV or Excel").click()
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "delegates.csv", "mimeType": "text/csv", "buffer": participants_csv()}]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-summary")).to_have_text("10 rows ready, 1 row with errors")
    expect(page.locator("tr", has_text="not-an-email")).to_contain_text(
        "The e-mail address is not valid."
    )
    page.get_by_role("button", name="Import 10 participants").click()
    expect(page.get_by_text("Ines Dietrich")).to_be_visible()
    assert mission.participants.count() == 10

    # The caterers' list.
    with page.expect_download() as download:
        page.get_by_role("link", name="Dietary and accessibility (CSV)").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert "Ines Dietrich" in content
    assert "vegetarian" in content
    assert "Leipzig creative 1" not in content

    # The invitation as each language's recipients would get it, before anything is sent.
    page.get_by_role("link", name="Send invitations").click()
    page.locator("main form").get_by_role("button", name="Preview the selected").first.click()
    expect(page.locator("#invitation-summary")).to_contain_text("10 recipients selected.")
    expect(
        page.frame_locator("#preview-en iframe").get_by_text(mission.title).first
    ).to_be_visible()
