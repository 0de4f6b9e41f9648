"""The itinerary builder: a timetable and a day-by-day list in the destination's zone,
edited in place.

With htmx every change answers with the refreshed fragment (warnings of other items may
change too); without JavaScript the same forms post and redirect. The timetable's blocks
are dragged to move or resize them (static/js/timetable.js posts to `item_reschedule`);
the list's buttons move by 15 minutes or a day from the keyboard.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from missions import feasibility
from missions.models import ItineraryItem, Mission
from missions.selectors import can_edit, item_for, mission_for
from organisations.models import Venue
from planning.forms.itinerary import (
    AcknowledgeForm,
    ItineraryItemForm,
    MoveForm,
    RescheduleForm,
)
from planning.services.itinerary import (
    item_delete,
    item_move,
    item_reschedule,
    item_save,
    warning_acknowledge,
)
from planning.timetable import timetable


def _timeline_context(mission: Mission, *, editable: bool, error: str = "") -> dict:
    items = list(
        mission.items.select_related("venue", "host", "mission").prefetch_related("attendees")
    )
    report = feasibility.mission_warnings(mission)
    days = {mission.start_date + dt.timedelta(days=n): [] for n in range(mission.duration_days)}
    outside = []
    for item in items:
        item.warnings = report.by_item.get(item.pk, [])
        local_day = timezone.localtime(item.starts_at, mission.time_zone).date()
        days.get(local_day, outside).append(item)
    return {
        "mission": mission,
        "days": list(days.items()),
        "timetable": timetable(mission, days.items()),
        "outside": outside,
        "report": report,
        "editable": editable,
        "error": error,
    }


def _timeline(request: HttpRequest, mission: Mission, *, error: str = "") -> HttpResponse:
    """The timeline fragment for htmx, or a redirect to the builder without it."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("plan:itinerary", pk=mission.pk)
    with timezone.override(mission.time_zone):
        return render(
            request,
            "missions/_itinerary_timeline.html",
            _timeline_context(mission, editable=True, error=error),
        )


def _venues(items: list[ItineraryItem]) -> list[Venue]:
    """The venues on the map: those of the items still on, with coordinates, once each."""
    venues = {
        item.venue_id: item.venue
        for item in items
        if item.venue_id and not item.is_cancelled and item.venue.latitude is not None
    }
    return list(venues.values())


@login_required
def itinerary(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk)
    editable = can_edit(request.user, mission)
    with timezone.override(mission.time_zone):
        context = _timeline_context(mission, editable=editable)
        items = [item for _, items in context["days"] for item in items]
        context["venues"] = _venues(items + context["outside"])
        return render(request, "missions/itinerary.html", context)


def _item_form(request: HttpRequest, mission: Mission, item: ItineraryItem) -> HttpResponse:
    """Show, validate and save the add or edit form of an item."""
    with timezone.override(mission.time_zone):
        form = ItineraryItemForm(request.POST or None, instance=item, mission=mission)
        if request.method == "POST" and form.is_valid():
            try:
                item_save(item=form.instance, attendees=form.cleaned_data["attendees"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _timeline(request, mission)
        template = "missions/_item_form.html" if request.htmx else "missions/item_form.html"
        response = render(request, template, {"form": form, "mission": mission, "item": item})
    if request.htmx and request.method == "POST":
        # The form goes back where it was, with its errors next to the fields.
        response = reswap(retarget(response, f"#{form_id(item)}"), "outerHTML")
    return response


def form_id(item: ItineraryItem) -> str:
    return f"item-form-{item.pk}" if item.pk else "item-form-new"


@login_required
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    item = ItineraryItem(mission=mission)
    if request.method == "GET":
        day = _day_from_query(request, mission)
        item.starts_at = dt.datetime.combine(day, dt.time(9), mission.time_zone)
        item.ends_at = item.starts_at + dt.timedelta(hours=1)
    return _item_form(request, mission, item)


def _day_from_query(request: HttpRequest, mission: Mission) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return mission.start_date
    return day if mission.start_date <= day <= mission.end_date else mission.start_date


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_for(request.user, pk, edit=True)
    return _item_form(request, item.mission, item)


@login_required
@require_POST
def item_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_for(request.user, pk, edit=True)
    form = MoveForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("The item could not be moved: choose a shift of at most a week.")
    else:
        try:
            item_move(item=item, minutes=form.cleaned_data["minutes"])
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
    return _timeline(request, item.mission, error=error)


@login_required
@require_POST
def item_reschedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A new start and end from the timetable, as wall-clock times in the mission's zone."""
    item = item_for(request.user, pk, edit=True)
    with timezone.override(item.mission.time_zone):
        form = RescheduleForm(request.POST)
        valid = form.is_valid()
    error = ""
    if not valid:
        error = _("The item could not be moved: give its new start and end.")
    else:
        try:
            item_reschedule(item=item, **form.cleaned_data)
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
    return _timeline(request, item.mission, error=error)


@login_required
@require_POST
def item_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_for(request.user, pk, edit=True)
    mission = item.mission
    item_delete(item=item)
    return _timeline(request, mission)


@login_required
@require_POST
def warning_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_for(request.user, pk, edit=True)
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return _timeline(request, item.mission, error=_("Give a reason to acknowledge a warning."))
    warning_acknowledge(item=item, user=request.user, **form.cleaned_data)
    return _timeline(request, item.mission)
