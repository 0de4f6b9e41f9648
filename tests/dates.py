"""Dates the tests share."""

import datetime as dt


def year_like_2025() -> int:
    """A coming year with 2025's calendar: the same weekdays (21 February a Friday, 4 and
    11 March Tuesdays, British clocks going forward on Sunday 30 March), so tests that
    name those days stay true, and a mission then has live links."""
    this_year = dt.date.today().year
    return next(
        year
        for year in range(this_year + 1, this_year + 40)
        if dt.date(year, 1, 1).weekday() == dt.date(2025, 1, 1).weekday()
        and dt.date(year, 3, 1) - dt.date(year, 2, 28) == dt.timedelta(days=1)
    )
