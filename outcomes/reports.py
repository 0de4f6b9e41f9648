"""The outcomes report across an organisation's missions, computed in the database.

Which missions: those the user sees (missions.selectors.missions_visible_to), narrowed by
`figures.Filters`. Each figure is one aggregate query over them (`report_for` runs about
ten, whatever the number of missions); nothing loops over rows in Python.

The partnership of a mission is the lead organisation's city and the partner city: the
destination when it is not the lead's own city (an outbound mission), else the city of
most of its partner organisations outside the lead's city (a delegation received at
home). The partner country goes with it.

Values are converted to `settings.OUTCOMES_REPORTING_CURRENCY` with the rate of the
outcome's year (`ExchangeRate`); a value whose currency has no rate that year is not
counted as anything: it is listed among the gaps.
"""

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import get_language

from matchmaking.enums import MeetingState
from matchmaking.models import Meeting
from missions.enums import RsvpStatus
from missions.models import Feedback, ItemRating, Mission, Participant
from missions.selectors import User, missions_visible_to
from organisations.models import Organisation, Sector
from outcomes import figures
from outcomes.enums import OutcomeKind, OutcomeStatus
from outcomes.models import ExchangeRate, Outcome

FEEDBACK_MISSIONS = 20  # the newest missions with feedback, in the page's table


# THE MISSIONS ----------------------------------------------------------------------------


def _partner_organisations(column: str) -> Subquery:
    """`column` of the mission's partner organisations' most frequent city outside the
    lead organisation's city."""
    partners = (
        Organisation.objects.filter(partnered_missions=OuterRef("pk"))
        .exclude(city=OuterRef("lead_organisation__city"))
        .values("city", "country")
        .annotate(n=Count("pk"))
        .order_by("-n", "city")
        .values(column)[:1]
    )
    return Subquery(partners, output_field=CharField())


def report_missions(user: User, filters: figures.Filters) -> QuerySet[Mission]:
    """The missions the report counts, each with `home_city`, `partner_city`,
    `partner_country` and `year`."""
    abroad = ~Q(destination_city=F("lead_organisation__city"))
    missions = missions_visible_to(user).annotate(
        year=ExtractYear("start_date"),
        home_city=F("lead_organisation__city"),
        partner_city=Case(
            When(abroad, then=F("destination_city")),
            default=Coalesce(_partner_organisations("city"), Value("")),
            output_field=CharField(),
        ),
        partner_country=Case(
            When(abroad, then=F("destination_country")),
            default=Coalesce(_partner_organisations("country"), Value("")),
            output_field=CharField(),
        ),
    )
    if filters.year_from:
        missions = missions.filter(start_date__year__gte=filters.year_from)
    if filters.year_to:
        missions = missions.filter(start_date__year__lte=filters.year_to)
    if filters.kind:
        missions = missions.filter(kind=filters.kind)
    if filters.sector:
        missions = missions.filter(sectors=filters.sector)
    if filters.partner_city:
        missions = missions.filter(partner_city=filters.partner_city)
    if filters.partner_country:
        missions = missions.filter(partner_country=filters.partner_country)
    return missions


def filter_choices(user: User) -> dict:
    """What the filters offer: the years, partner cities and countries of the user's
    missions, and their sectors (two queries)."""
    rows = (
        report_missions(user, figures.Filters())
        .order_by()
        .values("partner_city", "partner_country")
        .annotate(first=Min("year"), last=Max("year"))
    )
    rows = list(rows)
    sectors = Sector.objects.filter(mission__in=missions_visible_to(user)).distinct()
    return {
        "years": (
            min((r["first"] for r in rows), default=None),
            max((r["last"] for r in rows), default=None),
        ),
        "cities": sorted({r["partner_city"] for r in rows if r["partner_city"]}),
        "countries": sorted({r["partner_country"] for r in rows if r["partner_country"]}),
        "sectors": list(sectors.order_by("name")),
    }


# THE FIGURES -----------------------------------------------------------------------------


def timeline(missions: QuerySet[Mission]) -> list[figures.TimelineRow]:
    rows = (
        missions.order_by()
        .values("year", "home_city", "partner_city")
        .annotate(
            n=Count("pk", distinct=True),
            delegates=Count(
                "participants", filter=Q(participants__rsvp_status__in=RsvpStatus.COMING)
            ),
        )
        .order_by("year", "home_city", "partner_city")
    )
    return [
        figures.TimelineRow(
            year=r["year"],
            home=r["home_city"],
            partner=r["partner_city"],
            missions=r["n"],
            delegates=r["delegates"],
        )
        for r in rows
    ]


def _outcomes(missions: QuerySet[Mission]) -> QuerySet[Outcome]:
    return Outcome.objects.filter(mission__in=missions.values("pk"))


def _matchmaking_meetings(missions: QuerySet[Mission]) -> dict[str, int]:
    """The final matchmaking meetings of the missions: held (ended) and placed (to come)."""
    now = timezone.now()
    return Meeting.objects.filter(
        request__mission__in=missions.values("pk"), state=MeetingState.FINAL
    ).aggregate(
        confirmed=Count("pk", filter=Q(ends_at__lte=now)),
        expected=Count("pk", filter=Q(ends_at__gt=now)),
    )


def funnel(missions: QuerySet[Mission]) -> tuple[list[figures.FunnelRow], int]:
    """Outcomes of each kind by status, every kind (the funnel's first), and the jobs
    created or kept (confirmed). Meetings held include matchmaking's own: its final
    meetings, held once ended, expected before; a meeting outcome recorded for one of
    them is not counted twice."""
    held = _matchmaking_meetings(missions)
    counts = {
        row["kind"]: row
        for row in _outcomes(missions)
        .exclude(kind=OutcomeKind.MEETING, meeting__isnull=False)
        .order_by()
        .values("kind")
        .annotate(
            confirmed=Count("pk", filter=Q(status=OutcomeStatus.CONFIRMED)),
            expected=Count("pk", filter=Q(status=OutcomeStatus.EXPECTED)),
            lost=Count("pk", filter=Q(status=OutcomeStatus.LOST)),
            jobs=Sum("jobs", filter=Q(status=OutcomeStatus.CONFIRMED)),
        )
    }
    kinds = [*OutcomeKind.FUNNEL, *(k for k in OutcomeKind if k not in OutcomeKind.FUNNEL)]
    rows = []
    for kind in kinds:
        row = counts.get(kind, {})
        extra = held if kind == OutcomeKind.MEETING else {}
        rows.append(
            figures.FunnelRow(
                kind=kind,
                label=str(OutcomeKind(kind).label),
                confirmed=row.get("confirmed", 0) + extra.get("confirmed", 0),
                expected=row.get("expected", 0) + extra.get("expected", 0),
                lost=row.get("lost", 0),
            )
        )
    jobs = (counts.get(OutcomeKind.JOBS) or {}).get("jobs") or 0
    return rows, jobs


def _rate() -> Subquery:
    rates = ExchangeRate.objects.filter(
        year=ExtractYear(OuterRef("date")), currency=OuterRef("currency")
    ).values("rate")[:1]
    return Subquery(rates, output_field=DecimalField(max_digits=18, decimal_places=8))


def _valued(missions: QuerySet[Mission], currency: str) -> QuerySet[Outcome]:
    """The outcomes with a value that counts (not lost), each with `converted`: the value
    in the reporting currency, NULL without a rate."""
    return (
        _outcomes(missions)
        .filter(value__isnull=False)
        .exclude(status=OutcomeStatus.LOST)
        .annotate(
            converted=Case(
                When(currency=currency, then=F("value")),
                default=F("value") * _rate(),
                output_field=DecimalField(max_digits=28, decimal_places=10),
            )
        )
    )


def _sums() -> dict:
    return {
        "confirmed": Sum("converted", filter=Q(status=OutcomeStatus.CONFIRMED)),
        "expected": Sum("converted", filter=Q(status=OutcomeStatus.EXPECTED)),
        "n": Count("pk"),
    }


def values(missions: QuerySet[Mission]) -> figures.Values:
    """Values by sector (a mission of several sectors counts in each) and by mission,
    largest confirmed first, and the gaps: values without a rate, by currency and year."""
    currency = settings.OUTCOMES_REPORTING_CURRENCY
    valued = _valued(missions, currency)
    name = "mission__sectors__name_de" if get_language() == "de" else "mission__sectors__name"
    by_sector = (
        valued.order_by()
        .values("mission__sectors__name", "mission__sectors__name_de")
        .annotate(**_sums())
        .order_by(F("confirmed").desc(nulls_last=True), "mission__sectors__name")
    )
    by_mission = (
        valued.order_by()
        .values("mission", "mission__title", "mission__start_date")
        .annotate(**_sums())
        .order_by(F("confirmed").desc(nulls_last=True), "-mission__start_date", "mission")
    )
    gaps = (
        valued.exclude(currency=currency)
        .annotate(rate=_rate())
        .filter(rate__isnull=True)
        .order_by()
        .values("currency", year=ExtractYear("date"))
        .annotate(n=Count("pk"), total=Sum("value"))
        .order_by("year", "currency")
    )
    return figures.Values(
        currency=currency,
        by_sector=[
            figures.ValueRow(
                label=r[name] or r["mission__sectors__name"] or "",
                confirmed=figures.money(r["confirmed"]),
                expected=figures.money(r["expected"]),
                outcomes=r["n"],
            )
            for r in by_sector
        ],
        by_mission=[
            figures.ValueRow(
                label=r["mission__title"],
                confirmed=figures.money(r["confirmed"]),
                expected=figures.money(r["expected"]),
                outcomes=r["n"],
                year=r["mission__start_date"].year,
            )
            for r in by_mission
        ],
        gaps=[
            figures.Gap(
                currency=r["currency"],
                year=r["year"],
                outcomes=r["n"],
                value=figures.money(r["total"]),
            )
            for r in gaps
        ],
    )


def rsvp(missions: QuerySet[Mission]) -> list[figures.RsvpRow]:
    """Invitations and answers per year: answered (yes, maybe, no or withdrawn) and
    accepted (yes), of those invited. Itinera keeps no check-in, so attendance is the
    accepted answers."""
    rows = (
        Participant.objects.filter(mission__in=missions.values("pk"))
        .exclude(rsvp_status=RsvpStatus.NOT_INVITED)
        .order_by()
        .values(year=ExtractYear("mission__start_date"))
        .annotate(
            invited=Count("pk"),
            answered=Count("pk", filter=Q(rsvp_status__in=RsvpStatus.ANSWERED)),
            accepted=Count("pk", filter=Q(rsvp_status=RsvpStatus.ACCEPTED)),
            declined=Count("pk", filter=Q(rsvp_status__in=RsvpStatus.NOT_COMING)),
        )
        .order_by("year")
    )
    return [figures.RsvpRow(**r) for r in rows]


def _ratings(rows: QuerySet, *, mission: str, item: dict) -> QuerySet:
    """`rows`' ratings (1 to 5) added up per `mission` and `item` (the columns named in
    `item`, or NULLs): the same columns in the same order, for the UNION of
    `feedback`."""
    return (
        rows.order_by()
        .values(
            mission=F(mission),
            title=F(f"{mission}__title"),
            start=F(f"{mission}__start_date"),
            **item,
        )
        .annotate(
            answers=Count("pk"),
            points=Sum("rating"),
            **{f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
        )
    )


def feedback(missions: QuerySet[Mission]) -> figures.Feedback:
    """The participants' ratings (1 to 5) after the missions, of each mission as a whole
    and of the items they rated, in one query: the feedback per mission and the ratings
    per item, aggregated apart and put together (UNION ALL; a mission's row has no item).
    The missions' are added up for all (over the missions' rows, not the ratings'); the
    page's tables show the newest missions, and the newest missions' items in time order."""
    pks = missions.values("pk")
    nothing = Value(None, output_field=IntegerField())
    per_mission = _ratings(
        Feedback.objects.filter(participant__mission__in=pks),
        mission="participant__mission",
        item={
            "item_pk": nothing,
            "item_title": Value(None, output_field=CharField()),
            "item_start": Value(None, output_field=DateTimeField()),
        },
    )
    per_item = _ratings(
        ItemRating.objects.filter(item__mission__in=pks),
        mission="item__mission",
        item={
            "item_pk": F("item"),
            "item_title": F("item__title"),
            "item_start": F("item__starts_at"),
        },
    )
    rows = list(
        per_mission.union(per_item, all=True).order_by("-start", "mission", "item_start", "item_pk")
    )
    by_mission = [r for r in rows if r["item_pk"] is None]
    by_item = [r for r in rows if r["item_pk"] is not None]
    answers = sum(r["answers"] for r in by_mission)
    points = sum(r["points"] for r in by_mission)
    return figures.Feedback(
        answers=answers,
        average=round(points / answers, 1) if answers else None,
        by_rating=[(n, sum(r[f"r{n}"] for r in by_mission)) for n in range(1, 6)],
        by_mission=[
            figures.FeedbackRow(
                mission=r["title"],
                year=r["start"].year,
                answers=r["answers"],
                average=round(r["points"] / r["answers"], 1),
            )
            for r in by_mission[:FEEDBACK_MISSIONS]
        ],
        by_item=[
            figures.ItemRatingRow(
                mission=r["title"],
                year=r["start"].year,
                item=r["item_title"],
                answers=r["answers"],
                points=r["points"],
            )
            for r in by_item
        ],
    )


def report_for(user: User, filters: figures.Filters) -> figures.Report:
    """Every figure of the report, for the missions the user sees that pass the filters."""
    missions = report_missions(user, filters)
    funnel_rows, jobs = funnel(missions)
    return figures.Report(
        timeline=timeline(missions),
        funnel=funnel_rows,
        jobs=jobs,
        values=values(missions),
        rsvp=rsvp(missions),
        feedback=feedback(missions),
    )


def outcome_rows(missions: QuerySet[Mission]) -> QuerySet:
    """Every outcome of the report's missions, with its value in the reporting currency
    (None without a rate), for the XLSX: tuples in `OUTCOME_COLUMNS` order."""
    currency = settings.OUTCOMES_REPORTING_CURRENCY
    return (
        _outcomes(missions)
        .annotate(
            converted=Case(
                When(value__isnull=True, then=Value(None)),
                When(currency=currency, then=F("value")),
                default=F("value") * _rate(),
                output_field=DecimalField(max_digits=28, decimal_places=10),
            )
        )
        .order_by("mission__start_date", "mission", "date", "pk")
        .values_list(*OUTCOME_COLUMNS)
    )


OUTCOME_COLUMNS = (
    "mission__title",
    "mission__start_date",
    "kind",
    "status",
    "date",
    "value",
    "currency",
    "converted",
    "jobs",
    "recorded_for__name",
    "evidence",
)
