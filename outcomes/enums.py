from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OutcomeKind(models.TextChoices):
    LEAD = "lead", pgettext_lazy("outcome", "Lead")  # not the lead organisation
    MEETING = "meeting", _("Meeting held")
    AGREEMENT = "agreement", _("Agreement or memorandum of understanding")
    DEAL = "deal", _("Deal")
    INVESTMENT = "investment", _("Investment")
    JOBS = "jobs", _("Jobs created or kept")
    FOLLOW_ON_VISIT = "follow_on_visit", _("Follow-on visit")
    MEDIA = "media", _("Media coverage")


# The funnel of the reports, in its order: meetings held lead to leads, to agreements,
# to deals (set after the class, so `choices` stays the eight kinds).
OutcomeKind.FUNNEL = (
    OutcomeKind.MEETING,
    OutcomeKind.LEAD,
    OutcomeKind.AGREEMENT,
    OutcomeKind.DEAL,
)


class OutcomeStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    CONFIRMED = "confirmed", _("Confirmed")
    LOST = "lost", _("Lost")
