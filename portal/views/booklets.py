"""The delegate's printable booklet (PDF), `/d/<token>/booklet.pdf`, in their language,
behind the personal link's guard (`token_page`), shown in the browser."""

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from missions.models import Participant
from portal.booklet import participant_booklet
from portal.views.links import token_page


@token_page("GET", "HEAD")
def booklet(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    response = HttpResponse(participant_booklet(participant), content_type="application/pdf")
    filename = f"{participant.mission.slug}-booklet.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    return response
