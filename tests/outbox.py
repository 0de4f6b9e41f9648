"""Test helpers for the outbox shared by the unit and end-to-end tests."""

import contextlib
from collections.abc import Iterator
from unittest import mock

from messaging import outbox
from messaging.enums import MessageState
from messaging.models import OutgoingMessage


@contextlib.contextmanager
def taken_by_another_worker_once_read(message: OutgoingMessage) -> Iterator[None]:
    """Within the block, a batch that reads its rows finds `message` claimed by another
    worker right after: it read the row as queued, its claim finds it in flight."""
    read_rows = outbox._rows

    def rows_then_taken(ids):
        rows = read_rows(ids)
        OutgoingMessage.objects.filter(pk=message.pk).update(state=MessageState.IN_FLIGHT)
        return rows

    with mock.patch.object(outbox, "_rows", rows_then_taken):
        yield
