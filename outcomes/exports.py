"""The outcomes report as an XLSX a council can file: one sheet per figure, with the
same rows and totals as the page (outcomes.figures), and a sheet of every outcome.

Text cells that a spreadsheet would read as a formula are written as text
(missions.exports.safe_cell).
"""

import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from missions.exports import safe_cell
from outcomes import figures
from outcomes.enums import OutcomeKind, OutcomeStatus

BOLD = Font(bold=True)


def _cell(value: object) -> object:
    if isinstance(value, str):
        return safe_cell(value)
    if isinstance(value, float | int) or value is None:
        return value
    return value if not hasattr(value, "quantize") else float(value)


def _sheet(book: Workbook, title: str, header: list[str], rows: Iterable, total=None) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = BOLD
    for row in rows:
        sheet.append([_cell(value) for value in row])
    if total is not None:
        sheet.append([_cell(value) for value in total])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(48, len(name) + 4))


def report_xlsx(*, report: figures.Report, outcomes: Iterable[tuple]) -> bytes:
    """The workbook's bytes. `outcomes` are `outcomes.reports.outcome_rows`."""
    currency = report.values.currency
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        _("Timeline"),
        [_("Year"), _("Home city"), _("Partner city"), _("Missions"), _("Delegates")],
        ((r.year, r.home, r.partner, r.missions, r.delegates) for r in report.timeline),
        total=(_("Total"), "", "", report.missions, report.delegates),
    )
    _sheet(
        book,
        _("Funnel"),
        [_("Kind"), _("Confirmed"), _("Expected"), _("Lost")],
        ((str(r.label), r.confirmed, r.expected, r.lost) for r in report.funnel),
    )
    value_header = [
        _("Confirmed (%(currency)s)") % {"currency": currency},
        _("Expected (%(currency)s)") % {"currency": currency},
        _("Outcomes with a value"),
    ]
    _sheet(
        book,
        _("Value by sector"),
        [_("Sector"), *value_header],
        (
            (r.label or _("No sector"), r.confirmed, r.expected, r.outcomes)
            for r in report.values.by_sector
        ),
    )
    _sheet(
        book,
        _("Value by mission"),
        [_("Year"), _("Mission"), *value_header],
        ((r.year, r.label, r.confirmed, r.expected, r.outcomes) for r in report.values.by_mission),
        total=(_("Total"), "", report.values.confirmed, report.values.expected, ""),
    )
    _sheet(
        book,
        _("Values without a rate"),
        [_("Currency"), _("Year"), _("Outcomes"), _("Value in its currency")],
        ((g.currency, g.year, g.outcomes, g.value) for g in report.values.gaps),
    )
    total = report.rsvp_total
    _sheet(
        book,
        _("Answers and attendance"),
        [
            _("Year"),
            _("Invited"),
            _("Answered"),
            _("Accepted"),
            _("Answer rate (%)"),
            _("Attendance rate (%)"),
        ],
        (
            (r.year, r.invited, r.answered, r.accepted, r.answer_rate, r.attendance_rate)
            for r in report.rsvp
        ),
        total=(
            _("Total"),
            total.invited,
            total.answered,
            total.accepted,
            total.answer_rate,
            total.attendance_rate,
        )
        if total
        else None,
    )
    _sheet(
        book,
        _("Feedback ratings"),
        [_("Rating"), _("Answers")],
        report.feedback.by_rating,
        total=(_("Total"), report.feedback.answers),
    )
    _sheet(
        book,
        _("Ratings per itinerary item"),
        [_("Year"), _("Mission"), _("Item"), _("Answers"), _("Average")],
        ((r.year, r.mission, r.item, r.answers, r.average) for r in report.feedback.by_item),
        total=(_("Total"), "", "", report.feedback.item_answers, report.feedback.item_average),
    )
    kinds, statuses = dict(OutcomeKind.choices), dict(OutcomeStatus.choices)
    _sheet(
        book,
        _("Outcomes"),
        [
            _("Mission"),
            _("First day"),
            _("Kind"),
            _("Status"),
            _("Date"),
            _("Value"),
            _("Currency"),
            _("Value (%(currency)s)") % {"currency": currency},
            _("Jobs"),
            _("Recorded for"),
            _("Evidence notes"),
        ],
        (
            (
                title,
                start,
                str(kinds[kind]),
                str(statuses[status]),
                date,
                value,
                code,
                figures.money(converted),
                jobs,
                side,
                evidence,
            )
            for title, start, kind, status, date, value, code, converted, jobs, side, evidence in (
                outcomes
            )
        ),
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
