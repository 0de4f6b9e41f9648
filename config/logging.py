"""Logging filters for the pages under personal links (`/r/<token>/`, `/d/<token>/`,
`/c/<calendar token>.ics`).

Those pages redact their own path (`portal/views/links.py`), but a server may log the
request line itself: Django's runserver (`django.server`) does. `RedactPersonalLinks`,
on the console handler, replaces the token in any `/r/<token>`, `/d/<token>` or
`/c/<token>` with `[token]` before the line is written. `AnswersUnderPersonalLinks`, on
the `django.request` logger, drops its warnings about 4xx answers of those pages: a wrong,
expired or rate-limited link is an answer the page gives, not a fault to look into.
"""

import logging
import re

PERSONAL_LINK = re.compile(r"(/[rdc]/)[0-9a-f]{32,128}")


class RedactPersonalLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = PERSONAL_LINK.sub(r"\1[token]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


# A personal page's path once the page redacted it (`portal.views.links.REDACTED`).
REDACTED_PAGE = re.compile(r"/[rdc]/\[token\][/.]")


class AnswersUnderPersonalLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        status = getattr(record, "status_code", None)
        answered = status is not None and status < 500
        return not (answered and request is not None and REDACTED_PAGE.match(request.path))
