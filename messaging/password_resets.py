"""The e-mail with a link to choose a new password, sent by the outbox's worker.

The request queues a row (`password_resets_queue`) and answers at once, whether or not
an account has the address; the worker renders the link as it sends
(`messaging.emails`, kind `password_reset`) from the account's id, so the row holds no
working link: Django's `default_token_generator` makes one from the account's current
state (password, last sign-in, address), valid for PASSWORD_RESET_TIMEOUT, and void once
the password is changed.
"""

from django.contrib.auth import get_user_model
from django.utils import timezone

from messaging import outbox
from messaging.enums import MessageKind
from messaging.models import OutgoingMessage


def password_reset_accounts(email: str) -> list:
    """The accounts a reset for `email` goes to: active, with a password, that address
    (any case), as Django's PasswordResetForm.get_users."""
    users = get_user_model().objects.filter(email__iexact=email, is_active=True)
    return [user for user in users if user.has_usable_password()]


def password_resets_queue(*, email: str, language: str) -> list[OutgoingMessage]:
    """Queue the reset e-mail to each account of `email` (usually one, often none); the
    rows that are new. A second request within the same minute queues nothing more (the
    row's occasion is the minute); the caller throttles the rest."""
    minute = timezone.now().strftime("%Y-%m-%dT%H:%M")
    return outbox.messages_queue(
        messages=[
            outbox.message_build(
                recipient_email=user.email,
                recipient_name=user.get_full_name(),  # none: the address alone
                language=language,
                kind=MessageKind.PASSWORD_RESET,
                occasion=f"account {user.pk} at {minute}",
                context={"user": user.pk},  # never the link: it is made as the mail is sent
            )
            for user in password_reset_accounts(email)
        ]
    )
