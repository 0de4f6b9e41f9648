"""The participant's personal link, `/r/<token>/` (namespace `rsvp`)."""

from django.urls import path

from .views import rsvp

app_name = "rsvp"

urlpatterns = [
    path("<str:token>/", rsvp.answer, name="answer"),
]
