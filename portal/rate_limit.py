"""How often one address may call the pages under personal links: counted in Redis.

A fixed window per client address and kind of request (reading, or answering): the
request that counts past the rate gets 429. One round trip to Redis per request (the
cache's `count_in_window`: INCR, and EXPIRE with the first count). It replaced
django-ratelimit here, whose `add` then `incr` take two round trips and about 0.5 ms of
a request that otherwise costs under a millisecond from the cache (bench/delegate_page.py
measured it).

`over_rate` counts any other limit the same way (the password resets' in planning).

Settings: `LINK_RATE_READ` and `LINK_RATE_WRITE` (`"30/m"`: 30 a minute; s, m, h or d),
`LINK_RATE_FEED` (per link, for calendar feeds),
`LINK_RATE_CACHE` (a cache alias: Redis, shared by every worker; another backend counts
with `add` and `incr`), `LINK_RATE_IP_META_KEY` (behind a proxy, the header with the
client's address; else REMOTE_ADDR), `LINK_RATE_ENABLED`. IPv6 addresses count per /64,
what one subscriber usually gets. If the cache cannot be reached the request goes
through (logged): a delegate on the road must get their page, and the links are far too
long to guess.
"""

import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from redis.exceptions import RedisError

from missions.audit import request_address

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
READING = ("GET", "HEAD")


def client_address(request: HttpRequest) -> str:
    """The client's address as the audit log reads it (IPv6 as its /64 network)."""
    address = request_address(request) or ""
    if ":" in address:
        try:
            return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
        except ValueError:
            pass
    return address


def _rate(text: str) -> tuple[int, int]:
    count, _, period = text.partition("/")
    return int(count), PERIODS[period]


def _count(key: str, seconds: int) -> int:
    cache = caches[settings.LINK_RATE_CACHE]
    if hasattr(cache, "count_in_window"):
        return cache.count_in_window(key, seconds=seconds)
    cache.add(key, 0, seconds)
    return cache.incr(key)


def over_limit(request: HttpRequest, *, link: str = "", rate: str = "") -> bool:
    """Count the request; True when it went past the rate for its kind.

    By default the count is the client address's, at the rate for reading or for
    answering. With `link` (a digest of the personal link) it is that link's instead, at
    `rate`: calendar feeds are fetched by a few shared servers (Google's, Microsoft's)
    for thousands of people, so their address is no measure of one person.
    """
    if not settings.LINK_RATE_ENABLED:
        return False
    reading = request.method in READING
    if link:
        counted = f"link:{link}"
    else:
        rate = settings.LINK_RATE_READ if reading else settings.LINK_RATE_WRITE
        counted = f"{'read' if reading else 'write'}:{client_address(request)}"
    return over_rate(f"link-rate:{counted}", rate)


def over_rate(key: str, rate: str) -> bool:
    """Count one more under `key` in the current window of `rate` (`"3/h"`); True once
    past it. The counting of every limit here and of the password resets (planning); if
    the cache cannot be reached, False (logged)."""
    limit, seconds = _rate(rate)
    window = int(time.time()) // seconds
    try:
        count = _count(f"{key}:{window}", seconds)
    except (RedisError, OSError):  # the cache is down: let the request through, say so
        logger.exception("A rate limit (%s) could not count; not limiting", key.split(":")[0])
        return False
    return count > limit
