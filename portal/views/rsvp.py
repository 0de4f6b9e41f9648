"""The pages behind a participant's personal link, `/r/<token>/` (namespace `rsvp`).

Every page here is behind the personal link's guard (`portal.views.links.token_page`):
rate limit, one friendly 404 for a wrong, expired or revoked link, the participant's
language, private headers, the token kept out of the logs.

GET never writes (mail scanners fetch links); only POST changes anything.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from missions.display import item_period, item_place, long_date, mission_dates
from missions.models import Participant
from missions.selectors import feedback_of, participant_items
from portal.forms import AnswerForm, FeedbackForm, LanguageForm
from portal.services.rsvp import (
    answer_closed_because,
    feedback_open,
    feedback_record,
    participant_language_set,
    rsvp_record,
)
from portal.views.links import token_page


def _posted(request: HttpRequest):
    """The form data of a POST, even an empty one (which must show "required" errors)."""
    return request.POST if request.method == "POST" else None


def _saved(request: HttpRequest) -> bool:
    return request.method == "GET" and request.GET.get("saved") == "1"


def _page(participant: Participant, token: str, **extra) -> dict:
    mission = participant.mission
    return {
        "participant": participant,
        "person": participant.person,
        "mission": mission,
        "organisers": [organisation.name for organisation in mission.organisers.all()],
        "dates": mission_dates(mission),
        "deadline": long_date(mission.rsvp_deadline) if mission.rsvp_deadline else "",
        "token": token,
        "items": [
            {"item": item, "when": item_period(item), "place": item_place(item)}
            for item in participant_items(participant)
        ],
        "current_answer": participant.own_answer,
        "feedback_open": feedback_open(participant),
        **extra,
    }


@token_page("GET", "HEAD", "POST")
def answer(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    closed = answer_closed_because(participant)
    form = None if closed else AnswerForm(_posted(request), participant=participant)
    if form is not None and form.is_bound and form.is_valid():
        rsvp_record(participant=participant, **form.service_arguments())
        return redirect(reverse("rsvp:answer", kwargs={"token": token}) + "?saved=1")
    context = _page(participant, token, form=form, closed=closed, saved=_saved(request))
    return render(request, "rsvp/answer.html", context)


@token_page("POST")
def language(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    form = LanguageForm(request.POST)
    if form.is_valid():
        participant_language_set(participant=participant, language=form.cleaned_data["language"])
    page = "rsvp:feedback" if form.data.get("next") == "feedback" else "rsvp:answer"
    return redirect(page, token=token)


@token_page("GET", "HEAD", "POST")
def feedback(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    form = None
    if feedback_open(participant):
        given = feedback_of(participant)
        initial = {"rating": given.rating, "comment": given.comment} if given else None
        form = FeedbackForm(_posted(request), initial=initial)
        if form.is_bound and form.is_valid():
            feedback_record(participant=participant, **form.service_arguments())
            return redirect(reverse("rsvp:feedback", kwargs={"token": token}) + "?saved=1")
    context = _page(participant, token, form=form, saved=_saved(request), page_name="feedback")
    return render(request, "rsvp/feedback.html", context)
