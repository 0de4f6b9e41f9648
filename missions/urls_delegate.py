"""The delegate's own page under the personal link, `/d/<token>/` (namespace `delegate`)."""

from django.urls import path

from .views import booklets, delegate, delegate_calendar

app_name = "delegate"

urlpatterns = [
    path("<str:token>/", delegate.page, name="page"),
    path("<str:token>/language/", delegate.language, name="language"),
    # ==== CALENDAR AND BOOKLET (issue 5, second part: views/delegate_calendar.py,
    # views/booklets.py) ====
    path("<str:token>/calendar.ics", delegate_calendar.calendar_feed, name="calendar-feed"),
    path(
        "<str:token>/calendar-download.ics",
        delegate_calendar.calendar_download,
        name="calendar-ics",
    ),
    path("<str:token>/booklet.pdf", booklets.booklet, name="booklet"),
    # ==== END OF CALENDAR AND BOOKLET ====
]
