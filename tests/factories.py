"""One factory per model. Defaults describe a small Leipzig–Birmingham mission."""

import datetime as dt
import gzip
import hashlib
import zoneinfo

import factory
from django.contrib.auth import get_user_model

from matchmaking.enums import RequestStatus
from matchmaking.models import (
    MatchmakingSettings,
    Meeting,
    MeetingBlock,
    MeetingRequest,
    Profile,
    ScheduleRun,
    Table,
    Unavailability,
)
from messaging.enums import MessageKind, ReminderAnchor
from messaging.models import OutgoingMessage, ReminderRule
from missions.enums import AuditAction, FeasibilityRule, ItemKind, MissionKind, ParticipantRole
from missions.models import (
    AuditEntry,
    Feedback,
    FollowUpAction,
    ItemRating,
    ItineraryItem,
    Mission,
    Participant,
    WarningAcknowledgement,
)
from organisations.enums import OrganisationKind
from organisations.models import Membership, Organisation, Person, Sector, Venue
from outcomes.enums import OutcomeKind, OutcomeStatus
from outcomes.models import ExchangeRate, Outcome
from portal.enums import ArchiveState
from portal.models import BookletArchive, DelegatePage
from tests.dates import year_like_2025

LONDON = zoneinfo.ZoneInfo("Europe/London")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"planner{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Sector {n}")
    slug = factory.Sequence(lambda n: f"sector-{n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.COMPANY
    city = "Birmingham"
    country = "GB"


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Venue {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    address = "75 Harborne Road"
    city = "Birmingham"
    country = "GB"
    latitude = "52.471000"
    longitude = "-1.929000"
    time_zone = LONDON


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Sequence(lambda n: f"Delegate {n}")
    email = factory.Sequence(lambda n: f"delegate{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory, city="Leipzig", country="DE")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class MissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mission
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Creative industries trade mission {n}")
    slug = factory.Sequence(lambda n: f"mission-{n}")
    kind = MissionKind.INBOUND
    destination_city = "Birmingham"
    destination_country = "GB"
    time_zone = LONDON
    start_date = dt.date(2025, 3, 4)
    end_date = dt.date(2025, 3, 6)
    lead_organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.CITY_COUNCIL)

    class Params:
        # The same days in a coming year with 2025's calendar (4 March a Tuesday): a
        # mission that has not ended, so invitations can be sent for it.
        upcoming = factory.Trait(
            start_date=factory.LazyFunction(lambda: dt.date(year_like_2025(), 3, 4)),
            end_date=factory.LazyFunction(lambda: dt.date(year_like_2025(), 3, 6)),
        )

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create:
            self.organisers.set(extracted if extracted is not None else [self.lead_organisation])

    @factory.post_generation
    def partners(self, create, extracted, **kwargs):
        if create and extracted:
            self.partners.set(extracted)


class ItineraryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItineraryItem

    mission = factory.SubFactory(MissionFactory)
    kind = ItemKind.ROUND_TABLE
    title = factory.Sequence(lambda n: f"Round table {n}")
    starts_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(o.mission.start_date, dt.time(10), o.mission.time_zone)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1, minutes=30))


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    mission = factory.SubFactory(MissionFactory)
    person = factory.SubFactory(PersonFactory)


class WarningAcknowledgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarningAcknowledgement

    item = factory.SubFactory(ItineraryItemFactory)
    rule = FeasibilityRule.CAPACITY
    reason = "The venue adds standing room for the reception."
    acknowledged_by = factory.SubFactory(UserFactory)
    item_updated_at = factory.LazyAttribute(lambda o: o.item.updated_at)


class OutgoingMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingMessage

    participant = factory.SubFactory(ParticipantFactory)
    mission = factory.LazyAttribute(lambda o: o.participant.mission)
    recipient_email = factory.LazyAttribute(lambda o: o.participant.person.email)
    recipient_name = factory.LazyAttribute(lambda o: o.participant.person.full_name)
    kind = MessageKind.INVITATION
    occasion = factory.LazyAttribute(lambda o: f"mission:{o.mission.pk}")
    message_id = factory.Sequence(lambda n: f"<test-{n}@itinera.example.org>")
    due_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class ReminderRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderRule

    mission = factory.SubFactory(MissionFactory)
    kind = MessageKind.RSVP_REMINDER
    anchor = ReminderAnchor.AFTER_INVITATION
    days = 7


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    participant = factory.SubFactory(ParticipantFactory)
    rating = 5
    comment = "Very well organised; the STEAMHouse visit was the highlight."


class ItemRatingFactory(factory.django.DjangoModelFactory):
    """A rating of an item of the feedback's own mission."""

    class Meta:
        model = ItemRating

    feedback = factory.SubFactory(FeedbackFactory)
    item = factory.SubFactory(
        ItineraryItemFactory, mission=factory.SelfAttribute("..feedback.participant.mission")
    )
    rating = 4


class FollowUpActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpAction

    mission = factory.SubFactory(MissionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    agreed = "Showcase at the MACHN Festival in June"
    owner = factory.SubFactory(UserFactory)
    due_date = dt.date(2025, 4, 30)


class DelegatePageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegatePage

    participant = factory.SubFactory(ParticipantFactory)
    key = factory.Sequence(lambda n: hashlib.sha256(f"delegate-page-{n}".encode()).hexdigest())
    gzipped = factory.LazyAttribute(
        lambda o: gzip.compress(
            f"<h1>{o.participant.mission.title}</h1>"
            f"<p>Welcome to Birmingham, {o.participant.person.full_name}.</p>".encode()
        )
    )
    marks_changes = False
    fresh_until = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))


class BookletArchiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookletArchive

    mission = factory.SubFactory(MissionFactory)
    requested_by = factory.SubFactory(UserFactory)
    state = ArchiveState.QUEUED
    total = 12
    done = 0


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    action = AuditAction.EXPORT
    mission = factory.SubFactory(MissionFactory)
    actor = "system"
    description = "participants.csv"


# MATCHMAKING ---------------------------------------------------------------------------


class MatchmakingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchmakingSettings

    mission = factory.SubFactory(MissionFactory)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    participant = factory.SubFactory(ParticipantFactory)
    offer = "Games studios and a motion-capture stage"
    seek = "Partners for a German–British co-production"
    pitch = "Creative tech cluster of Leipzig."
    languages = factory.LazyFunction(lambda: ["de", "en"])
    opted_in = True


class MeetingRequestFactory(factory.django.DjangoModelFactory):
    """A delegate asks a host of the same mission."""

    class Meta:
        model = MeetingRequest

    mission = factory.SubFactory(MissionFactory)
    requester = factory.SubFactory(ParticipantFactory, mission=factory.SelfAttribute("..mission"))
    recipient = factory.SubFactory(
        ParticipantFactory, mission=factory.SelfAttribute("..mission"), role=ParticipantRole.HOST
    )
    message = "Shall we talk about a co-production?"


class MeetingBlockFactory(factory.django.DjangoModelFactory):
    """The round table 10:00 to 11:30: three slots of 20 minutes, 5 minutes apart."""

    class Meta:
        model = MeetingBlock

    item = factory.SubFactory(ItineraryItemFactory)
    slot_minutes = 20
    break_minutes = 5


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    block = factory.SubFactory(MeetingBlockFactory)
    number = factory.Sequence(lambda n: n + 1)


class UnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unavailability

    participant = factory.SubFactory(ParticipantFactory)
    starts_at = factory.LazyAttribute(
        lambda o: dt.datetime.combine(
            o.participant.mission.start_date, dt.time(9), o.participant.mission.time_zone
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))


class MeetingFactory(factory.django.DjangoModelFactory):
    """An accepted request in the first slot of a block of its mission, at a table."""

    class Meta:
        model = Meeting

    request = factory.SubFactory(MeetingRequestFactory, status=RequestStatus.ACCEPTED)
    block = factory.SubFactory(
        MeetingBlockFactory, item__mission=factory.SelfAttribute("...request.mission")
    )
    table = factory.SubFactory(TableFactory, block=factory.SelfAttribute("..block"))
    starts_at = factory.LazyAttribute(lambda o: o.block.item.starts_at)
    ends_at = factory.LazyAttribute(
        lambda o: o.starts_at + dt.timedelta(minutes=o.block.slot_minutes)
    )


class ScheduleRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduleRun

    mission = factory.SubFactory(MissionFactory)


# OUTCOMES ------------------------------------------------------------------------------


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    mission = factory.SubFactory(MissionFactory)
    kind = OutcomeKind.LEAD
    status = OutcomeStatus.CONFIRMED
    date = factory.LazyAttribute(lambda o: o.mission.end_date)
    recorded_for = factory.LazyAttribute(lambda o: o.mission.lead_organisation)
    evidence = "Minutes of the round table, 12 March 2025."


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    year = factory.Sequence(lambda n: 2025 - n)
    currency = "EUR"
    rate = "0.85"
