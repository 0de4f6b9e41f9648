"""Every delegate's booklet of a mission, for staff.

- `plan:booklets`: the latest archive (a ZIP of everyone invited, accepted or tentative,
  each in its delegate's language, built by a worker: `portal.booklet_archives`) and a
  button to prepare one (POST, then back here);
- `plan:booklets-status`: the same archive's card, for htmx to poll while it is prepared;
- `plan:booklets-download`: the ready ZIP.

Only the mission's organisers may prepare and download its booklets: each PDF carries
that delegate's working personal link. Anyone else, partners and viewers included, gets a
404, as for everything out of scope under /plan/. A prepared archive is deleted a day
after it is ready (`portal.booklet_archives.archives_expire`), and rests sealed until then
(`archive_file_save`): the download unseals it. Each download is an entry of the audit log.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from missions.audit import audit_record
from missions.enums import AuditAction
from missions.selectors import mission_for
from portal.booklet_archives import archive_content, archive_status
from portal.enums import ArchiveState
from portal.models import BookletArchive
from portal.services.booklets import archive_request


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mission_booklets(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk, edit=True)
    if request.method == "POST":
        try:
            archive_request(mission=mission, requested_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("plan:booklets", pk=mission.pk)
    status = archive_status(mission=mission)
    return render(request, "missions/booklets.html", {"mission": mission, "status": status})


@login_required
@require_safe
def booklets_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The archive's card alone; it asks to be polled again while the archive is on its way."""
    mission = mission_for(request.user, pk, edit=True)
    status = archive_status(mission=mission)
    return render(request, "missions/booklets_status.html", {"mission": mission, "status": status})


@login_required
@require_safe
def booklets_download(request: HttpRequest, pk: int, archive_pk: int) -> FileResponse:
    mission = mission_for(request.user, pk, edit=True)
    archive = get_object_or_404(
        BookletArchive, pk=archive_pk, mission=mission, state=ArchiveState.READY
    )
    content = archive_content(archive)
    if content is None:  # deleted since, as a newer archive became ready; or unreadable
        raise Http404
    response = FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=f"{mission.slug}-booklets.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    audit_record(
        action=AuditAction.BOOKLETS_DOWNLOADED, mission=mission, description="booklets.zip"
    )
    return response
