"""The delegate's own page, `/d/<token>/` (namespace `delegate`): their itinerary on a phone.

The pages share the personal link's guard with the RSVP pages (`token_page`): rate
limit per IP address, one friendly 404 for a wrong, expired or revoked token, the
participant's language, `Referrer-Policy: no-referrer` and `Cache-Control: private,
no-store`, and the token kept out of the logs. GET shows the page, then remembers the
visit (a HEAD, as link checkers send, does not). POST to the page records the answer
(`portal.services.rsvp.rsvp_record`) and sends the delegate back to their page with a
word of thanks (`?saved=1`); `language/` chooses the language and returns to the page of
the link it was chosen on (`return_to`); `answer/` (the link to change an answer) opens
the page with the answer form at the top (`?answer=change`).

A delegate on the road reloads the page to see where to go next, so the page as last
rendered is served again while nothing on it changed (`portal.delegate_cache`): one
query reads the link with the page's version and the kept page. Only a page that is
not current any more loads the participant and renders. The page is rendered without
the token: it links the pages under the link relatively (`answer/`, `language/`,
`calendar/`), so what is kept holds no working link. It is sent gzipped to slow
phone connections: 60 items and 300 names are ~100 kB of HTML, a few kB gzipped. No
BREACH exposure: no text an attacker chooses appears on the page, and the compressed
page carries random padding besides. No transaction around the request: it reads, and
remembering the visit or keeping the page is a single statement (the answer is recorded
in a transaction of its own).

The answer form is never kept: it shows what the participant told the mission (phone,
needs, travel), which must not rest in a page that outlives them. So until the delegate
has answered (`answer_wanted`), while they change their answer, after they saved it and
after a POST with errors, the page is rendered for that request only, with the form at
the top (`delegate/_answer_form.html`); only the page without a form is kept.
"""

import re
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from missions.display import long_date
from missions.models import Participant
from missions.tokens import participant_for_token
from portal import delegate_cache
from portal.forms import AnswerForm, DelegateLanguageForm
from portal.selectors import DelegateItinerary, DelegateLink, delegate_itinerary, delegate_link
from portal.services.delegate import delegate_language_set, delegate_page_seen
from portal.services.rsvp import answer_closed_because, answer_wanted, rsvp_record
from portal.views.links import Holder, link_invalid, token_page

ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip
# `?answer=change`: the page with the answer form at the top, for an answer given before.
CHANGE = "change"
# The pages under the link that the language switch returns to: what a GET shows.
RETURN_PAGES = {"delegate:page", "delegate:calendar", "delegate:meetings", "delegate:marketplace"}


def _link_holder(token: str) -> Holder | None:
    link = delegate_link(token)
    if link is None:
        return None
    return Holder(view_kwargs={"link": link}, language=link.language, time_zone=link.time_zone)


def _html(request: HttpRequest, participant: Participant, **extra) -> tuple[str, DelegateItinerary]:
    itinerary = delegate_itinerary(participant)
    context = {  # no token: the page may be kept (see the module's docstring)
        "itinerary": itinerary,
        "mission": itinerary.mission,
        "closed": answer_closed_because(participant),  # cancelled, withdrawn or over
        **extra,
    }
    return render_to_string("delegate/page.html", context, request=request), itinerary


def _render(request: HttpRequest, participant: Participant, key: str):
    html, itinerary = _html(request, participant)
    return delegate_cache.page_keep(
        participant_id=participant.pk,
        key=key,
        html=html,
        marks_changes=bool(itinerary.changes),
        fresh_until=itinerary.fresh_until,
    )


def _seen(request: HttpRequest, link: DelegateLink, *, marks_changes: bool) -> None:
    # Remember the visit when that changes what the next one shows: the first visit, or
    # one that marked changes. Otherwise the previous visit still marks the same.
    if request.method == "GET" and (link.page_seen_at is None or marks_changes):
        delegate_page_seen(participant_id=link.participant_id, at=timezone.now())


def _with_answer(
    request: HttpRequest, link: DelegateLink, token: str, participant: Participant | None
) -> HttpResponse:
    """The page for this request only: with the answer form, or a word of thanks."""
    participant = participant or participant_for_token(token)
    if participant is None:  # revoked this very moment
        return link_invalid(request)
    form = None
    asked = request.method == "POST" or request.GET.get("answer") == CHANGE
    if not answer_closed_because(participant) and (asked or answer_wanted(participant)):
        data = request.POST if request.method == "POST" else None
        form = AnswerForm(data, participant=participant)
        if form.is_bound and form.is_valid():
            rsvp_record(participant=participant, **form.service_arguments())
            return redirect(reverse("delegate:page", kwargs={"token": token}) + "?saved=1")
    deadline = participant.mission.rsvp_deadline
    html, itinerary = _html(
        request,
        participant,
        answer_form=form,
        deadline=long_date(deadline) if deadline else "",
        saved=request.method == "GET" and request.GET.get("saved") == "1",
    )
    if form is None:  # a mail scanner opening the invitation's link writes nothing
        _seen(request, link, marks_changes=bool(itinerary.changes))
    return HttpResponse(html)


@transaction.non_atomic_requests
@token_page("GET", "HEAD", "POST", find=_link_holder)
def page(request: HttpRequest, *, link: DelegateLink, token: str) -> HttpResponse:
    if request.method == "POST" or request.GET.get("answer") or request.GET.get("saved"):
        return _with_answer(request, link, token, None)
    key = delegate_cache.page_key(link, scheme=request.scheme, host=request.get_host())
    kept = delegate_cache.page_kept(link, key)
    if kept is None:
        participant = participant_for_token(token)
        if participant is None:  # revoked this very moment
            return link_invalid(request)
        if answer_wanted(participant):  # the form is never kept
            return _with_answer(request, link, token, participant)
        kept = _render(request, participant, key)
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(kept.gzipped, headers={"Content-Encoding": "gzip"})
    else:
        response = HttpResponse(delegate_cache.html(kept))
    patch_vary_headers(response, ("Accept-Encoding",))
    _seen(request, link, marks_changes=kept.marks_changes)
    return response


@token_page("GET", "HEAD", find=_link_holder)
def answer(request: HttpRequest, *, link: DelegateLink, token: str) -> HttpResponse:
    page = reverse("delegate:page", kwargs={"token": token})
    return redirect(f"{page}?answer={CHANGE}#answer")


def return_to(token: str, address: str) -> str:
    """The page the language switch was pressed on (`address`, path and query), if it is
    one of `RETURN_PAGES` under this very link; else the delegate's page. Never another
    site or another link: only an address that resolves to one of those pages with this
    token, its query read and written again."""
    page = reverse("delegate:page", kwargs={"token": token})
    parts = urlsplit(address)
    if not url_has_allowed_host_and_scheme(address, allowed_hosts=None):
        return page
    try:
        match = resolve(parts.path)
    except Resolver404:
        return page
    if match.view_name not in RETURN_PAGES or match.kwargs.get("token") != token:
        return page
    query = QueryDict(parts.query).urlencode()
    return f"{parts.path}?{query}" if query else parts.path


@token_page("POST")
def language(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    form = DelegateLanguageForm(request.POST)
    if form.is_valid():
        delegate_language_set(participant=participant, language=form.cleaned_data["language"])
    return redirect(return_to(token, form.data.get("next", "")))
