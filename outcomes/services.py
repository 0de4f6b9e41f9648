"""Writes of outcomes. Each validates with `full_clean()` before saving; who may write
which side's outcome is decided by the caller's scoped look-up (outcomes.selectors)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from missions.models import Mission
from outcomes.models import Outcome

FIELDS = (
    "kind",
    "status",
    "date",
    "follow_up_action",
    "meeting",
    "value",
    "currency",
    "jobs",
    "evidence",
    "recorded_for",
)


def _save(outcome: Outcome, data: dict) -> Outcome:
    for field in FIELDS:
        setattr(outcome, field, data.get(field))
    outcome.currency = (outcome.currency or "").upper()
    outcome.evidence = outcome.evidence or ""
    outcome.full_clean()
    outcome.save()
    outcome.organisations.set(data.get("organisations") or [])
    outcome.participants.set(data.get("participants") or [])
    return outcome


@transaction.atomic
def outcome_create(*, mission: Mission, recorded_by: AbstractBaseUser, data: dict) -> Outcome:
    """Record an outcome of the mission, by this user, for the side `data` names."""
    return _save(Outcome(mission=mission, recorded_by=recorded_by), data)


@transaction.atomic
def outcome_update(*, outcome: Outcome, data: dict) -> Outcome:
    """Change an outcome; its history keeps what it said before."""
    return _save(outcome, data)


@transaction.atomic
def outcome_delete(*, outcome: Outcome) -> None:
    outcome.delete()
