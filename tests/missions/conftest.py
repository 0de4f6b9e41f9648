"""Signed-in users around a test module's `mission` fixture (each module defines its own),
and what every test of the missions app starts from."""

import pytest
from django.utils import translation

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


@pytest.fixture(autouse=True)
def _restore_language():
    """Requests activate their language in this thread; give later tests back the default."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture(autouse=True)
def _rate_limit_only_where_tested(request, settings):
    """The rate limit counts in Redis; only the tests marked `redis` exercise it."""
    if request.node.get_closest_marker("redis") is None:
        settings.LINK_RATE_ENABLED = False
