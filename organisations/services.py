"""Writes to the directory."""

import zoneinfo
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser

from organisations.models import Organisation, Venue


def venue_create(
    *,
    name: str,
    organisation: Organisation | None,
    address: str,
    city: str,
    country: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    time_zone: zoneinfo.ZoneInfo | str,
    capacity: int | None = None,
    notes: str = "",
    user: AbstractBaseUser,
) -> Venue:
    """Add a venue to the directory, validated with `full_clean` (ValidationError if invalid).

    `user` is the staff member who adds it; the directory is shared, so any planner may
    add a venue (`organisations.selectors.can_add_to_directory`, which the view asks).
    """
    venue = Venue(
        name=name,
        organisation=organisation,
        address=address,
        city=city,
        country=country,
        latitude=latitude,
        longitude=longitude,
        time_zone=time_zone,
        capacity=capacity,
        notes=notes,
    )
    venue.full_clean()
    venue.save()
    return venue
