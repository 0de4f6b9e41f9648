"""Settings for `make run` on a developer's or evaluator's machine."""

from config.settings.base import *  # noqa: F403  (settings modules extend the base by design)
from config.settings.base import (
    CELERY_BROKER_URL,
    CONTENT_SECURITY_POLICY,
    OPENSTREETMAP_ATTRIBUTION,
    OPENSTREETMAP_TILES,
    VAR_DIR,
    env,
    map_tile_sources,
)

DEBUG = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

VAR_DIR.mkdir(exist_ok=True)
if CELERY_BROKER_URL == "filesystem://":
    (VAR_DIR / "broker").mkdir(exist_ok=True)

# OpenStreetMap's tiles on the venues' map unless MAP_TILE_URL says otherwise.
MAP_TILE_URL = env("MAP_TILE_URL", default=OPENSTREETMAP_TILES)
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION",
    default=OPENSTREETMAP_ATTRIBUTION if MAP_TILE_URL == OPENSTREETMAP_TILES else "",
)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = [
    *CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"][:2],
    *map_tile_sources(MAP_TILE_URL),
]
