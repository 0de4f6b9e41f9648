from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from missions.feasibility import open_warning_counts
from missions.selectors import can_see_audit_log
from missions.services.missions import can_create_missions, dashboard_missions
from planning.selectors import mission_timeline, needs_doing

PAST_PAGE_SIZE = 25


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """What needs doing across the user's missions, a timeline of them, the current and
    upcoming ones with their answers and open warnings; past ones below, 25 a page
    (`?page=`)."""
    board = dashboard_missions(request.user)
    warnings = open_warning_counts(board.upcoming)
    for mission in board.upcoming:
        mission.open_warnings = warnings.get(mission.pk, 0)
    everything = [*board.upcoming, *board.past]
    return render(
        request,
        "plan/dashboard.html",
        {
            "needs": needs_doing(
                missions=everything, upcoming=board.upcoming, open_warnings=warnings
            ),
            "timeline": mission_timeline(missions=everything),
            "upcoming": board.upcoming,
            "past": Paginator(board.past, PAST_PAGE_SIZE).get_page(request.GET.get("page")),
            "can_create": can_create_missions(request.user),
            "can_see_audit_log": can_see_audit_log(request.user),
        },
    )
