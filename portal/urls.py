"""The pages under a participant's personal link; no login.

`/d/<token>/` (namespace `delegate`): the delegate's own page, which takes the answer
(the form at its top until they answered), calendar and booklet; every mail links it.
`/r/<token>/` (namespace `rsvp`): the answer page of before, now a redirect to
`/d/<token>/`; the feedback form and its language switch.
`/c/<calendar token>.ics` (namespace `calendar`): the calendar feed, under a read-only
token of its own (`missions.tokens.calendar_token_for`) that opens nothing else.
"""

from django.urls import include, path

from portal.views import booklets, delegate, rsvp
from portal.views import calendar as delegate_calendar

rsvp_patterns = [
    path("<str:token>/", rsvp.answer, name="answer"),
    path("<str:token>/language/", rsvp.language, name="language"),
    path("<str:token>/feedback/", rsvp.feedback, name="feedback"),
]

# The delegate's page links the others relatively (`answer/`, `booklet.pdf`): the page
# is kept rendered, and what is kept holds no link (portal/delegate_cache.py).
delegate_patterns = [
    path("<str:token>/", delegate.page, name="page"),
    path("<str:token>/language/", delegate.language, name="language"),
    path("<str:token>/answer/", delegate.answer, name="answer"),
    path("<str:token>/calendar/", delegate_calendar.calendar_page, name="calendar"),
    path(
        "<str:token>/calendar-download.ics",
        delegate_calendar.calendar_download,
        name="calendar-ics",
    ),
    path("<str:token>/booklet.pdf", booklets.booklet, name="booklet"),
]

calendar_patterns = [
    path("<str:token>.ics", delegate_calendar.calendar_feed, name="feed"),
]

urlpatterns = [
    path("r/", include((rsvp_patterns, "rsvp"))),
    path("d/", include((delegate_patterns, "delegate"))),
    path("c/", include((calendar_patterns, "calendar"))),
]
