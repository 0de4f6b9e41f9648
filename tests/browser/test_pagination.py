"""A long list's pages, in a real browser: reached with the keyboard alone, in German,
and with no axe-core violation."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import accessibility_problems
from tests.factories import MembershipFactory, MissionFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_directory_pages_are_reached_with_the_keyboard_and_pass_axe(page: Page):
    OrganisationFactory.create_batch(30, city="Leipzig", country="DE")
    MembershipFactory(user__username="fiona")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.locator("nav").get_by_role("button", name="DE").click()
    page.goto("/plan/directory/")

    pages = page.get_by_role("navigation", name="Seiten des Verzeichnisses")
    pages.get_by_role("link", name="Seite 2").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url("/plan/directory/?page=2")
    current = page.get_by_role("navigation", name="Seiten des Verzeichnisses").locator(
        "[aria-current=page]"
    )
    expect(current).to_have_text("Seite 2")
    assert accessibility_problems(page, "directory, page 2") == []


def test_mission_partners_are_found_by_typing_and_earlier_choices_stay(page: Page):
    council = OrganisationFactory(name="Birmingham City Council")
    for number in range(30):
        OrganisationFactory(name=f"Agency {number:02}")
    leipzig = OrganisationFactory(name="Stadt Leipzig", city="Leipzig", country="DE")
    zurich = OrganisationFactory(name="Zurich Tourism", city="Zurich", country="CH")
    mission = MissionFactory(lead_organisation=council, partners=[leipzig])
    MembershipFactory(user__username="fiona", organisation=council)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.goto(f"/plan/missions/{mission.pk}/edit/")

    page.get_by_role("searchbox", name="Search: Partner organisations").fill("zurich")
    partners = page.get_by_label("Partner organisations", exact=True)
    expect(partners.locator("option")).to_have_text(
        ["Stadt Leipzig, Leipzig", "Zurich Tourism, Zurich"]
    )
    partners.select_option([str(leipzig.pk), str(zurich.pk)])
    page.get_by_role("button", name="Save changes").click()

    expect(page).to_have_url(f"/plan/missions/{mission.pk}/")
    assert set(mission.partners.all()) == {leipzig, zurich}
    assert accessibility_problems(page, "mission overview") == []
