import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ..selectors import mission_overview


def home(request: HttpRequest) -> HttpResponse:
    """The start page: a welcome for visitors, the user's missions for signed-in staff."""
    missions = list(mission_overview(request.user))
    today = timezone.now().date()
    return render(
        request,
        "missions/home.html",
        {
            "upcoming": [m for m in missions if m.end_date >= today - dt.timedelta(days=1)],
            "past": [m for m in missions if m.end_date < today - dt.timedelta(days=1)],
        },
    )
