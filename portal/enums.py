from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ArchiveState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("archive state", "Waiting")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", pgettext_lazy("archive state", "Failed")
