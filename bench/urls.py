"""The app's URLs plus a bare Django view, the yardstick of bench/delegate_page.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """Through the same middleware and request transaction as any page, doing nothing."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("config.urls")),
]
