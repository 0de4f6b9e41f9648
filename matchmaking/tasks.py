"""Celery tasks of matchmaking: thin."""

from celery import shared_task

from matchmaking.services.scheduling import run_execute


@shared_task(name="matchmaking.tasks.schedule", acks_late=True, ignore_result=True)
def schedule(run_id: int) -> None:
    """Schedule the run's mission; a run gone, done or failed is left (see `run_execute`)."""
    run_execute(run_id=run_id)
