"""Template context that every page may need."""

from django.conf import settings
from django.http import HttpRequest


def map_tiles(request: HttpRequest) -> dict[str, str]:
    """Where the venues' map takes its tiles from (templates/_venue_map.html)."""
    return {
        "MAP_TILE_URL": settings.MAP_TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.MAP_TILE_ATTRIBUTION,
    }
