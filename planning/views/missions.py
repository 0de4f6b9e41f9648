"""A mission's own pages: create, overview, edit, cancel, duplicate and history.

Objects are looked up through missions.selectors: out of scope is a 404, and the pages
that change a mission need `edit=True`, so partners' planners get a 404 there too.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from missions.feasibility import mission_warnings
from missions.selectors import can_edit, can_see_personal_data, mission_for, rsvp_group_counts
from missions.services import missions as services
from planning.forms.missions import MissionDuplicateForm, MissionForm


@login_required
@require_http_methods(["GET", "POST"])
def mission_create(request: HttpRequest) -> HttpResponse:
    if not services.can_create_missions(request.user):
        raise Http404
    form = MissionForm(request.POST or None, user=request.user)
    if form.is_valid():
        try:
            mission = services.mission_create(user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Mission “%(title)s” created. Next, build its itinerary.")
                % {"title": mission.title},
            )
            return redirect("plan:mission-detail", pk=mission.pk)
    return render(request, "missions/mission_form.html", {"form": form})


@login_required
def mission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk)
    report = mission_warnings(mission)
    organisers, partners = services.mission_organisations(mission)
    return render(
        request,
        "missions/mission_detail.html",
        {
            "mission": mission,
            "organisers": organisers,
            "partners": partners,
            "editable": can_edit(request.user, mission),
            "cancellable": not services.mission_cancel_refused_because(mission),
            "rsvp": rsvp_group_counts(mission),
            "open_warnings": services.open_warnings(mission, report.warnings),
            "acknowledged_count": report.acknowledged_count,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    # The form changes its instance as it validates: the page's header keeps the saved one.
    instance = mission_for(request.user, pk, edit=True) if request.method == "POST" else mission
    form = MissionForm(request.POST or None, instance=instance, user=request.user)
    if form.is_valid():
        try:
            services.mission_update(mission=instance, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your changes to the mission were saved."))
            return redirect("plan:mission-detail", pk=mission.pk)
    return render(request, "missions/mission_form.html", {"form": form, "mission": mission})


@login_required
@require_http_methods(["GET", "POST"])
def mission_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page; the mission is cancelled by the POST from it."""
    mission = mission_for(request.user, pk, edit=True)
    refused = services.mission_cancel_refused_because(mission)
    if request.method == "POST" and not refused:
        services.mission_cancel(mission=mission, user=request.user)
        messages.success(request, _("The mission was cancelled."))
        return redirect("plan:mission-detail", pk=mission.pk)
    return render(request, "missions/mission_cancel.html", {"mission": mission, "refused": refused})


@login_required
@require_http_methods(["GET", "POST"])
def mission_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    shift_days = services.duplicate_shift_days(mission)
    initial = {"title": services.duplicate_title(mission, shift_days), "shift_days": shift_days}
    form = MissionDuplicateForm(request.POST or None, initial=initial, mission=mission)
    if form.is_valid():
        try:
            copy = services.mission_duplicate(
                mission=mission, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("“%(title)s” is planned again as the draft “%(copy)s”.")
                % {"title": mission.title, "copy": copy.title},
            )
            return redirect("plan:mission-detail", pk=copy.pk)
    return render(request, "missions/mission_duplicate.html", {"form": form, "mission": mission})


@login_required
def mission_history(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk)
    page = services.mission_history(
        mission,
        request.GET.get("page"),
        personal_data=can_see_personal_data(request.user, mission),
    )
    # `editable`: the navigation shows the organisers' tabs (matchmaking) to them only.
    context = {"mission": mission, "page": page, "editable": can_edit(request.user, mission)}
    return render(request, "missions/mission_history.html", context)
