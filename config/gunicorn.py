"""gunicorn's settings for Itinera: `gunicorn -c config/gunicorn.py config.wsgi`.

The access log names every request, including those that never reach a view that could
redact its path: a wrong page under a personal link (`/d/<token>/nonexistent`, a 404 of
the URL resolver) and the redirect from HTTP to HTTPS. So the log line itself is
redacted: `RedactingLogger` writes `[token]` for the token of any personal link.
https://docs.gunicorn.org/en/stable/settings.html#logger-class
"""

from gunicorn.glogging import Logger

from config.logging import PERSONAL_LINK


class RedactingLogger(Logger):
    """gunicorn's logger, with personal links redacted from every access-log field."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        return {
            key: PERSONAL_LINK.sub(r"\1[token]", value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }


logger_class = RedactingLogger
accesslog = "-"  # to standard output, for the platform's log collector
