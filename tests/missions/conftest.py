"""Signed-in users around a test module's `mission` fixture (each module defines its own)."""

import pytest

from tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def planner(client, mission):
    """A planner of the mission's lead organisation, signed in."""
    membership = MembershipFactory(organisation=mission.lead_organisation)
    client.force_login(membership.user)
    return membership.user


@pytest.fixture
def partner(client, mission):
    """A planner of a partner organisation (read-only), signed in."""
    organisation = OrganisationFactory(name="Invest Region Leipzig")
    mission.partners.add(organisation)
    membership = MembershipFactory(organisation=organisation)
    client.force_login(membership.user)
    return membership.user


@pytest.fixture
def outsider(client):
    """A planner of an unrelated organisation, signed in."""
    membership = MembershipFactory()
    client.force_login(membership.user)
    return membership.user
