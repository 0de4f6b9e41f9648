"""What a mission achieved: its outcomes, recorded by its organisers and its partners.

The list is open to everyone who sees the mission. Recording looks the mission up with
`outcomes.selectors.mission_for_recording` (its organisers' planners, and a partner's
planners for their own side) and changing with `outcome_for(..., edit=True)`: a 404 for
anyone else, as is anything of a mission out of the user's scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from missions.selectors import can_edit, mission_for
from outcomes import services
from outcomes.models import Outcome
from outcomes.selectors import (
    actions_of,
    mission_for_recording,
    outcome_for,
    outcomes_of,
    recording_sides,
)
from planning.forms.outcomes import OutcomeForm, outcome_initial


@login_required
@require_GET
def outcome_list(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk)
    sides = set(recording_sides(request.user, mission).values_list("pk", flat=True))
    outcomes = list(outcomes_of(mission))
    for outcome in outcomes:
        outcome.changeable = outcome.recorded_for_id in sides
    return render(
        request,
        "outcomes/outcome_list.html",
        {
            "mission": mission,
            "outcomes": outcomes,
            "can_record": bool(sides),
            "editable": can_edit(request.user, mission),
        },
    )


def _outcome_form(request: HttpRequest, outcome: Outcome, initial: dict) -> HttpResponse:
    """Show, validate and save the form of a new or existing outcome."""
    mission = outcome.mission
    sides = recording_sides(request.user, mission)
    data = request.POST if request.method == "POST" else None
    form = OutcomeForm(data, instance=outcome, mission=mission, sides=sides, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if outcome.pk:
                services.outcome_update(outcome=outcome, data=form.cleaned_data)
            else:
                services.outcome_create(
                    mission=mission, recorded_by=request.user, data=form.cleaned_data
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The outcome was saved."))
            return redirect("plan:outcome-list", pk=mission.pk)
    return render(
        request,
        "outcomes/outcome_form.html",
        {
            "form": form,
            "mission": mission,
            "outcome": outcome,
            "editable": can_edit(request.user, mission),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for_recording(request.user, pk)
    action_pk = request.GET.get("action", "")
    action = actions_of(mission).filter(pk=action_pk).first() if action_pk.isdigit() else None
    initial = outcome_initial(action=action, today=timezone.localdate())
    return _outcome_form(request, Outcome(mission=mission), initial)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = outcome_for(request.user, pk, edit=True)
    return _outcome_form(request, outcome, {})


@login_required
@require_http_methods(["GET", "POST"])
def outcome_delete(request: HttpRequest, pk: int) -> HttpResponse:
    outcome = outcome_for(request.user, pk, edit=True)
    if request.method == "POST":
        services.outcome_delete(outcome=outcome)
        messages.success(request, _("The outcome was deleted."))
        return redirect("plan:outcome-list", pk=outcome.mission_id)
    return render(
        request,
        "outcomes/outcome_confirm_delete.html",
        {
            "outcome": outcome,
            "mission": outcome.mission,
            "editable": can_edit(request.user, outcome.mission),
        },
    )
