"""Migrations that move data: the move of four models out of missions (missions 0008,
messaging 0001, portal 0001), and phone and needs from Person to Participant (missions
0009, organisations 0002).

OutgoingMessage and ReminderRule went to messaging, DelegatePage and BookletArchive to
portal, with SeparateDatabaseAndState: only Django's picture of them moved. Going back to
the schema before the move and forward again must rebuild no table, lose no row, and
leave the content types (which admin log entries and permissions point at) relabelled,
not recreated.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from messaging.models import OutgoingMessage, ReminderRule
from missions.demo import load_demo
from missions.models import Mission, Participant
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
        back = _migrate(BEFORE_THE_MOVE)

        assert _row_counts() == counts
        assert _content_types(model_names) == {
            (content_type.pk, "missions", content_type.model)
            for content_type in content_types.values()
        }
    finally:
        forward = _migrate(AFTER_THE_MOVE)
        after = _row_counts()
        _migrate()

    assert [sql for sql in back + forward if sql.lstrip().upper().startswith(DDL)] == []
    assert after == counts
    assert {model: list(model.objects.values_list("pk", flat=True)) for model in MOVED} == (
        moved_rows
    )
    assert OutgoingMessage.objects.get(pk=message.pk).recipient_email == (participant.person.email)
    assert ReminderRule.objects.get(pk=rule.pk).mission == mission
    assert DelegatePage.objects.get(participant=participant).key == page.key
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


# PHONE AND NEEDS MOVED TO THE PARTICIPANT (missions 0009, organisations 0002) ---------

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
