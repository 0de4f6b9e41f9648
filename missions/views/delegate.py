"""The delegate's own page, `/d/<token>/` (namespace `delegate`): their itinerary on a phone.

The pages share the personal link's guard with the RSVP pages (`token_page`): rate
limit per IP address, one friendly 404 for a wrong, expired or revoked token, the
participant's language, `Referrer-Policy: no-referrer` and `Cache-Control: private,
no-store`, and the token kept out of the logs. GET shows the page, then remembers the
visit (a HEAD, as link checkers send, does not); only POST chooses the language.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.gzip import gzip_page

from ..forms.rsvp import LanguageForm
from ..models import Participant
from ..selectors_delegate import delegate_itinerary
from ..services.delegate import delegate_language_set, delegate_page_seen
from ..services.rsvp import answer_closed_because
from .rsvp import token_page


# Compressed for slow phone connections: 60 items and 300 names are ~100 kB of HTML,
# a few kB gzipped. No BREACH exposure: no text an attacker chooses appears on the page,
# and Django's gzip pads each response with random bytes besides.
@gzip_page
@token_page("GET", "HEAD")
def page(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    itinerary = delegate_itinerary(participant)
    context = {
        "itinerary": itinerary,
        "mission": itinerary.mission,
        "token": token,
        "closed": answer_closed_because(participant),  # cancelled, withdrawn or over
    }
    response = render(request, "delegate/page.html", context)
    if request.method == "GET":  # last: the row stays locked until the request commits
        delegate_page_seen(participant=participant, at=itinerary.now)
    return response


@token_page("POST")
def language(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        delegate_language_set(participant=participant, language=form.cleaned_data["language"])
    return redirect("delegate:page", token=token)
