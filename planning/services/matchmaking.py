"""Matchmaking's writes that tell people: publishing the schedule, moving a published
meeting. The rules are matchmaking's (`matchmaking.services.meetings`); the mail is the
outbox's (`messaging.reminders`); this room joins the two, as `services/itinerary.py`
does for the itinerary."""

import datetime as dt

from django.db import transaction

from matchmaking.enums import MeetingState
from matchmaking.models import Meeting, MeetingBlock, Table
from matchmaking.services.meetings import meeting_move, schedule_publish
from messaging import reminders
from missions.models import Mission


@transaction.atomic
def schedule_publish_and_notify(*, mission: Mission) -> int:
    """Make the mission's preliminary meetings final, and send each person who has one of
    them their schedule (one mail each, in their language); how many meetings were
    published."""
    published = Meeting.objects.filter(request__mission=mission, state=MeetingState.PRELIMINARY)
    people = set()
    for requester, recipient in published.values_list("request__requester", "request__recipient"):
        people |= {requester, recipient}
    count = schedule_publish(mission=mission)
    if count:
        reminders.meetings_published_queue(mission=mission, participant_ids=people)
    return count


@transaction.atomic
def meeting_move_and_notify(
    *, meeting: Meeting, block: MeetingBlock, starts_at: dt.datetime, table: Table | None
) -> Meeting:
    """Move a meeting (checked like the scheduler's placements, `meeting_move`); when it
    was published and now is elsewhere, both people get the "itinerary changed" notice."""
    before = reminders.meeting_when(meeting) if meeting.state == MeetingState.FINAL else None
    moved = meeting_move(meeting=meeting, block=block, starts_at=starts_at, table=table)
    if before is not None:
        moved = Meeting.objects.select_related("table", "block__item", "request__mission").get(
            pk=moved.pk
        )
        if reminders.meeting_when(moved) != before:
            reminders.meeting_notices_queue(meeting=moved, before=before)
    return moved
