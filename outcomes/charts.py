"""The charts of the outcomes report, drawn on the server as SVG with matplotlib.

No pyplot: every chart is its own `matplotlib.figure.Figure` (thread-safe, no global
state between requests). Text is drawn as paths, so the SVG needs no font of the
browser's; the colours are Okabe and Ito's, told apart with colour blindness. Each chart
is shown beside a table of the same figures (templates/outcomes/_figure.html).
"""

import io
from collections.abc import Callable

from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from outcomes import figures
from outcomes.enums import OutcomeKind

COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999"]
TOP_PARTNERSHIPS = 6
TOP_MISSIONS = 15
TOP_ITEMS = 15  # the items of the item ratings' chart: the first of the page's table


def _figure(height: float = 3.6) -> tuple[Figure, object]:
    figure = Figure(figsize=(7.5, height), layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _svg(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _years(axes, years: list[int]) -> None:
    """Whole years on the x axis, with room beside a single one."""
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlim(min(years) - 0.7, max(years) + 0.7)


def _legend(axes) -> None:
    axes.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def _empty(axes) -> None:
    axes.set_axis_off()
    axes.text(0.5, 0.5, _("No data for these filters."), ha="center", va="center")


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def timeline(rows: list[figures.TimelineRow]) -> bytes:
    """Missions per year, stacked by partnership (the largest; the rest as "other")."""
    figure, axes = _figure()
    if not rows:
        _empty(axes)
        return _svg(figure)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row.partnership] = totals.get(row.partnership, 0) + row.missions
    top = sorted(totals, key=lambda p: (-totals[p], p))[:TOP_PARTNERSHIPS]
    years = list(range(min(r.year for r in rows), max(r.year for r in rows) + 1))
    series = {name: [0] * len(years) for name in [*top, _("Other partnerships")]}
    for row in rows:
        name = row.partnership if row.partnership in top else _("Other partnerships")
        series[name][years.index(row.year)] += row.missions
    bottom = [0] * len(years)
    for colour, (name, counts) in zip(COLOURS, series.items(), strict=False):
        if any(counts):
            axes.bar(years, counts, bottom=bottom, label=name, color=colour)
            bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    axes.set_ylabel(_("Missions"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    _years(axes, years)
    _legend(axes)
    return _svg(figure)


def funnel(rows: list[figures.FunnelRow]) -> bytes:
    """Meetings held, leads, agreements, deals: confirmed and expected."""
    figure, axes = _figure(3)
    steps = [row for row in rows if row.kind in OutcomeKind.FUNNEL]
    if not any(row.confirmed or row.expected for row in steps):
        _empty(axes)
        return _svg(figure)
    labels = [_short(row.label, 28) for row in steps][::-1]
    confirmed = [row.confirmed for row in steps][::-1]
    expected = [row.expected for row in steps][::-1]
    axes.barh(labels, confirmed, color=COLOURS[0], label=_("Confirmed"))
    axes.barh(labels, expected, left=confirmed, color=COLOURS[1], label=_("Expected"))
    axes.set_xlabel(_("Outcomes"))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(axes)
    return _svg(figure)


def _value_bars(rows: list[figures.ValueRow], currency: str, title: Callable) -> bytes:
    figure, axes = _figure(max(2.4, 0.35 * len(rows) + 1))
    if not rows:
        _empty(axes)
        return _svg(figure)
    labels = [_short(title(row)) for row in rows][::-1]
    confirmed = [float(row.confirmed or 0) for row in rows][::-1]
    expected = [float(row.expected or 0) for row in rows][::-1]
    axes.barh(labels, confirmed, color=COLOURS[0], label=_("Confirmed"))
    axes.barh(labels, expected, left=confirmed, color=COLOURS[1], label=_("Expected"))
    axes.set_xlabel(_("Value (%(currency)s)") % {"currency": currency})
    axes.ticklabel_format(axis="x", style="plain")
    axes.xaxis.set_major_locator(MaxNLocator(nbins=5))
    _legend(axes)
    return _svg(figure)


def value_by_sector(values: figures.Values) -> bytes:
    return _value_bars(values.by_sector, values.currency, lambda r: r.label or _("No sector"))


def value_by_mission(values: figures.Values) -> bytes:
    return _value_bars(
        values.by_mission[:TOP_MISSIONS], values.currency, lambda r: f"{r.year} {r.label}"
    )


def rsvp(rows: list[figures.RsvpRow]) -> bytes:
    """Answer and attendance rates per year, in per cent."""
    figure, axes = _figure(3)
    if not rows:
        _empty(axes)
        return _svg(figure)
    years = [row.year for row in rows]
    axes.plot(
        years, [row.answer_rate for row in rows], marker="o", color=COLOURS[0], label=_("Answered")
    )
    axes.plot(
        years,
        [row.attendance_rate for row in rows],
        marker="s",
        linestyle="--",
        color=COLOURS[5],
        label=_("Accepted (attendance)"),
    )
    axes.set_ylim(0, 105)
    axes.set_ylabel(_("% of those invited"))
    _years(axes, years)
    _legend(axes)
    return _svg(figure)


def feedback(given: figures.Feedback) -> bytes:
    """How many participants gave each rating, 1 to 5."""
    figure, axes = _figure(2.8)
    if not given.answers:
        _empty(axes)
        return _svg(figure)
    ratings = [str(rating) for rating, _n in given.by_rating]
    axes.bar(ratings, [n for _rating, n in given.by_rating], color=COLOURS[2])
    axes.set_xlabel(_("Rating (1 to 5)"))
    axes.set_ylabel(_("Answers"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _svg(figure)


def item_ratings(given: figures.Feedback) -> bytes:
    """The average rating of each item (the first of the page's table, the first on top),
    a colour for each mission, named under the chart: the items' names need the width."""
    rows = given.by_item[:TOP_ITEMS]
    missions = list(dict.fromkeys((row.year, row.mission) for row in rows))
    figure, axes = _figure(max(2.4, 0.35 * len(rows) + 0.3 * len(missions) + 1))
    if not rows:
        _empty(axes)
        return _svg(figure)
    # By position, not by label: two missions may have an item of the same title.
    for colour, (year, mission) in zip(COLOURS * len(missions), missions, strict=False):
        mine = [
            (n, row) for n, row in enumerate(rows) if (row.year, row.mission) == (year, mission)
        ]
        axes.barh(
            [n for n, _row in mine],
            [row.average for _n, row in mine],
            color=colour,
            label=_short(f"{year} {mission}", 60),
        )
    axes.set_yticks(range(len(rows)), [_short(row.item) for row in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 5)
    axes.set_xticks(range(6))
    axes.set_xlabel(_("Average rating (1 to 5)"))
    figure.legend(fontsize="small", frameon=False, loc="outside lower center")
    return _svg(figure)
