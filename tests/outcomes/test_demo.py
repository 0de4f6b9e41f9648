"""The demo outcomes: the report shows the Birmingham–Leipzig partnership across years on
first run; every note says it is demo data; a second run records nothing new."""

import pytest
from django.core.management import call_command
from django.db import transaction

from missions.demo import load_demo
from outcomes import demo, figures, reports
from outcomes.models import Outcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_load_demo_records_the_outcomes_once(capsys):
    # First in the module: it runs before `loaded` fills the database for the rest.
    assert not Outcome.objects.exists(), "run before the tests of the loaded demo"
    call_command("load_demo")
    first = Outcome.objects.count()
    call_command("load_demo")

    assert first > 0
    assert Outcome.objects.count() == first
    assert f"{first} outcomes" in capsys.readouterr().out


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo and its outcomes, loaded once for the tests below and rolled back at the
    module's end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield demo.load()
        transaction.set_rollback(True)


def test_demo_load_records_every_outcome_once(loaded):
    again = demo.load()

    assert (loaded["created"], loaded["missing_missions"]) == (len(demo.OUTCOMES), 0)
    assert again["created"] == 0
    assert Outcome.objects.count() == len(demo.OUTCOMES)


def test_demo_outcomes_are_marked_as_demo_data(loaded):
    notes = Outcome.objects.values_list("evidence", flat=True)

    assert [n for n in notes if not n.startswith("Demo data, ")] == []


def test_demo_report_shows_the_partnership_across_years(loaded):
    superuser = UserFactory(is_superuser=True)

    report = reports.report_for(superuser, figures.Filters(partner_city="Leipzig"))

    assert sorted({row.year for row in report.timeline}) == [2017, 2024, 2025, 2026]
    assert {row.partnership for row in report.timeline} == {"Birmingham – Leipzig"}
    assert [(g.currency, g.year) for g in report.values.gaps] == [("EUR", 2025)]


def test_demo_report_rates_the_items_of_past_missions(loaded):
    superuser = UserFactory(is_superuser=True)

    by_item = reports.report_for(superuser, figures.Filters()).feedback.by_item

    rated = {(row.year, row.item): (row.answers, row.average) for row in by_item}
    assert rated[(2025, "Digbeth: The Bond")] == (3, 3.3)
    assert rated[(2024, "Leipzig Opera Ball 2024")] == (1, 5.0)
    assert rated[(2024, "Travel Birmingham – Leipzig")] == (2, 2.5)
