"""The admin's autocompletes (select2) in a real browser: as the page opens, with a list
open (inside the page's main landmark) and in a row added to an inline, axe-core finds no
problem of any impact and the Content-Security-Policy nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, expect

from tests.browser.conftest import accessibility_problems, new_context
from tests.factories import (
    ItineraryItemFactory,
    MissionFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_autocompletes_pass_axe_closed_open_and_in_an_added_row(
    browser: Browser, live_server, csp_violations
):
    partner = OrganisationFactory(name="Industrie- und Handelskammer zu Leipzig")
    mission = MissionFactory(partners=[partner])
    ItineraryItemFactory(mission=mission, venue=VenueFactory(name="Baumwollspinnerei"))
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    context = new_context(browser, csp_violations, base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            },
            {"name": "django_language", "value": "de", "url": live_server.url},
        ]
    )
    page = context.new_page()
    page.goto(reverse("admin:missions_mission_change", args=[mission.pk]))
    problems = accessibility_problems(page, "closed")

    # The partners' list opens with its search input, both named as the field.
    page.locator("#id_partners + .select2 .select2-search__field").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    expect(page.get_by_role("searchbox", name="Partnerorganisationen")).to_be_visible()
    problems += accessibility_problems(page, "partners open")
    page.keyboard.press("Escape")

    # A venue's list opens from an item's row, with a search input of its own.
    page.locator("#id_items-0-venue + .select2 .select2-selection").click()
    expect(page.get_by_role("searchbox", name="Veranstaltungsort, Zeile 1")).to_be_visible()
    expect(page.locator("main .select2-dropdown")).to_be_visible()
    problems += accessibility_problems(page, "venue open")
    page.keyboard.press("Escape")

    # A row added to the itinerary: its autocompletes are drawn then, and named too.
    page.locator("#items-group .add-row a").click()
    expect(page.locator("#id_items-1-venue + .select2")).to_be_visible()
    problems += accessibility_problems(page, "row added")
    context.close()
    assert problems == [], "\n".join(problems)
