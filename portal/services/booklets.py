"""Staff ask for every booklet of a mission in one ZIP; a worker prepares it
(`portal.booklet_archives`, task `portal.tasks.build_booklet_archive`)."""

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from missions.models import Mission
from missions.services.missions import mission_lock
from portal import booklet_archives
from portal.models import BookletArchive
from portal.tasks import build_booklet_archive

logger = logging.getLogger(__name__)


@transaction.atomic
def archive_request(*, mission: Mission, requested_by: AbstractBaseUser | None) -> BookletArchive:
    """Ask a worker for the ZIP of every booklet of the mission; the archive on its way.

    One archive at a time per mission: while one is queued or building, that one is the
    answer and nothing new is made (a stuck one is handed to a worker again). The task is
    enqueued after commit; a rolled-back request enqueues nothing. `ValidationError` when
    the mission has nobody to print a booklet for.
    """
    # Two requests at once for one mission queue one archive: they wait for each other here.
    mission_lock(mission_id=mission.pk)
    active = (
        BookletArchive.objects.filter(mission=mission, state__in=booklet_archives.ACTIVE)
        .order_by("-created_at", "-pk")
        .first()
    )
    if active is not None:
        if booklet_archives.archive_is_stuck(active):
            logger.warning("Booklet archive %s looks stuck; enqueued again", active.pk)
            _enqueue(build_booklet_archive, active.pk)
        return active
    total = booklet_archives.booklet_count(mission=mission)
    if not total:
        raise ValidationError(
            _("Nobody is invited, accepted or tentative yet: there are no booklets to prepare."),
            code="no_booklets",
        )
    archive = BookletArchive(mission=mission, requested_by=requested_by, total=total)
    archive.full_clean()
    archive.save()
    _enqueue(build_booklet_archive, archive.pk)
    return archive


def _enqueue(task, archive_id: int) -> None:
    transaction.on_commit(lambda: task.delay(archive_id=archive_id))
