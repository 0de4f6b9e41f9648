"""An organisation's administrator exports a list, then reads it in the audit log, in
a real browser; axe-core finds no accessibility problem there, on a desktop or a phone."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from missions.enums import RsvpStatus
from organisations.enums import MembershipRole
from tests.factories import MembershipFactory, MissionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def test_administrator_reads_the_export_in_the_audit_log(page: Page, artifacts):
    mission = MissionFactory(title="Leipzig creative industries trade mission")
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    MissionFactory(title="Second mission", lead_organisation=mission.lead_organisation)
    MembershipFactory(
        organisation=mission.lead_organisation,
        role=MembershipRole.ADMIN,
        user__username="amira",
        user__is_staff=True,  # the top bar also links to the admin
    )
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("amira")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.request.get(f"/plan/missions/{mission.pk}/dietary.csv")  # the browser's session

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Mission").select_option(label=mission.title)
    page.get_by_role("button", name="Filter").click()

    row = page.get_by_test_id("audit-entry")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("dietary.csv")
    expect(row).to_contain_text("amira")
    for width in (1280, 390):  # on a phone the table scrolls sideways, by keyboard too
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=artifacts / f"audit-log-{width}.png", full_page=True)
        violations = Axe().run(page).response["violations"]
        assert [(v["id"], v["impact"]) for v in violations] == [], width
    page.get_by_role("button", name="DE").click()  # longer words: the top bar wraps
    expect(page.get_by_role("heading", name="Audit-Protokoll")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
