"""The pages under a participant's personal link; no login.

`/r/<token>/` (namespace `rsvp`): the answer, the page's language, the feedback form.
`/d/<token>/` (namespace `delegate`): the delegate's own page, calendar and booklet.
"""

from django.urls import include, path

from portal.views import booklets, delegate, rsvp
from portal.views import calendar as delegate_calendar

rsvp_patterns = [
    path("<str:token>/", rsvp.answer, name="answer"),
    path("<str:token>/language/", rsvp.language, name="language"),
    path("<str:token>/feedback/", rsvp.feedback, name="feedback"),
]

delegate_patterns = [
    path("<str:token>/", delegate.page, name="page"),
    path("<str:token>/language/", delegate.language, name="language"),
    path("<str:token>/calendar.ics", delegate_calendar.calendar_feed, name="calendar-feed"),
    path(
        "<str:token>/calendar-download.ics",
        delegate_calendar.calendar_download,
        name="calendar-ics",
    ),
    path("<str:token>/booklet.pdf", booklets.booklet, name="booklet"),
]

urlpatterns = [
    path("r/", include((rsvp_patterns, "rsvp"))),
    path("d/", include((delegate_patterns, "delegate"))),
]
