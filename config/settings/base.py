"""Settings shared by every environment.

Values come from the environment through django-environ; each variable has an
embedded default that needs no server (SQLite, a filesystem Celery broker, mail
on the console), so `make run` works on a machine that has only Python.
Production (`config.settings.production`) removes the defaults for secrets.
"""

import datetime as dt
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"  # local state of the embedded defaults; git-ignored

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# GENERAL ---------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# I18N AND TIME ---------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/i18n/
# Times are stored in UTC and always shown in the zone of the place they happen.
USE_TZ = True
TIME_ZONE = "UTC"
# Where staff sit: what happened in the office rather than at a place (the audit log) is
# shown in this zone, with the zone named. An IANA name.
STAFF_TIME_ZONE = env("STAFF_TIME_ZONE", default="Europe/London")
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # British English and German date formats

# DATABASE --------------------------------------------------------------------
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{(VAR_DIR / 'itinera.sqlite3').as_posix()}"
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# `manage.py demo_users` (re)sets the demo logins to the passwords the README publishes:
# fine for `make run`, refused under production's settings.
DEMO_USERS_ALLOWED = True

# APPS ------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",  # Bootstrap's CSS and JS as static files (django-bootstrap-static)
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_countries",
    "django_htmx",
    "simple_history",
    "axes",  # failed sign-ins counted, then locked out for a while (django-axes)
    "django_otp",  # a second factor at sign-in (AUTHENTICATION below)
    "django_otp.plugins.otp_totp",  # codes from an authenticator app
    "django_otp.plugins.otp_static",  # one-time backup codes
    "csp",  # the Content-Security-Policy header (django-csp; SECURITY HEADERS below)
    "js_lib_leaflet",  # Leaflet's JS, CSS and marker images as static files (MAPS below)
    # The rooms, lowest first: each imports only those above it in this list.
    "organisations",  # the directory: organisations, venues, people
    "missions",  # missions, itinerary, participants, feasibility, imports and exports
    "matchmaking",  # B2B matchmaking: profiles, meeting requests, the scheduler
    "outcomes",  # what missions achieved, the reports across missions, the exchange rates
    "portal",  # what delegates open under their personal link
    "messaging",  # the outbox, e-mails, invitations, reminders and notices
    "planning",  # the staff workspace under /plan/ (no models of its own)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: answered here, no CSP
    "csp.middleware.CSPMiddleware",
    "config.middleware.security_headers",  # a nonce on every page; Permissions-Policy
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the second factor
    "planning.middleware.TwoFactorMiddleware",  # who must use it goes no further without it
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "missions.audit.AuditMiddleware",  # who and from where, for the audit log
    "axes.middleware.AxesMiddleware",  # last: answers a locked-out sign-in with its page
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",  # CSP_NONCE, for an inline <script nonce>
                "config.context_processors.map_tiles",  # the venues' map (MAPS below)
            ],
        },
    },
]

# AUTHENTICATION --------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# Sign-ins, at /accounts/login/ and /admin/login/ alike, go through django-axes first: five
# wrong passwords for one user from one address lock that pair out for 15 minutes (a
# page saying so, 429), and a right password then still fails; a success resets the count.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False  # no banner at every start-up (lockouts are still logged)
# A second factor (django-otp: TOTP codes from an authenticator app, backup codes): after
# the password, a user who must use it gives a code (or enrols first, at
# /accounts/two-factor/enrol/) before any page of the workspace or the admin opens
# (planning/middleware.py). Who must: superusers if TWO_FACTOR_REQUIRED_FOR_SUPERUSERS (on
# in production), the members of an organisation whose `two_factor_required` is ticked in
# the admin, and anyone who enrolled. https://django-otp-official.readthedocs.io/
TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = env.bool("TWO_FACTOR_REQUIRED_FOR_SUPERUSERS", default=False)
OTP_TOTP_ISSUER = "Itinera"  # the name authenticator apps show
# Password resets (planning/views/accounts.py): the e-mail goes through the outbox; at
# most this many requests per address asked for and per client address (counted like the
# personal links, portal.rate_limit, in LINK_RATE_CACHE); past either, a page says so (429).
PASSWORD_RESET_RATE_ENABLED = True
PASSWORD_RESET_RATE_PER_EMAIL = "3/h"
PASSWORD_RESET_RATE_PER_ADDRESS = "10/h"

# MAPS ------------------------------------------------------------------------
# The venues' map (templates/_venue_map.html) draws Leaflet (the static files of
# django-js-lib-leaflet) over tiles from MAP_TILE_URL, a Leaflet URL template such as
# https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty: markers without tiles. The
# Content-Security-Policy lets images come from its host (img-src below).
# https://leafletjs.com/reference.html#tilelayer
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")
OPENSTREETMAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OPENSTREETMAP_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def map_tile_sources(url: str) -> list[str]:
    """What img-src must allow for the tiles: the template's scheme and host, its
    `{s}` subdomains as a wildcard; nothing for no tiles."""
    if not url:
        return []
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return [f"{scheme}://{host}"]


# SECURITY HEADERS ------------------------------------------------------------
# https://django-csp.readthedocs.io/en/latest/configuration.html
# Every page (the workspace, the admin, the delegate's pages, htmx's fragments) says what
# the browser may load and run: our own files only, no inline script but one carrying the
# page's nonce (templates: `nonce="{{ CSP_NONCE }}"`), no inline style. htmx's own
# indicator style is off (meta htmx-config in templates/base.html; static/css/itinera.css
# has it), and a fragment htmx swaps in may bring a <script src> of ours, never an inline
# script: its nonce is the fragment's, not the page's.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # The one style attribute of a package: django-simple-history's admin history
        # page (`<p class="paginator" style="border-top: 0">`), allowed by its hash alone.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        # Bootstrap's CSS draws the arrows and ticks of form controls as data: SVG images.
        # The map's tiles (MAPS above) come from their server.
        "img-src": [SELF, "data:", *map_tile_sources(MAP_TILE_URL)],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page of ours uses, off for every page and anything it might embed
# (config/middleware.py sends it). Not publickey-credentials-*: passkeys may sign staff in.
# https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Permissions-Policy
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in [
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
        "encrypted-media", "geolocation", "gyroscope", "magnetometer", "microphone",
        "midi", "payment", "screen-wake-lock", "serial",
        "usb", "xr-spatial-tracking",
    ]
)  # fmt: skip

# STATIC FILES ----------------------------------------------------------------
# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "static/"
# Files the app writes (the ZIPs of booklets); not served directly: views check who asks.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# CACHE -----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# PERSONAL LINKS --------------------------------------------------------------
# The pages under a participant's link (/r/<token>/, /d/<token>/) are rate-limited per
# IP address (portal.rate_limit), counted in Redis, shared by every worker process.
CACHES["links"] = (
    {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "links"}
)
LINK_RATE_CACHE = "links"
LINK_RATE_ENABLED = True
LINK_RATE_READ = "30/m"  # pages read, per IP address
LINK_RATE_WRITE = "10/m"  # answers, feedback and language changes, per IP address
LINK_RATE_FEED = "60/h"  # a calendar feed, per link (calendar servers share addresses)
LINK_RATE_IP_META_KEY = None  # REMOTE_ADDR; behind a proxy, the header it sets

# CELERY ----------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Without REDIS_URL the broker is kombu's filesystem transport: no server needed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {}
    if CELERY_BROKER_URL != "filesystem://"
    else {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "store_processed": False,
    }
)
CELERY_TASK_ACKS_LATE = True  # tasks are idempotent; a killed worker's task runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# EMAIL -----------------------------------------------------------------------
# EMAIL_URL such as smtp://user:pass@host:587 (django-environ); console by default.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Itinera <itinera@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds before any SMTP step gives up (Django's default is never): a hung server must
# not hold a worker, and its message in flight, past OUTBOX_RESCUE_IN_FLIGHT_AFTER_SECONDS.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# FORMS -----------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# LOGGING ---------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "filters": {
        "personal_links": {"()": "config.logging.RedactPersonalLinks"},
        "answers_under_personal_links": {"()": "config.logging.AnswersUnderPersonalLinks"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_links"],  # config/logging.py: no personal link in a log
        },
        # runserver's request lines, as Django formats them, with the same filter.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_links"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # A wrong or expired personal link is an answer, not a fault (config/logging.py).
        "django.request": {"filters": ["answers_under_personal_links"]},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

# PERSONAL DATA ---------------------------------------------------------------
# planning/services/personal_data.py: days after a mission's last day that its
# participants' personal data are kept; then the periodic task `anonymise_missions`
# anonymises them (counts for reports stay). UK GDPR / DSGVO: storage limitation.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=365)

# OUTCOMES --------------------------------------------------------------------
# The currency the reports add values up in (outcomes/reports.py); the admin keeps a rate a
# year for every other currency (ExchangeRate: one unit of it in this one). ISO 4217.
OUTCOMES_REPORTING_CURRENCY = env("OUTCOMES_REPORTING_CURRENCY", default="GBP")

# OUTBOX ----------------------------------------------------------------------
# messaging/outbox.py: batching, retries with exponential backoff, and the rescue job.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
OUTBOX_MESSAGE_ID_DOMAIN = env("OUTBOX_MESSAGE_ID_DOMAIN", default="itinera.example.org")
# Messages per task, sent over one SMTP connection. What a batch works out once (the
# mission, its programme, a calendar file and the templates per group; see
# messaging/emails.py) is shared by more messages in a larger batch; a task of 250 takes
# a second or two, and a killed worker's batch is run again (its claims skip what went out).
OUTBOX_BATCH_SIZE = 250
OUTBOX_MAX_ATTEMPTS = 6
OUTBOX_RETRY_BASE_SECONDS = 10  # 10 s, 20 s, 40 s, ... capped below
OUTBOX_RETRY_MAX_SECONDS = 600
OUTBOX_RESCUE_QUEUED_AFTER_SECONDS = 120
OUTBOX_RESCUE_IN_FLIGHT_AFTER_SECONDS = 600
OUTBOX_RESCUE_LIMIT = 5000
# Relay limits (messaging/relay.py), kept in Redis for all workers together; unset, none.
# Messages a minute, sent at an even pace, and SMTP connections open at once. Exchange
# Online: 30 and 3 per mailbox (README.md, "Relay limits"); needs REDIS_URL.
# https://learn.microsoft.com/en-us/exchange/troubleshoot/send-emails/smtp-submission-improvements
OUTBOX_RATE_PER_MINUTE = env.int("OUTBOX_RATE_PER_MINUTE", default=None)
OUTBOX_MAX_CONNECTIONS = env.int("OUTBOX_MAX_CONNECTIONS", default=None)
CELERY_BEAT_SCHEDULE = {
    "outbox-rescue": {"task": "messaging.tasks.rescue_messages", "schedule": 60.0},
    # Reminders and notices (messaging/reminders.py): reminders, thank-yous, actions due.
    "reminders-scan": {"task": "messaging.tasks.scan_reminders", "schedule": 300.0},
    # Prepared booklet archives carry working personal links: gone a day after (portal).
    "booklet-archives-expire": {"task": "portal.tasks.expire_booklet_archives", "schedule": 3600.0},
    # Missions past PERSONAL_DATA_RETENTION_DAYS: their personal data anonymised (planning).
    "personal-data-retention": {"task": "planning.tasks.anonymise_missions", "schedule": 86400.0},
}
