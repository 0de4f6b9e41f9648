"""Participants of a mission: the list, add, edit and remove, bulk import, CSV exports.

The list is open to everyone who sees the mission (partners too), but only its
organisers see what the participants told the mission (e-mail, phone, needs, travel):
`can_see_personal_data`. The participant and dietary exports are personal data
through and through: a 404 for anyone else (`personal_data=True`); the attendance per
item (names only) is for every reader. The pages that change something look the
mission up with `edit=True`, so they are a 404 for read-only users.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from messaging.invitations import invitations_closed_because
from missions import exports
from missions.audit import audit_record
from missions.enums import AuditAction, ParticipantRole, RsvpGroup
from missions.imports import (
    COLUMN_LABELS,
    MAX_BODY_BYTES,
    ImportRow,
    check_rows,
    too_large_message,
)
from missions.models import Mission
from missions.selectors import (
    can_edit,
    can_see_personal_data,
    mission_for,
    participant_for,
    rsvp_group_counts,
)
from missions.services.participants import (
    ImportOutdated,
    participant_add,
    participant_remove,
    participant_update,
    participants_import,
    participants_of,
    people_matching,
)
from planning.forms.participants import (
    ParticipantAddForm,
    ParticipantFilterForm,
    ParticipantForm,
    ParticipantImportForm,
)


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (which must show "required" errors)."""
    return request.POST if request.method == "POST" else None


@login_required
def participant_list(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk)
    filters = ParticipantFilterForm(request.GET or None)
    counts = rsvp_group_counts(mission)
    with timezone.override(mission.time_zone):
        return render(
            request,
            "missions/participant_list.html",
            {
                "mission": mission,
                "participants": filters.page(participants_of(mission), request.GET.get("page")),
                "filters": filters,
                "editable": can_edit(request.user, mission),
                "invitations_closed": invitations_closed_because(mission),
                "personal": can_see_personal_data(request.user, mission),
                "counts": [(group.value, group.label, counts[group.value]) for group in RsvpGroup],
                "total": counts["total"],
                "roles": ParticipantRole.choices,
            },
        )


@login_required
def participant_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    query = request.GET.get("q", "")[:100]
    context = {
        "mission": mission,
        "query": query,
        "matches": people_matching(query, mission=mission, user=request.user),
    }
    if request.htmx and request.method == "GET":
        return render(request, "missions/_participant_search.html", context)
    form = ParticipantAddForm(_posted(request), mission=mission, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_add(mission=mission, **form.service_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(name)s takes part in the mission.") % {"name": participant.person}
            )
            return redirect("plan:participant-list", pk=mission.pk)
    return render(request, "missions/participant_add.html", {**context, "form": form})


@login_required
def participant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, edit=True)
    mission = participant.mission
    with timezone.override(mission.time_zone):
        form = ParticipantForm(_posted(request), instance=participant)
        if request.method == "POST" and form.is_valid():
            try:
                participant_update(participant=participant, **form.service_arguments())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved %(name)s.") % {"name": participant.person})
                return redirect("plan:participant-list", pk=mission.pk)
        return render(
            request,
            "missions/participant_form.html",
            {"mission": mission, "participant": participant, "form": form},
        )


@login_required
def participant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for(request.user, pk, edit=True)
    mission = participant.mission
    if request.method == "POST":
        participant_remove(participant=participant)
        messages.success(
            request,
            _("%(name)s no longer takes part in the mission.") % {"name": participant.person},
        )
        return redirect("plan:participant-list", pk=mission.pk)
    return render(
        request,
        "missions/participant_confirm_delete.html",
        {"mission": mission, "participant": participant},
    )


# IMPORT --------------------------------------------------------------------------
# The preview keeps the ready rows (text only) in the session under a fresh token; the
# confirmation names the token, so a second upload in another tab cannot be confirmed
# by the first tab's button. Nothing is written before the confirmation.


def _session_key(mission: Mission) -> str:
    return f"participant-import:{mission.pk}"


def _preview(
    request: HttpRequest, mission: Mission, rows: list[ImportRow], **extra
) -> HttpResponse:
    ready = [row for row in rows if row.is_ready]
    token = uuid.uuid4().hex
    request.session[_session_key(mission)] = {
        "token": token,
        "rows": [row.as_stored() for row in ready],
    }
    context = {
        "mission": mission,
        "rows": rows,
        "ready_count": len(ready),
        "error_count": len(rows) - len(ready),
        "token": token,
        "column_labels": COLUMN_LABELS,
        **extra,
    }
    return render(request, "missions/participant_import_preview.html", context)


def _announced_bytes(request: HttpRequest) -> int:
    value = request.META.get("CONTENT_LENGTH") or ""
    return int(value) if value.isascii() and value.isdigit() else 0


# CSRF is checked inside, once the size is: CsrfViewMiddleware reads the whole body (to
# find the token) before any view runs. The refusal reads and writes nothing.
@csrf_exempt
@login_required
def participant_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The upload and its preview; a body announced larger than a file may be is refused
    with the form's error next to the field before a byte of it is read."""
    mission = mission_for(request.user, pk, edit=True)
    if request.method == "POST" and _announced_bytes(request) > MAX_BODY_BYTES:
        form = ParticipantImportForm(refusal=too_large_message())
        return _import_form(request, mission, form, status=413)
    return _participant_import(request, mission)


@csrf_protect
def _participant_import(request: HttpRequest, mission: Mission) -> HttpResponse:
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request, mission)
    form = ParticipantImportForm(_posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        rows = check_rows(mission=mission, rows=form.table.rows)
        return _preview(request, mission, rows, ignored_headers=form.table.ignored_headers)
    return _import_form(request, mission, form)


def _import_form(
    request: HttpRequest, mission: Mission, form: ParticipantImportForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "missions/participant_import.html",
        {"mission": mission, "form": form, "column_labels": COLUMN_LABELS},
        status=status,
    )


def _import_confirm(request: HttpRequest, mission: Mission) -> HttpResponse:
    stored = request.session.get(_session_key(mission))
    if not stored or stored["token"] != request.POST["token"]:
        messages.error(request, _("This preview is no longer current. Upload the file again."))
        return redirect("plan:participant-import", pk=mission.pk)
    try:
        imported = participants_import(
            mission=mission, rows=stored["rows"], imported_by=request.user
        )
    except ImportOutdated as outdated:
        messages.warning(
            request,
            _("Something changed since the preview, so nothing was imported. "
              "Check the rows again and confirm."),
        )  # fmt: skip
        return _preview(request, mission, outdated.rows)
    except IntegrityError:
        del request.session[_session_key(mission)]
        messages.error(
            request,
            _("Nothing was imported: the directory or the mission changed while importing. "
              "Upload the file again."),
        )  # fmt: skip
        return redirect("plan:participant-import", pk=mission.pk)
    del request.session[_session_key(mission)]
    messages.success(
        request,
        ngettext(
            "Imported %(count)d participant.", "Imported %(count)d participants.", len(imported)
        )
        % {"count": len(imported)},
    )
    return redirect("plan:participant-list", pk=mission.pk)


# EXPORTS -------------------------------------------------------------------------


def _csv_response(mission: Mission, name: str, write) -> HttpResponse:
    """A CSV file of personal data: kept by no cache or proxy on its way, and an entry
    of the audit log."""
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=f"{mission.slug}-{name}.csv"
            ),
            "Cache-Control": "private, no-store",
        },
    )
    write(response, mission)
    audit_record(action=AuditAction.EXPORT, mission=mission, description=f"{name}.csv")
    return response


@login_required
def participant_export(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, personal_data=True)
    return _csv_response(mission, "participants", exports.participant_list)


@login_required
def dietary_export(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, personal_data=True)
    return _csv_response(mission, "dietary", exports.dietary_list)


@login_required
def attendance_export(request: HttpRequest, pk: int) -> HttpResponse:
    return _csv_response(mission_for(request.user, pk), "attendance", exports.attendance_list)
