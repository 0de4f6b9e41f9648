"""Settings for the test suite: real PostgreSQL and Redis at their standard local ports.

DATABASE_URL and REDIS_URL override the addresses; `make test` runs the suite a second
time with DATABASE_URL=sqlite://... (the database of `make run`), without the tests
marked `postgresql`. tests/conftest.py probes the services and skips (or, with
REQUIRE_SERVICES=1, fails) the tests whose service is unreachable.
"""

from urllib.parse import urlsplit

from config.settings.base import *  # noqa: F403  (settings modules extend the base by design)
from config.settings.base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105  (tests only)

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/itinera")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=3,
        # As in production: parameters bound by the server, statements prepared.
        server_side_binding=True,
        prepare_threshold=5,
    )

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The rate limit of the personal links counts in a real Redis, in a database of its own.
    "links": {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": urlsplit(REDIS_URL)._replace(path="/14").geturl(),
    },
}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# An end-to-end test whose worker writes files the test then reads shares a folder.
if env("TEST_MEDIA_ROOT", default=""):
    MEDIA_ROOT = env("TEST_MEDIA_ROOT")
    STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
LANGUAGE_CODE = "en"
# The venues' map draws its markers without tiles: nothing is fetched from outside.
MAP_TILE_URL = ""
# Serve static files from the finders, as runserver does, without a collectstatic step.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# END-TO-END TESTS ------------------------------------------------------------
# tests/e2e/ starts a real Celery worker with these settings and a real SMTP sink:
# EMAIL_URL selects SMTP there (pytest-django itself always uses the locmem backend),
# the queue is one per test run, and the outbox timings are short.
if env("EMAIL_URL", default=""):
    EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
OUTBOX_RETRY_BASE_SECONDS = env.float(
    "OUTBOX_RETRY_BASE_SECONDS",
    default=OUTBOX_RETRY_BASE_SECONDS,  # noqa: F405
)
OUTBOX_RESCUE_QUEUED_AFTER_SECONDS = env.int(
    "OUTBOX_RESCUE_QUEUED_AFTER_SECONDS",
    default=OUTBOX_RESCUE_QUEUED_AFTER_SECONDS,  # noqa: F405
)
OUTBOX_RESCUE_IN_FLIGHT_AFTER_SECONDS = env.int(
    "OUTBOX_RESCUE_IN_FLIGHT_AFTER_SECONDS",
    default=OUTBOX_RESCUE_IN_FLIGHT_AFTER_SECONDS,  # noqa: F405
)
