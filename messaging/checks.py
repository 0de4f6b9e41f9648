"""System checks of the messaging settings."""

from django.conf import settings
from django.core.checks import Error


def relay_limits_check(app_configs, **kwargs) -> list[Error]:
    """The relay limits (messaging/relay.py) are positive and have a Redis to count in."""
    errors = []
    limits = {
        name: getattr(settings, name, None)
        for name in ("OUTBOX_RATE_PER_MINUTE", "OUTBOX_MAX_CONNECTIONS")
    }
    for name, value in limits.items():
        if value is not None and value < 1:
            errors.append(
                Error(
                    f"{name} is {value}.",
                    hint="Set it to a positive number, or unset it for no limit.",
                    id="messaging.E002",
                )
            )
    if any(value is not None for value in limits.values()) and not settings.REDIS_URL:
        errors.append(
            Error(
                "OUTBOX_RATE_PER_MINUTE or OUTBOX_MAX_CONNECTIONS is set, but REDIS_URL is not: "
                "the relay limits are shared by all workers through Redis.",
                hint="Set REDIS_URL, or unset both limits.",
                id="messaging.E001",
            )
        )
    return errors
