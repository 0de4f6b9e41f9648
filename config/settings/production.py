"""Production settings: every secret comes from the environment, with no default.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, EMAIL_URL.
A missing one stops start-up with django-environ's ImproperlyConfigured message.
Run the app with gunicorn (`gunicorn config.wsgi`); whitenoise serves the static files.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403  (settings modules extend the base by design)
from config.settings.base import env

DEBUG = False
DEMO_USERS_ALLOWED = False  # never the published demo passwords
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True  # superusers sign in with a second factor

# SECRETS AND HOSTS -----------------------------------------------------------
try:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
except ImproperlyConfigured as missing:  # the first variable a developer's command misses
    raise ImproperlyConfigured(
        f"{missing} (production settings, the default of manage.py and celery; "
        "on a developer's machine: export DJANGO_SETTINGS_MODULE=config.settings.local)"
    ) from None
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Parameters bound by the server, so that psycopg prepares a statement a connection has
# run `prepare_threshold` times: PostgreSQL then plans it once per connection, not per
# request (the delegate's page's one query is mostly planning otherwise). Behind
# PgBouncer in transaction mode set DATABASE_PREPARE_THRESHOLD=none, or give PgBouncer
# (1.21+) max_prepared_statements. https://www.psycopg.org/psycopg3/docs/advanced/prepare.html
_prepare = env("DATABASE_PREPARE_THRESHOLD", default="5")
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=True,
    prepare_threshold=None if _prepare.lower() == "none" else int(_prepare),
)
REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL},
    "links": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL},
}
# Behind a reverse proxy every request comes from the proxy's address: name the header
# that carries the client's (e.g. HTTP_X_REAL_IP), or the personal links share one limit.
# The client must not be able to set it: only a header the proxy overwrites.
LINK_RATE_IP_META_KEY = env("LINK_RATE_IP_META_KEY", default=None)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {}
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)

# SECURITY --------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
