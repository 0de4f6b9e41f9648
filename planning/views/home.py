from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    """The start page: a welcome for visitors; signed-in staff go to their dashboard."""
    if request.user.is_authenticated:
        return redirect("plan:dashboard")
    return render(request, "missions/home.html")
