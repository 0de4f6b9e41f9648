"""Requests per second of the delegate's page against a bare Django view, same server and run.

    .venv/bin/python bench/delegate_page.py [--requests 1500] [--clients 4] [--rounds 3]

Creates the database `itinera_bench_delegate` on DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432/), migrates it and seeds a Leipzig–Tokyo mission
under way with 60 items and 300 participants. Serves the app with gunicorn (2 sync
workers) under `bench.settings` (production's settings plus `/bench/bare/`, a view that
returns "ok" through the same middleware and request transaction) on a free port, warms
up, then measures both URLs in alternating rounds with client processes that each send
their share of requests one after the other (http.client, a new connection each time,
as gunicorn's sync workers close it, with a phone's Accept-Encoding). Prints the median
requests per second of each and their ratio (aim: 0.35 or better). The page is served
as last rendered while nothing on it changed (portal/delegate_cache.py), as in
production; for reference the script also prints a wrong link's 404 page and each page
rendered afresh (the kept pages deleted first, as after a change to the mission). Stops
gunicorn and drops the database at the end, whatever happens. Needs PostgreSQL and Redis
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/12).
"""

import argparse
import datetime as dt
import http.client
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "itinera_bench_delegate"
ITEMS, PARTICIPANTS, TOKENS = 60, 300, 100
# What a phone's browser sends that changes the answer: the page is gzipped for it.
PHONE = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "de-DE,de;q=0.9"}
TOKYO, BERLIN = zoneinfo.ZoneInfo("Asia/Tokyo"), zoneinfo.ZoneInfo("Europe/Berlin")


def _environment() -> dict[str, str]:
    server = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itinera"))
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": server._replace(path=f"/{DATABASE}").geturl(),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "consolemail://",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def _maintenance(sql: str) -> None:
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)


def _forget_kept_pages(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("DELETE FROM missions_delegatepage")


# SEED --------------------------------------------------------------------------------------


def seed() -> list[str]:
    """A mission under way in Tokyo; returns personal links' tokens of some delegates."""
    from django.utils import timezone

    from missions.enums import Audience, ItemKind, MissionStatus, ParticipantRole, RsvpStatus
    from missions.models import ItineraryItem, Mission, Participant
    from missions.tokens import token_issue
    from organisations.enums import OrganisationKind
    from organisations.models import Organisation, Person, Venue

    leipzig = Organisation.objects.create(
        name="City of Leipzig", kind=OrganisationKind.CITY_COUNCIL, city="Leipzig", country="DE"
    )
    hosts = [
        Organisation.objects.create(
            name=f"Tokyo host {n}",
            kind=OrganisationKind.COMPANY,
            city="Tokyo",
            country="JP",
            website="https://example.org/",
            description="A Tokyo organisation that receives the delegation. " * 4,
        )
        for n in range(6)
    ]
    venues = [
        Venue.objects.create(
            name=f"Tokyo venue {n}",
            organisation=host,
            address=f"1-{n}-1 Akasaka, Minato-ku",
            city="Tokyo",
            country="JP",
            latitude="35.667300",
            longitude="139.740600",
            time_zone=TOKYO,
        )
        for n, host in enumerate(hosts)
    ]
    today = timezone.localdate(timezone=TOKYO)
    mission = Mission.objects.create(
        title="Leipzig economic delegation to Tokyo",
        slug="bench-tokyo",
        kind="outbound",
        status=MissionStatus.UNDER_WAY,
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=4),
        lead_organisation=leipzig,
    )
    mission.organisers.set([leipzig])
    items = ItineraryItem.objects.bulk_create(
        ItineraryItem(
            mission=mission,
            kind=ItemKind.MEETING,
            title=f"Meeting on biotechnology and logistics {n}",
            description="Talks with the hosts, then a tour." if n % 2 else "",
            starts_at=dt.datetime.combine(
                mission.start_date + dt.timedelta(days=n // 10), dt.time(8 + n % 10), TOKYO
            ),
            ends_at=dt.datetime.combine(
                mission.start_date + dt.timedelta(days=n // 10), dt.time(8 + n % 10, 50), TOKYO
            ),
            venue=venues[n % len(venues)],
            host=hosts[n % len(hosts)],
            meeting_point="Hotel lobby" if n % 3 == 0 else "",
            online_link="https://meet.example.org/room" if n % 10 == 0 else "",
            audience=Audience.SELECTED if n % 6 == 0 else Audience.WHOLE_DELEGATION,
            is_cancelled=n % 13 == 0,
        )
        for n in range(ITEMS)
    )
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Delegate {n:03}",
            email=f"delegate{n}@example.org",
            organisation=leipzig,
            time_zone=BERLIN,
        )
        for n in range(PARTICIPANTS)
    )
    participants = Participant.objects.bulk_create(
        Participant(
            mission=mission,
            person=person,
            role=ParticipantRole.ORGANISER if n < 3 else ParticipantRole.DELEGATE,
            phone="+49 341 000 0000" if n < 3 else "",
            rsvp_status=RsvpStatus.ACCEPTED if n % 5 else RsvpStatus.TENTATIVE,
            listed=n % 3 != 0,
            page_seen_at=timezone.now() - dt.timedelta(days=1),
        )
        for n, person in enumerate(people)
    )
    selected = [item for item in items if item.audience == Audience.SELECTED]
    through = Participant.items.through
    through.objects.bulk_create(
        through(participant_id=participant.pk, itineraryitem_id=item.pk)
        for participant in participants[:TOKENS]
        for item in selected
    )
    return [token_issue(participant=participant) for participant in participants[:TOKENS]]


# LOAD --------------------------------------------------------------------------------------


def _send(port: int, paths: list[str], count: int, offset: int, status: int) -> int:
    """Send `count` GETs one after the other; returns how many got the `status` expected."""
    ok = 0
    for n in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", paths[(offset + n) % len(paths)], headers=PHONE)
        response = connection.getresponse()
        response.read()
        ok += response.status == status
        connection.close()
    return ok


def _rate(
    pool, port: int, paths: list[str], requests: int, clients: int, status: int = 200
) -> float:
    share = requests // clients
    started = time.perf_counter()
    answered = pool.starmap(
        _send, [(port, paths, share, n * share, status) for n in range(clients)]
    )
    elapsed = time.perf_counter() - started
    if sum(answered) != share * clients:
        raise RuntimeError(f"{share * clients - sum(answered)} requests to {paths[0]} failed")
    return share * clients / elapsed


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited at start-up")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/bare/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="per URL and round")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itinera")
    environment = {**os.environ, **_environment()}
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    _maintenance(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _maintenance(f'CREATE DATABASE "{DATABASE}"')
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        tokens = seed()
        with connections["default"].cursor() as cursor:
            # Fresh tables have no statistics yet (autovacuum would gather them within a
            # minute): the planner's guesses for empty tables are not what production sees.
            cursor.execute("ANALYZE")
        connections.close_all()

        port = _free_port()
        server = subprocess.Popen(  # noqa: S603  (our own gunicorn, fixed arguments)
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                f"--workers={args.workers}",
                f"--bind=127.0.0.1:{port}",
                f"--chdir={ROOT}",
                "--log-level=warning",
            ],
            env=environment,
        )
        _wait_for(port, server)
        page = [f"/d/{token}/" for token in tokens]
        bare = ["/bench/bare/"]
        sizes = []
        for headers in ({}, PHONE):
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            probe.request("GET", page[0], headers=headers)
            sizes.append(len(probe.getresponse().read()))
            probe.close()

        with multiprocessing.get_context("fork").Pool(args.clients) as pool:
            for paths in (bare, page):  # warm up: workers' imports, templates, connections
                _rate(pool, port, paths, 200, args.clients)
            rates: dict[str, list[float]] = {"bare": [], "page": []}
            for _ in range(args.rounds):
                rates["bare"].append(_rate(pool, port, bare, args.requests, args.clients))
                rates["page"].append(_rate(pool, port, page, args.requests, args.clients))
            # For reference, the floor of any page under a personal link: a wrong token
            # (its look-up and the small "link no longer works" page).
            wrong = [f"/d/{'0' * 64}/"]
            floor = _rate(pool, port, wrong, args.requests, args.clients, status=404)
            # And the page right after a change, when every delegate's page is rendered
            # again: each of the links once, with no kept page.
            _forget_kept_pages(environment["DATABASE_URL"])
            cold = _rate(pool, port, page, len(page), args.clients)
        bare_rate, page_rate = statistics.median(rates["bare"]), statistics.median(rates["page"])
        ratio = page_rate / bare_rate
        print(
            f"gunicorn, {args.workers} sync workers, PostgreSQL; {args.clients} client "
            f"processes; {args.rounds} rounds of {args.requests} requests per URL (median)"
        )
        print(
            f"delegate page: {ITEMS} items, {PARTICIPANTS} participants; "
            f"{sizes[0]} bytes of HTML, {sizes[1]} gzipped"
        )
        print(f"bare Django view   {bare_rate:8.1f} requests/s")
        print(f"delegate page      {page_rate:8.1f} requests/s")
        verdict = "meets" if ratio >= 0.35 else "BELOW"
        print(f"ratio              {ratio:8.2f}  ({verdict} the aim of 0.35)")
        print(
            f"for reference: a wrong link's 404 page {floor:.1f} requests/s, "
            f"ratio {floor / bare_rate:.2f} (the floor of any page under a personal link)"
        )
        print(
            f"for reference: each page rendered again (after a change) {cold:.1f} requests/s, "
            f"ratio {cold / bare_rate:.2f}"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        _maintenance(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main()
