"""The Tokyo mission and its delegate, whose page test_delegate and test_delegate_cache open.

A module about another delegate (the booklets) or another link (the calendar, the RSVP
form, the rate limit) defines its own `delegate` or `token`.
"""

import datetime as dt

import pytest

from missions.enums import RsvpStatus
from missions.tokens import token_issue
from tests.factories import (
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    VenueFactory,
)
from tests.portal.delegate_page import BERLIN, TOKYO, _november


@pytest.fixture
def tokyo_mission():
    day = _november()
    return MissionFactory(
        title="Leipzig economic delegation to Tokyo",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=day - dt.timedelta(days=1),
        end_date=day + dt.timedelta(days=1),
        lead_organisation=OrganisationFactory(name="City of Leipzig", city="Leipzig"),
    )


@pytest.fixture
def suntory_hall():
    return VenueFactory(
        name="Suntory Hall",
        address="1-13-1 Akasaka, Minato-ku, Tokyo 107-8403",
        city="Tokyo",
        country="JP",
        time_zone=TOKYO,
        latitude="35.667300",
        longitude="139.740600",
        organisation=OrganisationFactory(name="Suntory Hall", city="Tokyo", country="JP"),
    )


@pytest.fixture
def delegate(tokyo_mission):
    return ParticipantFactory(
        mission=tokyo_mission,
        rsvp_status=RsvpStatus.ACCEPTED,
        listed=True,
        person=PersonFactory(
            full_name="Ines Dietrich",
            email="ines.dietrich@example.org",
            time_zone=BERLIN,
            organisation=OrganisationFactory(name="Invest Region Leipzig", city="Leipzig"),
        ),
    )


@pytest.fixture
def token(delegate):
    return token_issue(participant=delegate)
