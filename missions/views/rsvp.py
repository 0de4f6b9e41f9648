"""The answer form behind a participant's personal link."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..tokens import participant_for_token


def answer(request: HttpRequest, token: str) -> HttpResponse:
    participant = participant_for_token(token)
    if participant is None:
        return render(request, "rsvp/link_invalid.html", status=404)
    return render(request, "rsvp/answer.html", {"participant": participant})
