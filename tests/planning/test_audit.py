"""The audit log: exports, downloads and personal-link changes are recorded with who,
when, what and from where; the organisation's administrators read them at /plan/audit/.
"""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from messaging.invitations import invitations_send
from missions import tokens
from missions.enums import AuditAction, RsvpStatus
from missions.models import AuditEntry, Participant
from organisations.enums import MembershipRole
from portal.booklet_archives import archive_file_save
from portal.enums import ArchiveState
from portal.models import BookletArchive
from tests.factories import (
    AuditEntryFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.7"


@pytest.fixture
def mission():
    return MissionFactory(title="Leipzig economic delegation to Japan", upcoming=True)


def entries() -> list[tuple]:
    return list(
        AuditEntry.objects.order_by("pk").values_list(
            "action", "actor", "ip_address", "mission_id", "person_id", "description"
        )
    )


# WHAT IS RECORDED -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["participant-export", "dietary-export", "attendance-export"])
def test_csv_export_is_recorded_with_user_and_address(client, planner, mission, name):
    ParticipantFactory(mission=mission)

    response = client.get(reverse(f"plan:{name}", args=[mission.pk]), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    file = name.removesuffix("-export").replace("participant", "participants")
    assert entries() == [
        (AuditAction.EXPORT, planner.username, ADDRESS, mission.pk, None, f"{file}.csv")
    ]
    entry = AuditEntry.objects.get()
    assert entry.user == planner
    assert timezone.now() - entry.at < dt.timedelta(minutes=1)


def test_booklet_archive_download_is_recorded(client, planner, mission):
    archive = BookletArchive.objects.create(
        mission=mission, state=ArchiveState.READY, total=1, done=1
    )
    archive_file_save(archive=archive, content=b"PK\x05\x06" + bytes(18), name="booklets.zip")
    archive.save()

    response = client.get(
        reverse("plan:booklets-download", args=[mission.pk, archive.pk]), REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert entries() == [
        (
            AuditAction.BOOKLETS_DOWNLOADED,
            planner.username,
            ADDRESS,
            mission.pk,
            None,
            "booklets.zip",
        )
    ]


def test_export_refused_to_an_outsider_records_nothing(client, outsider, mission):
    response = client.get(reverse("plan:participant-export", args=[mission.pk]))

    assert response.status_code == 404
    assert entries() == []


def test_link_regenerate_and_revoke_in_the_workspace_are_recorded(client, planner, mission):
    participant = ParticipantFactory(mission=mission)
    tokens.token_issue(participant=participant)  # outside a request: the system's

    client.post(reverse("plan:link-regenerate", args=[participant.pk]), REMOTE_ADDR=ADDRESS)
    client.post(reverse("plan:link-revoke", args=[participant.pk]), REMOTE_ADDR=ADDRESS)

    person = participant.person_id
    assert entries() == [
        (AuditAction.LINK_ISSUED, "system", None, mission.pk, person, ""),
        (AuditAction.LINK_REGENERATED, planner.username, ADDRESS, mission.pk, person, ""),
        (AuditAction.LINK_REVOKED, planner.username, ADDRESS, mission.pk, person, ""),
    ]
    assert AuditEntry.objects.filter(participant=participant).count() == 3


def test_links_issued_in_bulk_are_one_entry_each_in_one_insert(
    client, planner, mission, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    ParticipantFactory.create_batch(30, mission=mission)
    participants = list(Participant.objects.filter(mission=mission).select_related("person"))
    with (
        django_assert_max_num_queries(12) as captured,
        django_capture_on_commit_callbacks(execute=False),
    ):
        invitations_send(mission=mission, participants=participants, sent_by=planner)

    audit_inserts = [q for q in captured.captured_queries if "missions_auditentry" in q["sql"]]
    assert len(audit_inserts) == 1
    assert sorted(AuditEntry.objects.values_list("participant_id", flat=True)) == sorted(
        p.pk for p in participants
    )
    assert set(AuditEntry.objects.values_list("action", "actor")) == {
        (AuditAction.LINK_ISSUED, "system")
    }


def test_invitation_sent_from_the_workspace_names_the_planner(client, planner, mission):
    participant = ParticipantFactory(mission=mission)

    client.post(
        reverse("plan:invitation-compose", args=[mission.pk]),
        {"participants": [participant.pk], "send": "1"},
        REMOTE_ADDR=ADDRESS,
    )

    participant.refresh_from_db()
    assert participant.rsvp_status == RsvpStatus.INVITED  # the send happened
    assert entries() == [
        (AuditAction.LINK_ISSUED, planner.username, ADDRESS, mission.pk, participant.person_id, "")
    ]


def test_admin_actions_on_links_are_recorded(admin_client, admin_user, mission):
    participant = ParticipantFactory(mission=mission)
    changelist = reverse("admin:missions_participant_changelist")

    for action in ["regenerate_links", "revoke_links"]:
        admin_client.post(
            changelist,
            {"action": action, "_selected_action": [participant.pk]},
            REMOTE_ADDR=ADDRESS,
        )

    assert [(a, who, ip) for a, who, ip, *_ in entries()] == [
        (AuditAction.LINK_ISSUED, admin_user.username, ADDRESS),
        (AuditAction.LINK_REVOKED, admin_user.username, ADDRESS),
    ]


# WHO READS IT ---------------------------------------------------------------------------


@pytest.fixture
def admin_of(client):
    """An administrator of the given organisation, signed in."""

    def sign_in(organisation):
        membership = MembershipFactory(organisation=organisation, role=MembershipRole.ADMIN)
        client.force_login(membership.user)
        return membership.user

    return sign_in


def test_admin_reads_the_entries_of_their_missions_only(client, admin_of, mission):
    theirs = MissionFactory(title="Someone else's mission")
    AuditEntryFactory(mission=mission, actor="ines", description="dietary.csv")
    AuditEntryFactory(mission=theirs, actor="spy", description="participants.csv")
    admin_of(mission.lead_organisation)

    response = client.get(reverse("plan:audit-log"))

    assertContains(response, 'data-testid="audit-entry"', count=1)
    assertContains(response, "dietary.csv")
    assertContains(response, "ines")
    assertNotContains(response, "spy")
    assertNotContains(response, "Someone else")


def test_admin_is_a_planner_too(client, admin_of, mission):
    admin_of(mission.lead_organisation)

    assert client.get(reverse("plan:mission-edit", args=[mission.pk])).status_code == 200


@pytest.mark.parametrize("role", [MembershipRole.PLANNER, MembershipRole.VIEWER])
def test_planners_and_viewers_do_not_get_the_audit_log(client, mission, role):
    AuditEntryFactory(mission=mission)
    membership = MembershipFactory(organisation=mission.lead_organisation, role=role)
    client.force_login(membership.user)

    assert client.get(reverse("plan:audit-log")).status_code == 404


def test_admin_of_a_partner_does_not_read_the_mission_s_entries(client, admin_of, mission):
    partner = OrganisationFactory()
    mission.partners.add(partner)
    AuditEntryFactory(mission=mission, description="dietary.csv")
    admin_of(partner)

    response = client.get(reverse("plan:audit-log"))

    assertNotContains(response, "dietary.csv")


def test_audit_log_filters_by_mission_newest_first_in_the_staff_zone(
    client, admin_of, mission, settings
):
    settings.STAFF_TIME_ZONE = "Europe/Berlin"
    other = MissionFactory(title="Second mission", lead_organisation=mission.lead_organisation)
    other.organisers.add(mission.lead_organisation)
    at = dt.datetime(2030, 1, 2, 9, 30, tzinfo=dt.UTC)
    AuditEntryFactory(mission=mission, description="first.csv", at=at)
    AuditEntryFactory(mission=mission, description="second.csv", at=at + dt.timedelta(hours=1))
    AuditEntryFactory(mission=other, description="other.csv", at=at)
    admin_of(mission.lead_organisation)

    response = client.get(reverse("plan:audit-log"), {"mission": mission.pk})

    page = [entry.description for entry in response.context["page"].object_list]
    assert page == ["second.csv", "first.csv"]
    assertContains(response, "10:30 CET (Europe/Berlin)")
    assert zoneinfo.ZoneInfo(settings.STAFF_TIME_ZONE).key == "Europe/Berlin"


def test_audit_log_filter_by_a_mission_out_of_scope_shows_the_error(client, admin_of, mission):
    theirs = MissionFactory()
    admin_of(mission.lead_organisation)

    response = client.get(reverse("plan:audit-log"), {"mission": theirs.pk})

    assert response.status_code == 200
    assertContains(response, 'aria-invalid="true"')


def test_audit_log_pages_in_a_fixed_number_of_queries(
    client, admin_of, mission, django_assert_max_num_queries
):
    people = PersonFactory.create_batch(5)
    for index in range(120):
        AuditEntryFactory(mission=mission, person=people[index % 5], description=f"{index}.csv")
    admin_of(mission.lead_organisation)

    with django_assert_max_num_queries(12):
        first = client.get(reverse("plan:audit-log"))
    last = client.get(reverse("plan:audit-log"), {"page": 3})

    assert len(first.context["page"].object_list) == 50
    assert [e.description for e in last.context["page"].object_list][-1] == "0.csv"


def test_audit_log_in_the_admin_is_read_only(admin_client):
    entry = AuditEntryFactory()

    assert admin_client.get(reverse("admin:missions_auditentry_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:missions_auditentry_add")).status_code == 403
    delete = admin_client.post(reverse("admin:missions_auditentry_delete", args=[entry.pk]))
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_admin_reads_the_export_of_a_person_of_their_organisation(client, admin_of):
    person = PersonFactory(full_name="Ines Dietrich")
    other = PersonFactory(full_name="Someone Else")
    planner = MembershipFactory(organisation=person.organisation).user
    client.force_login(planner)
    client.get(reverse("directory:person-export", args=[person.pk]))
    client.force_login(MembershipFactory(organisation=other.organisation).user)
    client.get(reverse("directory:person-export", args=[other.pk]))
    admin_of(person.organisation)

    response = client.get(reverse("plan:audit-log"))

    assertContains(response, 'data-testid="audit-entry"', count=1)
    assertContains(response, "Ines Dietrich")
    assertContains(response, planner.username)
    assertNotContains(response, "Someone Else")
