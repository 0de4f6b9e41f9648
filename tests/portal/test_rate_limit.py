"""The rate limit of the pages under personal links (`portal.rate_limit`), in Redis."""

import datetime as dt
import ipaddress
import logging
import secrets
import socket
import time

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from missions.enums import RsvpStatus
from missions.tokens import token_issue
from tests.factories import MissionFactory, ParticipantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def token():
    soon = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(start_date=soon, end_date=soon + dt.timedelta(days=2))
    participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)
    return token_issue(participant=participant)


def _url(token: str) -> str:
    return reverse("delegate:page", kwargs={"token": token})


def _address() -> str:
    """An address of its own, so parallel runs and earlier tests share no count in Redis."""
    return str(ipaddress.IPv4Address(0x0A000000 + secrets.randbelow(0x00FFFFFF)))


def _network() -> ipaddress.IPv6Network:
    """A /64 of its own."""
    prefix = 0x20010DB8 << 96 | secrets.randbits(32) << 64
    return ipaddress.IPv6Network((prefix, 64))


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_counts_in_redis_in_one_round_trip():
    cache = caches["links"]
    key = f"test-count-{secrets.token_hex(8)}"

    counts = [cache.count_in_window(key, seconds=60) for _ in range(3)]
    ttl = cache._cache.get_client(key).ttl(cache.make_and_validate_key(key))

    assert counts == [1, 2, 3]
    assert 0 < ttl <= 60


def test_the_window_ends_and_the_page_opens_again(client, token, settings):
    settings.LINK_RATE_READ = "1/s"
    address = _address()
    # Start right after a second begins, so that both requests fall into one window.
    time.sleep(1 - time.time() % 1)

    statuses = [client.get(_url(token), REMOTE_ADDR=address).status_code for _ in range(2)]
    time.sleep(1.05)
    later = client.get(_url(token), REMOTE_ADDR=address)

    assert statuses == [200, 429]
    assert later.status_code == 200


def test_ipv6_addresses_of_one_subscriber_share_a_count(client, token, settings):
    settings.LINK_RATE_READ = "2/h"
    home, elsewhere = _network(), _network()

    statuses = [client.get(_url(token), REMOTE_ADDR=str(home[n])).status_code for n in (1, 2, 3)]
    other = client.get(_url(token), REMOTE_ADDR=str(elsewhere[1]))

    assert statuses == [200, 200, 429]
    assert other.status_code == 200


def test_behind_a_proxy_counts_the_address_the_proxy_names(client, token, settings):
    settings.LINK_RATE_READ = "1/h"
    settings.LINK_RATE_IP_META_KEY = "HTTP_X_REAL_IP"
    proxy, first, second = _address(), _address(), _address()

    statuses = [
        client.get(_url(token), REMOTE_ADDR=proxy, HTTP_X_REAL_IP=first).status_code,
        client.get(_url(token), REMOTE_ADDR=proxy, HTTP_X_REAL_IP=second).status_code,
        client.get(_url(token), REMOTE_ADDR=proxy, HTTP_X_REAL_IP=first).status_code,
    ]

    assert statuses == [200, 200, 429]


def test_redis_down_lets_the_delegate_in_and_says_so(client, token, settings, caplog):
    settings.CACHES = {
        **settings.CACHES,
        "links": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        },
    }

    with caplog.at_level(logging.ERROR, logger="portal.rate_limit"):
        response = client.get(_url(token), REMOTE_ADDR=_address())

    assert response.status_code == 200
    assert "could not count" in caplog.text
