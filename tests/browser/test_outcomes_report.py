"""A planner reads the outcomes report in a real browser, on a phone and a desktop, in
English and German: every chart loads beside its table, axe-core finds no problem, no
Content-Security-Policy violation, nothing wider than the screen; the printable report too."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from missions.enums import MissionKind, RsvpStatus
from outcomes.enums import OutcomeKind, OutcomeStatus
from tests.factories import (
    ExchangeRateFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    ItemRatingFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
    SectorFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The live server's threads share the in-memory SQLite connection, and the report's
    # charts, asked for at once, wait on each other for ever there.
    pytest.mark.postgresql(reason="the report's charts load in parallel"),
]

PASSWORD = "correct horse battery staple"
HEADINGS = {"en": "Outcomes report", "de": "Ergebnisbericht"}
CHARTS = 7  # planning.views.reports.CHARTS


def _world() -> None:
    council = OrganisationFactory(name="Birmingham City Council", city="Birmingham")
    leipzig = OrganisationFactory(name="Stadt Leipzig", city="Leipzig", country="DE")
    sector = SectorFactory(name="Creative industries", name_de="Kreativwirtschaft")
    ExchangeRateFactory(year=2024, currency="EUR", rate="0.85")
    for year, kind in ((2017, MissionKind.INBOUND), (2024, MissionKind.OUTBOUND)):
        mission = MissionFactory(
            title=f"Birmingham and Leipzig, creative industries {year}",
            lead_organisation=council,
            partners=[leipzig],
            kind=kind,
            destination_city="Leipzig" if kind == MissionKind.OUTBOUND else "Birmingham",
            start_date=dt.date(year, 11, 7),
            end_date=dt.date(year, 11, 9),
        )
        mission.sectors.set([sector])
        yes = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
        ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.DECLINED)
        feedback = FeedbackFactory(participant=yes, rating=4)
        ItemRatingFactory(feedback=feedback, item__title="STEAMHouse tour", rating=5)
        ItemRatingFactory(feedback=feedback, item__title="Leipzig Opera Ball", rating=3)
        for kind_ in OutcomeKind.FUNNEL:
            OutcomeFactory(mission=mission, kind=kind_)
        OutcomeFactory(
            mission=mission, kind=OutcomeKind.DEAL, value=Decimal("25000"), currency="EUR"
        )
        OutcomeFactory(
            mission=mission,
            kind=OutcomeKind.INVESTMENT,
            status=OutcomeStatus.EXPECTED,
            value=Decimal("40000"),
            currency="USD",  # no rate: a gap on the page
        )
    MembershipFactory(organisation=council, user__username="fiona")


def _sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()


def _charts_loaded(page: Page) -> None:
    images = page.locator("main img")
    expect(images).to_have_count(CHARTS)
    for index in range(CHARTS):
        expect(images.nth(index)).to_have_js_property("complete", True)
    loaded = images.evaluate_all("all => all.map(i => [i.alt.length > 9, i.naturalWidth > 0])")
    assert loaded == [[True, True]] * CHARTS


def _check(page: Page, artifacts, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _charts_loaded(page)
    page.screenshot(path=artifacts / f"{name}-{width}.png", full_page=True)
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations] == [], (name, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
    filters = page.get_by_role("form", name=re.compile("Filters|Filter"))
    if filters.count():  # the filter's two buttons side by side, below the fields
        filter_button, clear = filters.get_by_role("button"), filters.get_by_role("link")
        assert filter_button.bounding_box()["y"] == clear.bounding_box()["y"], (name, width)


def test_planner_reads_the_outcomes_report_in_both_languages(page: Page, artifacts):
    _world()
    _sign_in(page)
    page.get_by_role("link", name="Outcomes report").click()

    for language in ("en", "de"):
        if language == "de":
            page.get_by_role("button", name="DE").click()
        expect(page.get_by_role("heading", name=HEADINGS[language], level=1)).to_be_visible()
        expect(page.get_by_test_id("gap")).to_have_count(3)  # EUR 2017, USD 2017 and 2024
        expect(page.locator("#table-item-ratings tbody tr")).to_have_count(4)  # two a mission
        for width in (1280, 390):
            _check(page, artifacts, f"outcomes-report-{language}", width)

    page.goto("/plan/reports/print/?language=de&year_from=2024")
    expect(page.get_by_role("heading", name="Ergebnisbericht", level=1)).to_be_visible()
    for width in (1280, 390):
        _check(page, artifacts, "outcomes-report-print-de", width)


def test_planner_records_an_outcome_from_a_follow_up_action(page: Page, artifacts):
    _world()
    mission = MissionFactory(
        title="Leipzig creative industries trade mission",
        lead_organisation=OrganisationFactory(name="West Midlands Combined Authority"),
    )
    MembershipFactory(organisation=mission.lead_organisation, user__username="amira")
    FollowUpActionFactory(mission=mission, organisation=mission.lead_organisation)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("amira")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    page.goto(f"/plan/missions/{mission.pk}/follow-up/")
    page.get_by_role("link", name="Record an outcome").click()
    page.get_by_label("Kind").select_option(label="Deal")
    page.get_by_label("Value").fill("18000")
    page.get_by_label("Currency").fill("eur")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        violations = Axe().run(page).response["violations"]
        assert [(v["id"], v["impact"]) for v in violations] == [], width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Save").click()

    row = page.locator("#outcomes tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("18,000.00 EUR")
    page.screenshot(path=artifacts / "outcomes-list-390.png", full_page=True)
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["impact"]) for v in violations] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
