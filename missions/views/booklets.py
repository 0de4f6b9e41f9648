"""The printable delegate booklet (PDF): the delegate's own, and every one for staff.

- `delegate:booklet`, `/d/<token>/booklet.pdf`: the delegate's booklet in their language,
  behind the personal link's guard (`token_page`), shown in the browser;
- `plan:booklets`: a ZIP of the booklets of everyone invited, accepted or tentative, for
  everyone who may see the mission (partners too), each in its delegate's language.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from ..booklet import booklet_participants, booklets_zip, participant_booklet
from ..models import Participant
from ..selectors import mission_for
from .links import token_page


@token_page("GET", "HEAD")
def booklet(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    response = HttpResponse(participant_booklet(participant), content_type="application/pdf")
    filename = f"{participant.mission.slug}-booklet.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response


@login_required
@require_safe
def mission_booklets(request: HttpRequest, pk: int) -> HttpResponse:
    mission = mission_for(request.user, pk)
    archive = booklets_zip(mission=mission, participants=booklet_participants(mission))
    response = HttpResponse(archive, content_type="application/zip")
    filename = f"{mission.slug}-booklets.zip"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
