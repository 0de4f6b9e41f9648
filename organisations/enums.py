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
    ADMIN = "admin", _("Administrator")  # a planner who also sees the audit log
    VIEWER = "viewer", _("Viewer")


# The roles that run the organisation's missions (set after the class, so `choices` stays
# the three roles): planners, and administrators, who also see the audit log.
MembershipRole.PLANS = (MembershipRole.PLANNER, MembershipRole.ADMIN)
