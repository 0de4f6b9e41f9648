"""The audit log of an organisation's missions, for its administrators (read-only).

Every export or download of personal data and every change of a personal link is an
entry (`missions.audit`); administrators of an organising organisation read those of
its missions here, newest first, 50 a page, filtered by mission. Anyone else gets a 404.
"""

import zoneinfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from missions.display import format_local
from missions.selectors import audit_entries_for, audit_missions_for, can_see_audit_log
from planning.forms.audit import AuditFilterForm

PER_PAGE = 50


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    if not can_see_audit_log(request.user):
        raise Http404
    missions = audit_missions_for(request.user).order_by("-start_date", "title")
    filters = AuditFilterForm(request.GET or None, missions=missions)
    entries = audit_entries_for(request.user, mission=filters.chosen_mission)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    zone = zoneinfo.ZoneInfo(settings.STAFF_TIME_ZONE)
    for entry in page.object_list:
        entry.at_local = format_local(entry.at, zone)
    return render(
        request,
        "plan/audit_log.html",
        {"filters": filters, "page": page, "zone": zone.key, "mission": filters.chosen_mission},
    )
