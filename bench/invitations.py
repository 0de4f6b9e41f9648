"""Benchmark: 5,000 invitations through the outbox and one Celery worker, against smtplib.

Run it from the project root (PostgreSQL running; redis-server installed); it runs under
production's settings (bench/settings.py) with throwaway secrets:

    .venv/bin/python bench/invitations.py            # 3 rounds of 5,000 invitations
    .venv/bin/python bench/invitations.py --count 500 --rounds 1
    .venv/bin/python bench/invitations.py --concurrency 4   # a worker of 4 processes

It creates its own database (`test_<name>` of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/itinera_bench, migrated with Django's test-database
utilities and dropped at the end), its own redis-server on a free port (or BENCH_REDIS_URL),
an SMTP sink (aiosmtpd) in this process and one worker (`celery --app config worker
--concurrency 2`, or as `--concurrency` says). After a round not counted (the worker warms
up), each round measures

1. the outbox: from `invitations_send` for a new mission of N participants to the N-th
   message accepted by the sink (the worker renders and sends every message);
2. a plain smtplib loop over one connection to the same sink, sending the invitations
   of the round before, rendered beforehand with `messaging.emails.batch_renderer` and
   generated as Django's SMTP backend does: half just before the outbox round, half
   just after, so that both are measured over the same stretch of time;
3. what most Django apps do: one Celery task per message (bench/tasks.py), rendering it
   and sending it with `EmailMessage.send()` (a connection per message), for the
   invitations of the round before, on the same worker;

and prints the rates in messages per second and the outbox's ratio to each (aim: 0.35
or better of the smtplib loop), then the median, lowest and highest ratios: a shared
two-core machine's speed changes from one minute to the next, by a third or more.
"""

import argparse
import logging
import os
import shutil
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUEUE = "itinera-bench"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Sink:
    """An SMTP server that counts what it accepts and notes when the target is reached."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.count = 0
        self.target = 0
        self.reached_at = 0.0
        self.done = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def expect(self, target: int) -> None:
        self.count, self.target, self.reached_at = 0, target, 0.0
        self.done.clear()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802  (aiosmtpd)
        self.count += 1
        if self.count == self.target:
            self.reached_at = time.perf_counter()
            self.done.set()
        return "250 OK"


def start_redis(stack: ExitStack, directory: str) -> str:
    if url := os.environ.get("BENCH_REDIS_URL"):
        return url
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server not found: install it or set BENCH_REDIS_URL")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603  (a fixed command line)
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    stack.callback(process.wait)
    stack.callback(process.kill)

    def answers() -> bool:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
        return False

    wait_until(answers, timeout=10, what="redis-server")
    return f"redis://127.0.0.1:{port}/0"


def start_worker(stack: ExitStack, *, env: dict[str, str], log: Path, concurrency: int) -> None:
    output = stack.enter_context(log.open("wb"))
    process = subprocess.Popen(  # noqa: S603  (our own worker, fixed arguments)
        [
            sys.executable,
            *("-m", "celery", "--app", "config", "worker", "--pool", "prefork"),
            *("--concurrency", str(concurrency), "--queues", QUEUE, "--loglevel", "INFO"),
            *("--include", "bench.tasks"),  # the second baseline's task
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop() -> None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    stack.callback(stop)

    def ready() -> bool:
        if process.poll() is not None:
            raise SystemExit(f"the worker exited:\n{log.read_text()}")
        return " ready." in log.read_text(errors="replace")

    wait_until(ready, timeout=60, what="the worker")


def database_url(settings_dict: dict) -> str:
    credentials = quote(settings_dict.get("USER") or "", safe="")
    if settings_dict.get("PASSWORD"):
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def create_participants(count: int):
    import datetime as dt

    from django.utils import timezone

    from missions.models import Participant
    from organisations.models import Organisation, Person
    from tests.factories import MissionFactory, OrganisationFactory

    start = timezone.localdate() + dt.timedelta(days=30)
    mission = MissionFactory(
        title="Leipzig creative industries delegation",
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )
    organisation = Organisation.objects.filter(name="Leipzig Chamber of Commerce").first()
    organisation = organisation or OrganisationFactory(
        name="Leipzig Chamber of Commerce", city="Leipzig"
    )
    people = Person.objects.bulk_create(
        Person(
            full_name=f"Delegate {n:05}",
            email=f"delegate{n:05}.{mission.pk}@example.org",  # a round's own people
            organisation=organisation,
            preferred_language="de" if n % 3 == 0 else "en",
        )
        for n in range(count)
    )
    Participant.objects.bulk_create(Participant(mission=mission, person=p) for p in people)
    return mission, list(mission.participants.select_related("person").order_by("pk"))


def run(count: int, rounds: int, concurrency: int) -> None:
    with ExitStack() as stack:
        print(f"Setting up a database, Redis, an SMTP sink and a worker for {count} invitations…")
        directory = stack.enter_context(tempfile.TemporaryDirectory())
        broker = start_redis(stack, directory)
        os.environ["REDIS_URL"] = broker  # production's settings read it at start-up

        import django

        django.setup()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
        from django.db import connection

        from config.celery_app import app

        test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        stack.callback(connection.creation.destroy_test_db, test_name, verbosity=0)
        app.conf.update(broker_url=broker, task_default_queue=QUEUE)
        sink = Sink()
        sink.controller.start()
        stack.callback(sink.controller.stop)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        }
        start_worker(stack, env=env, log=Path(directory) / "worker.log", concurrency=concurrency)
        # A round not counted: the worker warms up, and its messages, rendered, are what
        # the first round's smtplib loop sends.
        _rate, _seconds, mission = outbox_round(count, sink)
        previous = mission  # whose invitations the baselines of the next round send
        rendered = render_all(mission)
        ratios, task_ratios = [], []
        for round_number in range(1, rounds + 1):
            # The smtplib loop sends half of its messages just before the outbox round and
            # half just after, so that both are measured over the same stretch of time.
            before = smtplib_loop(rendered[: count // 2], sink)
            outbox_rate, queued_seconds, mission = outbox_round(count, sink)
            after = smtplib_loop(rendered[count // 2 :], sink)
            smtplib_rate = count / (before + after)
            ratios.append(outbox_rate / smtplib_rate)
            task_rate = task_per_message_round(previous, sink)
            task_ratios.append(outbox_rate / task_rate)
            print(
                f"round {round_number}: outbox + worker (concurrency {concurrency}) "
                f"{outbox_rate:.0f} messages/s (the first {queued_seconds:.2f} s in "
                f"invitations_send, before the worker could start); plain smtplib loop, "
                f"pre-rendered, {smtplib_rate:.0f} messages/s (half before, half after); "
                f"a task per message through Django's SMTP backend {task_rate:.0f} messages/s; "
                f"ratio to smtplib {ratios[-1]:.2f}, to a task per message {task_ratios[-1]:.2f}"
            )
            previous = mission
            rendered = render_all(mission)  # for the next round's loop
    print(
        f"ratio outbox / a task per message over {rounds} round(s) of {count}: "
        f"median {statistics.median(task_ratios):.2f}, lowest {min(task_ratios):.2f}, "
        f"highest {max(task_ratios):.2f}"
    )
    print(
        f"ratio outbox / smtplib over {rounds} round(s) of {count}: "
        f"median {statistics.median(ratios):.2f}, lowest {min(ratios):.2f}, "
        f"highest {max(ratios):.2f} (aim: 0.35 or better)"
    )


def wait_for_all(sink: Sink, count: int, *, what, stalled: float = 60) -> None:
    """Wait until the sink has `count` messages; stop if none arrives for `stalled` s."""
    seen = -1
    while not sink.done.wait(timeout=stalled):
        if sink.count == seen:
            raise SystemExit(
                f"only {sink.count} of {count} messages arrived, none in the last {stalled} s;"
                f" the outbox rows by state: {what()}"
            )
        seen = sink.count


def outbox_round(count: int, sink: Sink):
    """A new mission of `count` participants invited through the outbox, from
    `invitations_send` to the last message accepted; (messages/s, seconds spent in
    invitations_send, the mission)."""
    from django.db import transaction
    from django.db.models import Count

    from messaging.invitations import invitations_send
    from messaging.models import OutgoingMessage

    mission, participants = create_participants(count)
    sink.expect(count)
    started = time.perf_counter()
    with transaction.atomic():
        invitations_send(mission=mission, participants=participants, sent_by=None)
    queued_seconds = time.perf_counter() - started  # committed and handed to the worker
    wait_for_all(
        sink,
        count,
        what=lambda: dict(
            OutgoingMessage.objects.filter(mission=mission)
            .values_list("state")
            .annotate(n=Count("pk"))
        ),
    )
    return count / (sink.reached_at - started), queued_seconds, mission


def render_all(mission) -> list[tuple[str, list[str], bytes]]:
    """The mission's invitations as the outbox sent them, rendered a batch at a time as the
    worker renders them (`batch_renderer`) and generated as Django's SMTP backend
    generates them: (sender, recipients, bytes)."""
    from django.conf import settings

    from messaging.emails import batch_renderer

    rows = list(mission.messages.select_related("participant__person").order_by("pk"))
    rendered = []
    for start in range(0, len(rows), settings.OUTBOX_BATCH_SIZE):
        batch = rows[start : start + settings.OUTBOX_BATCH_SIZE]
        render = batch_renderer(batch)
        for message in batch:
            email = render(message)
            data = email.message().as_bytes(linesep="\r\n")
            rendered.append((email.from_email, email.recipients(), data))
    return rendered


def task_per_message_round(mission, sink: Sink) -> float:
    """The mission's invitations sent again as a Celery task each (bench/tasks.py), from
    the first task queued to the last message accepted; messages/s."""
    from config.celery_app import app

    ids = list(mission.messages.order_by("pk").values_list("pk", flat=True))
    sink.expect(len(ids))
    started = time.perf_counter()
    for message_id in ids:
        app.send_task("bench.tasks.send_one", args=[message_id])
    wait_for_all(sink, len(ids), what=lambda: "(a task per message)")
    return len(ids) / (sink.reached_at - started)


def smtplib_loop(rendered: list[tuple[str, list[str], bytes]], sink: Sink) -> float:
    """Seconds for a plain smtplib loop to send these over one connection."""
    sink.expect(len(rendered))
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        for from_email, recipients, data in rendered:
            client.sendmail(from_email, recipients, data)
    wait_for_all(sink, len(rendered), what=lambda: "(smtplib loop)")
    return sink.reached_at - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument(
        "--concurrency",
        type=int,
        default=2,
        help="the worker's processes (2: one per core here; sending mail is mostly waiting)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of both, each on a new mission"
    )
    arguments = parser.parse_args()
    # Production's settings (bench/settings.py), as deployed: persistent database
    # connections, prepared statements, SMTP; with throwaway secrets.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/itinera_bench")
    os.environ.setdefault("SITE_URL", "https://itinera.example.org")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:25")  # the worker gets the sink's
    run(arguments.count, arguments.rounds, arguments.concurrency)


if __name__ == "__main__":
    main()
