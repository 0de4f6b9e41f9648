"""What the outbox sends: every message kind with its renderer, registered as the app starts.

All kinds render through messaging/emails.py; every kind but the invitation and the
password reset (messaging/password_resets.py) can lose its reason while it waits (the
person answered, withdrew, the action was closed), so those are checked by
messaging/reminders.py just before they are sent.
"""

from messaging import emails, outbox, reminders
from messaging.enums import MessageKind


def register_all() -> None:
    for kind in MessageKind:
        outbox.register(
            kind,
            render=emails.batch_renderer,
            cancel_stale=None
            if kind in (MessageKind.INVITATION, MessageKind.PASSWORD_RESET)
            else lambda ids: reminders.messages_cancel_stale(ids=ids),
        )
