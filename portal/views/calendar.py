"""The delegate's calendar: the feed under its own token, the rest under the personal link.

- `calendar:feed`, `/c/<calendar token>.ics`: the subscription feed that calendars fetch
  again every hour. Delegates paste its address into Google Calendar or Outlook, which
  may share it, so its token is a read-only one of its own
  (`missions.tokens.calendar_token_for`): it opens the feed and nothing else, and the
  feed links to no page;
- `delegate:calendar`, `/d/<token>/calendar/`: the page that gives the feed's `webcal://`
  address (calendars on phones and Macs) and its https address (Google Calendar,
  Outlook), rendered at each visit: the delegate's kept page holds no link
  (`portal.delegate_cache`);
- `delegate:calendar-ics`, the same file as the feed as a download, `<mission-slug>.ics`.

The files keep cancelled items as STATUS:CANCELLED, so a calendar that had them removes
them, and `?alarm=1` adds a reminder an hour before each item. They share the page's
guard (`token_page`): rate limit (the feed's per link: calendar servers fetch it for
many people from a few addresses), one friendly 404 for a wrong, expired or revoked
link, `Referrer-Policy: no-referrer`, `Cache-Control: private, no-store`, no token in
the logs. Two queries: the token's participant, then the items.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.gzip import gzip_page

from missions.models import Participant
from missions.tokens import calendar_path
from portal.calendar import participant_calendar
from portal.views.links import calendar_holder, token_page

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar(request: HttpRequest, participant: Participant, *, feed: bool) -> HttpResponse:
    body = participant_calendar(
        participant,
        include_cancelled=True,
        alarm=request.GET.get("alarm") == "1",
        feed=feed,
        link_to=None,
    )
    return HttpResponse(body, content_type=CONTENT_TYPE)


@gzip_page
@token_page("GET", "HEAD", find=calendar_holder, per_link_rate="LINK_RATE_FEED")
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


@token_page("GET", "HEAD")
def calendar_page(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    feed = calendar_path(participant)
    context = {
        "mission": participant.mission,
        "token": token,
        "webcal_url": f"webcal://{request.get_host()}{feed}",
        "https_url": request.build_absolute_uri(feed),
    }
    return render(request, "delegate/calendar.html", context)
