"""The outcomes report across the organisation's missions: figures with their charts and
tables, the charts themselves (SVG), the XLSX a council files, and a printable report.

Every member of an organisation opens it (a 404 for users without a membership); it
counts the missions they see (missions.selectors.missions_visible_to), narrowed by the
filters. The charts and exports take the page's filters from the query string; the
printable report and the XLSX also take `language` (en or de).
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from organisations.selectors import can_use_directory
from outcomes import charts, exports, reports
from planning.forms.reports import ReportFilterForm

# Each chart: how it is drawn from the report's missions.
CHARTS: dict[str, Callable] = {
    "timeline": lambda missions: charts.timeline(reports.timeline(missions)),
    "funnel": lambda missions: charts.funnel(reports.funnel(missions)[0]),
    "value-by-sector": lambda missions: charts.value_by_sector(reports.values(missions)),
    "value-by-mission": lambda missions: charts.value_by_mission(reports.values(missions)),
    "rsvp": lambda missions: charts.rsvp(reports.rsvp(missions)),
    "feedback": lambda missions: charts.feedback(reports.feedback(missions)),
    "item-ratings": lambda missions: charts.item_ratings(reports.feedback(missions)),
}


def _language(request: HttpRequest) -> str:
    """The language asked for (`?language=de`), else the page's."""
    asked = request.GET.get("language", "")
    return asked if asked in dict(settings.LANGUAGES) else translation.get_language()


def _filters(request: HttpRequest) -> ReportFilterForm:
    if not can_use_directory(request.user):
        raise Http404
    choices = reports.filter_choices(request.user)
    return ReportFilterForm(request.GET or None, choices=choices)


def _context(request: HttpRequest, form: ReportFilterForm, language: str = "") -> dict:
    report = reports.report_for(request.user, form.filters())
    query = form.query()
    chart_query = "&".join(part for part in (query, language and f"language={language}") if part)
    return {
        "form": form,
        "query": query,
        "chart_query": chart_query,
        "report": report,
        "top_missions": report.values.by_mission[: charts.TOP_MISSIONS],
        "more_missions": report.values.by_mission[charts.TOP_MISSIONS :],
        "top_items": report.feedback.by_item[: charts.TOP_ITEMS],
        "more_items": report.feedback.by_item[charts.TOP_ITEMS :],
        "generated": timezone.localdate(),
    }


@login_required
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    return render(request, "outcomes/report.html", _context(request, form))


@login_required
@require_safe
def report_print(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    language = _language(request)
    with translation.override(language):
        context = _context(request, form, language) | {"language": language}
        return render(request, "outcomes/report_print.html", context)


@login_required
@require_safe
def chart(request: HttpRequest, name: str) -> HttpResponse:
    draw = CHARTS.get(name)
    form = _filters(request)
    if draw is None:
        raise Http404
    with translation.override(_language(request)):
        svg = draw(reports.report_missions(request.user, form.filters()))
    response = HttpResponse(svg, content_type="image/svg+xml")
    # Drawn afresh each time, so a chart never disagrees with the table beside it.
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_safe
def report_xlsx(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    with translation.override(_language(request)):
        missions = reports.report_missions(request.user, form.filters())
        content = exports.report_xlsx(
            report=reports.report_for(request.user, form.filters()),
            outcomes=reports.outcome_rows(missions),
        )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"outcomes-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response
