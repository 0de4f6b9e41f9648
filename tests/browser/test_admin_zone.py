"""The admin's change form of a Tokyo mission, in a real browser in another zone: the
times are the mission's, named beside each input, and the admin's script adds no "You
are 9 hours behind server time"."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.factories import ItineraryItemFactory, MissionFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def test_tokyo_mission_change_form_has_no_server_time_warning(page: Page):
    get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-the-admin")
    mission = MissionFactory(
        time_zone=TOKYO, start_date=dt.date(2025, 11, 12), end_date=dt.date(2025, 11, 14)
    )
    ItineraryItemFactory(mission=mission, starts_at=dt.datetime(2025, 11, 13, 19, tzinfo=TOKYO))
    page.goto(reverse("admin:login"))
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("pw-for-the-admin")
    page.get_by_role("button", name="Log in").click()

    page.goto(reverse("admin:missions_mission_change", args=[mission.pk]))
    expect(page.locator(".datetimeshortcuts").first).to_be_attached()  # the script ran

    assert page.evaluate("new Date().getTimezoneOffset()") != -9 * 60  # not in Tokyo
    expect(page.get_by_text("server time")).to_have_count(0)
    expect(page.get_by_text("A local date where the mission takes place.")).to_have_count(3)
