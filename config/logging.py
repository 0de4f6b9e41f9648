"""A logging filter that keeps personal links out of every log line the app writes.

Pages under a personal link redact their own path (`portal/views/links.py`), but a
server may log the request line itself: Django's runserver (`django.server`) does. This
filter, on the console handler, replaces the token in any `/r/<token>` or `/d/<token>`
with `[token]` before the line is written.
"""

import logging
import re

PERSONAL_LINK = re.compile(r"(/[rd]/)[0-9a-f]{32,128}")


class RedactPersonalLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = PERSONAL_LINK.sub(r"\1[token]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
