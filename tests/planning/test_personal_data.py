"""Data-subject rights and retention: a person's data exported (JSON) or erased
everywhere; missions past their retention anonymised, their counts kept."""

import contextlib
import datetime as dt
import gzip
import json

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from matchmaking.enums import RequestStatus as MatchRequestStatus
from matchmaking.models import Meeting, MeetingRequest, Profile, Unavailability
from messaging.models import OutgoingMessage
from missions import tokens
from missions.enums import AuditAction, ParticipantRole, RsvpStatus
from missions.models import AuditEntry, Feedback, ItemRating, Mission, Participant
from missions.selectors import rsvp_group_counts
from organisations.enums import MembershipRole
from organisations.models import Person
from planning.services import personal_data
from planning.tasks import anonymise_missions
from portal.enums import ArchiveState
from portal.models import BookletArchive, DelegatePage
from tests.factories import (
    DelegatePageFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    ItemRatingFactory,
    ItineraryItemFactory,
    MeetingBlockFactory,
    MeetingFactory,
    MeetingRequestFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
    ProfileFactory,
    TableFactory,
    UnavailabilityFactory,
)

pytestmark = pytest.mark.django_db
NAME = "Erin Erasable"
EMAIL = "erin.erasable@example.org"
PHONE = "+49 341 5550199"


@pytest.fixture
def mission():
    return MissionFactory(title="Leipzig economic delegation to Japan")


@pytest.fixture
def erin(mission):
    """A person with a bit of everything: two participations (one in another council's
    mission), travel, needs, notes, feedback, a follow-up action, messages, history."""
    person = PersonFactory(full_name=NAME, email=EMAIL)
    person.job_title = "Head of Creative Industries"
    person.save()  # a second history row
    here = ParticipantFactory(
        mission=mission,
        person=person,
        rsvp_status=RsvpStatus.ACCEPTED,
        arrival_details="LH 716 from Frankfurt",
        notes="Travels with her own interpreter",
        phone=PHONE,
        dietary_requirements="Coeliac, no gluten at all",
        accessibility_needs="Step-free access",
    )
    here.notes += "; vegetarian dinner booked"
    here.save()
    elsewhere = ParticipantFactory(person=person, rsvp_status=RsvpStatus.DECLINED)
    tokens.token_issue(participant=here)
    feedback = FeedbackFactory(participant=here, comment="Erin liked the STEAMHouse visit")
    ItemRatingFactory(feedback=feedback, item__title="STEAMHouse tour", rating=5)
    FollowUpActionFactory(mission=mission, organisation=mission.lead_organisation, contact=person)
    OutgoingMessageFactory(participant=here)
    OutgoingMessageFactory(participant=elsewhere)
    return person


# EXPORT ---------------------------------------------------------------------------------


def planner_of(client, organisation):
    membership = MembershipFactory(organisation=organisation)
    client.force_login(membership.user)
    return membership.user


def test_planner_of_the_person_s_organisation_exports_everything_as_json(
    client, erin, mission, django_assert_max_num_queries
):
    user = planner_of(client, erin.organisation)

    with django_assert_max_num_queries(21):
        response = client.get(reverse("directory:person-export", args=[erin.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    document = json.loads(response.content)
    assert document["person"]["email"] == EMAIL
    [here, elsewhere] = sorted(document["participations"], key=lambda p: p["mission"]["id"])
    assert here["phone"] == PHONE
    assert here["dietary_requirements"] == "Coeliac, no gluten at all"
    assert here["mission"]["title"] == mission.title
    assert here["arrival_details"] == "LH 716 from Frankfurt"
    assert here["rsvp_status"] == RsvpStatus.ACCEPTED
    assert here["feedback"]["comment"] == "Erin liked the STEAMHouse visit"
    assert [(r["item_title"], r["rating"]) for r in here["feedback"]["item_ratings"]] == [
        ("STEAMHouse tour", 5)
    ]
    assert elsewhere["rsvp_status"] == RsvpStatus.DECLINED
    assert "token_nonce" not in here
    assert "token_hash" not in here
    assert len(document["follow_up_actions"]) == 1
    assert {m["recipient_email"] for m in document["messages"]} == {EMAIL}
    assert len(document["messages"]) == 2
    assert [e["action"] for e in document["audit_entries"]] == [AuditAction.LINK_ISSUED]
    assert len(document["history"]["person"]) == 2
    assert len(document["history"]["participations"]) >= 3
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_EXPORTED)
    assert (entry.user, entry.person, entry.organisation) == (user, erin, erin.organisation)


def test_export_is_on_the_organisation_page_for_its_planners_only(client, erin):
    url = reverse("directory:person-export", args=[erin.pk])
    page = reverse("directory:organisation-detail", args=[erin.organisation.pk])
    planner_of(client, erin.organisation)

    assertContains(client.get(page), f'href="{url}"')

    planner_of(client, OrganisationFactory())
    assert url not in client.get(page).content.decode()


def test_planner_of_a_mission_the_person_joined_cannot_export_them(client, erin, mission):
    planner_of(client, mission.lead_organisation)

    response = client.get(reverse("directory:person-export", args=[erin.pk]))

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditAction.PERSON_EXPORTED).exists()


def test_viewer_of_the_person_s_organisation_cannot_export_them(client, erin):
    membership = MembershipFactory(organisation=erin.organisation, role=MembershipRole.VIEWER)
    client.force_login(membership.user)

    assert client.get(reverse("directory:person-export", args=[erin.pk])).status_code == 404


def test_superuser_exports_a_person_with_the_admin_action(admin_client, erin):
    response = admin_client.post(
        reverse("admin:organisations_person_changelist"),
        {"action": "export_personal_data", "_selected_action": [erin.pk]},
    )

    assert json.loads(response.content)["person"]["full_name"] == NAME
    assert AuditEntry.objects.filter(action=AuditAction.PERSON_EXPORTED, person=erin).exists()


def test_staff_without_superuser_get_no_data_subject_actions(client, erin, django_user_model):
    staff = django_user_model.objects.create_user("clerk", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__endswith="_person"))
    client.force_login(staff)

    response = client.get(reverse("admin:organisations_person_changelist"))

    assert response.status_code == 200
    assert "erase_personal_data" not in response.content.decode()
    assert "export_personal_data" not in response.content.decode()


# ERASURE --------------------------------------------------------------------------------


def _text_columns(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def rows_mentioning(*needles: str) -> list[str]:
    """Every row of every table (history tables, the admin's log, the outbox included)
    with a text column that contains one of the needles, as `table.column`; binary
    columns are searched as stored and gunzipped."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        for field in _text_columns(model):
            for needle in needles:
                rows = model._default_manager.annotate(
                    _searched=Cast(field.attname, models.TextField())
                ).filter(_searched__icontains=needle)
                if rows.exists():
                    found.append(f"{table}.{field.column}")
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.BinaryField):
                continue
            for value in model._default_manager.values_list(field.attname, flat=True):
                data = bytes(value)
                with contextlib.suppress(OSError):
                    data += gzip.decompress(data)
                if any(needle.lower().encode() in data.lower() for needle in needles):
                    found.append(f"{table}.{field.column}")
    return sorted(set(found))


def test_erased_person_is_found_in_no_table(admin_client, erin, mission):
    # What the rest of the application leaves behind about her.
    DelegatePageFactory(participant=erin.participations.get(mission=mission))
    other = ParticipantFactory(mission=mission, listed=True)
    DelegatePageFactory(  # another delegate's kept page lists her among who else comes
        participant=other,
        gzipped=gzip.compress(f"<li>{NAME}</li>".encode()),
    )
    archive = BookletArchive.objects.create(
        mission=mission, state=ArchiveState.READY, total=2, done=2
    )
    archive.file.save("booklets.zip", ContentFile(NAME.encode()))
    OutgoingMessageFactory(  # a message to her address that names no participation
        participant=None,
        mission=None,
        occasion="action:1",
        recipient_email=EMAIL.upper(),
        recipient_name=NAME,
    )
    admin_client.post(  # the admin's log names her
        reverse("admin:organisations_person_change", args=[erin.pk]),
        {
            "full_name": NAME,
            "email": EMAIL,
            "preferred_language": "en",
            "job_title": "Head of Creative Industries",
            "organisation": erin.organisation_id,
        },
    )
    assert LogEntry.objects.filter(object_repr=NAME).exists()
    assert rows_mentioning(NAME, EMAIL) != []  # the search finds what is there
    file_name = archive.file.name

    confirm = admin_client.post(
        reverse("admin:organisations_person_changelist"),
        {"action": "erase_personal_data", "_selected_action": [erin.pk]},
    )
    assert Person.objects.filter(pk=erin.pk).exists()  # asked first
    assertContains(confirm, "Yes, erase them")
    admin_client.post(
        reverse("admin:organisations_person_changelist"),
        {"action": "erase_personal_data", "_selected_action": [erin.pk], "confirm": "yes"},
    )

    assert rows_mentioning(NAME, EMAIL, PHONE, "LH 716", "Coeliac") == []
    assert not Person.objects.filter(pk=erin.pk).exists()
    assert not ItemRating.objects.exists()  # with her feedback
    assert not BookletArchive.objects.exists()
    assert not archive.file.storage.exists(file_name)
    assert list(DelegatePage.objects.all()) == []
    assert Participant.objects.filter(pk=other.pk).exists()  # the others stay
    entry = AuditEntry.objects.get(action=AuditAction.PERSON_ERASED)
    assert entry.actor == "admin"
    assert entry.organisation_id == erin.organisation_id


# RETENTION ------------------------------------------------------------------------------


def ended(days_ago: int, **kwargs) -> Mission:
    end = timezone.localdate() - dt.timedelta(days=days_ago)
    return MissionFactory(start_date=end - dt.timedelta(days=2), end_date=end, **kwargs)


def staffed(mission: Mission) -> list[Participant]:
    """Three participants with personal data, history, feedback, a page and messages."""
    item = ItineraryItemFactory(mission=mission)
    people = [
        ParticipantFactory(
            mission=mission,
            rsvp_status=status,
            person=PersonFactory(full_name=f"{status} person of {mission.pk}"),
            arrival_details="BA 123",
            notes="Needs a quiet room",
        )
        for status in [RsvpStatus.ACCEPTED, RsvpStatus.ACCEPTED, RsvpStatus.DECLINED]
    ]
    for participant in people:
        tokens.token_issue(participant=participant)
        OutgoingMessageFactory(participant=participant, last_error=participant.person.email)
    feedback = FeedbackFactory(participant=people[0], rating=4, comment="Loved it")
    ItemRatingFactory(feedback=feedback, item=item, rating=3)
    DelegatePageFactory(participant=people[1])
    return people


def test_retention_anonymises_missions_past_it_and_keeps_those_inside(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    inside, outside = ended(365, title="Inside"), ended(366, title="Outside")
    kept, gone = staffed(inside), staffed(outside)
    counts = rsvp_group_counts(outside)

    assert anonymise_missions.apply().get() == 1

    # Just outside the window: nobody is named any more, the counts stay.
    outside.refresh_from_db()
    assert outside.personal_data_anonymised_at is not None
    assert rsvp_group_counts(outside) == counts
    assert outside.items.count() == 1
    for participant in Participant.objects.filter(mission=outside).select_related("person"):
        assert participant.person.full_name == personal_data.ANONYMISED_NAME
        assert participant.person.email.endswith("@anonymised.invalid")
        assert (participant.arrival_details, participant.notes) == ("", "")
        assert participant.token_nonce == participant.token_hash == ""
    assert Participant.objects.filter(person__in=[p.person for p in gone]).count() == 0
    assert Participant.history.filter(mission_id=outside.pk).count() == 0
    feedback = Feedback.objects.get(participant__mission=outside)
    assert (feedback.rating, feedback.comment) == (4, "")
    assert list(feedback.item_ratings.values_list("rating", flat=True)) == [3]
    messages = OutgoingMessage.objects.filter(mission=outside)
    assert messages.count() == 3
    assert all(m.recipient_email.endswith("@anonymised.invalid") for m in messages)
    assert {(m.recipient_name, m.last_error) for m in messages} == {("", "")}
    assert not DelegatePage.objects.filter(participant__mission=outside).exists()
    assert tokens.participant_for_token("x") is None
    # Just inside: untouched.
    inside.refresh_from_db()
    assert inside.personal_data_anonymised_at is None
    for participant in kept:
        participant.refresh_from_db()
        assert participant.person.full_name.endswith(f"person of {inside.pk}")
        assert participant.arrival_details == "BA 123"
    assert Participant.history.filter(mission_id=inside.pk).count() > 0
    assert DelegatePage.objects.filter(participant__mission=inside).count() == 1
    assert AuditEntry.objects.filter(
        action=AuditAction.MISSION_ANONYMISED, mission=outside, actor="system"
    ).exists()


def test_retention_runs_twice_and_anonymises_once(settings):
    mission = ended(settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    staffed(mission)

    first = anonymise_missions.apply().get()
    people = set(Participant.objects.filter(mission=mission).values_list("person", flat=True))
    second = anonymise_missions.apply().get()

    assert (first, second) == (1, 0)
    assert set(Participant.objects.filter(mission=mission).values_list("person", flat=True)) == (
        people
    )
    assert AuditEntry.objects.filter(action=AuditAction.MISSION_ANONYMISED).count() == 1


def test_anonymised_mission_s_pages_still_open(client, settings):
    mission = ended(settings.PERSONAL_DATA_RETENTION_DAYS + 30)
    staffed(mission)
    personal_data.missions_anonymise_expired()
    planner_of(client, mission.lead_organisation)

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assertContains(response, personal_data.ANONYMISED_NAME, count=3)
    assert client.get(reverse("plan:participant-export", args=[mission.pk])).status_code == 200


def test_retention_defaults_to_a_year_and_runs_daily():
    assert django_settings.PERSONAL_DATA_RETENTION_DAYS == 365
    schedule = django_settings.CELERY_BEAT_SCHEDULE["personal-data-retention"]
    assert schedule == {"task": "planning.tasks.anonymise_missions", "schedule": 86400.0}


# MATCHMAKING ----------------------------------------------------------------------------

PITCH = "Immersive audio for museums"
ASK = "Could we talk about the Leipzig Biennale?"


def matched(participant: Participant) -> Meeting:
    """The participant's profile (saved twice: history), a request of theirs to a host
    with a message, a time they cannot meet, and the meeting, scheduled."""
    profile = ProfileFactory(participant=participant, pitch=PITCH)
    profile.offer = "Sound design"
    profile.save()
    host = ParticipantFactory(mission=participant.mission, role=ParticipantRole.HOST)
    request = MeetingRequestFactory(
        mission=participant.mission,
        requester=participant,
        recipient=host,
        message=ASK,
        status=MatchRequestStatus.ACCEPTED,
    )
    UnavailabilityFactory(participant=participant)
    block = MeetingBlockFactory(item__mission=participant.mission)
    return MeetingFactory(request=request, block=block, table=TableFactory(block=block))


def test_export_holds_the_persons_matchmaking(erin, mission):
    meeting = matched(erin.participations.get(mission=mission))

    document = personal_data.person_export(person=erin)

    matchmaking = document["matchmaking"]
    assert [p["pitch"] for p in matchmaking["profiles"]] == [PITCH]
    assert [r["message"] for r in matchmaking["meeting_requests"]] == [ASK]
    assert len(matchmaking["unavailabilities"]) == 1
    assert [m["uid"] for m in matchmaking["meetings"]] == [meeting.uid]
    assert len(document["history"]["matchmaking_profiles"]) == 2


def test_erased_persons_matchmaking_is_found_in_no_table(erin, mission):
    meeting = matched(erin.participations.get(mission=mission))
    assert rows_mentioning(PITCH, ASK) != []  # the search finds what is there

    personal_data.person_erase(person=erin)

    assert rows_mentioning(PITCH, ASK) == []
    assert not Meeting.history.filter(request_id=meeting.request_id).exists()
    assert not Unavailability.history.exists()


def test_anonymised_mission_keeps_who_met_whom_without_what_they_wrote(settings):
    mission = ended(settings.PERSONAL_DATA_RETENTION_DAYS + 1)
    [participant, *_] = staffed(mission)
    meeting = matched(participant)

    assert personal_data.mission_anonymise(mission=mission)

    assert rows_mentioning(PITCH, ASK) == []
    assert Meeting.objects.filter(pk=meeting.pk).exists()  # counted in outcome reports
    assert MeetingRequest.objects.get(pk=meeting.request_id).message == ""
    assert not Profile.history.filter(participant_id=participant.pk).exists()
