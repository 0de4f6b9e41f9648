"""The limits of the mail relay, kept for every worker together in Redis.

Relays cap a sender: Exchange Online takes 30 messages a minute and three concurrent
connections per mailbox, a council's Postfix whatever its administrator set. Past the
cap, messages are deferred or refused (`432 4.3.2 Concurrent connections limit
exceeded`). Two settings keep every worker process, on every machine, under it:

- `OUTBOX_RATE_PER_MINUTE`: messages leave at an even pace, one every 60/rate seconds,
  all workers together. No bursts: the relay sees a steady stream, whatever window it
  counts in.
- `OUTBOX_MAX_CONNECTIONS`: SMTP connections open at the same time, all workers together.

Unset (None), a limit does not apply; with neither set, nothing here touches Redis.

How the outbox uses it, one `Relay` per batch (per SMTP connection)::

    relay = Relay()
    try:
        with relay.connection():        # a connection slot, before the SMTP connection opens
            for message_id in ids:
                relay.pace()            # before the claim: a message waiting is not in flight
                ...claim and send...
    except RelayUnavailable:
        ...the messages not yet claimed stay queued: hand them back for later...

In Redis (REDIS_URL), under `key` (default "itinera:outbox:relay"), each step one Lua
script, atomic on the server and timed by the server's clock (so the machines' clocks
need not agree):

- `<key>:next`: the earliest time the next message may go (GCRA with no burst, i.e. a
  "next allowed time"). `pace()` reserves that time and moves it on by one interval in
  the same script, then sleeps until it. Sleepers queue up in the order they asked; a
  reservation whose holder dies is simply a gap in the stream.
- `<key>:connections`: a sorted set of holders, scored by when their slot expires. A
  holder refreshes its slot from a background thread every third of `slot_seconds`; a
  SIGKILLed worker stops refreshing, and its slot is free at most `slot_seconds` later.

If Redis cannot be reached while a limit is set, nothing is sent unmetered: `pace()` and
`connection()` log an error and retry until their `wait` is over, then raise
`RelayUnavailable`, so the batch stops and its unclaimed messages wait in the queue (the
outbox's rescue job hands them over again). A slot whose refresh failed for longer than
`slot_seconds` may have been taken by another worker: the next `pace()` raises
`RelayUnavailable` so that the batch stops at the next message rather than run over
the limit.
"""

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

DEFAULT_KEY = "itinera:outbox:relay"
CONNECTION_WAIT_SECONDS = 10.0  # how long `connection()` waits for a free slot
REDIS_WAIT_SECONDS = 30.0  # how long `pace()` retries an unreachable Redis
SLOT_SECONDS = 30.0  # a holder's slot lives this long after its last refresh
POLL_SECONDS = 0.1  # between two attempts at a slot, or at Redis

# KEYS[1]: when the next message may go (microseconds, server clock); ARGV[1]: the interval.
# Returns how many microseconds the caller waits for the time it reserved.
RESERVE_SEND = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local stored = redis.call('GET', KEYS[1])
local at = now
if stored then at = math.max(now, tonumber(stored)) end
local following = at + interval
redis.call('SET', KEYS[1], string.format('%d', following),
           'PX', math.ceil((following - now) / 1000) + 1000)
return at - now
"""

# KEYS[1]: the holders, scored by expiry (milliseconds, server clock); ARGV: the holder's
# token, the limit, the slot's lifetime in milliseconds. Takes or refreshes the slot: 1, or
# 0 when all slots are held by others. The set itself expires with its last holder.
HOLD_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1])
   and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 1
"""

_clients: dict[str, redis.Redis] = {}


def _client(url: str) -> redis.Redis:
    """One client (one connection pool) per URL and process; redis-py resets it after a fork."""
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=5, socket_connect_timeout=2
        )
    return client


class RelayUnavailable(Exception):  # noqa: N818  (names the condition the caller handles)
    """The relay may not be used now: no connection slot freed in time, Redis cannot be
    reached, or this batch's slot was lost. Nothing was sent for the call that raised it."""


class Relay:
    """The relay limits for one batch, sent over one SMTP connection.

    `rate_per_minute`, `max_connections` and `redis_url` default to the settings
    OUTBOX_RATE_PER_MINUTE, OUTBOX_MAX_CONNECTIONS and REDIS_URL. `key` names the Redis
    keys: workers that share a key share the limits (one relay, one key). `slot_seconds`
    is how long a connection slot outlives its holder's last refresh.
    """

    def __init__(
        self,
        *,
        rate_per_minute: int | None = None,
        max_connections: int | None = None,
        redis_url: str | None = None,
        key: str = DEFAULT_KEY,
        slot_seconds: float = SLOT_SECONDS,
    ) -> None:
        if rate_per_minute is None:
            rate_per_minute = settings.OUTBOX_RATE_PER_MINUTE
        if max_connections is None:
            max_connections = settings.OUTBOX_MAX_CONNECTIONS
        limits = {"rate_per_minute": rate_per_minute, "max_connections": max_connections}
        for name, value in limits.items():
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1 or None (no limit), not {value}")
        self.rate_per_minute = rate_per_minute
        self.max_connections = max_connections
        self.key = key
        self.slot_seconds = slot_seconds
        self._redis: redis.Redis | None = None
        if rate_per_minute is not None or max_connections is not None:
            url = settings.REDIS_URL if redis_url is None else redis_url
            if not url:
                raise ImproperlyConfigured(
                    "OUTBOX_RATE_PER_MINUTE or OUTBOX_MAX_CONNECTIONS is set without REDIS_URL"
                )
            self._redis = _client(url)
            self._reserve_send = self._redis.register_script(RESERVE_SEND)
            self._hold_slot = self._redis.register_script(HOLD_SLOT)
        self._lost = threading.Event()  # set when a refresh found our slot taken

    @contextmanager
    def connection(self, *, wait: float = CONNECTION_WAIT_SECONDS) -> Iterator[None]:
        """Hold one of the `max_connections` slots while the block runs (the SMTP connection
        is open). Waits up to `wait` seconds for a slot to free, then raises
        `RelayUnavailable` without entering the block. Without the limit, enters at once.
        """
        if self.max_connections is None:
            yield
            return
        token = uuid.uuid4().hex
        self._take_slot(token, wait=wait)
        stop = threading.Event()
        refresher = threading.Thread(
            target=self._refresh_slot, args=(token, stop), name="relay-slot", daemon=True
        )
        refresher.start()
        try:
            yield
        finally:
            stop.set()
            refresher.join()
            try:
                self._redis.zrem(f"{self.key}:connections", token)
            except RedisError as error:
                logger.warning("relay: slot not released (it expires by itself): %r", error)

    def pace(self, *, wait: float = REDIS_WAIT_SECONDS) -> float:
        """Block until this process may send its next message; returns the seconds slept.

        All processes sharing the key together send at most one message per
        60/`rate_per_minute` seconds, each at or after the time it reserved. Without the
        limit, returns 0 at once. Raises `RelayUnavailable` if Redis stays unreachable for
        `wait` seconds, or if this batch's connection slot was lost.
        """
        if self._lost.is_set():
            raise RelayUnavailable("the connection slot expired and was taken by another worker")
        if self.rate_per_minute is None:
            return 0.0
        interval = round(60_000_000 / self.rate_per_minute)  # microseconds
        deadline = time.monotonic() + wait
        while True:
            try:
                delay = int(self._reserve_send(keys=[f"{self.key}:next"], args=[interval])) / 1e6
                break
            except RedisError as error:
                if time.monotonic() >= deadline:
                    raise RelayUnavailable(f"Redis unreachable: {error!r}") from error
                logger.error("relay: Redis unreachable, nothing sent until it answers: %r", error)
                time.sleep(max(0.0, min(1.0, deadline - time.monotonic())))
        if delay > 0:
            time.sleep(delay)
        return delay

    def _take_slot(self, token: str, *, wait: float) -> None:
        deadline = time.monotonic() + wait
        while True:
            try:
                if self._hold(token):
                    return
                problem = f"all {self.max_connections} connection slots held for {wait} s"
            except RedisError as error:
                logger.error("relay: Redis unreachable, no connection opened: %r", error)
                problem = f"Redis unreachable: {error!r}"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RelayUnavailable(problem)
            time.sleep(min(POLL_SECONDS, remaining))

    def _hold(self, token: str) -> bool:
        lifetime = round(self.slot_seconds * 1000)
        held = self._hold_slot(
            keys=[f"{self.key}:connections"], args=[token, self.max_connections, lifetime]
        )
        return bool(held)

    def _refresh_slot(self, token: str, stop: threading.Event) -> None:
        while not stop.wait(self.slot_seconds / 3):
            try:
                if not self._hold(token):
                    logger.error("relay: connection slot expired and taken; the batch stops")
                    self._lost.set()
                    return
            except RedisError as error:
                logger.error("relay: connection slot not refreshed: %r", error)
