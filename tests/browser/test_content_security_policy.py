"""The Content-Security-Policy in a real browser: the admin's journeys report no violation
(the planner's and the delegate's journeys check theirs through the `csp_violations`
fixture), and the collector does see an inline script or style when a page has one."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import new_context
from tests.factories import ItineraryItemFactory, MissionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def test_admin_changelist_change_form_and_history_of_a_mission(page: Page):
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    mission = MissionFactory(title="Leipzig economic delegation to Tokyo")
    ItineraryItemFactory(mission=mission)
    ParticipantFactory(mission=mission)

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/missions/mission/")
    page.get_by_role("link", name=mission.title).click()
    expect(page.locator("#id_title")).to_have_value(mission.title)
    page.locator("#id_lead_organisation").locator("..").locator(".select2-selection").click()
    page.keyboard.press("Escape")
    page.get_by_role("link", name="History").click()
    expect(page.locator("#content")).to_contain_text("Change history")
    page.goto("/admin/django_celery_beat/periodictask/add/")
    expect(page.locator("#id_name")).to_be_visible()


def test_collector_reports_an_inline_script_and_style_and_lets_our_files_run(
    browser: Browser, live_server
):
    """The policy blocks what an injection would add, and the collector sees it; a fragment
    that htmx swaps in may still bring a script file of ours, which runs."""
    violations: list[str] = []
    context = new_context(browser, violations, base_url=live_server.url)
    page = context.new_page()
    # A fragment as a view could answer an htmx request: one of our script files, and an
    # inline script as an injection would bring it.
    page.route(
        "**/fragment/",
        lambda route: route.fulfill(
            content_type="text/html",
            body='<div id="swapped"><script src="/static/probe.js"></script>'
            "<script>document.body.dataset.inline = 'ran'</script></div>",
        ),
    )
    page.route(
        "**/static/probe.js",
        lambda route: route.fulfill(
            content_type="text/javascript", body="document.body.dataset.probe = 'ran';"
        ),
    )
    page.goto("/accounts/login/")
    page.evaluate("htmx.ajax('GET', '/fragment/', {target: 'main', swap: 'innerHTML'})")
    expect(page.locator("#swapped")).to_be_attached()
    expect(page.locator("body")).to_have_attribute("data-probe", "ran")
    page.evaluate("document.querySelector('main').setAttribute('style', 'color: red')")
    blocked = set()
    for _ in range(50):  # the reports arrive through the binding, a moment later
        blocked = {violation.split()[0] for violation in violations}
        if {"script-src-elem", "style-src-attr"} <= blocked:
            break
        page.wait_for_timeout(100)
    inline_ran = page.evaluate("document.body.dataset.inline")
    context.close()

    assert inline_ran is None
    assert {"script-src-elem", "style-src-attr"} <= blocked, violations
