"""B2B matchmaking of a mission: profiles, meeting requests, meeting blocks, meetings.

Delegates and hosts (local companies, agencies) who take part describe themselves in a
`Profile`; one asks another for a meeting (`MeetingRequest`); organisers mark itinerary
items as `MeetingBlock`s of slots at `Table`s; the scheduler (`matchmaking.scheduler`)
puts the accepted meetings into slots (`Meeting`), run by a worker and followed on a
`ScheduleRun`. What each mission chose is its `MatchmakingSettings`.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Greatest, Least
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from matchmaking.enums import MeetingState, RequestStatus, RunState, SlotPicking
from missions.display import LANGUAGE_CODE
from missions.models import ItineraryItem, Mission, Participant
from organisations.models import Sector

DEFAULT_MAX_MEETINGS = 12


class MatchmakingSettings(models.Model):
    """How a mission runs its matchmaking (as b2match lets an event choose)."""

    mission = models.OneToOneField(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="matchmaking_settings",
    )
    requests_need_acceptance = models.BooleanField(
        _("requests need acceptance"),
        default=True,
        help_text=_("Else a request counts as accepted as soon as it is made."),
    )
    slot_picking = models.CharField(
        _("who picks the slots"),
        max_length=20,
        choices=SlotPicking.choices,
        default=SlotPicking.ORGANISERS,
    )
    max_meetings_per_person = models.PositiveSmallIntegerField(
        _("meetings per person at most"),
        default=DEFAULT_MAX_MEETINGS,
        validators=[MinValueValidator(1)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("matchmaking settings")
        verbose_name_plural = _("matchmaking settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_meetings_per_person__gte=1),
                name="matchmaking_settings_max_meetings_positive",
                violation_error_message=_("Allow at least one meeting per person."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.mission)


language_code = RegexValidator(LANGUAGE_CODE, _("Use two- or three-letter language codes."))


def validate_languages(value: object) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("A list of language codes."), code="invalid")
    for code in value:
        language_code(code if isinstance(code, str) else "")


class Profile(models.Model):
    """What a participant taking part in matchmaking tells the other side."""

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="matchmaking_profile",
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    offer = models.TextField(_("what we offer"), blank=True, max_length=1000)
    seek = models.TextField(_("what we seek"), blank=True, max_length=1000)
    pitch = models.TextField(_("pitch"), blank=True, max_length=600)
    languages = models.JSONField(
        _("languages spoken"),
        default=list,
        blank=True,
        validators=[validate_languages],
        help_text=_("Language codes, e.g. en, de."),
    )
    opted_in = models.BooleanField(
        _("shown to others"),
        default=False,
        help_text=_("Only profiles shown to others can be browsed and asked for a meeting."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matchmaking profile")
        verbose_name_plural = _("matchmaking profiles")

    def __str__(self) -> str:
        return str(self.participant)

    def clean(self) -> None:
        """A profile shown to others says what its participant offers or seeks: the
        other side has nothing to choose by otherwise."""
        if self.opted_in and not (self.offer.strip() or self.seek.strip()):
            raise ValidationError(
                {"offer": _("Say what you offer or what you seek before showing it.")},
                code="shown_without_offer_or_seek",
            )


class MeetingRequest(models.Model):
    """One participant asks another for a meeting. A pair has at most one open request:
    when the other side asks too, the request becomes mutual (and accepted)."""

    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="meeting_requests",
    )
    requester = models.ForeignKey(
        Participant,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="meeting_requests_made",
    )
    recipient = models.ForeignKey(
        Participant,
        verbose_name=_("asked"),
        on_delete=models.CASCADE,
        related_name="meeting_requests_received",
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    mutual = models.BooleanField(
        _("mutual"), default=False, help_text=_("Both asked for this meeting.")
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(requester=models.F("recipient")),
                name="meeting_request_not_to_oneself",
                violation_error_message=_("Nobody can ask themselves for a meeting."),
            ),
            models.UniqueConstraint(
                fields=["requester", "recipient"],
                name="meeting_request_unique_per_pair",
                violation_error_message=_("This meeting was asked for already."),
            ),
            # One open request a pair, whoever asked: the second asking makes it mutual.
            models.UniqueConstraint(
                Least("requester", "recipient"),
                Greatest("requester", "recipient"),
                condition=models.Q(status__in=RequestStatus.OPEN),
                name="meeting_request_one_open_per_pair",
                violation_error_message=_("This meeting was asked for already."),
            ),
        ]
        indexes = [models.Index(fields=["mission", "status"])]

    def __str__(self) -> str:
        return f"{self.requester} → {self.recipient}"

    @property
    def pair(self) -> tuple[int, int]:
        return self.requester_id, self.recipient_id

    def other_than(self, participant: Participant) -> Participant:
        """Whom `participant`, one of the pair, meets."""
        return self.recipient if self.requester_id == participant.pk else self.requester

    @property
    def meeting_is_final(self) -> bool:
        """Whether its meeting is in the published schedule: both sides were told it is
        final, so it stays unless the organisers move or cancel it."""
        meeting = getattr(self, "meeting", None)  # None when it has no meeting
        return meeting is not None and meeting.state == MeetingState.FINAL


class MeetingBlock(models.Model):
    """An itinerary item given over to one-to-one meetings, cut into slots."""

    item = models.OneToOneField(
        ItineraryItem,
        verbose_name=_("itinerary item"),
        on_delete=models.CASCADE,
        related_name="meeting_block",
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=20, validators=[MinValueValidator(5)]
    )
    break_minutes = models.PositiveSmallIntegerField(
        _("break between slots (minutes)"), default=5, validators=[MaxValueValidator(240)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting block")
        verbose_name_plural = _("meeting blocks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=5),
                name="meeting_block_slot_at_least_5_minutes",
                violation_error_message=_("A slot lasts at least 5 minutes."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.item)

    def slot_times(self) -> list[tuple[dt.datetime, dt.datetime]]:
        """The slots of the block, (start, end) in UTC: from the item's start, one after
        another with the break between them, as many as end by the item's end."""
        slot = dt.timedelta(minutes=self.slot_minutes)
        step = slot + dt.timedelta(minutes=self.break_minutes)
        times = []
        start = self.item.starts_at
        while start + slot <= self.item.ends_at:
            times.append((start, start + slot))
            start += step
        return times


class Table(models.Model):
    """A table or a named room of a meeting block: one meeting a slot."""

    block = models.ForeignKey(
        MeetingBlock,
        verbose_name=_("meeting block"),
        on_delete=models.CASCADE,
        related_name="tables",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("A room's name."))

    class Meta:
        ordering = ["block", "number"]
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        constraints = [
            models.UniqueConstraint(
                fields=["block", "number"],
                name="table_unique_number_per_block",
                violation_error_message=_("The block has a table of this number already."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or _("Table %(number)d") % {"number": self.number}


class Unavailability(models.Model):
    """A time a participant said they cannot meet."""

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="unavailabilities",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["participant", "starts_at"]
        verbose_name = _("unavailability")
        verbose_name_plural = _("unavailabilities")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="unavailability_end_after_start",
                violation_error_message=_("The time must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.starts_at:%Y-%m-%d %H:%M}"


class Meeting(models.Model):
    """An accepted request in a slot of a block, at a table."""

    request = models.OneToOneField(
        MeetingRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="meeting"
    )
    block = models.ForeignKey(
        MeetingBlock, verbose_name=_("meeting block"), on_delete=models.CASCADE, related_name="+"
    )
    table = models.ForeignKey(
        Table, verbose_name=_("table"), on_delete=models.RESTRICT, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("The scheduler leaves it where it is.")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=MeetingState.choices, default=MeetingState.PRELIMINARY
    )
    # The calendar's UID: stays while the meeting moves, so a feed updates the event.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "table__number"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_end_after_start",
                violation_error_message=_("The meeting must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["table", "starts_at"],
                name="meeting_unique_table_per_slot",
                violation_error_message=_("The table is taken in that slot."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} ({self.starts_at:%Y-%m-%d %H:%M})"


class ScheduleRun(models.Model):
    """One run of the scheduler for a mission, followed by the page that started it."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="schedule_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=RunState.choices, default=RunState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=50, blank=True)
    placed = models.PositiveIntegerField(_("meetings placed"), default=0)
    unplaced = models.PositiveIntegerField(_("meetings not placed"), default=0)
    # [{"request": id, "reason": UnplacedReason}] of the meetings not placed.
    unplaced_reasons = models.JSONField(_("why not placed"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("schedule run")
        verbose_name_plural = _("schedule runs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="schedule_run_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mission} ({self.get_state_display()})"
