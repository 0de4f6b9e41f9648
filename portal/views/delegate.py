"""The delegate's own page, `/d/<token>/` (namespace `delegate`): their itinerary on a phone.

The pages share the personal link's guard with the RSVP pages (`token_page`): rate
limit per IP address, one friendly 404 for a wrong, expired or revoked token, the
participant's language, `Referrer-Policy: no-referrer` and `Cache-Control: private,
no-store`, and the token kept out of the logs. GET shows the page, then remembers the
visit (a HEAD, as link checkers send, does not); only POST chooses the language.
`answer/` takes the delegate on to their answer under `/r/<token>/`.

A delegate on the road reloads the page to see where to go next, so the page as last
rendered is served again while nothing on it changed (`portal.delegate_cache`): one
query reads the link with the page's version and the kept page. Only a page that is
not current any more loads the participant and renders. The page is rendered without
the token: it links the pages under the link relatively (`answer/`, `language/`,
`calendar/`), so what is kept holds no working link. It is sent gzipped to slow
phone connections: 60 items and 300 names are ~100 kB of HTML, a few kB gzipped. No
BREACH exposure: no text an attacker chooses appears on the page, and the compressed
page carries random padding besides. No transaction around the request: it reads, and
remembering the visit or keeping the page is a single statement.
"""

import re

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from missions.models import Participant
from missions.tokens import participant_for_token
from portal import delegate_cache
from portal.forms import LanguageForm
from portal.selectors import DelegateLink, delegate_itinerary, delegate_link
from portal.services.delegate import delegate_language_set, delegate_page_seen
from portal.services.rsvp import answer_closed_because
from portal.views.links import Holder, link_invalid, token_page

ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip


def _link_holder(token: str) -> Holder | None:
    link = delegate_link(token)
    if link is None:
        return None
    return Holder(view_kwargs={"link": link}, language=link.language, time_zone=link.time_zone)


def _render(request: HttpRequest, participant: Participant, key: str):
    itinerary = delegate_itinerary(participant)
    context = {  # no token: the page is kept (see the module's docstring)
        "itinerary": itinerary,
        "mission": itinerary.mission,
        "closed": answer_closed_because(participant),  # cancelled, withdrawn or over
    }
    return delegate_cache.page_keep(
        participant_id=participant.pk,
        key=key,
        html=render_to_string("delegate/page.html", context, request=request),
        marks_changes=bool(itinerary.changes),
        fresh_until=itinerary.fresh_until,
    )


@transaction.non_atomic_requests
@token_page("GET", "HEAD", find=_link_holder)
def page(request: HttpRequest, *, link: DelegateLink, token: str) -> HttpResponse:
    key = delegate_cache.page_key(link, scheme=request.scheme, host=request.get_host())
    kept = delegate_cache.page_kept(link, key)
    if kept is None:
        participant = participant_for_token(token)
        if participant is None:  # revoked this very moment
            return link_invalid(request)
        kept = _render(request, participant, key)
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(kept.gzipped, headers={"Content-Encoding": "gzip"})
    else:
        response = HttpResponse(delegate_cache.html(kept))
    patch_vary_headers(response, ("Accept-Encoding",))
    # Remember the visit when that changes what the next one shows: the first visit, or
    # one that marked changes. Otherwise the previous visit still marks the same.
    if request.method == "GET" and (link.page_seen_at is None or kept.marks_changes):
        delegate_page_seen(participant_id=link.participant_id, at=timezone.now())
    return response


@token_page("GET", "HEAD", find=_link_holder)
def answer(request: HttpRequest, *, link: DelegateLink, token: str) -> HttpResponse:
    return redirect("rsvp:answer", token=token)


@token_page("POST")
def language(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        delegate_language_set(participant=participant, language=form.cleaned_data["language"])
    return redirect("delegate:page", token=token)
