"""Server time and queries of the outcomes report across 500 missions over 30 years.

    .venv/bin/python bench/reports.py [--renders 5]

Runs under production's settings (bench/settings.py) with throwaway secrets, in this
process. Creates its own database (`test_<name>` of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/itinera_bench_reports, migrated with Django's
test-database utilities and dropped at the end) and seeds an organisation's 500 missions
from 1996 to 2025 with twelve partner cities, 50,000 participants (100 a mission, with
their answers), 4,000 itinerary items (8 a mission), 10,000 feedback ratings with four
items rated in each (40,000) and 20,000 outcomes in four currencies (a yearly
rate for some: the rest are gaps). Then renders `/plan/reports/` (all years, no filter)
for one of its planners through Django's test client: once not counted (caches warm up),
then `--renders` times, and prints the median server time and the queries of a render;
also each chart's. The last line is `report: N ms server time, Q queries` (aim: at most
1,000 ms and 15 queries). Needs PostgreSQL, and Redis for production's cache
(BENCH_REDIS_URL, default redis://127.0.0.1:6379/10).
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MISSIONS, PARTICIPANTS_EACH, OUTCOMES, PEOPLE = 500, 100, 20_000, 5_000
ITEMS_EACH, RATED_EACH = 8, 4  # items a mission; items each feedback rates
FIRST_YEAR, YEARS = 1996, 30
CITIES = [
    ("Leipzig", "DE"),
    ("Frankfurt", "DE"),
    ("Lyon", "FR"),
    ("Milan", "IT"),
    ("Chicago", "US"),
    ("Guangzhou", "CN"),
    ("Johannesburg", "ZA"),
    ("Tokyo", "JP"),
    ("Toyohashi", "JP"),
    ("Amritsar", "IN"),
    ("Zaragoza", "ES"),
    ("Kraków", "PL"),
]
CURRENCIES = ["GBP", "EUR", "USD", "JPY"]


def seed(rng: random.Random):
    """The organisation's missions and everything the report counts; returns a planner."""
    from django.contrib.auth import get_user_model

    from missions.enums import ItemKind, MissionKind, MissionStatus, RsvpStatus
    from missions.models import Feedback, ItemRating, ItineraryItem, Mission, Participant
    from organisations.enums import OrganisationKind
    from organisations.models import Membership, Organisation, Person, Sector
    from outcomes.enums import OutcomeKind, OutcomeStatus
    from outcomes.models import ExchangeRate, Outcome

    london = zoneinfo.ZoneInfo("Europe/London")
    council = Organisation.objects.create(
        name="Birmingham City Council", kind=OrganisationKind.CITY_COUNCIL, city="Birmingham"
    )
    partners = Organisation.objects.bulk_create(
        Organisation(
            name=f"City of {city}", kind=OrganisationKind.CITY_COUNCIL, city=city, country=code
        )
        for city, code in CITIES
    )
    sectors = Sector.objects.bulk_create(
        Sector(name=f"Sector {n}", slug=f"sector-{n}") for n in range(8)
    )
    missions = []
    for n in range(MISSIONS):
        year = FIRST_YEAR + n % YEARS
        start = dt.date(year, 1 + n % 12, 1 + n % 27)
        partner = partners[n % len(partners)]
        abroad = n % 2 == 0
        missions.append(
            Mission(
                title=f"Mission {n} with {partner.city}",
                slug=f"mission-{n}",
                kind=list(MissionKind)[n % len(MissionKind)],
                status=MissionStatus.COMPLETED,
                destination_city=partner.city if abroad else "Birmingham",
                destination_country=partner.country if abroad else "GB",
                time_zone=london,
                start_date=start,
                end_date=start + dt.timedelta(days=2),
                lead_organisation=council,
            )
        )
    missions = Mission.objects.bulk_create(missions)
    Mission.organisers.through.objects.bulk_create(
        Mission.organisers.through(mission=m, organisation=council) for m in missions
    )
    Mission.partners.through.objects.bulk_create(
        Mission.partners.through(mission=m, organisation=partners[i % len(partners)])
        for i, m in enumerate(missions)
    )
    Mission.sectors.through.objects.bulk_create(
        Mission.sectors.through(mission=m, sector=sectors[(i + k) % len(sectors)])
        for i, m in enumerate(missions)
        for k in range(1 + i % 2)
    )
    people = Person.objects.bulk_create(
        Person(full_name=f"Delegate {n}", email=f"delegate{n}@example.org", organisation=partner)
        for n, partner in ((n, partners[n % len(partners)]) for n in range(PEOPLE))
    )
    statuses = list(RsvpStatus)
    participants = Participant.objects.bulk_create(
        (
            Participant(mission=m, person=p, rsvp_status=rng.choice(statuses))
            for i, m in enumerate(missions)
            for p in people[(i * 7) % (PEOPLE - PARTICIPANTS_EACH) :][:PARTICIPANTS_EACH]
        ),
        batch_size=5000,
    )
    items = ItineraryItem.objects.bulk_create(
        (
            ItineraryItem(
                mission=m,
                kind=ItemKind.SITE_VISIT,
                title=f"Visit {k}",
                starts_at=dt.datetime.combine(m.start_date, dt.time(9 + k), london),
                ends_at=dt.datetime.combine(m.start_date, dt.time(10 + k), london),
            )
            for m in missions
            for k in range(ITEMS_EACH)
        ),
        batch_size=5000,
    )
    feedback = Feedback.objects.bulk_create(
        (Feedback(participant=p, rating=rng.randint(1, 5)) for p in participants[::5]),
        batch_size=5000,
    )
    by_mission = {
        m.pk: items[i * ITEMS_EACH : (i + 1) * ITEMS_EACH] for i, m in enumerate(missions)
    }
    ItemRating.objects.bulk_create(
        (
            ItemRating(feedback=f, item=item, rating=rng.randint(1, 5))
            for f in feedback
            for item in rng.sample(by_mission[f.participant.mission_id], RATED_EACH)
        ),
        batch_size=5000,
    )
    ExchangeRate.objects.bulk_create(
        ExchangeRate(year=year, currency=currency, rate=rate)
        for year in range(FIRST_YEAR, FIRST_YEAR + YEARS)
        for currency, rate in (("EUR", "0.85"), ("USD", "0.78"), ("JPY", "0.0055"))
        if not (currency == "JPY" and year % 3 == 0)  # the gaps
    )
    kinds, states = list(OutcomeKind), list(OutcomeStatus)
    rows = []
    for n in range(OUTCOMES):
        mission = missions[n % MISSIONS]
        kind = kinds[n % len(kinds)]
        valued = kind in (OutcomeKind.DEAL, OutcomeKind.INVESTMENT, OutcomeKind.AGREEMENT)
        rows.append(
            Outcome(
                mission=mission,
                kind=kind,
                status=rng.choice(states),
                date=mission.end_date,
                value=Decimal(rng.randint(1, 500) * 1000) if valued else None,
                currency=CURRENCIES[n % len(CURRENCIES)] if valued else "",
                jobs=rng.randint(1, 40) if kind == OutcomeKind.JOBS else None,
                recorded_for=council,
            )
        )
    Outcome.objects.bulk_create(rows, batch_size=5000)
    user = get_user_model().objects.create_user("bench-planner", password=None)
    Membership.objects.create(user=user, organisation=council)
    return user


def measure(client, url: str, renders: int) -> tuple[float, int]:
    """The median milliseconds of `renders` GETs after one not counted, and the queries
    of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(renders):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries)


def run(renders: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from planning.views.reports import CHARTS

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(
            f"Seeding {MISSIONS} missions over {YEARS} years, "
            f"{MISSIONS * PARTICIPANTS_EACH} participants, {OUTCOMES} outcomes…"
        )
        started = time.perf_counter()
        user = seed(random.Random(15))  # noqa: S311  (made-up data, the same each run)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"seeded in {time.perf_counter() - started:.1f} s")
        client = Client()
        client.force_login(user)
        for chart in CHARTS:
            ms, queries = measure(client, reverse("plan:report-chart", args=[chart]), renders)
            print(f"chart {chart}: {ms:.0f} ms server time, {queries} queries")
        ms, queries = measure(client, reverse("plan:report-xlsx"), 1)
        print(f"xlsx: {ms:.0f} ms server time, {queries} queries")
        ms, queries = measure(client, reverse("plan:reports"), renders)
        print(f"report: {ms:.0f} ms server time, {queries} queries")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=5)
    arguments = parser.parse_args()
    # Production's settings (bench/settings.py), with throwaway secrets.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itinera_bench_reports"
    )
    os.environ.setdefault(
        "REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
    )
    os.environ.setdefault("SITE_URL", "https://itinera.example.org")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("EMAIL_URL", "consolemail://")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))  # bench.settings, config
    run(arguments.renders)


if __name__ == "__main__":
    main()
