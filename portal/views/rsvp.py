"""The pages behind a participant's personal link, `/r/<token>/` (namespace `rsvp`).

The address the invitations linked before the delegate's page (`/d/<token>/`) carried
the answer form: a GET of `/r/<token>/` now goes on to that page, and a POST from an
answer page still open in a browser goes on to it with its data (307). The language
and the feedback form stay here.

Every page here is behind the personal link's guard (`portal.views.links.token_page`):
rate limit, one friendly 404 for a wrong, expired or revoked link, the participant's
language, private headers, the token kept out of the logs.

GET never writes (mail scanners fetch links); only POST changes anything.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse

from missions.display import mission_dates
from missions.models import Participant
from missions.selectors import feedback_of
from portal.forms import FeedbackForm, LanguageForm
from portal.services.rsvp import (
    feedback_items,
    feedback_open,
    feedback_record,
    participant_language_set,
)
from portal.views.links import token_page


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (which must show "required" errors)."""
    return request.POST if request.method == "POST" else None


def _saved(request: HttpRequest) -> bool:
    return request.method == "GET" and request.GET.get("saved") == "1"


def _page(participant: Participant, token: str, **extra) -> dict:
    mission = participant.mission
    return {"mission": mission, "dates": mission_dates(mission), "token": token, **extra}


@token_page("GET", "HEAD", "POST")
def answer(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    page = reverse("delegate:page", kwargs={"token": token})
    if request.method == "POST":  # the answer page of before, still open: its form goes on
        return HttpResponseRedirect(page, status=307)
    return redirect(page)


@token_page("POST")
def language(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        participant_language_set(participant=participant, language=form.cleaned_data["language"])
    page = "rsvp:feedback" if form.data.get("next") == "feedback" else "delegate:page"
    return redirect(page, token=token)


@token_page("GET", "HEAD", "POST")
def feedback(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    form = None
    if feedback_open(participant):
        form = FeedbackForm(
            _posted(request), items=feedback_items(participant), given=feedback_of(participant)
        )
        if form.is_bound and form.is_valid():
            feedback_record(participant=participant, **form.service_arguments())
            return redirect(reverse("rsvp:feedback", kwargs={"token": token}) + "?saved=1")
    context = _page(participant, token, form=form, saved=_saved(request), page_name="feedback")
    return render(request, "rsvp/feedback.html", context)
