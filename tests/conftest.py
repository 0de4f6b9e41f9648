"""Service probes: tests talk to a real database (PostgreSQL, or SQLite) and Redis.

When one is unreachable, the tests that need it are skipped with a loud reason, or,
with REQUIRE_SERVICES=1 (as in CI), the run stops as a failure before any test runs.
SQLite needs no server; on SQLite the tests marked `postgresql` are deselected.
"""

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import MembershipFactory, OrganisationFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _service_problems() -> dict[str, str]:
    db = settings.DATABASES["default"]
    problems = {}
    if on_postgresql() and not _reachable(
        f"//{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}", 5432
    ):
        problems["database"] = (
            f"PostgreSQL unreachable at {db.get('HOST')}:{db.get('PORT') or 5432} "
            "(start it or set DATABASE_URL)"
        )
    if not _reachable(settings.REDIS_URL, 6379):
        problems["redis"] = f"Redis unreachable at {settings.REDIS_URL} (start it or set REDIS_URL)"
    if not (shutil.which(CHROMIUM) or os.path.exists(CHROMIUM)):
        problems["browser"] = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    return problems


PROBLEMS: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    PROBLEMS.update(_service_problems())
    if PROBLEMS and REQUIRE_SERVICES:
        raise pytest.UsageError(
            "REQUIRE_SERVICES=1 and a service is missing: " + "; ".join(PROBLEMS.values())
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = "PostgreSQL" if on_postgresql() else "SQLite (tests marked postgresql deselected)"
    if not PROBLEMS:
        return [f"database: {database}", "services: database, Redis and Chromium all reachable"]
    return [f"database: {database}"] + [
        f"!!! SKIPPING tests that need it: {problem}" for problem in PROBLEMS.values()
    ]


def _needs(item: pytest.Item) -> set[str]:
    fixtures = set(getattr(item, "fixturenames", ()))
    needs = set()
    if item.get_closest_marker("django_db") or fixtures & {
        "db",
        "transactional_db",
        "django_db_setup",
        "live_server",
        "admin_client",
        "admin_user",
    }:
        needs.add("database")
    if item.get_closest_marker("redis"):
        needs.add("redis")
    if item.get_closest_marker("browser") or item.nodeid.startswith("tests/browser/"):
        needs.add("browser")
    return needs


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not on_postgresql():
        # Deselected, not skipped: on SQLite they are not tests that could not run.
        deselected = [item for item in items if item.get_closest_marker("postgresql")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql")]
    for item in items:
        for service in _needs(item) & PROBLEMS.keys():
            item.add_marker(pytest.mark.skip(reason=f"!!! {PROBLEMS[service]}"))


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    for problem in PROBLEMS.values():
        terminalreporter.write_line(f"!!! Tests were skipped: {problem}", red=True, bold=True)


# SIGNED-IN USERS AROUND A TEST MODULE'S `mission` FIXTURE (each module defines its own) --


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
    """The rate limits count in Redis; only the tests marked `redis` exercise them."""
    if request.node.get_closest_marker("redis") is None:
        settings.LINK_RATE_ENABLED = False
        settings.PASSWORD_RESET_RATE_ENABLED = False
