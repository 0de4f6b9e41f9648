"""The matchmaking tab of a mission, for its organisers.

- `plan:matchmaking`: the settings (saving them turns matchmaking on), the meeting
  blocks, who takes part, the schedule's latest run and publishing;
- `plan:meeting-block`, `plan:meeting-block-remove`: an itinerary item as a meeting block;
- `plan:matchmaking-profiles`, `plan:matchmaking-profile`: profiles and requests, and a
  participant's profile filled in by staff;
- `plan:schedule-start` (a worker schedules, after commit) and `plan:schedule-status`
  (the run's card, for htmx to poll while it runs);
- `plan:meeting-grid`, `plan:meeting-move`, `plan:meeting-lock`: slots by tables, a
  meeting moved (dragged, or with the move form) or locked;
- `plan:schedule-publish`: preliminary meetings become final; everyone gets their
  schedule by mail.

Everything here looks the mission up with `edit=True` (a meeting with
`matchmaking.selectors.meeting_for`, scoped alike): a 404 for partners, viewers and
anyone out of scope, as for the booklets.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from matchmaking.models import MatchmakingSettings, MeetingBlock
from matchmaking.selectors import matchmaking_settings, meeting_for, profile_of, slot_value
from matchmaking.services.blocks import block_mark, block_unmark
from matchmaking.services.meetings import meeting_lock
from matchmaking.services.profiles import profile_save, settings_save
from matchmaking.services.scheduling import schedule_request
from missions.display import local_span
from missions.models import Mission
from missions.selectors import item_for, mission_for, participant_for
from planning.forms.matchmaking import (
    MatchmakingSettingsForm,
    MeetingBlockForm,
    MeetingMoveForm,
    ProfileForm,
    ProfileImportForm,
)
from planning.meeting_grid import (
    matchmaking_overview,
    meeting_grid,
    profiles_overview,
    schedule_run_status,
)
from planning.services.matchmaking import (
    meeting_move_and_notify,
    profiles_import,
    schedule_publish_and_notify,
)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def matchmaking(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    found = matchmaking_settings(mission)
    form = MatchmakingSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=found or MatchmakingSettings(mission=mission),
    )
    if request.method == "POST" and form.is_valid():
        try:
            settings_save(mission=mission, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Matchmaking settings saved."))
            return redirect("plan:matchmaking", pk=mission.pk)
    context = {
        "form": form,
        "enabled": found is not None,
        **matchmaking_overview(mission),
        **schedule_run_status(mission),
    }
    return render(request, "matchmaking/matchmaking.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_block(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_for(request.user, pk, edit=True)
    block = MeetingBlock.objects.filter(item=item).prefetch_related("tables").first()
    initial = {}
    if block is not None:
        tables = list(block.tables.all())
        named = [table.name for table in tables if table.name]
        initial = {
            "slot_minutes": block.slot_minutes,
            "break_minutes": block.break_minutes,
            "tables": None if named else len(tables),
            "rooms": "\n".join(named),
        }
    form = MeetingBlockForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            block_mark(
                item=item,
                slot_minutes=data["slot_minutes"],
                break_minutes=data["break_minutes"],
                tables=data["layout"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("“%(title)s” is a meeting block.") % {"title": item.title})
            return redirect("plan:matchmaking", pk=item.mission_id)
    context = {"mission": item.mission, "item": item, "block": block, "form": form}
    return render(request, "matchmaking/meeting_block.html", context)


@login_required
@require_POST
def meeting_block_remove(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_for(request.user, pk, edit=True)
    block_unmark(item=item)
    messages.success(
        request, _("“%(title)s” is no meeting block any more.") % {"title": item.title}
    )
    return redirect("plan:matchmaking", pk=item.mission_id)


@login_required
@require_safe
def profiles(request: HttpRequest, pk: int) -> HttpResponse:
    """Who takes part (their profile, shown or not) and their requests, per person."""
    mission = mission_for(request.user, pk, edit=True)
    rows, requests = profiles_overview(mission)
    context = {"mission": mission, "rows": rows, "requests": requests}
    return render(request, "matchmaking/profiles.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, edit=True)
    profile = profile_of(participant)
    initial = {}
    if profile is not None:
        initial = {
            "offer": profile.offer,
            "seek": profile.seek,
            "pitch": profile.pitch,
            "languages": profile.languages,
            "sectors": list(profile.sectors.all()),
            "opted_in": profile.opted_in,
        }
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            profile_save(participant=participant, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Profile of %(name)s saved.") % {"name": participant.person.full_name}
            )
            return redirect("plan:matchmaking-profiles", pk=participant.mission_id)
    context = {"mission": participant.mission, "participant": participant, "form": form}
    return render(request, "matchmaking/profile_form.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Profiles from a CSV or Excel file: all rows written, or none and every problem."""
    mission = mission_for(request.user, pk, edit=True)
    form = ProfileImportForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        result = profiles_import(mission=mission, records=form.records)
        if not result.errors:
            messages.success(
                request, _("%(count)d profiles imported.") % {"count": result.imported}
            )
            return redirect("plan:matchmaking-profiles", pk=mission.pk)
        errors = result.errors
    context = {"mission": mission, "form": form, "errors": errors}
    return render(request, "matchmaking/profile_import.html", context)


@login_required
@require_POST
def schedule_start(request: HttpRequest, pk: int) -> HttpResponse:
    """A worker schedules the accepted meetings; the page polls the run."""
    mission = mission_for(request.user, pk, edit=True)
    try:
        schedule_request(mission=mission, requested_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("plan:matchmaking", pk=mission.pk)


@login_required
@require_safe
def schedule_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's card alone; it asks to be polled again while the run is on its way."""
    mission = mission_for(request.user, pk, edit=True)
    return render(request, "matchmaking/_schedule_status.html", schedule_run_status(mission))


def _grid_context(mission: Mission, *, error: str = "") -> dict:
    return {"mission": mission, "grid": meeting_grid(mission), "error": error}


@login_required
@require_safe
def grid(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    return render(request, "matchmaking/meeting_grid.html", _grid_context(mission))


def _grid_answer(request: HttpRequest, mission: Mission, *, error: str = "") -> HttpResponse:
    """The grid fragment for htmx and the drag, or back to the grid with a message."""
    if request.htmx:
        return render(
            request, "matchmaking/_meeting_grid.html", _grid_context(mission, error=error)
        )
    if error:
        messages.error(request, error)
    return redirect("plan:meeting-grid", pk=mission.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Another slot and table for a meeting, checked like the scheduler's placements."""
    meeting = meeting_for(request.user, pk)
    mission = meeting.request.mission
    layout = meeting_grid(mission)
    form = MeetingMoveForm(
        request.POST if request.method == "POST" else None,
        grid=layout,
        initial={
            "table": meeting.table_id,
            "slot": slot_value(meeting.block_id, meeting.starts_at),
        },
    )
    if request.method == "POST":
        if not form.is_valid():
            return _grid_answer(request, mission, error=_("Choose a slot and a table."))
        data = form.cleaned_data
        try:
            meeting_move_and_notify(
                meeting=meeting,
                block=data["block"],
                starts_at=data["starts_at"],
                table=data["table"],
            )
        except ValidationError as error:
            message = _("The meeting was not moved: %(reasons)s") % {
                "reasons": " ".join(error.messages)
            }
            return _grid_answer(request, mission, error=message)
        if not request.htmx:
            messages.success(request, _("Meeting moved."))
        return _grid_answer(request, mission)
    context = {
        "mission": mission,
        "meeting": meeting,
        "when": local_span(meeting.starts_at, meeting.ends_at, meeting.block.item.time_zone),
        "form": form,
    }
    return render(request, "matchmaking/meeting_move.html", context)


@login_required
@require_POST
def meeting_lock_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for(request.user, pk)
    meeting_lock(meeting=meeting, locked=request.POST.get("locked") == "1")
    return _grid_answer(request, meeting.request.mission)


@login_required
@require_POST
def schedule_publish(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    try:
        count = schedule_publish_and_notify(mission=mission)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plan:meeting-grid", pk=mission.pk)
    if count:
        messages.success(
            request,
            _("%(count)d meetings are final; everyone with a meeting gets their schedule by mail.")
            % {"count": count},
        )
    else:
        messages.info(request, _("No preliminary meeting to publish."))
    return redirect("plan:meeting-grid", pk=mission.pk)
