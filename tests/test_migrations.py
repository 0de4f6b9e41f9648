"""Data kept by the migrations that move it.

The move of four models out of missions (missions 0008, messaging 0001, portal 0001):

OutgoingMessage and ReminderRule went to messaging, DelegatePage and BookletArchive to
portal, with SeparateDatabaseAndState: only Django's picture of them moved. Going back to
the schema before the move and forward again must rebuild no table, lose no row, and
leave the content types (which admin log entries and permissions point at) relabelled,
not recreated.

Phone and needs from Person to each Participant (missions 0009, organisations 0003).

The calendar feeds' own tokens (missions 0012): every participant with a personal link
gets the hash of its calendar token, derived as `missions.tokens` derives it. The kept
delegate pages rendered with links in them (portal 0002) are deleted.
"""

import gzip

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from messaging.models import OutgoingMessage, ReminderRule
from missions.demo import load_demo
from missions.models import Mission, Participant
from missions.tokens import (
    calendar_token_for,
    token_hash,
    token_issue,
    token_revoke,
)
from portal.models import BookletArchive, DelegatePage
from tests.factories import (
    BookletArchiveFactory,
    DelegatePageFactory,
    MissionFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
    ReminderRuleFactory,
    UserFactory,
)

BEFORE_THE_MOVE = [
    ("missions", "0007_outbox_partial_indexes"),
    ("messaging", None),
    ("portal", None),
]
# Right after the move. What later migrations add (the audit log's table, new columns) is
# undone first, so going back and forth from here measures the move alone.
AFTER_THE_MOVE = [
    ("missions", "0008_models_moved_to_messaging_and_portal"),
    ("messaging", "0001_initial"),
    ("portal", "0001_initial"),
]
MOVED = {
    OutgoingMessage: "messaging",
    ReminderRule: "messaging",
    DelegatePage: "portal",
    BookletArchive: "portal",
}
BEFORE_CALENDAR_TOKENS = [("missions", "0011_mission_personal_data_anonymised")]
BEFORE_KEPT_PAGES_DELETED = [("portal", "0001_initial")]
DDL = ("CREATE ", "ALTER ", "DROP ", "RENAME ")
BEFORE_NEEDS_MOVED = [
    ("missions", "0008_models_moved_to_messaging_and_portal"),
    ("organisations", "0001_initial"),
]


def _migrate(targets=None) -> list[str]:
    """Migrate to `targets` (default: the latest); return the SQL statements it ran."""
    executor = MigrationExecutor(connection)  # a new one reads the graph afresh
    with CaptureQueriesContext(connection) as queries:
        executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return [query["sql"] for query in queries]


def _row_counts() -> dict[str, int]:
    """Rows of every missions_* table, counted in SQL (the ORM's picture may be elsewhere)."""
    tables = [
        name for name in connection.introspection.table_names() if name.startswith("missions_")
    ]
    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  (names from the introspection)
            counts[table] = cursor.fetchone()[0]
    return counts


def _content_types(model_names: list[str]) -> set[tuple[int, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, app_label, model FROM django_content_type WHERE model IN (%s, %s, %s, %s)",
            model_names,
        )
        return set(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_move_to_messaging_and_portal_back_and_forth_rebuilds_no_table_and_loses_no_row():
    load_demo()
    mission = Mission.objects.get(slug="leipzig-creative-trade-mission-birmingham-2025")
    participant = mission.participants.select_related("person").first()
    message = OutgoingMessageFactory(participant=participant, mission=mission)
    rule = ReminderRuleFactory(mission=mission)
    page = DelegatePageFactory(participant=participant)
    archive = BookletArchiveFactory(mission=mission, requested_by=UserFactory(username="anna"))
    moved_rows = {model: list(model.objects.values_list("pk", flat=True)) for model in MOVED}
    model_names = [model._meta.model_name for model in MOVED]
    content_types = ContentType.objects.get_for_models(*MOVED)  # created here if missing
    _migrate(AFTER_THE_MOVE)
    counts = _row_counts()
    assert {model._meta.db_table: counts[model._meta.db_table] for model in MOVED} == {
        "missions_outgoingmessage": 1,
        "missions_reminderrule": 1,
        "missions_delegatepage": 1,
        "missions_bookletarchive": 1,
    }

    try:
        _migrate(AFTER_THE_MOVE)  # the later migrations out of the way
        back = _migrate(BEFORE_THE_MOVE)

        assert _row_counts() == counts
        assert _content_types(model_names) == {
            (content_type.pk, "missions", content_type.model)
            for content_type in content_types.values()
        }
        forward = _migrate(AFTER_THE_MOVE)
        after_the_move = _row_counts()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT key FROM missions_delegatepage WHERE participant_id = %s", [participant.pk]
            )
            [kept_key] = cursor.fetchone()
    finally:
        _migrate()

    assert [sql for sql in back + forward if sql.lstrip().upper().startswith(DDL)] == []
    assert after_the_move == counts
    assert kept_key == page.key
    # Then portal 0002 deletes the kept pages (rendered with links in them), nothing else
    # (of the tables there were; later migrations add their own, such as the audit log's).
    assert {table: n for table, n in _row_counts().items() if table in counts} == counts | {
        "missions_delegatepage": 0
    }
    assert {model: list(model.objects.values_list("pk", flat=True)) for model in MOVED} == (
        moved_rows | {DelegatePage: []}
    )
    assert OutgoingMessage.objects.get(pk=message.pk).recipient_email == (participant.person.email)
    assert ReminderRule.objects.get(pk=rule.pk).mission == mission
    assert BookletArchive.objects.get(pk=archive.pk).requested_by.username == "anna"
    assert _content_types(model_names) == {
        (content_type.pk, MOVED[model], content_type.model)
        for model, content_type in content_types.items()
    }
    ContentType.objects.clear_cache()
    assert {model: ContentType.objects.get_for_model(model) for model in MOVED} == content_types
    assert {model: model._meta.db_table for model in MOVED} == {
        OutgoingMessage: "missions_outgoingmessage",
        ReminderRule: "missions_reminderrule",
        DelegatePage: "missions_delegatepage",
        BookletArchive: "missions_bookletarchive",
    }
    assert set(counts) <= set(connection.introspection.table_names())


# PHONE AND NEEDS MOVED TO THE PARTICIPANT (missions 0009, organisations 0003) ---------

NEEDS = ("phone", "dietary_requirements", "accessibility_needs")


@pytest.mark.django_db(transaction=True)
def test_needs_moved_from_person_to_each_of_their_participations_lose_nothing():
    jana, ada, nobody = PersonFactory.create_batch(3)
    first, second = MissionFactory.create_batch(2)
    on_first = ParticipantFactory(mission=first, person=jana)
    on_second = ParticipantFactory(mission=second, person=jana)
    ada_on_first = ParticipantFactory(mission=first, person=ada)
    participants = Participant.objects.count()
    told = {
        jana.pk: ("+49 341 123", "Vegan, nut allergy", "Step-free access"),
        ada.pk: ("", "Halal", ""),
        nobody.pk: ("+44 121 1", "Kosher", "Hearing loop"),  # on no mission
    }

    try:
        _migrate(BEFORE_NEEDS_MOVED)
        old = MigrationExecutor(connection).loader.project_state(BEFORE_NEEDS_MOVED).apps
        OldPerson = old.get_model("organisations", "Person")
        for pk, values in told.items():
            OldPerson.objects.filter(pk=pk).update(**dict(zip(NEEDS, values, strict=True)))
    finally:
        _migrate()

    def needs(participant) -> tuple:
        participant.refresh_from_db()
        return tuple(getattr(participant, name) for name in NEEDS)

    assert needs(on_first) == needs(on_second) == told[jana.pk]
    assert needs(ada_on_first) == told[ada.pk]
    assert Participant.objects.count() == participants
    assert on_first.history.latest().dietary_requirements == "Vegan, nut allergy"
    person_columns = {
        column.name
        for table in ("organisations_person", "organisations_historicalperson")
        for column in connection.introspection.get_table_description(connection.cursor(), table)
    }
    assert person_columns.isdisjoint(NEEDS)


@pytest.mark.django_db(transaction=True)
def test_needs_moved_back_give_the_person_their_latest_participations_values():
    person = PersonFactory()
    ParticipantFactory(person=person, dietary_requirements="Vegetarian", phone="+49 1")

    try:
        _migrate(BEFORE_NEEDS_MOVED)
        old = MigrationExecutor(connection).loader.project_state(BEFORE_NEEDS_MOVED).apps
        back = old.get_model("organisations", "Person").objects.get(pk=person.pk)
        assert (back.phone, back.dietary_requirements, back.accessibility_needs) == (
            "+49 1",
            "Vegetarian",
            "",
        )
    finally:
        _migrate()


@pytest.mark.django_db(transaction=True)
def test_calendar_tokens_hashed_for_every_live_link_and_nothing_else_changed():
    load_demo()
    participants = list(Participant.objects.order_by("pk"))
    for participant in participants[::2]:
        token_issue(participant=participant)
    for participant in participants[1::4]:
        token_revoke(participant=participant)
    before = list(Participant.objects.order_by("pk").values())
    Participant.objects.update(calendar_token_hash="")  # as the rows were before 0009
    counts = _row_counts()

    try:
        _migrate(BEFORE_CALENDAR_TOKENS)
    finally:
        _migrate()

    # Later migrations' tables go on the way back, and come back empty: the item ratings'
    # (missions 0013), with the demo's.
    assert _row_counts() == counts | {"missions_itemrating": 0}
    assert list(Participant.objects.order_by("pk").values()) == before
    live = Participant.objects.exclude(token_nonce="")
    assert live.count() >= len(participants[::2]) - len(participants[1::4])
    for participant in live:  # the feed's token, as the page gives it, is the one hashed
        assert participant.calendar_token_hash == token_hash(
            calendar_token_for(participant=participant)
        )
    assert set(
        Participant.objects.filter(token_nonce="").values_list("calendar_token_hash", flat=True)
    ) <= {""}


@pytest.mark.django_db(transaction=True)
def test_kept_pages_rendered_with_links_deleted_and_nothing_else():
    load_demo()
    participant = Participant.objects.first()
    token = token_issue(participant=participant)
    DelegatePageFactory(participant=participant, gzipped=gzip.compress(f"/r/{token}/".encode()))
    counts = _row_counts()

    try:
        _migrate(BEFORE_KEPT_PAGES_DELETED)
    finally:
        _migrate()

    assert not DelegatePage.objects.exists()
    assert _row_counts() == counts | {"missions_delegatepage": 0}
