"""Settings for `make run` on a developer's or evaluator's machine."""

from config.settings.base import *  # noqa: F403  (settings modules extend the base by design)
from config.settings.base import CELERY_BROKER_URL, VAR_DIR

DEBUG = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

VAR_DIR.mkdir(exist_ok=True)
if CELERY_BROKER_URL == "filesystem://":
    (VAR_DIR / "broker").mkdir(exist_ok=True)
