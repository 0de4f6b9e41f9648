"""The permission matrix: who may open, and who may change, what, on every URL.

Three tables, each checked against the URL resolver (a URL name without a row fails):

- `WORKSPACE`: every URL of the planning workspace (`plan`) and the directory
  (`directory`), for six roles (`ROLES`): a planner of the organising organisation, a
  viewer of the organising organisation (reads, never writes), a planner of a partner
  organisation, a planner of an unrelated organisation, a signed-in user without any
  membership, and an anonymous visitor; each with GET and POST.
- `PORTAL`: every URL under a personal link (`rsvp` /r/, `delegate` /d/), for five
  tokens (`TOKENS`): the participant's own, another participant's, a garbage one, an
  expired one and a revoked one; GET and POST.
- The admin: every registered model's changelist, add, change, delete and history
  (and simple-history's record page), plus the admin's other pages (`ADMIN_PAGES`), for
  a superuser, a staff user without permissions, a planner who is not staff and an
  anonymous visitor; GET and POST.

Every request that must not write (every GET, every POST by a role the row does not let
write) is checked against a snapshot of the whole database: the row count, the
highest primary key and the latest `auto_now` time of every model (history tables
included), before and after. A read-only role that writes a row fails its test.

The POSTs carry real data: the form that the organiser's GET of the page renders,
submitted as a browser would (plus the row's `data`), so a missing guard would really
write; `test_a_writer_s_post_with_the_row_s_data_writes` proves that it does.

HOW TO ADD A ROW
  A workspace URL: add `"plan:my-name": Row(_mission, "edit")` to `WORKSPACE` in its
  section. `kwargs` makes the URL's kwargs from the module's `world` (add an object to
  `_world` if you need one); `access` is one of `STATUS`'s keys (read the table
  there); `data` adds or overrides POST fields (for a form the organiser's page does not
  fill in by itself), `writes=True` says the organiser's POST with that data must write.
  A portal URL: add `"delegate:my-name": PortalRow(("GET",))` with the methods it
  accepts; `data` for a POST's fields, `live_get`/`live_post` for a live link's status.
  An admin model is picked up by itself once registered; give `_admin_objects` one of
  its rows if the world has none.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from matchmaking.enums import RequestStatus, RunState
from matchmaking.models import MatchmakingSettings, Profile
from messaging.enums import MessageState
from missions.enums import FeasibilityRule, ParticipantRole, RsvpStatus
from missions.tokens import calendar_token_for, token_issue, token_revoke
from organisations.enums import MembershipRole
from planning.meeting_grid import slot_value
from portal.booklet_archives import archive_file_save
from portal.enums import ArchiveState
from portal.models import BookletArchive
from tests.factories import (
    AuditEntryFactory,
    ExchangeRateFactory,
    FollowUpActionFactory,
    ItemRatingFactory,
    ItineraryItemFactory,
    MatchmakingSettingsFactory,
    MeetingBlockFactory,
    MeetingFactory,
    MeetingRequestFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
    ProfileFactory,
    ReminderRuleFactory,
    ScheduleRunFactory,
    SectorFactory,
    TableFactory,
    UnavailabilityFactory,
    UserFactory,
    VenueFactory,
    WarningAcknowledgementFactory,
)
from tests.html_forms import form_of as _form_of

pytestmark = pytest.mark.django_db

World = SimpleNamespace


# THE WORLD ----------------------------------------------------------------------------


def _world() -> World:
    """A mission of one organisation, partnered by another, a third one apart; every
    kind of row the admin lists; personal links live, expired and revoked."""
    organiser, partner, outsider = OrganisationFactory.create_batch(3)
    today = timezone.localdate()
    mission = MissionFactory(
        lead_organisation=organiser,
        partners=[partner],
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=32),
    )
    venue = VenueFactory(organisation=organiser)
    item = ItineraryItemFactory(mission=mission, venue=venue, host=organiser)
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    participant.items.add(item)
    uninvited = ParticipantFactory(mission=mission)
    # B2B matchmaking: the participant and two hosts show their profiles; one host asked
    # the participant for a meeting, the participant asked the other.
    MatchmakingSettingsFactory(mission=mission)
    ProfileFactory(participant=participant)
    asking_host, asked_host = (
        ProfileFactory(
            participant__mission=mission, participant__role=ParticipantRole.HOST
        ).participant
        for _ in range(2)
    )
    asked_by_host = MeetingRequestFactory(
        mission=mission, requester=asking_host, recipient=participant
    )
    asked_by_participant = MeetingRequestFactory(
        mission=mission, requester=participant, recipient=asked_host
    )
    revoked = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    token_revoke_after_issue = token_issue(participant=revoked)
    calendar_revoked = calendar_token_for(participant=revoked)
    token_revoke(participant=revoked)
    theirs = MissionFactory(
        lead_organisation=outsider,
        start_date=mission.start_date,
        end_date=mission.end_date,
    )
    other = ParticipantFactory(mission=theirs, rsvp_status=RsvpStatus.INVITED)
    ended = today - dt.timedelta(days=60)
    old = MissionFactory(lead_organisation=organiser, start_date=ended, end_date=ended)
    expired = ParticipantFactory(mission=old, rsvp_status=RsvpStatus.ACCEPTED)

    planner = MembershipFactory(organisation=organiser).user
    archive = BookletArchive.objects.create(
        mission=mission, state=ArchiveState.READY, total=1, done=1
    )
    archive_file_save(archive=archive, content=b"PK\x05\x06" + bytes(18), name="booklets.zip")
    archive.save()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    # Matchmaking: a meeting block the next afternoon at two tables, one meeting in it.
    afternoon = dt.datetime.combine(
        mission.start_date + dt.timedelta(days=1), dt.time(14), mission.time_zone
    )
    block = MeetingBlockFactory(
        item=ItineraryItemFactory(
            mission=mission, starts_at=afternoon, ends_at=afternoon + dt.timedelta(hours=1)
        )
    )
    tables = [TableFactory(block=block, number=1), TableFactory(block=block, number=2)]
    meeting = MeetingFactory(
        request=MeetingRequestFactory(mission=mission, status=RequestStatus.ACCEPTED),
        block=block,
        table=tables[0],
    )
    world = World(
        organiser=organiser,
        mission=mission,
        item=item,
        participant=participant,
        uninvited=uninvited,
        asking_host=asking_host,
        asked_by_host=asked_by_host,
        asked_by_participant=asked_by_participant,
        venue=venue,
        archive=archive,
        block=block,
        tables=tables,
        meeting=meeting,
        failed=OutgoingMessageFactory(participant=participant, state=MessageState.FAILED),
        action=FollowUpActionFactory(mission=mission, organisation=organiser),
        # Recorded by the organisers' side; a partner's planner sees it, changes it not.
        outcome=OutcomeFactory(mission=mission, recorded_for=organiser),
        # Someone in the directory to add to the mission.
        newcomer=PersonFactory(organisation=organiser),
        users={
            "organiser": planner,
            "viewer": MembershipFactory(organisation=organiser, role=MembershipRole.VIEWER).user,
            "partner": MembershipFactory(organisation=partner).user,
            "outsider": MembershipFactory(organisation=outsider).user,
            "nomember": UserFactory(),
            "anonymous": None,
            # The admin's users besides the planner and the anonymous visitor.
            "superuser": superuser,
            "staff": UserFactory(is_staff=True),
        },
        tokens={
            "right": token_issue(participant=participant),
            "other": token_issue(participant=other),
            "garbage": "0" * 64,
            "expired": token_issue(participant=expired),
            "revoked": token_revoke_after_issue,
        },
    )
    # The calendar feeds' own tokens (`/c/`), derived from the same links.
    world.calendar_tokens = {
        "right": calendar_token_for(participant=participant),
        "other": calendar_token_for(participant=other),
        "garbage": "0" * 64,
        "expired": calendar_token_for(participant=expired),
        "revoked": calendar_revoked,
    }
    world.admin_objects = _admin_objects(world, superuser)
    return world


def _admin_objects(w: World, superuser) -> dict[type[models.Model], models.Model]:
    """One row of every model the admin registers, for its change, delete and history."""
    schedule = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    rows = [
        Group.objects.create(name="Planners"),
        superuser,
        SolarSchedule.objects.create(event="sunrise", latitude=52.48, longitude=-1.89),
        schedule,
        ClockedSchedule.objects.create(clocked_time=timezone.now()),
        CrontabSchedule.objects.create(minute="0", hour="9"),
        PeriodicTask.objects.create(name="scan", task="scan_reminders", interval=schedule),
        SectorFactory(),
        w.organiser,
        w.venue,
        w.participant.person,
        w.users["organiser"].memberships.get(),
        w.mission,
        w.item,
        w.participant,
        WarningAcknowledgementFactory(item=w.item, rule=FeasibilityRule.CAPACITY),
        # With a rating of an item: its change page has the ratings' inline.
        ItemRatingFactory(feedback__participant=w.participant, item=w.item).feedback,
        w.action,
        w.outcome,
        ExchangeRateFactory(),
        w.failed,
        ReminderRuleFactory(mission=w.mission),
        AuditEntryFactory(mission=w.mission, user=w.users["organiser"]),
        MatchmakingSettings.objects.get(mission=w.mission),  # the world's own
        Profile.objects.get(participant=w.participant),
        w.meeting.request,
        w.block,
        w.tables[0],
        UnavailabilityFactory(participant=w.participant),
        w.meeting,
        ScheduleRunFactory(mission=w.mission, state=RunState.DONE),
        # Of someone apart: an enrolled user must give a code, the matrix's users need not.
        TOTPDevice.objects.create(user=(enrolled := UserFactory()), name="Phone"),
        StaticDevice.objects.create(user=enrolled, name="Backup codes"),
    ]
    # django-axes' rows: a sign-in attempt, its log and a failure.
    axes = apps.get_app_config("axes")
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = axes.get_model(name)
        rows.append(
            model.objects.create(
                username="someone", ip_address="192.0.2.1", user_agent="pytest", **_axes(model)
            )
        )
    return {type(row): row for row in rows}


def _axes(model: type[models.Model]) -> dict:
    """The required fields of a django-axes row beyond who and from where."""
    fields = {field.name for field in model._meta.get_fields()}
    extra = {"failures_since_start": 1} if "failures_since_start" in fields else {}
    if "attempt_time" in fields:
        extra["attempt_time"] = timezone.now()
    return extra


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end; every test
    runs in its own savepoint inside it (pytest-django's `db`), so what a test writes is
    gone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = _world()
        world.urls = {
            name: reverse(name, kwargs=row.kwargs(world)) for name, row in WORKSPACE.items()
        }
        world.post_data = {name: _post_data(world, name) for name in WORKSPACE}
        world.portal_data = _portal_data(world)
        yield world
        transaction.set_rollback(True)


# THE SNAPSHOT -------------------------------------------------------------------------

# Signing in and out writes sessions; that is not a write of anyone's data.
# The audit log records who read personal data (an export is a read, the organiser's).
NOT_DATA = {"sessions.Session", "missions.AuditEntry"}


def _snapshot() -> dict[str, str]:
    """Every row of every model (history tables included), as one text per model, in one
    query: a row added, removed or changed in any way (`save()`, `update()`) shows here."""
    quote = connection.ops.quote_name
    labels, parts = [], []
    for model in apps.get_models():
        if model._meta.label in NOT_DATA:
            continue
        table = quote(model._meta.db_table)
        if connection.vendor == "postgresql":
            # Names of our own tables, quoted: no input reaches this SQL.
            part = f"(SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {table} t)"  # noqa: S608
        else:
            row = " || ',' || ".join(
                f"quote({quote(field.column)})" for field in model._meta.concrete_fields
            )
            part = f"(SELECT group_concat(r, '|') FROM (SELECT {row} AS r FROM {table} ORDER BY 1))"  # noqa: S608
        labels.append(model._meta.label)
        parts.append(part)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return dict(zip(labels, cursor.fetchone(), strict=True))


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


def _request(client: Client, method: str, url: str, data: dict | None = None) -> HttpResponse:
    """The request, and the models it wrote to."""
    before = _snapshot()
    response = client.post(url, data or {}) if method == "POST" else client.get(url)
    response.wrote = _changed(before, _snapshot())
    return response


def _login(client: Client, user) -> None:
    if user is not None:
        client.force_login(user)


# A BROWSER'S SUBMISSION OF A PAGE'S FORM ----------------------------------------------


def _post_data(w: World, name: str) -> dict:
    """The row's POST: the organiser's page's own form (for a page with a form), with
    the row's `data` on top."""
    row = WORKSPACE[name]
    data: dict = {}
    if "GET" in row.methods:
        client = Client()
        client.force_login(w.users["organiser"])
        page = client.get(w.urls[name])
        if page["Content-Type"].startswith("text/html"):
            data = _form_of(page.content.decode(), w.urls[name])
    return data | (row.data(w) if row.data else {})


# THE WORKSPACE: plan and directory ------------------------------------------------------

ROLES = ["organiser", "viewer", "partner", "outsider", "nomember", "anonymous"]

# access: the status for (organiser, viewer, partner, outsider, nomember) of a method the
# view accepts (a row's `methods`; any other gets 405); anonymous visitors are sent to
# the login page everywhere.
STATUS = {
    "page": (200, 200, 200, 200, 200),  # every signed-in user (the dashboard)
    "directory": (200, 200, 200, 200, 404),  # every member of an organisation
    "planner": (200, 404, 200, 200, 404),  # every planner, for their own (new mission, venue)
    "read": (200, 200, 200, 404, 404),  # the mission's organisations, partners included
    "edit": (200, 404, 404, 404, 404),  # the planners of the mission's organisers
    # What participants told the mission (the participant and dietary CSVs): its
    # organisers only, like "edit", though reading changes nothing.
    "personal": (200, 404, 404, 404, 404),
    "admin": (404, 404, 404, 404, 404),  # administrators only (tests/planning/test_audit.py)
    # Outcomes: the organisers' planners record any, a partner's planners their own side
    # (tests/outcomes/test_recording.py); read-only users and outsiders do not.
    "record": (200, 404, 200, 404, 404),
}
# Who may write with a POST to a row of that access; for everyone else it writes nothing.
WRITERS = {
    "planner": {"organiser", "partner", "outsider"},
    "edit": {"organiser"},
    "record": {"organiser", "partner"},
}


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[World], dict]  # the URL's kwargs, from the world's objects
    access: str  # a key of STATUS
    data: Callable[[World], dict] | None = None  # POST fields besides the page's form
    methods: tuple[str, ...] = ("GET", "POST")  # what the view accepts (else 405)
    writes: bool = False  # the organiser's POST with this data writes


def _mission(w: World) -> dict:
    return {"pk": w.mission.pk}


def _item(w: World) -> dict:
    return {"pk": w.item.pk}


def _participant(w: World) -> dict:
    return {"pk": w.participant.pk}


def _organisation(w: World) -> dict:
    return {"pk": w.organiser.pk}


def _none(w: World) -> dict:
    return {}


def _failed_message(w: World) -> dict:
    return {"pk": w.failed.pk}


def _ready_booklets(w: World) -> dict:
    return {"pk": w.mission.pk, "archive_pk": w.archive.pk}


def _action(w: World) -> dict:
    return {"pk": w.action.pk}


def _outcome(w: World) -> dict:
    return {"pk": w.outcome.pk}


def _new_outcome(w: World) -> dict:
    return {"kind": "lead", "status": "expected", "date": w.mission.end_date.isoformat()}


def _new_mission(w: World) -> dict:
    start = w.mission.start_date
    return {
        "title": "Matrix mission",
        "kind": "inbound",
        "start_date": start.isoformat(),
        "end_date": start.isoformat(),
        "destination_city": "Leipzig",
        "destination_country": "DE",
        "time_zone": "Europe/Berlin",
    }


def _new_item(w: World) -> dict:
    day = w.mission.start_date.isoformat()
    return {
        "title": "Matrix visit",
        "kind": "round_table",
        "starts_at_0": day,
        "starts_at_1": "14:00",
        "ends_at_0": day,
        "ends_at_1": "15:00",
    }


def _newcomer(w: World) -> dict:
    return {"person": w.newcomer.pk}


def _newcomer_pk(w: World) -> dict:
    """A person of the organising organisation's directory (their planners export them)."""
    return {"pk": w.newcomer.pk}


def _import(w: World) -> dict:
    csv = b"full_name,email\nMatrix Person,matrix.person@example.org\n"
    return {"file": SimpleUploadedFile("people.csv", csv, content_type="text/csv")}


def _invite(w: World) -> dict:
    return {"participants": [w.uninvited.pk], "send": "1"}


def _new_action(w: World) -> dict:
    return {
        "organisation": w.organiser.pk,
        "agreed": "Matrix follow-up",
        "due_date": w.mission.end_date.isoformat(),
    }


def _reschedule(w: World) -> dict:
    day = w.mission.start_date.isoformat()
    return {"starts_at": f"{day}T11:00", "ends_at": f"{day}T12:15"}


class _Rewound(SimpleUploadedFile):
    """An upload read whole from its start each time: the same row's data is posted by
    every role, and the writer's POST must still carry the file."""

    def read(self, *args):
        self.seek(0)
        return super().read()


def _profiles_csv(w: World) -> dict:
    csv = f"email,offer\n{w.participant.person.email},Matrix offer\n".encode()
    return {"file": _Rewound("profiles.csv", csv, content_type="text/csv")}


def _block_item(w: World) -> dict:
    return {"pk": w.block.item_id}


def _meeting(w: World) -> dict:
    return {"pk": w.meeting.pk}


def _other_table(w: World) -> dict:
    return {"slot": slot_value(w.block.pk, w.meeting.starts_at), "table": w.tables[1].pk}


def _new_venue(w: World) -> dict:
    return {
        "venue-name": "Matrix Hall",
        "venue-address": "1 Matrix Street",
        "venue-city": "Leipzig",
        "venue-country": "DE",
        "venue-time_zone": "Europe/Berlin",
    }


WORKSPACE: dict[str, Row] = {
    # Dashboard and missions (planning/views/dashboard.py, planning/views/missions.py)
    "plan:dashboard": Row(_none, "page"),
    "plan:mission-create": Row(_none, "planner", _new_mission, writes=True),
    "plan:mission-detail": Row(_mission, "read"),
    "plan:mission-edit": Row(_mission, "edit", writes=True),
    "plan:mission-cancel": Row(_mission, "edit", writes=True),
    "plan:mission-duplicate": Row(_mission, "edit", writes=True),
    "plan:mission-history": Row(_mission, "read"),
    # Itinerary builder (planning/views/itinerary.py)
    "plan:itinerary": Row(_mission, "read"),
    "plan:item-create": Row(_mission, "edit", _new_item, writes=True),
    "plan:item-edit": Row(_item, "edit", writes=True),
    "plan:item-move": Row(_item, "edit", lambda w: {"minutes": "30"}, ("POST",), True),
    "plan:item-reschedule": Row(_item, "edit", _reschedule, ("POST",), True),
    "plan:item-delete": Row(_item, "edit", None, ("POST",), True),
    "plan:warning-acknowledge": Row(
        _item, "edit", lambda w: {"rule": "capacity", "reason": "Matrix"}, ("POST",), True
    ),
    # Participants, import and exports (planning/views/participants.py)
    "plan:participant-list": Row(_mission, "read"),
    "plan:participant-add": Row(_mission, "edit", _newcomer, writes=True),
    "plan:participant-import": Row(_mission, "edit", _import),
    "plan:participant-export": Row(_mission, "personal"),
    "plan:dietary-export": Row(_mission, "personal"),
    "plan:attendance-export": Row(_mission, "read"),
    "plan:participant-edit": Row(_participant, "edit", writes=True),
    "plan:participant-delete": Row(_participant, "edit", writes=True),
    # Invitations, delivery status and personal links (planning/views/invitations.py)
    "plan:invitation-compose": Row(_mission, "edit", _invite, writes=True),
    "plan:delivery-status": Row(_mission, "read"),
    "plan:message-retry": Row(_failed_message, "edit", None, ("POST",), True),
    "plan:link-regenerate": Row(_participant, "edit", writes=True),
    "plan:link-revoke": Row(_participant, "edit", writes=True),
    # Reminders and follow-up (planning/views/follow_ups.py)
    "plan:follow-up": Row(_mission, "read", methods=("GET",)),
    "plan:action-create": Row(_mission, "edit", _new_action, writes=True),
    "plan:action-edit": Row(_action, "edit", writes=True),
    "plan:contact-options": Row(_mission, "edit", methods=("GET",)),
    "plan:reminder-rules": Row(_mission, "edit", writes=True),
    # Outcomes (planning/views/outcomes.py)
    "plan:outcome-list": Row(_mission, "read", methods=("GET",)),
    "plan:outcome-create": Row(_mission, "record", _new_outcome, writes=True),
    "plan:outcome-edit": Row(_outcome, "edit", writes=True),
    "plan:outcome-delete": Row(_outcome, "edit", writes=True),
    # The outcomes report, its charts and exports, for every member (planning/views/reports.py)
    "plan:reports": Row(_none, "directory", methods=("GET",)),
    "plan:report-print": Row(_none, "directory", methods=("GET",)),
    "plan:report-xlsx": Row(_none, "directory", methods=("GET",)),
    "plan:report-chart": Row(lambda w: {"name": "funnel"}, "directory", methods=("GET",)),
    # Delegate booklets (planning/views/booklets.py)
    "plan:booklets": Row(_mission, "edit", writes=True),
    "plan:booklets-status": Row(_mission, "edit", methods=("GET",)),
    "plan:booklets-download": Row(_ready_booklets, "edit", methods=("GET",)),
    # Matchmaking (planning/views/matchmaking.py): the mission's organisers only
    "plan:matchmaking": Row(_mission, "edit", writes=True),
    "plan:meeting-block": Row(_item, "edit", lambda w: {"tables": "3"}, writes=True),
    "plan:meeting-block-remove": Row(_block_item, "edit", None, ("POST",), True),
    "plan:matchmaking-profiles": Row(_mission, "edit", methods=("GET",)),
    "plan:matchmaking-profile-import": Row(_mission, "edit", _profiles_csv, writes=True),
    "plan:matchmaking-profile": Row(_participant, "edit", writes=True),
    "plan:schedule-start": Row(_mission, "edit", None, ("POST",), True),
    "plan:schedule-status": Row(_mission, "edit", methods=("GET",)),
    "plan:schedule-publish": Row(_mission, "edit", None, ("POST",), True),
    "plan:meeting-grid": Row(_mission, "edit", methods=("GET",)),
    "plan:meeting-move": Row(_meeting, "edit", _other_table, writes=True),
    "plan:meeting-lock": Row(_meeting, "edit", lambda w: {"locked": "1"}, ("POST",), True),
    # Directory (planning/views/directory.py)
    "directory:organisation-list": Row(_none, "directory", methods=("GET",)),
    "directory:organisation-detail": Row(_organisation, "directory", methods=("GET",)),
    "directory:organisation-options": Row(_none, "directory", methods=("GET",)),
    "directory:venue-options": Row(_none, "directory", methods=("GET",)),
    "directory:venue-create": Row(_none, "planner", _new_venue, writes=True),
    "directory:person-export": Row(_newcomer_pk, "edit", methods=("GET",)),
    # The audit log, for the organisation's administrators (planning/views/audit.py)
    "plan:audit-log": Row(_none, "admin", methods=("GET",)),
}


def _url_names(*namespaces: str) -> set[str]:
    names = set()
    for namespace in namespaces:
        _, resolver = get_resolver().namespace_dict[namespace]
        names |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    return names


def test_workspace_table_has_a_row_for_every_url_of_plan_and_directory():
    names = _url_names("plan", "directory")

    assert sorted(names - WORKSPACE.keys()) == []
    assert sorted(WORKSPACE.keys() - names) == []


def _expected_workspace(row: Row, who: str, method: str) -> int:
    if method not in row.methods:
        return 405
    if who == "anonymous":
        return 302
    return STATUS[row.access][ROLES.index(who)]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("url_name", sorted(WORKSPACE))
def test_workspace_answers_each_role_as_the_table_says(client: Client, world: World, url_name, who):
    row = WORKSPACE[url_name]
    url = world.urls[url_name]
    _login(client, world.users[who])

    for method in ("GET", "POST"):
        response = _request(client, method, url, world.post_data[url_name])

        expected = _expected_workspace(row, who, method)
        writer = who in WRITERS.get(row.access, ())
        # A write by someone who may not is the worst failure: said first.
        if method == "GET" or not writer:
            assert response.wrote == [], f"{who} wrote with {method} {url_name}"
        if who == "anonymous" and expected == 302:
            assert response.status_code == 302, method
            assert response["Location"].startswith(reverse("login"))
        elif who == "anonymous":
            # The method is refused before the login is asked for, or after.
            assert response.status_code in (302, 405), method
        elif method == "POST" and expected == 200 and writer:
            # A writer's POST: saved and redirected, or the form again (with its errors).
            assert response.status_code in (200, 302), method
        else:
            assert response.status_code == expected, method


@pytest.mark.parametrize("url_name", sorted(name for name, row in WORKSPACE.items() if row.writes))
def test_a_writer_s_post_with_the_row_s_data_writes(client: Client, world: World, url_name):
    """The matrix's POSTs would write if a guard were missing: the organiser's does."""
    client.force_login(world.users["organiser"])

    response = _request(client, "POST", world.urls[url_name], world.post_data[url_name])

    assert response.status_code < 400
    assert response.wrote != []


# THE PORTAL: pages under a personal link ------------------------------------------------

TOKENS = ["right", "other", "garbage", "expired", "revoked"]


@dataclass(frozen=True)
class PortalRow:
    methods: tuple[str, ...]  # what the page accepts (else 405, whatever the token)
    data: Callable[[World], dict] | None = None  # a POST's fields besides the page's form
    live_get: int = 200  # a live link's GET (302: the page sends the delegate on)
    live_post: tuple[int, ...] = (200, 302)  # a live link's POST: the form again, or saved
    # Another mission's live link's POST, when it differs (404: the request or profile
    # posted is none of theirs).
    other_post: int | None = None


PORTAL: dict[str, PortalRow] = {
    # The address of before (on to the delegate's page), the language, the feedback
    # (portal/views/rsvp.py)
    "rsvp:answer": PortalRow(
        ("GET", "POST"), lambda w: {"answer": RsvpStatus.ACCEPTED}, live_get=302, live_post=(307,)
    ),
    "rsvp:language": PortalRow(("POST",), lambda w: {"language": "de"}),
    "rsvp:feedback": PortalRow(("GET", "POST"), lambda w: {"rating": "4", "comment": "Matrix"}),
    # The delegate's page (with the answer form until they answered), calendar and booklet
    # (portal/views/)
    "delegate:page": PortalRow(("GET", "POST"), lambda w: {"answer": RsvpStatus.ACCEPTED}),
    "delegate:language": PortalRow(("POST",), lambda w: {"language": "de"}),
    "delegate:answer": PortalRow(("GET",), live_get=302),  # on to the page's answer form
    "delegate:calendar": PortalRow(("GET",)),  # the feed's addresses
    "delegate:calendar-ics": PortalRow(("GET",)),
    "delegate:booklet": PortalRow(("GET",)),
    # B2B meetings (portal/views/meetings.py): the page saves the profile; the marketplace;
    # asking, answering and withdrawing, a 404 for a request or profile not the link's own
    # (another mission's link sees none of this mission's).
    "delegate:meetings": PortalRow(
        ("GET", "POST"), lambda w: {"offer": "Matrix", "opted_in": "on"}
    ),
    "delegate:marketplace": PortalRow(("GET",)),
    "delegate:meeting-ask": PortalRow(
        ("POST",), lambda w: {"recipient": w.asking_host.pk}, live_post=(302,), other_post=404
    ),
    "delegate:meeting-answer": PortalRow(
        ("POST",),
        lambda w: {"request": w.asked_by_host.pk, "answer": "accept"},
        live_post=(302,),
        other_post=404,
    ),
    "delegate:meeting-withdraw": PortalRow(
        ("POST",),
        lambda w: {"request": w.asked_by_participant.pk},
        live_post=(302,),
        other_post=404,
    ),
}
# What a live link's GET may write: the delegate's page is kept rendered, and the
# participant's first visit remembered (`portal.views.delegate.page`).
KEPT_ON_READ = ["portal.DelegatePage", "missions.Participant"]


def _portal_data(w: World) -> dict[str, dict]:
    """Each page's POST: the right link's page's form with the row's data on top."""
    client = Client()
    data = {}
    for name, row in PORTAL.items():
        url = reverse(name, kwargs={"token": w.tokens["right"]})
        fields = {}
        if "POST" in row.methods and "GET" in row.methods:
            fields = _form_of(client.get(url).content.decode(), url)
        data[name] = fields | (row.data(w) if row.data else {})
    return data


def test_portal_table_has_a_row_for_every_url_of_rsvp_and_delegate():
    names = _url_names("rsvp", "delegate")
    assert _url_names("calendar") == {"calendar:feed"}  # its own test below

    assert sorted(names - PORTAL.keys()) == []
    assert sorted(PORTAL.keys() - names) == []


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("url_name", sorted(PORTAL))
def test_portal_answers_each_link_as_the_table_says(client: Client, world: World, url_name, token):
    row = PORTAL[url_name]
    url = reverse(url_name, kwargs={"token": world.tokens[token]})
    participant = world.participant
    Participant = type(participant)

    for method in ("GET", "POST"):
        before = participant.history.count(), Participant.objects.get(pk=participant.pk)

        response = _request(client, method, url, world.portal_data[url_name])

        if method not in row.methods:
            assert response.status_code == 405, method
        elif token == "other" and method == "POST" and row.other_post:
            assert response.status_code == row.other_post, method
        elif token in ("right", "other"):
            # A live link is its participant's, with its own page; a POST may answer.
            assert response.status_code in (
                (row.live_get,) if method == "GET" else row.live_post
            ), method
        else:
            assert response.status_code == 404, method
        if token == "other":
            # Another participant's link never shows or changes this participant.
            assert participant.person.full_name.encode() not in response.content
            after = participant.history.count(), Participant.objects.get(pk=participant.pk)
            assert (after[0], after[1].updated_at) == (before[0], before[1].updated_at)
        if token not in ("right", "other"):
            assert response.wrote == [], f"a {token} link wrote with {method} {url_name}"
        elif method == "GET":
            assert set(response.wrote) <= set(KEPT_ON_READ), f"GET {url_name} wrote"


@pytest.mark.parametrize("token", TOKENS)
def test_calendar_feed_answers_only_its_own_live_token(client: Client, world: World, token):
    """`/c/<calendar token>.ics` (portal/views/calendar.py): read-only, a live feed token
    only; a personal link's token opens no feed."""
    feed = reverse("calendar:feed", kwargs={"token": world.calendar_tokens[token]})
    with_page_token = reverse("calendar:feed", kwargs={"token": world.tokens[token]})

    get = _request(client, "GET", feed)
    post = _request(client, "POST", feed)

    assert get.status_code == (200 if token in ("right", "other") else 404)
    assert post.status_code == 405
    assert _request(client, "GET", with_page_token).status_code == 404
    assert get.wrote == post.wrote == []


def test_a_live_link_s_post_with_the_row_s_data_writes(client: Client, world: World):
    """The portal's POSTs would write if the guard let a wrong link through: the right
    link's answer does."""
    url = reverse("delegate:page", kwargs={"token": world.tokens["right"]})

    response = _request(client, "POST", url, world.portal_data["delegate:page"])

    assert response.status_code == 302
    assert "missions.Participant" in response.wrote


# THE ADMIN --------------------------------------------------------------------------
# Only superusers use it. A staff user without permissions (none is given to anyone)
# gets 403 on every model's page; a planner without is_staff and an anonymous visitor
# are sent to the admin's login page.

ADMIN_USERS = ["superuser", "staff", "organiser", "anonymous"]
ADMIN_VIEWS = ["changelist", "add", "change", "delete", "history", "simple_history"]
MODEL_PAGE_STATUS = {"superuser": 200, "staff": 403, "organiser": 302, "anonymous": 302}
# Pages that even the superuser may not open: django-axes' records are made by sign-ins.
SUPERUSER_REFUSED = {
    "axes.AccessAttempt add",
    "axes.AccessFailureLog add",
    "axes.AccessLog add",
    # The audit log is read-only: made by what it records, never by hand.
    "missions.AuditEntry add",
    "missions.AuditEntry delete",
}


def _registered() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if admin.site.is_registered(model)]


def _admin_pages(*models_: type[models.Model]) -> list[str]:
    """Every "model-label view" of the admin (of the models given, else of all),
    simple-history's only where the model has it."""
    names = _url_names("admin")
    pages = []
    for model in models_ or _registered():
        for view in ADMIN_VIEWS:
            if f"admin:{_prefix(model)}_{view}" in names:
                pages.append(f"{model._meta.label} {view}")
    return pages


def _prefix(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}_{model._meta.model_name}"


def _admin_url(w: World, page: str) -> str:
    label, view = page.split()
    model = apps.get_model(label)
    name = f"admin:{_prefix(model)}_{view}"
    if view in ("changelist", "add"):
        return reverse(name)
    row = w.admin_objects[model]
    if view == "simple_history":
        return reverse(name, args=[row.pk, row.history.latest().history_id])
    return reverse(name, args=[row.pk])


def _totp_device(w: World) -> dict:
    return {"pk": w.admin_objects[TOTPDevice].pk}


# The admin's other pages: URL name, its kwargs, the GET's status for ADMIN_USERS.
ADMIN_PAGES: dict[str, tuple[Callable[[World], dict], tuple[int, ...]]] = {
    "admin:index": (_none, (200, 200, 302, 302)),
    "admin:app_list": (lambda w: {"app_label": "missions"}, (200, 404, 302, 302)),
    "admin:auth_user_password_change": (
        lambda w: {"id": w.users["organiser"].pk},
        (200, 403, 302, 302),
    ),
    "admin:password_change": (_none, (200, 200, 302, 302)),
    "admin:password_change_done": (_none, (200, 200, 302, 302)),
    "admin:jsi18n": (_none, (200, 200, 302, 302)),
    "admin:autocomplete": (_none, (403, 403, 302, 302)),
    "admin:view_on_site": (
        lambda w: {"content_type_id": 1, "object_id": w.organiser.pk},
        (404, 404, 302, 302),
    ),
    # django-otp's pages of an authenticator app: its settings and its QR code.
    "admin:otp_totp_totpdevice_config": (_totp_device, (200, 403, 302, 302)),
    "admin:otp_totp_totpdevice_qrcode": (_totp_device, (200, 403, 302, 302)),
    "admin:login": (_none, (302, 302, 200, 200)),
    "admin:logout": (_none, (405, 405, 302, 302)),  # signing out is a POST
}


def test_admin_tables_cover_every_url_of_the_admin():
    pages = {
        f"admin:{_prefix(apps.get_model(p.split()[0]))}_{p.split()[1]}" for p in _admin_pages()
    }
    names = _url_names("admin")

    assert sorted(names - pages - ADMIN_PAGES.keys()) == []
    assert sorted(ADMIN_PAGES.keys() - names) == []


def test_admin_world_has_a_row_of_every_registered_model(world: World):
    assert sorted(m._meta.label for m in _registered() if m not in world.admin_objects) == []


def _admin_post(page: str, w: World) -> dict:
    """A POST that would delete the row if the admin let the user through."""
    label, view = page.split()
    row = w.admin_objects.get(apps.get_model(label))
    if view == "delete":
        return {"post": "yes"}
    if view == "changelist" and row is not None:
        return {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    return {}


def _assert_admin_refusal(response: HttpResponse, who: str, url: str) -> None:
    expected = MODEL_PAGE_STATUS[who]
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("who", ADMIN_USERS)
@pytest.mark.parametrize("model", _registered(), ids=lambda model: model._meta.label)
def test_admin_model_pages_answer_each_user(client: Client, world: World, model, who):
    _login(client, world.users[who])

    for page in _admin_pages(model):
        url = _admin_url(world, page)
        # The superuser may change anything: their GET only is tried (to see no page fails).
        for method in ("GET",) if who == "superuser" else ("GET", "POST"):
            response = _request(client, method, url, _admin_post(page, world))

            if who == "superuser":
                expected = 403 if page in SUPERUSER_REFUSED else 200
                assert response.status_code == expected, f"{method} {page}"
                continue
            _assert_admin_refusal(response, who, url)
            assert response.wrote == [], f"{who} wrote with {method} {page}"


@pytest.mark.parametrize("who", ADMIN_USERS)
@pytest.mark.parametrize("url_name", sorted(ADMIN_PAGES))
def test_admin_other_page_answers_each_user(client: Client, world: World, url_name, who):
    kwargs, statuses = ADMIN_PAGES[url_name]
    url = reverse(url_name, kwargs=kwargs(world))
    _login(client, world.users[who])

    for method in ("GET", "POST"):
        response = _request(client, method, url)

        if method == "GET":
            assert response.status_code == statuses[ADMIN_USERS.index(who)]
        elif who in ("organiser", "anonymous") and url_name not in ("admin:login", "admin:logout"):
            assert response.status_code == 302
        if not (url_name == "admin:logout" and method == "POST"):
            # Signing out is a write (django-axes logs it), for anyone signed in.
            assert response.wrote == [], f"{who} wrote with {method} {url_name}"
