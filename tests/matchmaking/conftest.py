import pytest

from missions.enums import ParticipantRole
from tests.factories import (
    MeetingBlockFactory,
    MissionFactory,
    ProfileFactory,
    TableFactory,
)


@pytest.fixture
def mission(db):
    return MissionFactory()


@pytest.fixture
def delegate(mission):
    return ProfileFactory(participant__mission=mission).participant


@pytest.fixture
def host(mission):
    return ProfileFactory(
        participant__mission=mission, participant__role=ParticipantRole.HOST
    ).participant


@pytest.fixture
def other_host(mission):
    return ProfileFactory(
        participant__mission=mission, participant__role=ParticipantRole.HOST
    ).participant


@pytest.fixture
def block(mission):
    """The round table, 10:00 to 11:30: slots at 10:00, 10:25, 10:50; two tables."""
    block = MeetingBlockFactory(item__mission=mission)
    TableFactory(block=block, number=1)
    TableFactory(block=block, number=2)
    return block


@pytest.fixture
def participant_factory(mission):
    def make(**kwargs):
        return ProfileFactory(
            participant__mission=mission, **{f"participant__{k}": v for k, v in kwargs.items()}
        ).participant

    return make
