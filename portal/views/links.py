"""The guard of every page under a participant's personal link (`token_page`).

Whoever holds the link is the participant; there is no login. So every page under it
(`/r/<token>/`, `/d/<token>/`, and the calendar feed under its own token,
`/c/<calendar token>.ics`):

- is rate-limited per IP address through Redis (`portal.rate_limit`), answering 429
  past the limit, whether the token is right or not;
- answers a wrong, expired or revoked token with one friendly 404 page, writing nothing;
- speaks the participant's language and reads times in the mission's zone;
- sends `Referrer-Policy: no-referrer` (links on the page must not leak the token to
  other sites) and `Cache-Control: private, no-store` (no proxy keeps a copy);
- keeps the token out of the logs: the request's path is redacted before the view runs
  (`/d/[token]/`, `/c/[token].ics`, also in the WSGI environ that gunicorn's access log
  reads), and expected refusals (404, 405, 429) are not logged by
  `django.request` at all.
"""

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt

from missions.languages import language_for
from missions.models import Participant
from missions.tokens import participant_for_calendar_token, participant_for_token, token_hash
from portal.rate_limit import over_limit

REDACTED = "[token]"  # what logs and error reports see instead of the token

TokenView = Callable[..., HttpResponse]


@dataclass(frozen=True)
class Holder:
    """Whoever holds a live link, as the view behind it receives them."""

    view_kwargs: dict[str, Any]  # passed on to the view, besides `token`
    language: str
    time_zone: zoneinfo.ZoneInfo  # the mission's


def participant_holder(token: str) -> Holder | None:
    """The participant of a live link, whole (`missions.tokens.participant_for_token`)."""
    return _holder(participant_for_token(token))


def calendar_holder(token: str) -> Holder | None:
    """The participant of a live calendar feed: its token opens nothing else."""
    return _holder(participant_for_calendar_token(token))


def _holder(participant: Participant | None) -> Holder | None:
    if participant is None:
        return None
    return Holder(
        view_kwargs={"participant": participant},
        language=language_for(participant),
        time_zone=participant.mission.time_zone,
    )


def link_invalid(request: HttpRequest) -> HttpResponse:
    """The one friendly page for a wrong, expired or revoked link."""
    return render(request, "rsvp/link_invalid.html", status=404)


def _redact(request: HttpRequest, token: str) -> None:
    """Hide the token from everything that logs or reports the request after this point.

    `request.META` is the WSGI environ, which gunicorn's access log reads after the
    response (`RAW_URI` for the request line): the token goes from there too.
    """
    if not token:
        return
    request.path = request.path.replace(token, REDACTED)
    request.path_info = request.path_info.replace(token, REDACTED)
    for key in ("PATH_INFO", "RAW_URI", "REQUEST_URI"):
        if key in request.META:
            request.META[key] = request.META[key].replace(token, REDACTED)


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def token_page(
    *methods: str,
    find: Callable[[str], Holder | None] = participant_holder,
    per_link_rate: str = "",
) -> Callable[[TokenView], Callable[..., HttpResponse]]:
    """A page under the personal link; the view receives `token` and what `find` gives.

    By default that is the `participant`, whole; a page may look up less (`find`) and
    load the rest only when it needs it. Requests count against the client address's
    rate before the token is looked up. With `per_link_rate` (the name of a setting) a
    live link counts against its own rate instead, and only a wrong one against the
    address's: for calendar feeds, which shared servers fetch for many people.
    """

    def decorator(view: TokenView) -> Callable[..., HttpResponse]:
        # No CSRF token: the secret in the address is the only authority here (no
        # cookie), so a forged request needs the link, and with it needs no forgery.
        @csrf_exempt
        @wraps(view)
        def page(request: HttpRequest, token: str) -> HttpResponse:
            _redact(request, token)
            if request.method not in methods:
                return _private(HttpResponseNotAllowed(methods))
            if not per_link_rate and over_limit(request):
                return _private(_too_many(request))
            holder = find(token)
            if holder is None:
                if per_link_rate and over_limit(request):
                    return _private(_too_many(request))
                return _private(link_invalid(request))
            if per_link_rate and over_limit(
                request, link=token_hash(token)[:32], rate=getattr(settings, per_link_rate)
            ):
                return _private(_too_many(request))
            with translation.override(holder.language), timezone.override(holder.time_zone):
                response = view(request, token=token, **holder.view_kwargs)
            response["Content-Language"] = holder.language
            return _private(response)

        return page

    return decorator


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "rsvp/rate_limited.html", status=429)
