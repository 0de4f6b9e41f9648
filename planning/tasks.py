"""Celery tasks of the workspace: thin."""

from celery import shared_task

from planning.services import personal_data


@shared_task(ignore_result=True)
def anonymise_missions() -> int:
    """Periodic: anonymise the personal data of the missions past their retention
    (`PERSONAL_DATA_RETENTION_DAYS` after their last day). Idempotent: a mission done is
    marked, so a second run, or two at once (the mission's row is locked), do it once."""
    return personal_data.missions_anonymise_expired()
