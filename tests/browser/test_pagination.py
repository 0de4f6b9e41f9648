"""A long list's pages, in a real browser: reached with the keyboard alone, in German,
and with no serious axe-core violation."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_delegate_journey import accessibility_problems
from tests.factories import MembershipFactory, OrganisationFactory

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
