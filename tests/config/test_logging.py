"""No personal link in the logs the app writes, whoever logs the request line."""

import io
import logging

import pytest

TOKEN = "2bf21270a286fe5e9433f16bfaba5774dbc965c01bf75ad56326edeff8d609b9"


@pytest.mark.parametrize(
    ("logger", "path"),
    [
        ("django.server", f"/d/{TOKEN}/calendar-download.ics"),  # runserver's request line
        ("django.server", f"/c/{TOKEN}.ics"),  # the calendar feed's own token
        ("django.request", f"/r/{TOKEN}/"),
        ("missions", f"/d/{TOKEN}/"),
    ],
)
def test_a_request_line_with_a_personal_link_is_written_without_the_token(logger, path):
    handler = next(
        handler
        for handler in (logging.getLogger(logger).handlers or logging.getLogger().handlers)
        if isinstance(handler, logging.StreamHandler)
    )
    written = io.StringIO()
    previous = handler.setStream(written)
    try:
        logging.getLogger(logger).warning('"GET %s HTTP/1.1" %s %s', path, 200, 3744)
    finally:
        handler.setStream(previous)

    line = written.getvalue()
    assert TOKEN not in line
    assert "/[token]" in line
    assert '" 200 3744' in line
