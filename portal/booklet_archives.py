"""Every delegate's booklet of a mission in one ZIP, prepared by a worker.

Laying out a booklet takes a quarter of a second or more, so a mission's hundreds do not
fit in a web request. Staff ask for an archive (`portal.services.booklets`); the task
`portal.tasks.build_booklet_archive` hands it to `archive_build` after commit, which
lays out one booklet after another (`portal.booklet.write_booklets`), counts `done`
as it goes, so the page that polls shows the progress, and stores the ZIP in the default
storage, sealed. Staff download it from there (`planning/views/booklets.py`).

Every booklet carries its delegate's working personal link, so what rests in the storage
is sealed (`archive_file_save`): AES-256-GCM with a key derived from SECRET_KEY and the
archive's id bound in. A copy of MEDIA_ROOT, a backup, opens nothing without the key;
the download unseals it (`archive_content`). Rotating SECRET_KEY makes the archives
unreadable, as it makes the links they carry stop working: staff prepare them again.

One archive at a time per mission: asking again while one is on its way gives that one.
A build is idempotent: the claim is a conditional UPDATE (queued or building → building),
so a task delivered again after its worker died builds again from scratch, and an
archive ready or failed is left as it is. While a build runs it holds a PostgreSQL
advisory lock on the archive (released by the server if the worker dies), so a second
delivery of the same task at the same time leaves it to the first: runs twice, one file.
"""

import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from missions.display import format_local
from missions.enums import RsvpStatus
from missions.models import Mission, Participant
from portal.booklet import BookletError, booklet_participants, write_booklets
from portal.enums import ArchiveState
from portal.models import BookletArchive

logger = logging.getLogger(__name__)

ACTIVE = (ArchiveState.QUEUED, ArchiveState.BUILDING)
FINISHED = (ArchiveState.READY, ArchiveState.FAILED)
# A request or build still queued or building this long after it was asked for has most
# likely lost its task (a Redis restart): asking again hands it to a worker again.
STUCK_AFTER = dt.timedelta(minutes=10)
STUCK_PER_BOOKLET = dt.timedelta(seconds=2)
ERROR_LENGTH = 500  # characters of an error that staff see
KEEP_FOR = dt.timedelta(days=1)  # a finished archive, then it is deleted with its file
# The first key of the advisory locks of booklet archives (the second is the archive's id).
LOCK_NAMESPACE = 0x1B00C1E7
NONCE_BYTES = 12  # AES-GCM's nonce, stored in front of the sealed archive


# AT REST ----------------------------------------------------------------------------------


def _cipher() -> AESGCM:
    """AES-256-GCM under a key derived from SECRET_KEY for booklet archives alone."""
    return AESGCM(salted_hmac("itinera.booklet-archive", "key", algorithm="sha256").digest())


def archive_file_save(*, archive: BookletArchive, content: bytes, name: str) -> str:
    """Store the archive's ZIP `content` sealed under `name`; returns the name stored.

    The archive's id is bound in, so one archive's file put in another's place does not
    open. Sets `archive.file` on the instance only.
    """
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + _cipher().encrypt(nonce, content, str(archive.pk).encode())
    archive.file.save(f"{name}.sealed", ContentFile(sealed), save=False)
    return archive.file.name


def archive_content(archive: BookletArchive) -> bytes | None:
    """The archive's ZIP, unsealed; None when its file is gone or does not open."""
    try:
        with archive.file.open("rb") as file:
            sealed = file.read()
    except (FileNotFoundError, ValueError):  # gone from the storage, or never stored
        return None
    nonce, box = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return _cipher().decrypt(nonce, box, str(archive.pk).encode())
    except InvalidTag:  # another SECRET_KEY, another archive's file, or damaged
        logger.warning("Booklet archive %s does not open: prepare it again", archive.pk)
        return None


# READS ----------------------------------------------------------------------------------


def booklet_count(*, mission: Mission) -> int:
    """How many booklets an archive of the mission holds now: one query."""
    return mission.participants.filter(rsvp_status__in=RsvpStatus.MAY_COME).count()


def archive_is_stuck(archive: BookletArchive, *, now: dt.datetime | None = None) -> bool:
    """Still on its way long after any worker would have finished it."""
    if archive.state not in ACTIVE:
        return False
    limit = STUCK_AFTER + STUCK_PER_BOOKLET * archive.total
    return archive.created_at < (now or timezone.now()) - limit


@dataclass(frozen=True)
class Download:
    """A ready archive as staff see it: its file's size and when it was prepared."""

    archive: BookletArchive
    size: int | None  # None when the file is gone from the storage
    prepared_at: str  # `13 Nov 2025, 19:00 JST (Asia/Tokyo)`: the mission's zone, named


@dataclass(frozen=True)
class ArchiveStatus:
    """What the booklets page shows of a mission's archives."""

    count: int  # booklets an archive asked for now would hold
    latest: BookletArchive | None
    download: Download | None  # the latest ready archive: the latest, or one before it
    stuck: bool  # the latest is on its way long after it should have been ready

    @property
    def in_progress(self) -> bool:
        return self.latest is not None and self.latest.state in ACTIVE


def _download(archive: BookletArchive, mission: Mission) -> Download:
    try:
        size = archive.file.size
    except (OSError, ValueError):  # gone from the storage since
        size = None
    return Download(
        archive=archive,
        size=size,
        prepared_at=format_local(archive.finished_at or archive.created_at, mission.time_zone),
    )


def archive_status(*, mission: Mission) -> ArchiveStatus:
    """The mission's latest archive and the latest ready one: three queries at most."""
    archives = BookletArchive.objects.filter(mission=mission).order_by("-created_at", "-pk")
    latest = archives.first()
    ready = latest if latest is not None and latest.state == ArchiveState.READY else None
    if latest is not None and ready is None:
        ready = archives.filter(state=ArchiveState.READY).exclude(file="").first()
    return ArchiveStatus(
        count=booklet_count(mission=mission),
        latest=latest,
        download=_download(ready, mission) if ready is not None else None,
        stuck=latest is not None and archive_is_stuck(latest),
    )


# REQUEST --------------------------------------------------------------------------------


# BUILD ----------------------------------------------------------------------------------


def describe(error: Exception) -> str:
    """`OSError: [Errno 28] No space left on device`: what went wrong, for staff."""
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


class _Lost(Exception):
    """The archive was deleted, or finished by someone else, while we built it."""


@contextlib.contextmanager
def _build_lock(archive_id: int) -> Iterator[bool]:
    """Whether this process may build the archive: a session advisory lock on PostgreSQL.

    A lock held by a worker that died is released by the server with its connection.
    Elsewhere (SQLite in development) there is no lock, and the claim alone decides.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, archive_id])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, archive_id])


def archive_build(*, archive_id: int) -> None:
    """Build the archive's ZIP and store it; the archive ends ready or failed.

    Idempotent: an archive that is gone, ready or failed is left; one queued or building
    (a task delivered again after its worker died) is built from scratch; one another
    process is building now is left to it. `done` is counted after each booklet. Any
    error marks the archive failed with a short reason for staff (the traceback goes to
    the log): it never stays building. Once ready, the mission's earlier archives and
    their files are deleted.
    """
    with _build_lock(archive_id) as locked:
        if not locked:
            logger.info("Booklet archive %s is being built by another worker", archive_id)
            return
        archive = BookletArchive.objects.select_related("mission").filter(pk=archive_id).first()
        if archive is None or archive.state not in ACTIVE:
            return
        participants = booklet_participants(archive.mission)
        claimed = BookletArchive.objects.filter(pk=archive_id, state__in=ACTIVE).update(
            state=ArchiveState.BUILDING, total=len(participants), done=0, error=""
        )
        if not claimed:
            return
        try:
            _build(archive, participants)
        except _Lost:
            logger.info("Booklet archive %s was deleted or finished while built", archive_id)
            return
        except Exception as error:
            logger.exception("Booklet archive %s failed", archive_id)
            reason = str(error) if isinstance(error, BookletError) else describe(error)
            BookletArchive.objects.filter(pk=archive_id, state=ArchiveState.BUILDING).update(
                state=ArchiveState.FAILED,
                error=reason[:ERROR_LENGTH],
                finished_at=timezone.now(),
            )
            return
    _delete_earlier(archive)


def _build(archive: BookletArchive, participants: list[Participant]) -> None:
    mission = archive.mission
    building = BookletArchive.objects.filter(pk=archive.pk, state=ArchiveState.BUILDING)

    def count(done: int, participant: Participant) -> None:
        if not building.update(done=done):
            raise _Lost

    with tempfile.TemporaryFile(suffix=".zip") as file:
        write_booklets(mission=mission, participants=participants, file=file, on_booklet=count)
        file.seek(0)
        name = archive_file_save(
            archive=archive, content=file.read(), name=f"{mission.slug}-booklets.zip"
        )
    try:
        finished = building.update(
            state=ArchiveState.READY,
            file=name,
            done=len(participants),
            finished_at=timezone.now(),
        )
    except Exception:
        archive.file.storage.delete(name)
        raise
    if not finished:
        archive.file.storage.delete(name)
        raise _Lost


def _delete_earlier(archive: BookletArchive) -> None:
    """Delete the mission's finished archives older than this one, and their files."""
    _delete(
        BookletArchive.objects.filter(
            mission_id=archive.mission_id, pk__lt=archive.pk, state__in=FINISHED
        )
    )


def _delete(archives: QuerySet[BookletArchive]) -> int:
    """Delete these archives and their files; how many there were."""
    gone = list(archives)
    for old in gone:
        if old.file:
            try:
                old.file.delete(save=False)
            except OSError:
                logger.exception("Could not delete the file of booklet archive %s", old.pk)
    if gone:
        BookletArchive.objects.filter(pk__in=[old.pk for old in gone]).delete()
    return len(gone)


def archives_discard(*, mission_ids: list[int]) -> int:
    """Delete every archive of these missions, in any state, with its files (a person
    erased from them, their data anonymised); a worker building one finds it gone."""
    return _delete(BookletArchive.objects.filter(mission_id__in=mission_ids))


# EXPIRY ---------------------------------------------------------------------------------


def archives_expire(*, now: dt.datetime | None = None) -> int:
    """Periodic: delete the archives finished more than KEEP_FOR ago, and their files.

    Every booklet in an archive carries its delegate's working personal link, so a
    prepared ZIP is kept (sealed) only as long as staff need it to print; returns how
    many went.
    """
    now = now or timezone.now()
    return _delete(
        BookletArchive.objects.filter(state__in=FINISHED, finished_at__lt=now - KEEP_FOR)
    )
