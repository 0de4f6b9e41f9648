"""The figures of the outcomes report, as plain data: what the page's tables, the charts
and the XLSX all show (one home, so their totals agree). Computed by outcomes/reports.py
in the database; nothing here reads it."""

from dataclasses import dataclass, field
from decimal import Decimal

CENT = Decimal("0.01")


def share(part: int, whole: int) -> float | None:
    """`part` of `whole` in per cent, one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def money(value: Decimal | float | None) -> Decimal | None:
    """A sum as shown: to the cent (SQLite sums decimals as floats)."""
    return None if value is None else Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Filters:
    """What the report is narrowed to; empty means all."""

    year_from: int | None = None
    year_to: int | None = None
    partner_city: str = ""
    partner_country: str = ""
    sector: int | None = None
    kind: str = ""


@dataclass(frozen=True)
class TimelineRow:
    """Missions and delegates (participants who said yes or maybe) of a year between the
    lead organisation's city and the partner city."""

    year: int
    home: str
    partner: str
    missions: int
    delegates: int

    @property
    def partnership(self) -> str:
        return f"{self.home} – {self.partner or '?'}"


@dataclass(frozen=True)
class FunnelRow:
    kind: str
    label: str
    confirmed: int
    expected: int
    lost: int


@dataclass(frozen=True)
class ValueRow:
    """Values of confirmed and of expected outcomes, in the reporting currency; None when
    none could be converted (see the gaps)."""

    label: str
    confirmed: Decimal | None
    expected: Decimal | None
    outcomes: int
    year: int | None = None


@dataclass(frozen=True)
class Gap:
    """Values that could not be converted: no rate for that currency and year."""

    currency: str
    year: int
    outcomes: int
    value: Decimal


@dataclass(frozen=True)
class RsvpRow:
    year: int
    invited: int
    answered: int
    accepted: int
    declined: int

    @property
    def answer_rate(self) -> float | None:
        return share(self.answered, self.invited)

    @property
    def attendance_rate(self) -> float | None:
        return share(self.accepted, self.invited)


@dataclass(frozen=True)
class FeedbackRow:
    mission: str
    year: int
    answers: int
    average: float | None


@dataclass(frozen=True)
class ItemRatingRow:
    """The ratings of one itinerary item (1 to 5), from the participants who rated it."""

    mission: str
    year: int
    item: str
    answers: int
    points: int  # the ratings added up

    @property
    def average(self) -> float:
        return round(self.points / self.answers, 1)


@dataclass(frozen=True)
class Values:
    currency: str
    by_sector: list[ValueRow]
    by_mission: list[ValueRow]
    gaps: list[Gap]

    @property
    def confirmed(self) -> Decimal | None:
        return _total(row.confirmed for row in self.by_mission)

    @property
    def expected(self) -> Decimal | None:
        return _total(row.expected for row in self.by_mission)


def _total(values) -> Decimal | None:
    """The sum of the values that could be converted; None if none could (not a zero)."""
    known = [value for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None


@dataclass(frozen=True)
class Feedback:
    answers: int
    average: float | None
    by_rating: list[tuple[int, int]]  # (rating, answers), 1 to 5
    by_mission: list[FeedbackRow] = field(default_factory=list)
    # Every rated item: the newest missions' first, each mission's in time order.
    by_item: list[ItemRatingRow] = field(default_factory=list)

    @property
    def item_answers(self) -> int:
        return sum(row.answers for row in self.by_item)

    @property
    def item_average(self) -> float | None:
        """The average of every item rating (not of the items' averages)."""
        points = sum(row.points for row in self.by_item)
        return round(points / self.item_answers, 1) if self.item_answers else None


@dataclass(frozen=True)
class Report:
    timeline: list[TimelineRow]
    funnel: list[FunnelRow]
    jobs: int
    values: Values
    rsvp: list[RsvpRow]
    feedback: Feedback

    @property
    def missions(self) -> int:
        return sum(row.missions for row in self.timeline)

    @property
    def delegates(self) -> int:
        return sum(row.delegates for row in self.timeline)

    @property
    def rsvp_total(self) -> RsvpRow | None:
        if not self.rsvp:
            return None
        return RsvpRow(
            year=0,
            invited=sum(r.invited for r in self.rsvp),
            answered=sum(r.answered for r in self.rsvp),
            accepted=sum(r.accepted for r in self.rsvp),
            declined=sum(r.declined for r in self.rsvp),
        )
