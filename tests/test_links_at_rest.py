"""No working personal link at rest: what a data-protection officer finds grepping a dump.

Staff invite a delegate from the workspace, the worker sends the mail, the delegate opens
their page, answers, looks at their calendar, and staff regenerate the link and send it
again. Then every row of every table (history, outbox, kept pages unzipped, Celery's and
django-axes' tables included) is read back: none holds a token of either link, the page's
or the calendar's, and no log line names one.
"""

import datetime as dt
import gzip
import logging
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from messaging import outbox
from messaging.models import OutgoingMessage
from missions.enums import RsvpStatus
from missions.models import Participant
from missions.tokens import calendar_token_for
from tests.factories import ItineraryItemFactory, MissionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

PAGE_LINK = re.compile(r"/d/([0-9a-f]{64})/")


@pytest.fixture
def mission():
    start = timezone.localdate() + dt.timedelta(days=20)
    mission = MissionFactory(start_date=start, end_date=start + dt.timedelta(days=2))
    ItineraryItemFactory(mission=mission, title="Welcome reception")
    return mission


def _send_mail() -> None:
    outbox.deliver(OutgoingMessage.objects.values_list("pk", flat=True))


def _token_in(email) -> str:
    [token] = set(PAGE_LINK.findall(email.body))
    return token


def _text(value) -> str:
    """A column's value as a dump shows it; kept pages unzipped."""
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        if value.startswith(b"\x1f\x8b"):
            value = gzip.decompress(value)
        return value.decode("latin-1")
    return str(value)


def _rows_holding(secrets: list[str]) -> list[str]:
    """`table: secret` for each row of any table that holds one of `secrets`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  (our own table names)
            for row in cursor.fetchall():
                text = " ".join(_text(value) for value in row)
                found += [f"{table}: {secret}" for secret in secrets if secret in text]
    return found


def test_no_table_row_holds_a_working_link_after_invitations_visits_and_a_new_link(
    client, planner, mission, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    participant = ParticipantFactory(mission=mission)
    delegate = Client()
    caplog.set_level(logging.DEBUG)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("plan:invitation-compose", kwargs={"pk": mission.pk}),
            {"participants": [participant.pk], "send": "1"},
        )
    _send_mail()
    first = _token_in(mailoutbox[-1])
    participant.refresh_from_db()
    first_feed = calendar_token_for(participant=participant)
    # Not kept while it asks for the answer (its form shows what the delegate told us).
    assert delegate.get(reverse("delegate:page", kwargs={"token": first})).status_code == 200
    answered = delegate.post(
        reverse("delegate:page", kwargs={"token": first}),
        {"answer": RsvpStatus.ACCEPTED, "dietary_requirements": "vegetarian"},
    )
    assert answered.status_code == 302
    for _ in range(2):  # the first visit is remembered, the second kept
        assert delegate.get(reverse("delegate:page", kwargs={"token": first})).status_code == 200
    for name in ("delegate:page", "delegate:calendar", "delegate:calendar-ics"):
        assert delegate.get(reverse(name, kwargs={"token": first})).status_code == 200
    assert delegate.get(reverse("calendar:feed", kwargs={"token": first_feed})).status_code == 200

    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("plan:link-regenerate", kwargs={"pk": participant.pk}), {"send": "1"})
    _send_mail()
    second = _token_in(mailoutbox[-1])
    participant.refresh_from_db()
    second_feed = calendar_token_for(participant=participant)
    assert delegate.get(reverse("delegate:page", kwargs={"token": second})).status_code == 200
    assert delegate.get(reverse("delegate:calendar", kwargs={"token": second})).status_code == 200

    tokens = [first, first_feed, second, second_feed]
    assert len(set(tokens)) == 4
    assert Participant.objects.get(pk=participant.pk).rsvp_status == RsvpStatus.ACCEPTED
    assert _rows_holding(tokens) == []
    logged = [record.getMessage() for record in caplog.records]
    assert [line for line in logged for token in tokens if token in line] == []
