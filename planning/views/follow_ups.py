"""After the mission: the follow-up page (feedback and actions), actions, reminder rules.

The follow-up page is open to everyone who sees the mission (partners too); the pages
that change something look the mission up with `edit=True`, so they are a 404 for
read-only users, as is anything of a mission out of the user's scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from messaging import reminders
from messaging.enums import MessageKind, ReminderAnchor
from missions.enums import MissionStatus
from missions.models import FollowUpAction, Mission
from missions.selectors import can_edit, mission_for
from planning.forms.directory import PickerQueryForm
from planning.forms.follow_ups import (
    FollowUpActionForm,
    ReminderRuleFormSet,
    formset_helper,
    reminder_rule_initial,
)
from planning.services import follow_ups as services


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (which must show "required" errors)."""
    return request.POST if request.method == "POST" else None


@login_required
@require_GET
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk)
    return render(
        request,
        "missions/follow_up.html",
        {
            "mission": mission,
            "editable": can_edit(request.user, mission),
            "actions": list(services.actions_of(mission)),
            "open_statuses": reminders.ACTION_OPEN,
            "today": timezone.localdate(timezone=mission.time_zone),
            "feedback": services.feedback_summary(mission),
            "thanks": services.thanks_counts(mission),
            "thanks_day": reminders.thanks_day(mission),
            "cancelled": mission.status == MissionStatus.CANCELLED,
        },
    )


def _action_form(request: HttpRequest, mission: Mission, action: FollowUpAction) -> HttpResponse:
    """Show, validate and save the form of a new or existing action."""
    initial = {} if action.pk else {"owner": request.user.pk}
    form = FollowUpActionForm(_posted(request), instance=action, mission=mission, initial=initial)
    if request.method == "POST" and form.is_valid():
        save = services.action_update if action.pk else services.action_create
        target = {"action": action} if action.pk else {"mission": mission}
        try:
            save(**target, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The follow-up action was saved."))
            return redirect("plan:follow-up", pk=mission.pk)
    return render(
        request,
        "missions/follow_up_action_form.html",
        {"form": form, "mission": mission, "action": action},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    return _action_form(request, mission, FollowUpAction(mission=mission))


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = services.action_for(request.user, pk, edit=True)
    return _action_form(request, action.mission, action)


@login_required
@require_GET
def contact_options(request: HttpRequest, pk: int) -> HttpResponse:
    """<option>s of people for the contact picker of an action (htmx active search)."""
    mission_for(request.user, pk, edit=True)
    query = PickerQueryForm(request.GET).query()
    return render(
        request,
        "missions/follow_up_contact_options.html",
        {"options": services.contact_options(**query), "selected": query["selected"]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reminder_rules(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    formset = ReminderRuleFormSet(
        _posted(request), initial=reminder_rule_initial(mission), prefix="rules"
    )
    if request.method == "POST" and formset.is_valid():
        try:
            services.reminder_rules_replace(mission=mission, rules=formset.rules())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The reminder rules were saved."))
            return redirect("plan:reminder-rules", pk=mission.pk)
    defaults = [
        (MessageKind(rule.kind).label, rule.days, ReminderAnchor(rule.anchor).label)
        for rule in reminders.DEFAULT_RULES
    ]
    return render(
        request,
        "missions/reminder_rules.html",
        {
            "mission": mission,
            "formset": formset,
            "helper": formset_helper(),
            "defaults": defaults,
            "uses_defaults": not mission.reminder_rules.exists(),
        },
    )
