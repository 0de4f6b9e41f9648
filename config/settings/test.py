"""Settings for the test suite: real PostgreSQL and Redis at their standard local ports.

DATABASE_URL and REDIS_URL override the addresses. tests/conftest.py probes both and
skips (or, with REQUIRE_SERVICES=1, fails) the tests whose service is unreachable.
"""

from .base import *  # noqa: F403  (settings modules extend the base by design)
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105  (tests only)

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/itinera")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 3

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
# Serve static files from the finders, as runserver does, without a collectstatic step.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
