"""Settings for the benchmarks in bench/: production's, with the bench's own URLs.

bench/delegate_page.py sets the environment production needs (a throwaway secret, a
database of its own) and serves the app with gunicorn under these settings.
"""

from config.settings.production import *  # noqa: F403  (the bench measures production's setup)

ROOT_URLCONF = "bench.urls"
# Plain HTTP on the loopback: no redirect to HTTPS.
SECURE_SSL_REDIRECT = False
# The benchmark's thousands of requests come from one address; the limit is still
# checked in Redis on every request, as in production, but never reached.
LINK_RATE_READ = "1000000/m"
# No collectstatic step: the pages name their static files without a manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files from the finders, as in the tests: no collectstatic step before a run.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
