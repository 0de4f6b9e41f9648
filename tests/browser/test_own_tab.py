"""A form opened in a tab of its own (a middle click on "Add item") saves like the inline
one, in a real browser: no htmx error, the item is saved, the itinerary shows it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from missions.models import ItineraryItem
from tests.factories import MembershipFactory, MissionFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def test_add_item_opened_in_its_own_tab_saves_and_shows_the_itinerary(page: Page):
    planner = MembershipFactory(user__username="fiona")
    start = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(
        lead_organisation=planner.organisation, start_date=start, end_date=start
    )
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    # What the itinerary's "Add item" link opens in a new tab.
    page.goto(reverse("plan:item-create", args=[mission.pk]) + f"?day={start.isoformat()}")
    page.get_by_label("Kind").select_option(label="Meeting")
    page.get_by_label("Title").fill("Studio visit")
    page.locator("input[name=starts_at_1]").fill("14:00")
    page.locator("input[name=ends_at_1]").fill("15:00")
    page.get_by_role("button", name="Save item").click()

    itinerary = reverse("plan:itinerary", args=[mission.pk])
    expect(page).to_have_url(re.compile(re.escape(itinerary) + "$"))
    expect(page.get_by_test_id("item").get_by_text("Studio visit")).to_be_visible()
    assert ItineraryItem.objects.filter(mission=mission, title="Studio visit").count() == 1
    assert [text for text in console if "htmx" in text] == []  # no htmx:targetError
