"""B2B matchmaking on the participant's own page: `/d/<token>/meetings/` and below.

A participant of a mission with matchmaking (its `MatchmakingSettings` saved by staff)
fills in their profile, browses the other side's profiles shown to others (delegates
see hosts, hosts see delegates: `matchmaking.selectors.side_of`), asks for meetings,
answers the requests made to them (picking a slot when the mission lets them), takes
back their own, and sees their meetings, preliminary or final.

Every page here is under the personal link's guard (`token_page`) and is rendered for
its request only, never kept (it has forms; the kept page is the programme's,
`portal.views.delegate`). A request or a profile that is not the participant's to
answer, withdraw or see is a 404, as a wrong link is. Writes go through the services
of `matchmaking`; what they refuse (a limit reached, a request answered already) is
shown on the page with the service's own words.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from matchmaking.models import MatchmakingSettings
from matchmaking.selectors import (
    HOSTS,
    languages_listed,
    matchmaking_settings,
    profile_of,
    profiles_visible_to,
    side_of,
    slot_parse,
)
from matchmaking.services.meeting_requests import request_create, request_withdraw
from matchmaking.services.profiles import profile_save
from missions.models import Participant
from portal.forms import (
    MarketplaceFilterForm,
    MeetingAnswerForm,
    MeetingAskForm,
    MeetingWithdrawForm,
    ProfileForm,
)
from portal.selectors import (
    made_request,
    meetings_page,
    received_request,
    standing_with,
    visible_profile,
)
from portal.services.meetings import request_answer_on_page
from portal.views.links import token_page

# What the page says after a write that went through (`?done=...`).
DONE = ("profile", "asked", "mutual", "accepted", "declined", "withdrawn")


def _page(
    request: HttpRequest,
    participant: Participant,
    token: str,
    settings: MatchmakingSettings | None,
    *,
    profile_form: ProfileForm | None = None,
    error: str = "",
) -> HttpResponse:
    context = {"mission": participant.mission, "participant": participant, "token": token}
    if settings is not None:
        page = meetings_page(participant, settings)
        context |= {
            "page": page,
            "profile_form": profile_form or ProfileForm(profile=page.profile),
            "done": request.GET.get("done") if request.GET.get("done") in DONE else "",
            "error": error,
            "other_side_hosts": side_of(participant) != HOSTS,
        }
    return render(request, "delegate/meetings.html", context)


def _back(token: str, done: str) -> HttpResponse:
    return redirect(reverse("delegate:meetings", kwargs={"token": token}) + f"?done={done}")


def _not_found(request: HttpRequest, token: str) -> HttpResponse:
    """Someone else's request, a profile not shown, or no such thing: one 404."""
    return render(request, "delegate/meeting_not_found.html", {"token": token}, status=404)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@token_page("GET", "HEAD", "POST")
def meetings(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    """The participant's profile (POST saves it), requests and meetings."""
    settings = matchmaking_settings(participant.mission)
    if request.method != "POST" or settings is None:
        return _page(request, participant, token, settings)
    form = ProfileForm(request.POST, profile=profile_of(participant))
    if form.is_valid():
        try:
            profile_save(participant=participant, **form.service_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _back(token, "profile")
    return _page(request, participant, token, settings, profile_form=form)


@token_page("GET", "HEAD")
def marketplace(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    """The other side's profiles shown to others, filtered; each with a form to ask."""
    return _marketplace(request, participant, token)


def _marketplace(
    request: HttpRequest,
    participant: Participant,
    token: str,
    *,
    error: str = "",
    ask_form: MeetingAskForm | None = None,
) -> HttpResponse:
    settings = matchmaking_settings(participant.mission)
    context = {"mission": participant.mission, "participant": participant, "token": token}
    if settings is not None:
        languages = languages_listed(profiles_visible_to(participant))
        filters = MarketplaceFilterForm(request.GET or None, languages=languages)
        own = profile_of(participant)
        standing = standing_with(participant)
        profiles = profiles_visible_to(participant, **filters.filters())
        context |= {
            "settings": settings,
            "filters": filters,
            "filtered": bool(filters.filters()),
            "cards": [(profile, standing.get(profile.participant_id, "")) for profile in profiles],
            "can_ask": own is not None and own.opted_in,
            "other_side_hosts": side_of(participant) != HOSTS,
            "error": error,
            "ask_form": ask_form,
        }
    return render(request, "delegate/marketplace.html", context)


@token_page("POST")
def ask(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    """Ask the owner of a profile shown to the participant for a meeting (404 otherwise)."""
    form = MeetingAskForm(request.POST)
    recipient = form.is_valid() and visible_profile(participant, form.cleaned_data["recipient"])
    if not recipient:
        return _not_found(request, token)
    try:
        asked = request_create(
            requester=participant,
            recipient=recipient.participant,
            message=form.cleaned_data["message"],
        )
    except ValidationError as error:
        return _marketplace(request, participant, token, error=_errors(error), ask_form=form)
    return _back(token, "mutual" if asked.mutual else "asked")


@token_page("POST")
def answer(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    """Accept or decline a request made to the participant (404 for any other)."""
    form = MeetingAnswerForm(request.POST)
    found = form.is_valid() and received_request(participant, form.cleaned_data["request"])
    if not found:
        return _not_found(request, token)
    accept = form.cleaned_data["answer"] == "accept"
    try:
        request_answer_on_page(
            request=found,
            answered_by=participant,
            accept=accept,
            slot=slot_parse(form.cleaned_data["slot"]),
        )
    except ValidationError as error:
        settings = matchmaking_settings(participant.mission)
        return _page(request, participant, token, settings, error=_errors(error))
    return _back(token, "accepted" if accept else "declined")


@token_page("POST")
def withdraw(request: HttpRequest, *, participant: Participant, token: str) -> HttpResponse:
    """Take back a request the participant made (404 for any other)."""
    form = MeetingWithdrawForm(request.POST)
    found = form.is_valid() and made_request(participant, form.cleaned_data["request"])
    if not found:
        return _not_found(request, token)
    try:
        request_withdraw(request=found, withdrawn_by=participant)
    except ValidationError as error:
        settings = matchmaking_settings(participant.mission)
        return _page(request, participant, token, settings, error=_errors(error))
    return _back(token, "withdrawn")
