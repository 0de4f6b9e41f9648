import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from organisations.models import Venue
from organisations.services import venue_create
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def venue_data(**overrides) -> dict:
    return {
        "name": "STEAMHouse",
        "organisation": None,
        "address": "Belmont Row",
        "city": "Birmingham",
        "country": "GB",
        "latitude": Decimal("52.483200"),
        "longitude": Decimal("-1.883500"),
        "time_zone": LONDON,
        "capacity": 120,
        "notes": "Entrance on Belmont Row.",
        **overrides,
    }


def test_venue_create_with_valid_data_saves_the_venue():
    organisation = OrganisationFactory(name="Birmingham City University")

    venue = venue_create(**venue_data(organisation=organisation), user=UserFactory())

    assert Venue.objects.get() == venue
    assert (venue.organisation, venue.time_zone, venue.capacity) == (organisation, LONDON, 120)


def test_venue_create_with_latitude_only_is_rejected_and_saves_nothing():
    with pytest.raises(ValidationError):
        venue_create(**venue_data(longitude=None), user=UserFactory())

    assert Venue.objects.count() == 0


def test_venue_create_with_latitude_out_of_range_is_rejected_by_the_constraint():
    with pytest.raises(ValidationError) as caught:
        venue_create(**venue_data(latitude=Decimal("91")), user=UserFactory())

    assert caught.value.message_dict == {
        "__all__": ["Constraint “venue_latitude_range” is violated."]
    }
    assert Venue.objects.count() == 0


def test_venue_create_with_overlong_name_is_rejected():
    with pytest.raises(ValidationError) as caught:
        venue_create(**venue_data(name="x" * 10_000), user=UserFactory())

    assert list(caught.value.message_dict) == ["name"]


def test_venue_create_without_coordinates_saves_the_venue():
    venue = venue_create(**venue_data(latitude=None, longitude=None), user=UserFactory())

    assert (venue.latitude, venue.longitude) == (None, None)
