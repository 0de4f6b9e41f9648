"""The participant's personal link, `/r/<token>/` (namespace `rsvp`); no login."""

from django.urls import path

from .views import rsvp

app_name = "rsvp"

urlpatterns = [
    path("<str:token>/", rsvp.answer, name="answer"),
    path("<str:token>/language/", rsvp.language, name="language"),
    path("<str:token>/feedback/", rsvp.feedback, name="feedback"),
]
