"""The directory: sectors, organisations, their venues and people, and staff memberships."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords
from timezone_field import TimeZoneField

from organisations.enums import Language, MembershipRole, OrganisationKind


class Sector(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_de = models.CharField(_("German name"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the language spoken now: the German one, where there is one."""
        german = (get_language() or "").startswith("de")
        return self.name_de if german and self.name_de else self.name


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    sectors = models.ManyToManyField(Sector, verbose_name=_("sectors"), blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="units",
        help_text=_("STEAMHouse, for example, is part of Birmingham City University."),
    )
    two_factor_required = models.BooleanField(
        _("two-factor sign-in required"),
        default=False,
        help_text=_(
            "Its planners sign in with a code from an authenticator app as well as their "
            "password (from their next sign-in)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "city", name="organisation_unique_name_per_city"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="organisation_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="venues",
    )
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    time_zone = TimeZoneField(_("time zone"), help_text=_("IANA name, e.g. Europe/London."))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Access, parking, entrance."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["city", "name"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="venue_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="venue_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="venue_coordinates_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"


class Person(models.Model):
    """Someone in the shared directory: who they are and where they work, nothing more.

    What a person tells one mission (phone, dietary and accessibility needs, travel) is
    that mission's `missions.Participant`, seen only by its organisers.
    """

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = TimeZoneField(
        _("home time zone"),
        null=True,
        blank=True,
        help_text=_("Shown alongside local times when the person travels."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="person_unique_email_ci",
                violation_error_message=_("A person with this e-mail address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Membership(models.Model):
    """A staff user working for an organisation: planners of an organisation run its missions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.PLANNER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"
