"""Demo outcomes of the seed missions (`outcomes.demo.load`), after `missions.demo.load_demo`.

What the seeds say is kept: the round table and the site visits of the Leipzig creative
mission, its aim to bring Birmingham creatives to the MACHN Festival (Leipzig, June 2025)
and Leipzig creatives to the Birmingham Film and TV Market (2025) and the Birmingham
Design Festival (2026); the Opera Ball's ten companies; the talks in Tokyo, Kobe and
Toyohashi; the incubators of the 25th anniversary in 2017. Everything the seeds are silent
on (statuses, values, jobs, the press) is invented. Every evidence note starts with
"Demo data", and says which.

Idempotent: an outcome is found by its mission, kind, date and evidence note, and left
alone when it exists; a missing seed mission is skipped.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from missions.demo.data import (
    ANNIVERSARY,
    BCC,
    CREATIVE,
    INNOVATION_BIRMINGHAM,
    IRL,
    JAPAN,
    KREATIVES,
    LEIPZIG,
    MESSE,
    OPERA_BALL,
    WMCA,
)
from missions.models import Mission
from organisations.models import Organisation
from outcomes.enums import OutcomeKind as K
from outcomes.enums import OutcomeStatus as S
from outcomes.models import ExchangeRate, Outcome

SEED = "Demo data, from the seeds: "
INVENTED = "Demo data, invented: "

# Rates to the reporting currency (GBP), rounded yearly averages, for the demo's values.
RATES = [(2017, "EUR", "0.8767"), (2017, "JPY", "0.0069"), (2024, "EUR", "0.8466")]

# (mission, kind, status, date, recorded for, organisations, value, currency, jobs, evidence)
OUTCOMES = [
    (CREATIVE, K.MEETING, S.CONFIRMED, dt.date(2025, 3, 11), BCC, [BCC, KREATIVES], None, "",
     None, SEED + "round table on Birmingham's creative and cultural ecosystem, 11 March 2025."),
    (CREATIVE, K.MEETING, S.CONFIRMED, dt.date(2025, 3, 12), BCC, [KREATIVES], None, "", None,
     SEED + "site visits at Birmingham Open Media, Holosphere and STEAMHouse."),
    (CREATIVE, K.FOLLOW_ON_VISIT, S.CONFIRMED, dt.date(2025, 6, 14), KREATIVES,
     [KREATIVES, WMCA], None, "", None,
     SEED + "Birmingham creatives invited to the MACHN Festival, Leipzig, June 2025. "
     "That they went is invented."),
    (CREATIVE, K.FOLLOW_ON_VISIT, S.EXPECTED, dt.date(2025, 11, 20), BCC, [KREATIVES], None,
     "", None, SEED + "Leipzig creatives invited to the 2025 Birmingham Film and TV Market."),
    (CREATIVE, K.FOLLOW_ON_VISIT, S.EXPECTED, dt.date(2026, 6, 10), BCC, [KREATIVES], None,
     "", None, SEED + "Leipzig creatives invited to the 2026 Birmingham Design Festival."),
    (CREATIVE, K.LEAD, S.CONFIRMED, dt.date(2025, 4, 2), BCC, [KREATIVES], None, "", None,
     INVENTED + "an animation studio from Leipzig asks about co-production with an XR "
     "studio in Digbeth."),
    (CREATIVE, K.DEAL, S.EXPECTED, dt.date(2025, 9, 30), KREATIVES, [KREATIVES], Decimal(18000),
     "EUR", None, INVENTED + "co-production of a short immersive film; no 2025 rate yet, so "
     "the report lists it as a gap until the admin adds one."),
    (CREATIVE, K.MEDIA, S.CONFIRMED, dt.date(2025, 3, 14), BCC, [BCC], None, "", None,
     INVENTED + "two articles in the regional press on the Leipzig visit."),
    (OPERA_BALL, K.MEETING, S.CONFIRMED, dt.date(2024, 11, 8), BCC, [LEIPZIG, KREATIVES],
     None, "", None, SEED + "ten Birmingham tech and creative companies meet Leipzig's "
     "creative scene with Kreatives Leipzig, 8 November 2024."),
    (OPERA_BALL, K.MEDIA, S.CONFIRMED, dt.date(2024, 11, 9), LEIPZIG, [LEIPZIG, BCC], None, "",
     None, SEED + "Birmingham is the partner city of the 2024 Leipzig Opera Ball. "
     "The coverage is invented."),
    (OPERA_BALL, K.LEAD, S.CONFIRMED, dt.date(2024, 12, 5), WMCA, [WMCA, KREATIVES], None, "",
     None, INVENTED + "three companies follow up with Leipzig partners."),
    (OPERA_BALL, K.AGREEMENT, S.CONFIRMED, dt.date(2025, 2, 12), BCC, [BCC, LEIPZIG], None,
     "", None, INVENTED + "a memorandum of understanding on creative-industry exchanges."),
    (OPERA_BALL, K.DEAL, S.CONFIRMED, dt.date(2024, 12, 18), WMCA, [WMCA], Decimal(42000),
     "EUR", None, INVENTED + "a Birmingham games studio licenses its engine to a Leipzig "
     "agency."),
    (OPERA_BALL, K.JOBS, S.EXPECTED, dt.date(2025, 6, 30), BCC, [BCC], None, "", 4,
     INVENTED + "the Leipzig agency's Birmingham office."),
    (JAPAN, K.MEETING, S.CONFIRMED, dt.date(2017, 11, 7), LEIPZIG, [LEIPZIG], None, "", None,
     SEED + "talks at JETRO and the German Embassy in Tokyo."),
    (JAPAN, K.MEETING, S.CONFIRMED, dt.date(2017, 11, 9), LEIPZIG, [LEIPZIG], None, "", None,
     SEED + "Kobe: regenerative medicine and cell therapy, talks with the university."),
    (JAPAN, K.MEETING, S.CONFIRMED, dt.date(2017, 11, 10), LEIPZIG, [LEIPZIG], None, "", None,
     SEED + "automotive and supplier companies in the Toyohashi region."),
    (JAPAN, K.LEAD, S.CONFIRMED, dt.date(2018, 1, 15), LEIPZIG, [LEIPZIG], None, "", None,
     INVENTED + "a Kobe cell-therapy company asks about a site in BioCity Leipzig."),
    (JAPAN, K.INVESTMENT, S.LOST, dt.date(2018, 9, 1), LEIPZIG, [LEIPZIG], Decimal(80000000),
     "JPY", None, INVENTED + "the Kobe company chose another site."),
    (JAPAN, K.DEAL, S.CONFIRMED, dt.date(2018, 3, 20), LEIPZIG, [LEIPZIG], Decimal(25000000),
     "JPY", None, INVENTED + "a Toyohashi supplier orders from a Leipzig machine builder. "
     "No 2018 JPY rate: listed as a gap."),
    (ANNIVERSARY, K.MEETING, S.CONFIRMED, dt.date(2017, 10, 20), BCC,
     [INNOVATION_BIRMINGHAM, IRL, MESSE], None, "", None,
     SEED + "virtual and augmented reality round table, 25 years of the partnership."),
    (ANNIVERSARY, K.AGREEMENT, S.CONFIRMED, dt.date(2018, 2, 1), BCC,
     [INNOVATION_BIRMINGHAM, IRL], None, "", None,
     SEED + "make incubators and accelerators of both cities work together. "
     "The memorandum is invented."),
    (ANNIVERSARY, K.INVESTMENT, S.CONFIRMED, dt.date(2017, 12, 12), IRL, [IRL], Decimal(150000),
     "EUR", None, INVENTED + "a Birmingham VR start-up opens a Leipzig office."),
    (ANNIVERSARY, K.JOBS, S.CONFIRMED, dt.date(2018, 6, 1), IRL, [IRL], None, "", 6,
     INVENTED + "the start-up's Leipzig office."),
]  # fmt: skip


@transaction.atomic
def load() -> dict[str, int]:
    """Create what is missing of the demo outcomes and rates; returns how many outcomes
    the demo has, how many this run created, and the seed missions not found."""
    missions = Mission.objects.in_bulk({row[0] for row in OUTCOMES}, field_name="slug")
    keys = {key for row in OUTCOMES for key in (row[4], *row[5])}
    organisations = {
        (org.name, org.city): org
        for org in Organisation.objects.filter(name__in=[name for name, _city in keys])
    }
    for year, currency, rate in RATES:
        ExchangeRate.objects.get_or_create(
            year=year, currency=currency, defaults={"rate": Decimal(rate)}
        )
    created = 0
    for slug, kind, status, date, side, involved, value, currency, jobs, evidence in OUTCOMES:
        mission = missions.get(slug)
        if mission is None:
            continue
        key = {"mission": mission, "kind": kind, "date": date, "evidence": evidence}
        if Outcome.objects.filter(**key).exists():
            continue
        outcome = Outcome(
            **key,
            status=status,
            recorded_for=organisations[side],
            value=value,
            currency=currency,
            jobs=jobs,
        )
        outcome.full_clean()
        outcome.save()
        outcome.organisations.set([organisations[k] for k in involved])
        created += 1
    return {
        "outcomes": len(OUTCOMES),
        "created": created,
        "missing_missions": len({row[0] for row in OUTCOMES} - set(missions)),
    }
