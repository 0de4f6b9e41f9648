import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from missions.display import day_span, language_names, user_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first_name", "last_name", "email", "expected"),
    [
        ("Fiona", "Latter", "fiona@example.org", "Fiona Latter"),
        ("", "", "planner@example.org", "planner@example.org"),
        ("", "", "", "planner"),
    ],
)
def test_user_name_is_the_full_name_else_the_address_never_the_username_beside_it(
    first_name, last_name, email, expected
):
    user = UserFactory(username="planner", first_name=first_name, last_name=last_name, email=email)

    assert user_name(user) == expected


def test_day_span_is_a_slot_on_its_local_day_with_the_zone_named():
    starts = dt.datetime(2025, 11, 13, 1, 0, tzinfo=dt.UTC)

    with translation.override("en"):
        text = day_span(starts, starts + dt.timedelta(minutes=20), zoneinfo.ZoneInfo("Asia/Tokyo"))

    assert text == "Thu 13 Nov, 10:00–10:20 JST (Asia/Tokyo)"


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "German, English, xx"), ("de", "Deutsch, Englisch, xx")]
)
def test_language_names_are_read_in_the_page_language_and_unknown_codes_kept(language, expected):
    with translation.override(language):
        assert language_names(["de", "en", "xx"]) == expected
