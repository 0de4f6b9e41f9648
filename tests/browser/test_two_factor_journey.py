"""A planner whose council requires two-factor sign-in, in a real browser: the password,
then enrolling an authenticator app from the page, then signing in with a code; axe-core
finds no problem on the pages of the second factor."""

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from organisations.enums import OrganisationKind
from tests.browser.conftest import accessibility_problems
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery staple"


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key as typed in from the page."""
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_planner_enrols_an_app_then_signs_in_with_a_code(page: Page, artifacts):
    council = OrganisationFactory(
        name="Birmingham City Council",
        kind=OrganisationKind.CITY_COUNCIL,
        two_factor_required=True,
    )
    MembershipFactory(organisation=council, user__username="fiona")
    problems = []

    # The password alone leads to enrolment: a QR code and the key as text.
    _sign_in(page)
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code of the key for your authenticator app")
    ).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text()
    problems += accessibility_problems(page, "enrolment")
    page.screenshot(path=artifacts / "two-factor-1-enrol.png", full_page=True)

    # A wrong first code: the error next to the field.
    wrong = f"{(int(_code(secret)) + 1) % 1_000_000:06d}"
    page.get_by_label("First code from the app").fill(wrong)
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("#id_code_error")).to_contain_text("This code does not match.")
    problems += accessibility_problems(page, "enrolment, wrong code")

    # The right one: backup codes, then the workspace.
    page.get_by_label("First code from the app").fill(_code(secret))
    page.get_by_role("button", name="Confirm and turn on").click()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    problems += accessibility_problems(page, "backup codes")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("link", name="Missions")).to_be_visible()
    assert page.url.endswith("/plan/")

    # Signed out and in again: the code page after the password.
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page)
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()
    problems += accessibility_problems(page, "code page")
    page.screenshot(path=artifacts / "two-factor-2-code.png", full_page=True)
    page.get_by_label("Code").fill(_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Missions")).to_be_visible()
    assert page.url.endswith("/plan/")

    assert problems == [], "\n".join(problems)
