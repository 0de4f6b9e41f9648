"""The pages behind a participant's personal link, `/r/<token>/` (namespace `rsvp`).

Whoever holds the link is the participant; there is no login. So every page under it
(the `token_page` decorator):

- is rate-limited per IP address through Redis (django-ratelimit), answering 429 past
  the limit, whether the token is right or not;
- answers a wrong, expired or revoked token with one friendly 404 page, writing nothing;
- speaks the participant's language and reads times in the mission's zone;
- sends `Referrer-Policy: no-referrer` (links on the page must not leak the token to
  other sites) and `Cache-Control: private, no-store` (no proxy keeps a copy);
- keeps the token out of the logs: the request's path is redacted before the view runs,
  and expected refusals (404, 405, 429) are not logged by `django.request` at all.

GET never writes (mail scanners fetch links); only POST changes anything.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit import UNSAFE
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from ..forms.rsvp import AnswerForm, FeedbackForm, LanguageForm
from ..models import Feedback, Participant
from ..services.rsvp import (
    ANSWERS,
    answer_closed_because,
    feedback_open,
    feedback_record,
    item_period,
    item_place,
    long_date,
    mission_dates,
    page_language,
    participant_items,
    participant_language_set,
    rsvp_record,
)
from ..tokens import participant_for_token

RATE_GROUP = "rsvp-token"  # one budget per IP address for all pages under any token
REDACTED_PATH = "/r/[token]/"  # what logs and error reports see instead of the link

TokenView = Callable[..., HttpResponse]


def _rate_read(group: str, request: HttpRequest) -> str:
    return settings.RSVP_RATE_GET


def _rate_write(group: str, request: HttpRequest) -> str:
    return settings.RSVP_RATE_POST


def _redact(request: HttpRequest) -> None:
    """Hide the token from everything that logs or reports the request after this point."""
    request.path = request.path_info = request.META["PATH_INFO"] = REDACTED_PATH


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if response.status_code < 500:
        # Refusals here are answers, not errors: django.request need not log them.
        response._has_been_logged = True
    return response


def token_page(*methods: str) -> Callable[[TokenView], Callable[..., HttpResponse]]:
    """A page under the personal link; the view receives `participant` and `token`."""

    def decorator(view: TokenView) -> Callable[..., HttpResponse]:
        @ratelimit(group=RATE_GROUP, key="ip", rate=_rate_read, method=["GET", "HEAD"])
        @ratelimit(group=RATE_GROUP, key="ip", rate=_rate_write, method=UNSAFE)
        def limited(request: HttpRequest, token: str) -> HttpResponse:
            participant = participant_for_token(token)
            if participant is None:
                return render(request, "rsvp/link_invalid.html", status=404)
            language = page_language(participant)
            with translation.override(language), timezone.override(participant.mission.time_zone):
                response = view(request, participant=participant, token=token)
            response["Content-Language"] = language
            return response

        # No CSRF token: the secret in the address is the only authority here (no
        # cookie), so a forged request needs the link, and with it needs no forgery.
        @csrf_exempt
        @wraps(view)
        def page(request: HttpRequest, token: str) -> HttpResponse:
            _redact(request)
            if request.method not in methods:
                return _private(HttpResponseNotAllowed(methods))
            try:
                response = limited(request, token)
            except Ratelimited:
                response = render(request, "rsvp/rate_limited.html", status=429)
            return _private(response)

        return page

    return decorator


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
        "current_answer": (
            participant.get_rsvp_status_display() if participant.rsvp_status in ANSWERS else ""
        ),
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
        given = Feedback.objects.filter(participant=participant).first()
        initial = {"rating": given.rating, "comment": given.comment} if given else None
        form = FeedbackForm(_posted(request), initial=initial)
        if form.is_bound and form.is_valid():
            feedback_record(participant=participant, **form.service_arguments())
            return redirect(reverse("rsvp:feedback", kwargs={"token": token}) + "?saved=1")
    context = _page(participant, token, form=form, saved=_saved(request), page_name="feedback")
    return render(request, "rsvp/feedback.html", context)
