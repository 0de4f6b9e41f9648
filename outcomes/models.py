"""What a mission achieved (`Outcome`), and the yearly rates that turn its values into
the reporting currency (`ExchangeRate`, kept by the admin).

A value is stored as recorded, in its own currency; the reports convert it with the rate
of the outcome's year (`outcomes/reports.py`). A value without a rate is never counted
as zero: the reports list it as a gap.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from matchmaking.models import Meeting
from missions.models import FollowUpAction, Mission, Participant
from organisations.models import Organisation
from outcomes.enums import OutcomeKind, OutcomeStatus

currency_code = RegexValidator(
    r"^[A-Z]{3}\Z", _("Enter a currency as its three-letter ISO 4217 code, e.g. EUR.")
)


class Outcome(models.Model):
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutcomeKind.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OutcomeStatus.choices,
        default=OutcomeStatus.EXPECTED,
    )
    date = models.DateField(_("date"))
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations involved"),
        related_name="outcomes",
        blank=True,
    )
    participants = models.ManyToManyField(
        Participant,
        verbose_name=_("participants involved"),
        related_name="outcomes",
        blank=True,
    )
    follow_up_action = models.ForeignKey(
        FollowUpAction,
        verbose_name=_("follow-up action"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
        help_text=_("The follow-up action it came from, if any."),
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("matchmaking meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
        help_text=_("The matchmaking meeting it came from, if any."),
    )
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[currency_code],
        help_text=_("ISO 4217 code, e.g. GBP or EUR."),
    )
    jobs = models.PositiveIntegerField(
        _("jobs"), null=True, blank=True, help_text=_("For jobs created or kept only.")
    )
    evidence = models.TextField(_("evidence notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_for = models.ForeignKey(
        Organisation,
        verbose_name=_("recorded for"),
        on_delete=models.PROTECT,
        related_name="recorded_outcomes",
        help_text=_("The side that recorded it: an organiser or a partner of the mission."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__isnull=True, currency="")
                | (models.Q(value__isnull=False) & ~models.Q(currency="")),
                name="outcome_value_has_currency",
                violation_error_message=_("A value needs its currency, and a currency a value."),
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True) | models.Q(value__gte=0),
                name="outcome_value_not_negative",
                violation_error_message=_("A value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(jobs__isnull=True) | models.Q(kind=OutcomeKind.JOBS),
                name="outcome_jobs_only_for_jobs_kind",
                violation_error_message=_("Only an outcome of jobs created or kept has jobs."),
            ),
        ]
        indexes = [models.Index(fields=["mission", "kind", "status"], name="outcome_mission_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.mission}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.kind != OutcomeKind.JOBS and self.jobs is not None:
            errors["jobs"] = _("Only an outcome of jobs created or kept has jobs.")
        if self.value is not None and not self.currency:
            errors["currency"] = _("A value needs its currency.")
        if self.currency and self.value is None:
            errors["value"] = _("A currency needs a value.")
        if self.mission_id and self.recorded_for_id:
            sides = Organisation.objects.filter(
                models.Q(organised_missions=self.mission_id)
                | models.Q(partnered_missions=self.mission_id)
            )
            if not sides.filter(pk=self.recorded_for_id).exists():
                errors["recorded_for"] = _("Only an organiser or a partner of the mission.")
        if self.follow_up_action_id and self.follow_up_action.mission_id != self.mission_id:
            errors["follow_up_action"] = _("The follow-up action is of another mission.")
        if self.meeting_id and self.meeting.request.mission_id != self.mission_id:
            errors["meeting"] = _("The meeting is of another mission.")
        if errors:
            raise ValidationError(errors)


class ExchangeRate(models.Model):
    """What one unit of a currency was worth in the reporting currency in a year
    (`settings.OUTCOMES_REPORTING_CURRENCY`), e.g. 2025 EUR 0.85 for GBP."""

    year = models.PositiveSmallIntegerField(_("year"))
    currency = models.CharField(
        _("currency"), max_length=3, validators=[currency_code], help_text=_("ISO 4217 code.")
    )
    rate = models.DecimalField(
        _("rate"),
        max_digits=18,
        decimal_places=8,
        help_text=_("One unit of the currency in the reporting currency."),
    )

    class Meta:
        ordering = ["-year", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "currency"],
                name="exchange_rate_unique_per_year",
                violation_error_message=_("This currency already has a rate for this year."),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message=_("A rate must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.currency} {self.rate}"
