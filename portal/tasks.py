"""Celery tasks of the delegate portal: thin."""

from celery import shared_task

from portal import booklet_archives


@shared_task(acks_late=True, ignore_result=True)
def build_booklet_archive(archive_id: int) -> None:
    """Build the ZIP of a mission's booklets; an archive already ready or failed is left."""
    booklet_archives.archive_build(archive_id=archive_id)


@shared_task(ignore_result=True)
def expire_booklet_archives() -> int:
    """Periodic: delete the booklet archives finished more than a day ago, with their files."""
    return booklet_archives.archives_expire()
