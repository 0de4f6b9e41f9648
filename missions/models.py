"""Missions, their day-by-day itinerary and their participants.

Times are stored in UTC. An item is shown in the time zone of its venue, or of the
mission's destination when it has no venue (`ItineraryItem.time_zone`).
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords
from timezone_field import TimeZoneField

from missions.enums import (
    ActionStatus,
    Audience,
    AuditAction,
    FeasibilityRule,
    ItemKind,
    MissionKind,
    MissionStatus,
    ParticipantRole,
    RsvpStatus,
)
from organisations.models import Organisation, Person, Sector, Venue


class Mission(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MissionKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=MissionStatus.choices, default=MissionStatus.DRAFT
    )
    destination_city = models.CharField(_("destination city"), max_length=100)
    destination_country = CountryField(_("destination country"))
    time_zone = TimeZoneField(
        _("time zone of the destination"), help_text=_("IANA name, e.g. Asia/Tokyo.")
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    lead_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="led_missions",
    )
    organisers = models.ManyToManyField(
        Organisation,
        verbose_name=_("organising organisations"),
        related_name="organised_missions",
        help_text=_("Their planners run the mission."),
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("partner organisations"),
        related_name="partnered_missions",
        blank=True,
        help_text=_("Their planners see the mission read-only."),
    )
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    description = models.TextField(_("description"), blank=True)
    rsvp_deadline = models.DateField(_("RSVP deadline"), null=True, blank=True)
    travel_buffer_minutes = models.PositiveSmallIntegerField(
        _("travel buffer (minutes)"),
        default=15,
        help_text=_("Added to the travel time between two venues in the feasibility checks."),
    )
    personal_data_anonymised_at = models.DateTimeField(
        _("personal data anonymised"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Past its retention, the participants' personal data were anonymised."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="mission_end_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=models.Q(rsvp_deadline__isnull=True)
                | models.Q(rsvp_deadline__lte=models.F("end_date")),
                name="mission_rsvp_deadline_not_after_end",
                violation_error_message=_("The RSVP deadline cannot be after the last day."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day.")})

    @property
    def duration_days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def has_ended(self) -> bool:
        """Its last day is over where it takes place, or staff marked it completed."""
        if self.status == MissionStatus.COMPLETED:
            return True
        return timezone.localdate(timezone=self.time_zone) > self.end_date


class ItineraryItem(models.Model):
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("venue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    host = models.ForeignKey(
        Organisation,
        verbose_name=_("host organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_items",
    )
    meeting_point = models.CharField(_("meeting point"), max_length=300, blank=True)
    online_link = models.URLField(
        _("online meeting link"), blank=True, help_text=_("For remote speakers and attendees.")
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.WHOLE_DELEGATION
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("itinerary item")
        verbose_name_plural = _("itinerary items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="item_end_after_start",
                violation_error_message=_("The item must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["mission", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def time_zone(self) -> zoneinfo.ZoneInfo:
        """The zone the item is shown in: its venue's, else the mission's destination."""
        return self.venue.time_zone if self.venue_id else self.mission.time_zone

    @property
    def local_starts_at(self) -> dt.datetime:
        return timezone.localtime(self.starts_at, self.time_zone)

    @property
    def local_ends_at(self) -> dt.datetime:
        return timezone.localtime(self.ends_at, self.time_zone)

    def clean(self) -> None:
        super().clean()
        if not (self.mission_id and self.starts_at and self.ends_at):
            return
        mission = self.mission
        errors = {}
        if self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The item must end after it starts.")
        first, last = mission.start_date, mission.end_date
        if not first <= self.local_starts_at.date() <= last:
            errors["starts_at"] = _(
                "The item starts on %(day)s, outside the mission (%(first)s to %(last)s)."
            ) % {"day": self.local_starts_at.date(), "first": first, "last": last}
        if not first <= self.local_ends_at.date() <= last:
            errors["ends_at"] = _(
                "The item ends on %(day)s, outside the mission (%(first)s to %(last)s)."
            ) % {"day": self.local_ends_at.date(), "first": first, "last": last}
        if errors:
            raise ValidationError(errors)


class Participant(models.Model):
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.DELEGATE
    )
    rsvp_status = models.CharField(
        _("RSVP"), max_length=20, choices=RsvpStatus.choices, default=RsvpStatus.NOT_INVITED
    )
    # What the person tells this mission, for this mission's organisers only.
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    dietary_requirements = models.CharField(_("dietary requirements"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    arrival_at = models.DateTimeField(_("arrival"), null=True, blank=True)
    arrival_details = models.CharField(
        _("arrives by"), max_length=100, blank=True, help_text=_("Flight or train number.")
    )
    departure_at = models.DateTimeField(_("departure"), null=True, blank=True)
    departure_details = models.CharField(
        _("departs by"), max_length=100, blank=True, help_text=_("Flight or train number.")
    )
    notes = models.TextField(_("notes"), blank=True)
    listed = models.BooleanField(
        _("listed to other delegates"),
        default=False,
        help_text=_("The participant agreed that other delegates see their name."),
    )
    language = models.CharField(
        _("language"),
        max_length=5,
        blank=True,
        help_text=_("Chosen on the personal page; else the person's preferred language."),
    )
    # The personal link: a secret derived from this random nonce (see missions.tokens);
    # only the token's SHA-256 is stored, for look-up. No nonce: no valid link. The
    # calendar feed's read-only token is derived from the same nonce, with its own hash.
    token_nonce = models.CharField(max_length=64, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    calendar_token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    token_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    page_seen_at = models.DateTimeField(
        _("personal page last seen"),
        null=True,
        blank=True,
        help_text=_("Changes after this moment are marked on the delegate's page."),
    )
    items = models.ManyToManyField(
        ItineraryItem,
        verbose_name=_("itinerary items"),
        related_name="attendees",
        blank=True,
        help_text=_("Items for selected participants that this person attends."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    # What the person told this mission: for its organisers' eyes only
    # (`missions.selectors.can_see_personal_data`).
    PERSONAL_FIELDS = (
        "phone",
        "dietary_requirements",
        "accessibility_needs",
        "arrival_at",
        "arrival_details",
        "departure_at",
        "departure_details",
        "notes",
    )

    class Meta:
        ordering = ["mission", "person__full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "person"],
                name="participant_unique_person_per_mission",
                violation_error_message=_("This person already takes part in the mission."),
            ),
            models.CheckConstraint(
                condition=models.Q(arrival_at__isnull=True)
                | models.Q(departure_at__isnull=True)
                | models.Q(departure_at__gt=models.F("arrival_at")),
                name="participant_departure_after_arrival",
                violation_error_message=_("Departure must be after arrival."),
            ),
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~models.Q(token_hash=""),
                name="participant_unique_token_hash",
            ),
            models.UniqueConstraint(
                fields=["calendar_token_hash"],
                condition=~models.Q(calendar_token_hash=""),
                name="participant_unique_calendar_token_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.mission})"

    @property
    def own_answer(self) -> str:
        """The answer the participant gave on their page, as shown to them; "" before they
        answered, or once staff withdrew them."""
        if self.rsvp_status in RsvpStatus.DELEGATE_ANSWERS:
            return self.get_rsvp_status_display()
        return ""


class WarningAcknowledgement(models.Model):
    """Staff accepted one feasibility warning on an item, with a reason.

    It holds while the item is unchanged: `item_updated_at` is the item's `updated_at`
    when it was acknowledged, and any later save of the item makes it stale.
    """

    item = models.ForeignKey(
        ItineraryItem,
        verbose_name=_("itinerary item"),
        on_delete=models.CASCADE,
        related_name="acknowledgements",
    )
    rule = models.CharField(_("rule"), max_length=30, choices=FeasibilityRule.choices)
    subject = models.CharField(
        _("subject"),
        max_length=50,
        blank=True,
        help_text=_("What the warning is about beyond the item, e.g. a participant's id."),
    )
    reason = models.TextField(_("reason"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), auto_now_add=True)
    item_updated_at = models.DateTimeField(_("item version"))

    class Meta:
        verbose_name = _("acknowledged warning")
        verbose_name_plural = _("acknowledged warnings")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "rule", "subject"], name="acknowledgement_unique_per_warning"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.item}"

    @property
    def is_current(self) -> bool:
        return self.item_updated_at == self.item.updated_at


class Feedback(models.Model):
    """A participant's answer to the thank-you after the mission."""

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("given"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 · {self.participant}"


class ItemRating(models.Model):
    """What a participant, in their feedback, gave one item of the mission's itinerary.

    Optional, item by item: an item they did not attend, or would not rate, has no row.
    The item is one of the participant's mission (`clean`; the feedback form offers only
    those, and `portal.services.rsvp.feedback_record` checks them).
    """

    feedback = models.ForeignKey(
        Feedback,
        verbose_name=_("feedback"),
        on_delete=models.CASCADE,
        related_name="item_ratings",
    )
    item = models.ForeignKey(
        ItineraryItem,
        verbose_name=_("itinerary item"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    rating = models.PositiveSmallIntegerField(_("rating"))

    class Meta:
        ordering = ["item__starts_at", "item"]
        verbose_name = _("item rating")
        verbose_name_plural = _("item ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "item"],
                name="item_rating_unique_per_feedback",
                violation_error_message=_("This item is already rated in this feedback."),
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="item_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}/5 · {self.item}"

    def clean(self) -> None:
        super().clean()
        feedback = getattr(self, "feedback", None)  # none yet: nothing to compare
        if self.item_id is None or feedback is None or feedback.participant_id is None:
            return
        if self.item.mission_id != feedback.participant.mission_id:
            raise ValidationError({"item": _("This item is not of the participant's mission.")})


class FollowUpAction(models.Model):
    """Something agreed during a mission that someone must follow up."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="actions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="follow_up_actions",
    )
    contact = models.ForeignKey(
        Person,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_actions",
    )
    agreed = models.TextField(_("what was agreed"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="follow_up_actions",
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.agreed[:50]}"


class AuditEntry(models.Model):
    """One export or download of personal data, or one change of a personal link: who,
    when, what and from where. Written only by `missions.audit`; read by the
    organisation's administrators (`missions.selectors.audit_entries_for`).

    It outlives what it names: a deleted mission, participant, person or user leaves the
    entry with the link cleared. The description never holds a person's name or address,
    so erasing a person (planning.services.personal_data) leaves nothing of them here.
    """

    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor = models.CharField(
        _("who"), max_length=150, help_text=_("The user's name at the time, or “system”.")
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Whose administrators see an entry that names no mission."),
    )
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["mission", "-at"], name="audit_mission_at"),
            models.Index(fields=["-at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor}: {self.get_action_display()}"
