from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    CITY_COUNCIL = "city_council", _("City council")
    ECONOMIC_DEVELOPMENT = "economic_development", _("Economic development agency")
    CHAMBER = "chamber", _("Chamber of commerce")
    UNIVERSITY = "university", _("University")
    COMPANY = "company", _("Company")
    INCUBATOR = "incubator", _("Incubator or accelerator")
    CULTURAL = "cultural", _("Cultural institution")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")


class MembershipRole(models.TextChoices):
    PLANNER = "planner", _("Planner")
    VIEWER = "viewer", _("Viewer")
