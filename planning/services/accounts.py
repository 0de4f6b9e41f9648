"""How often a password reset may be asked for: per address asked for and per client."""

import hashlib

from django.conf import settings
from django.http import HttpRequest

from portal import rate_limit


def password_reset_throttled(*, request: HttpRequest, email: str) -> bool:
    """Count a request to reset the password of `email`; True once past either limit
    (PASSWORD_RESET_RATE_PER_EMAIL, PASSWORD_RESET_RATE_PER_ADDRESS). Counted whether or
    not an account has the address, so the limit tells nothing about accounts either; the
    address is counted by its digest, so Redis holds no e-mail address."""
    if not settings.PASSWORD_RESET_RATE_ENABLED:
        return False
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()
    by_email = rate_limit.over_rate(
        f"password-reset:email:{digest}", settings.PASSWORD_RESET_RATE_PER_EMAIL
    )
    by_client = rate_limit.over_rate(
        f"password-reset:client:{rate_limit.client_address(request)}",
        settings.PASSWORD_RESET_RATE_PER_ADDRESS,
    )
    return by_email or by_client
