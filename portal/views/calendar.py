"""The delegate's calendar under the personal link (namespace `delegate`).

- `calendar-feed`, `/d/<token>/calendar.ics`: the subscription feed that calendars fetch
  again every hour (the page links it as `webcal://` and gives its https address for
  Google Calendar and Outlook);
- `calendar-ics`, the same file as a download, `<mission-slug>.ics`.

Both keep cancelled items as STATUS:CANCELLED, so a calendar that had them removes them,
and `?alarm=1` adds a reminder an hour before each item. They share the page's guard
(`token_page`): rate limit (the feed's per link: calendar servers fetch it for many
people from a few addresses), one friendly 404 for a wrong, expired or revoked link,
`Referrer-Policy: no-referrer`, `Cache-Control: private, no-store`, no token in the
logs. Two queries: the token's participant, then the items.
"""

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.gzip import gzip_page

from missions.models import Participant
from portal.calendar import participant_calendar
from portal.views.links import token_page

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar(request: HttpRequest, participant: Participant, *, feed: bool) -> HttpResponse:
    body = participant_calendar(
        participant,
        include_cancelled=True,
        alarm=request.GET.get("alarm") == "1",
        feed=feed,
        link_to="delegate:page",
    )
    return HttpResponse(body, content_type=CONTENT_TYPE)


@gzip_page
@token_page("GET", "HEAD", per_link_rate="LINK_RATE_FEED")
def calendar_feed(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    return _calendar(request, participant, feed=True)


@gzip_page
@token_page("GET", "HEAD")
def calendar_download(
    request: HttpRequest, *, participant: Participant, token: str
) -> HttpResponse:
    response = _calendar(request, participant, feed=False)
    filename = f"{participant.mission.slug}.ics"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
