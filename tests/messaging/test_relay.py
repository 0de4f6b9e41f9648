"""The relay limits: an even pace and a cap on connections, shared by processes through Redis.

Timings are asserted only as the limit guarantees them (nothing sent before its reserved
time), with generous upper bounds: the machine may be loaded.
"""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.core import checks

from messaging.relay import Relay, RelayUnavailable

ROOT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there

PACING_WORKER = """
import sys, time
from messaging.relay import Relay
url, key, start, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
relay = Relay(rate_per_minute=120, redis_url=url, key=key)
time.sleep(max(0.0, start - time.time()))
for _ in range(count):
    relay.pace()
    print(time.time(), flush=True)
"""

HOLDING_WORKER = """
import sys, time
from messaging.relay import Relay
url, key, slot_seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
relay = Relay(max_connections=1, redis_url=url, key=key, slot_seconds=slot_seconds)
with relay.connection(wait=5):
    print("held", flush=True)
    time.sleep(60)
"""


def _enters(relay: Relay, *, wait: float) -> bool:
    """Whether `relay.connection(wait=wait)` got a slot (and released it at once)."""
    try:
        with relay.connection(wait=wait):
            return True
    except RelayUnavailable:
        return False


def _worker(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603  (our interpreter, our code, fixed arguments)
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings.test"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def redis_url(settings):
    """A Redis database of the relay tests' own."""
    return urlsplit(settings.REDIS_URL)._replace(path="/13").geturl()


@pytest.fixture
def key(redis_url):
    """Keys no other test shares; removed afterwards."""
    key = f"test:relay:{uuid.uuid4().hex}"
    yield key
    redis.Redis.from_url(redis_url).delete(f"{key}:next", f"{key}:connections")


# PACE ------------------------------------------------------------------------------------


@pytest.mark.redis
def test_pace_two_processes_share_the_rate(redis_url, key):
    """120 a minute: one message every 0.5 s, whichever of the two processes sends it."""
    start = time.time() + 3  # both have imported Django by then
    workers = [_worker(PACING_WORKER, redis_url, key, str(start), "3") for _ in range(2)]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], [err for _, err in outputs]
    sent = [[float(line) for line in out.split()] for out, _ in outputs]
    assert [len(times) for times in sent] == [3, 3]

    times = sorted(sent[0] + sent[1])
    # The guarantee: the k-th message goes no earlier than k intervals after the start.
    assert [t - start >= k * 0.5 - 0.01 for k, t in enumerate(times)] == [True] * 6
    assert times[-1] - start >= 2.5 - 0.01
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.5 - 0.1  # each send a little after its reserved time
    assert times[-1] - start < 15


@pytest.mark.redis
def test_pace_first_message_goes_at_once(redis_url, key):
    relay = Relay(rate_per_minute=60, redis_url=redis_url, key=key)

    assert relay.pace() == 0.0
    began = time.monotonic()
    waited = relay.pace()

    assert 0.9 < waited <= 1.0
    assert time.monotonic() - began >= waited


def test_pace_redis_unreachable_stops_after_wait(caplog):
    relay = Relay(rate_per_minute=60, redis_url=CLOSED_PORT, key="test:relay:closed")

    with pytest.raises(RelayUnavailable, match="Redis unreachable"):
        relay.pace(wait=0.5)

    assert "relay: Redis unreachable, nothing sent until it answers" in caplog.text


# CONNECTIONS -----------------------------------------------------------------------------


@pytest.mark.redis
def test_connection_second_holder_waits_until_the_first_releases(redis_url, key):
    first = Relay(max_connections=1, redis_url=redis_url, key=key)
    second = Relay(max_connections=1, redis_url=redis_url, key=key)
    held, released = threading.Event(), threading.Event()
    released_at = []

    def hold_then_release():
        with first.connection(wait=0):
            held.set()
            time.sleep(0.5)
            released_at.append(time.monotonic())
        released.set()

    holder = threading.Thread(target=hold_then_release)
    holder.start()
    assert held.wait(5)
    message = "all 1 connection slots held for 0.1 s"
    with pytest.raises(RelayUnavailable, match=message), second.connection(wait=0.1):
        pytest.fail("entered while the only slot was held")

    with second.connection(wait=10):
        entered_at = time.monotonic()
    holder.join()

    assert released.is_set()
    assert entered_at >= released_at[0]
    assert entered_at - released_at[0] < 2


@pytest.mark.redis
def test_connection_slot_of_a_killed_holder_is_reclaimed(redis_url, key):
    slot_seconds = 2.0
    worker = _worker(HOLDING_WORKER, redis_url, key, str(slot_seconds))
    try:
        assert worker.stdout.readline().strip() == "held", worker.stderr.read()
    finally:
        worker.kill()  # SIGKILL: no release, no more refreshes
        worker.wait(10)
    killed_at = time.monotonic()
    relay = Relay(max_connections=1, redis_url=redis_url, key=key)

    assert _enters(relay, wait=0) is False  # the dead holder's slot is still there
    with relay.connection(wait=10):
        reclaimed_after = time.monotonic() - killed_at

    assert reclaimed_after < slot_seconds + 2


@pytest.mark.redis
def test_connection_held_past_its_slot_lifetime_is_refreshed(redis_url, key):
    holder = Relay(max_connections=1, redis_url=redis_url, key=key, slot_seconds=0.6)
    other = Relay(max_connections=1, redis_url=redis_url, key=key)

    with holder.connection(wait=0):
        time.sleep(1.5)  # two and a half lifetimes
        assert _enters(other, wait=0) is False
        holder.pace()  # the slot was not lost: no limit on the rate, nothing to wait for

    assert _enters(other, wait=0) is True


@pytest.mark.redis
def test_connection_slots_allow_as_many_holders_as_the_limit(redis_url, key):
    relays = [Relay(max_connections=2, redis_url=redis_url, key=key) for _ in range(3)]

    with relays[0].connection(wait=0), relays[1].connection(wait=0):
        assert _enters(relays[2], wait=0) is False
    assert _enters(relays[2], wait=0) is True


def test_connection_redis_unreachable_stops_after_wait(caplog):
    relay = Relay(max_connections=1, redis_url=CLOSED_PORT, key="test:relay:closed")

    with pytest.raises(RelayUnavailable, match="Redis unreachable"), relay.connection(wait=0.3):
        pytest.fail("entered without a slot")

    assert "relay: Redis unreachable, no connection opened" in caplog.text


# NO LIMITS -------------------------------------------------------------------------------


def test_relay_without_limits_never_touches_redis(settings):
    settings.OUTBOX_RATE_PER_MINUTE = None
    settings.OUTBOX_MAX_CONNECTIONS = None
    relay = Relay(redis_url=CLOSED_PORT)
    began = time.monotonic()

    with relay.connection(wait=0):
        waited = [relay.pace() for _ in range(100)]

    assert waited == [0.0] * 100
    assert time.monotonic() - began < 1


def test_relay_limits_come_from_the_settings(settings, redis_url):
    settings.OUTBOX_RATE_PER_MINUTE = 30
    settings.OUTBOX_MAX_CONNECTIONS = 3

    relay = Relay(redis_url=redis_url)

    assert (relay.rate_per_minute, relay.max_connections) == (30, 3)


def test_relay_limits_read_from_the_environment():
    result = subprocess.run(  # noqa: S603  (our interpreter, fixed code)
        [
            sys.executable,
            "-c",
            "from django.conf import settings; "
            "print(settings.OUTBOX_RATE_PER_MINUTE, settings.OUTBOX_MAX_CONNECTIONS)",
        ],
        cwd=ROOT,
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "OUTBOX_RATE_PER_MINUTE": "30",
            "OUTBOX_MAX_CONNECTIONS": "3",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.stdout.strip() == "30 3", result.stderr


# SYSTEM CHECK ----------------------------------------------------------------------------


def _messaging_errors() -> list[checks.CheckMessage]:
    return [error for error in checks.run_checks() if error.id.startswith("messaging.")]


def test_check_relay_limits_without_redis_url_is_an_error(settings):
    settings.OUTBOX_RATE_PER_MINUTE = 30
    settings.REDIS_URL = ""

    assert _messaging_errors() == [
        checks.Error(
            "OUTBOX_RATE_PER_MINUTE or OUTBOX_MAX_CONNECTIONS is set, but REDIS_URL is not: "
            "the relay limits are shared by all workers through Redis.",
            hint="Set REDIS_URL, or unset both limits.",
            id="messaging.E001",
        )
    ]


def test_check_relay_limit_of_zero_is_an_error(settings):
    settings.OUTBOX_MAX_CONNECTIONS = 0

    assert _messaging_errors() == [
        checks.Error(
            "OUTBOX_MAX_CONNECTIONS is 0.",
            hint="Set it to a positive number, or unset it for no limit.",
            id="messaging.E002",
        )
    ]


def test_check_no_relay_limits_without_redis_url_passes(settings):
    settings.OUTBOX_RATE_PER_MINUTE = None
    settings.OUTBOX_MAX_CONNECTIONS = None
    settings.REDIS_URL = ""

    assert _messaging_errors() == []
