"""Real parts for the end-to-end tests: an SMTP server, Celery workers, Redis servers.

- `smtp_sink`: an SMTP server (aiosmtpd) on a free port, in a thread, that records every
  message it accepts and can be told to answer 421, 550, slowly, or not yet.
- `start_worker` / `worker`: `celery --app config worker` subprocesses against the
  pytest-django test database (the tests are `transaction=True`, so the worker sees
  committed rows), a broker nobody else uses (a claimed DB number of the shared Redis,
  or `own_redis`) and a queue of their own; the test process publishes there too.
- `own_redis`: a redis-server on a free port, without persistence, for the tests that
  restart it. The shared PostgreSQL and Redis are never stopped.

Every subprocess is killed at teardown, also when the test failed.
"""

import ast
import asyncio
import contextlib
import email
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
CLAIM_KEY = "itinera-e2e:claimed-by"
SITE_URL = "http://testserver"  # the Django test client's host: links can be followed

# Short outbox timings for the worker (config/settings/test.py reads them).
WORKER_OUTBOX_ENV = {
    "OUTBOX_RETRY_BASE_SECONDS": "0.5",
    "OUTBOX_RESCUE_QUEUED_AFTER_SECONDS": "2",
    "OUTBOX_RESCUE_IN_FLIGHT_AFTER_SECONDS": "5",
    "EMAIL_TIMEOUT": "10",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable, *, timeout: float, what: str | Callable[[], str]):
    """Poll until `predicate()` is truthy and return it; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"after {timeout} s still waiting for {what() if callable(what) else what}"
            )
        time.sleep(0.05)


# SMTP SINK -------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """A message the sink accepted: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    raw: bytes
    received_at: float = 0.0  # time.monotonic() as the data came in

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"].strip()  # a folded header keeps a leading space


class _Handler:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        if self.sink.hanging > 0:  # greet, then never answer: a hung server
            self.sink.hanging -= 1
            while not self.sink.stopping.is_set():
                await asyncio.sleep(0.05)
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.sink.rejected:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        return await self.sink.deliver(envelope)


class SmtpSink:
    """A real SMTP server in a thread that records what it accepts.

    Behaviour per test: `fail_first(n, after=k)` answers `421` to n deliveries once k more
    were accepted, `reject(...)` answers `550` to those recipients, `delay` slows every
    delivery, `hold_after(n)` accepts every message after the n-th but delays the `250`
    reply until `release()`,
    `hang_first(n)` never answers EHLO on the next n connections.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Received] = []
        self.refused = 0  # deliveries answered 421
        self.held: list[str] = []  # Message-IDs accepted with the reply held back
        self.rejected: set[str] = set()
        self.delay = 0.0
        self.hanging = 0
        self.stopping = threading.Event()
        self._fail = 0
        self._fail_after = 0
        self._hold_after: int | None = None
        self._gate = threading.Event()
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    def fail_first(self, count: int, *, after: int = 0) -> None:
        """Answer 421 to the next `count` deliveries, once `after` more were accepted."""
        self._fail, self._fail_after = count, after

    def reject(self, *addresses: str) -> None:
        self.rejected.update(address.lower() for address in addresses)

    def accept_all(self) -> None:
        self.rejected.clear()
        self._fail = 0

    def hang_first(self, count: int) -> None:
        self.hanging = count

    def hold_after(self, count: int) -> None:
        self._gate.clear()
        self._hold_after = count

    def release(self) -> None:
        self._hold_after = None
        self._gate.set()

    def start(self) -> None:
        self.stopping.clear()
        self._controller = Controller(
            _Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self._controller.start()

    def stop(self) -> None:
        self._gate.set()
        self.stopping.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def deliver(self, envelope) -> str:
        with self._changed:
            if self._fail > 0 and self._fail_after > 0:
                self._fail_after -= 1
            elif self._fail > 0:
                self._fail -= 1
                self.refused += 1
                self._changed.notify_all()
                return "421 4.3.2 Service not available, try again later"
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=default_policy)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._changed:  # accepted (queued, in a real server) once the data is in
            hold = self._hold_after is not None and len(self.messages) >= self._hold_after
            self.messages.append(
                Received(
                    envelope.mail_from, tuple(envelope.rcpt_tos), message, raw, time.monotonic()
                )
            )
            if hold:
                self.held.append(message["Message-ID"].strip())
            self._changed.notify_all()
        while hold and not self._gate.is_set():  # ...but slow to say so
            await asyncio.sleep(0.01)
        return "250 2.0.0 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._changed:
            return [received.message_id for received in self.messages]

    def _wait(self, done: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"after {timeout} s the SMTP sink {what()}")
                self._changed.wait(remaining)

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        """Wait until at least `count` messages were accepted; all accepted so far."""
        self._wait(
            lambda: len(self.messages) >= count,
            timeout,
            lambda: f"has accepted {len(self.messages)} of {count} messages",
        )
        with self._changed:
            return list(self.messages)

    def wait_held(self, count: int, timeout: float = 20) -> list[str]:
        self._wait(
            lambda: len(self.held) >= count,
            timeout,
            lambda: f"holds {len(self.held)} of {count} deliveries",
        )
        with self._changed:
            return list(self.held)

    def stays_at(self, count: int, seconds: float) -> list[Received]:
        """Watch for `seconds` that no more than `count` messages arrive; fail once one does."""
        try:
            self._wait(lambda: len(self.messages) > count, seconds, lambda: "")
        except AssertionError:  # the time passed and nothing more arrived
            with self._changed:
                return list(self.messages)
        raise AssertionError(
            f"the SMTP sink accepted {len(self.messages)} messages, expected {count}: "
            f"{self.message_ids()}"
        )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


# REDIS -----------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own on a free port: no persistence, so a restart loses all."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603  (a fixed command line)
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def answers() -> bool:
            try:
                return self.client().ping()
            except redis.ConnectionError:
                return False

        wait_until(answers, timeout=10, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        """Kill and start again on the same port; the test process reconnects."""
        self.stop()
        self.start()
        reset_publisher()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if not os.path.exists(REDIS_SERVER):
        pytest.skip(f"!!! redis-server not found at {REDIS_SERVER}")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_broker_url() -> Iterator[str]:
    """A DB number of the shared Redis that nobody else uses, claimed with a key.

    DB 0 (everyone's default) is never used; a DB that holds anything is left alone.
    """
    parts = urlsplit(settings.REDIS_URL)
    claim = uuid.uuid4().hex
    for number in range(15, 0, -1):
        client = redis.Redis(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            password=parts.password,
            db=number,
            socket_timeout=5,
        )
        try:
            claimed = client.set(CLAIM_KEY, claim, nx=True, ex=3600)
        except redis.ResponseError:  # the server has fewer databases
            continue
        if claimed and client.dbsize() == 1:
            yield urlunsplit((parts.scheme, parts.netloc, f"/{number}", "", ""))
            client.flushdb()
            return
        if claimed:
            client.delete(CLAIM_KEY)
    pytest.fail(f"no free database number on the Redis at {settings.REDIS_URL}")


def _empty_broker(url: str) -> None:
    """Remove what a test left in its broker database, keeping the claim."""
    client = redis.Redis.from_url(url, socket_timeout=5)
    keys = [key for key in client.scan_iter(count=1000) if key != CLAIM_KEY.encode()]
    if keys:
        client.delete(*keys)


# PUBLISHING FROM THE TEST PROCESS --------------------------------------------


def reset_publisher() -> None:
    """Drop the Celery app's cached broker connections, queues and routes."""
    kombu.pools.reset()  # closes and forgets the pools, which are keyed by broker URL
    celery_app._pool = None  # noqa: SLF001  (the app caches its pool; no public reset)
    celery_app.__dict__.pop("amqp", None)  # a cached_property: rebuilt from the config


@contextlib.contextmanager
def publishing_to(broker_url: str, queue: str) -> Iterator[None]:
    conf = celery_app.conf
    saved = {"broker_url": conf.broker_url, "task_default_queue": conf.task_default_queue}
    reset_publisher()
    conf.update(broker_url=broker_url, task_default_queue=queue)
    try:
        yield
    finally:
        reset_publisher()
        conf.update(saved)


# WORKER ----------------------------------------------------------------------

TASK_LOG = re.compile(
    r"Task (?P<name>[\w.]+)\[(?P<id>[\w-]+)\] (?P<outcome>succeeded|raised|retry)[^:]*: "
    r"(?P<result>.*)$",
    re.MULTILINE,
)


def _group_alive(pgid: int) -> bool:
    """Whether a process of this group still runs (zombies do not)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            return True
    return False


class Worker:
    """A `celery --app config worker` subprocess in its own process group."""

    def __init__(
        self, *, name: str, queue: str, env: dict[str, str], concurrency: int, log_dir: Path
    ) -> None:
        self.name = name
        self.queue = queue
        self.env = env
        self.concurrency = concurrency
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None
        self.logs: list[Path] = []

    def start(self) -> None:
        log = self.log_dir / f"{self.name}-{len(self.logs) + 1}.log"
        self.logs.append(log)
        with log.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603  (our own worker, fixed arguments)
                [
                    sys.executable,
                    *("-m", "celery", "--app", "config", "worker"),
                    *("--pool", "prefork", "--concurrency", str(self.concurrency)),
                    *("--queues", self.queue, "--hostname", f"{self.name}@%h"),
                    *("--loglevel", "INFO"),
                    *("--without-heartbeat", "--without-gossip", "--without-mingle"),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches the children
            )

        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited at start:\n{self.log()}")
            return " ready." in log.read_text(errors="replace")

        wait_until(ready, timeout=60, what=lambda: f"the worker to be ready:\n{self.log()}")

    @property
    def running(self) -> bool:
        return self.process is not None

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL the main process and its pool at once, and wait until they are gone."""
        if self.process is None:
            return
        pgid = self.process.pid
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)
        wait_until(lambda: not _group_alive(pgid), timeout=10, what="the worker's children")
        self.process = None

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL whatever is left."""
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.kill()

    def restart(self) -> None:
        self.kill()
        self.start()

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs)

    def results(self, task_name: str) -> list[object]:
        """The return values the worker logged for this task, in order."""
        return [
            ast.literal_eval(match["result"])
            for match in TASK_LOG.finditer(self.log())
            if match["name"] == task_name and match["outcome"] == "succeeded"
        ]

    def wait_for_results(self, task_name: str, count: int, timeout: float = 20) -> list[object]:
        return wait_until(
            lambda: (found := self.results(task_name)) and len(found) >= count and found,
            timeout=timeout,
            what=lambda: f"{count} results of {task_name}:\n{self.log()}",
        )

    def wait_for_task(self, task_id: str, timeout: float = 20) -> object:
        """The return value of one task, once the worker logged it."""

        def finished():
            for match in TASK_LOG.finditer(self.log()):
                if match["id"] == task_id:
                    if match["outcome"] != "succeeded":
                        raise AssertionError(f"task {task_id} {match['outcome']}: {match[0]}")
                    return (ast.literal_eval(match["result"]),)
            return None

        [result] = wait_until(finished, timeout=timeout, what=f"task {task_id}:\n{self.log()}")
        return result


def worker_database_url() -> str:
    """The URL of the pytest-django test database, for the worker."""
    db = connection.settings_dict
    credentials = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def start_worker(
    transactional_db, smtp_sink, settings, tmp_path, shared_broker_url
) -> Iterator[Callable[..., Worker]]:
    """Start workers on a queue of this test; the test process publishes there too.

    `start_worker(broker_url=None, concurrency=2, start=True, env=None)`: the broker
    defaults to the claimed database of the shared Redis, emptied after the test; `env`
    overrides settings of the worker. Workers are killed at teardown (tasks are
    idempotent, and a warm shutdown would only cost time).
    """
    queue = f"itinera-e2e-{uuid.uuid4().hex[:12]}"
    workers: list[Worker] = []
    brokers: list[str] = []
    with contextlib.ExitStack() as stack:

        def start(
            *,
            broker_url: str | None = None,
            concurrency: int = 2,
            start: bool = True,
            env: dict[str, str] | None = None,
        ) -> Worker:
            broker_url = broker_url or shared_broker_url
            if broker_url not in brokers:
                brokers.append(broker_url)
            settings.CELERY_BROKER_URL = broker_url
            stack.enter_context(publishing_to(broker_url, queue))
            worker = Worker(
                name=f"{queue}-{len(workers) + 1}",
                queue=queue,
                concurrency=concurrency,
                env={
                    **os.environ,
                    "PYTHONUNBUFFERED": "1",
                    "DJANGO_SETTINGS_MODULE": "config.settings.test",
                    "DATABASE_URL": worker_database_url(),
                    "REDIS_URL": broker_url,
                    "CELERY_BROKER_URL": broker_url,
                    "CELERY_TASK_DEFAULT_QUEUE": queue,
                    "EMAIL_URL": f"smtp://127.0.0.1:{smtp_sink.port}",
                    "SITE_URL": SITE_URL,
                    **WORKER_OUTBOX_ENV,
                    **(env or {}),
                },
                log_dir=tmp_path,
            )
            workers.append(worker)
            if start:
                worker.start()
            return worker

        try:
            yield start
        finally:
            for worker in workers:
                worker.kill()
            if shared_broker_url in brokers:
                _empty_broker(shared_broker_url)


@pytest.fixture
def worker(start_worker) -> Worker:
    """One running worker, concurrency 2, on the shared Redis."""
    return start_worker()
