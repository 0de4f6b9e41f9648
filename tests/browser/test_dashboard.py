"""The planner's dashboard in a real browser, on a phone and a desktop, in English and
German: what needs doing and the timeline fit the screen, no title breaks inside a word,
and axe-core finds no accessibility problem."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from messaging.enums import MessageState
from missions.enums import ItemKind, MissionStatus, RsvpStatus
from tests.factories import (
    LONDON,
    FollowUpActionFactory,
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"

# Words of the dashboard's titles and links that are drawn on two lines: a word broken
# inside ("Birmingha" / "m") has client rectangles on two different lines.
BROKEN_WORDS = """
() => {
  const broken = [];
  const boxes = document.querySelectorAll(
    "#needs-doing .dashboard-title, #upcoming-missions td, #timeline th"
  );
  for (const box of boxes) {
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[\\p{L}\\p{N}]+/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""


def busy_day(organisation) -> None:
    """A mission under way with one of everything that needs doing, and others around it."""
    today = timezone.localdate(timezone=LONDON)
    mission = MissionFactory(
        title="Birmingham creative industries delegation to Leipzig",
        lead_organisation=organisation,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=1),
        rsvp_deadline=today + dt.timedelta(days=1),
    )
    now = timezone.now()
    item = ItineraryItemFactory(
        mission=mission,
        kind=ItemKind.SITE_VISIT,
        title="Visit to the Spinnerei",
        venue=VenueFactory(name="Spinnerei", city="Leipzig"),
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
    )
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    participant.items.add(item)
    OutgoingMessageFactory(participant=participant, state=MessageState.FAILED)
    FollowUpActionFactory(
        mission=mission,
        organisation=OrganisationFactory(name="Leipziger Messe"),
        due_date=today - dt.timedelta(days=2),
    )
    for months, title, status in [
        (-4, "Birmingham–Shanghai sister-city exchange", MissionStatus.COMPLETED),
        (2, "Birmingham Commonwealth Games legacy visit", MissionStatus.CONFIRMED),
        (5, "Leipzig book fair", MissionStatus.CANCELLED),
    ]:
        start = today + dt.timedelta(days=30 * months)
        MissionFactory(
            title=title,
            lead_organisation=organisation,
            status=status,
            start_date=start,
            end_date=start + dt.timedelta(days=4),
        )


@pytest.mark.parametrize("language", ["en", "de"])
def test_dashboard_fits_phone_and_desktop_without_broken_words(page: Page, artifacts, language):
    council = OrganisationFactory(name="Birmingham City Council")
    MembershipFactory(organisation=council, user__username="fiona")
    busy_day(council)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    if language == "de":
        page.get_by_role("button", name="DE").click()
    heading = {"en": "What needs doing", "de": "Was zu tun ist"}[language]
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_test_id("under-way")).to_contain_text("Visit to the Spinnerei")
    expect(page.get_by_test_id("timeline-bar")).to_have_count(4)

    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.get_by_test_id("timeline-table").locator("summary").click()
        expect(page.get_by_test_id("timeline-table").locator("table")).to_be_visible()
        page.screenshot(path=artifacts / f"dashboard-{language}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert page.evaluate(BROKEN_WORDS) == [], width
        violations = Axe().run(page).response["violations"]
        assert [(v["id"], v["impact"]) for v in violations] == [], width
        page.get_by_test_id("timeline-table").locator("summary").click()  # closed again
