"""The participants page in a real browser: on a phone each participant is a card that
leaves out what is not known (no arrival, no needs), on a desktop a table whose columns
say "–" for it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from tests.browser.conftest import new_context
from tests.factories import LONDON, MembershipFactory, MissionFactory, ParticipantFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize(("viewport", "blank_shown"), [(390, False), (1280, True)])
def test_a_participant_s_card_leaves_out_what_is_not_known_on_a_phone(
    browser: Browser, live_server, csp_violations, viewport, blank_shown
):
    membership = MembershipFactory(user__username="fiona")
    start = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(
        lead_organisation=membership.organisation,
        time_zone=LONDON,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )
    travelling = ParticipantFactory(
        mission=mission,
        person__full_name="Ines Dietrich",
        arrival_at=dt.datetime.combine(start, dt.time(9, 40), LONDON),
        dietary_requirements="Vegetarian",
    )
    unknown = ParticipantFactory(mission=mission, person__full_name="Tom Baker")
    context = new_context(
        browser,
        csp_violations,
        base_url=live_server.url,
        viewport={"width": viewport, "height": 900},
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    page.goto(f"/plan/missions/{mission.pk}/participants/")

    known_row = page.locator(f"#participant-{travelling.pk}")
    blank_row = page.locator(f"#participant-{unknown.pk}")
    expect(known_row.locator("td[data-label^=Arrival]")).to_contain_text("09:40")
    expect(known_row.locator("td[data-label=Needs]")).to_contain_text("Vegetarian")
    for label in ("^=Arrival", "^=Departure", "=Needs"):
        cell = blank_row.locator(f"td[data-label{label}]")
        if blank_shown:
            expect(cell).to_be_visible()
        else:
            expect(cell).to_be_hidden()
    expect(known_row.locator("td[data-label^=Departure]")).to_be_visible(visible=blank_shown)
    # The delivery column has come in (nothing to poll for): no request of the page is
    # still at the server when the test's database is emptied.
    expect(page.locator("#delivery-poll")).to_have_attribute("data-pending", "false")
    context.close()
