"""What the delegate portal keeps: rendered pages and prepared booklet archives."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from missions.models import Mission, Participant
from portal.enums import ArchiveState


class DelegatePage(models.Model):
    """A participant's own page (`/d/<token>/`) as last rendered, gzipped.

    It is served again while its `key` is the page's current one and until
    `fresh_until`; see `portal.delegate_cache`. Kept in the database, not in Redis, so
    that the one query that checks the personal link also brings the page along.
    """

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    key = models.CharField(max_length=64)
    gzipped = models.BinaryField()
    marks_changes = models.BooleanField(help_text=_("It marks changes since the last visit."))
    fresh_until = models.DateTimeField()

    class Meta:
        db_table = "missions_delegatepage"  # kept from the missions app: no table was rebuilt
        verbose_name = _("rendered delegate page")
        verbose_name_plural = _("rendered delegate pages")

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.key}"


class BookletArchive(models.Model):
    """Every delegate's booklet of a mission in one ZIP, prepared by a worker.

    A booklet takes a quarter of a second or more to lay out, so a mission's hundreds
    do not fit in a web request: staff ask for the archive, a worker builds it
    (`portal.booklet_archives`), counting `done` of `total` as it goes, and staff
    download the file once it is ready.
    """

    mission = models.ForeignKey(
        Mission,
        verbose_name=_("mission"),
        on_delete=models.CASCADE,
        related_name="booklet_archives",
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
        _("state"), max_length=20, choices=ArchiveState.choices, default=ArchiveState.QUEUED
    )
    total = models.PositiveIntegerField(_("booklets"), default=0)
    done = models.PositiveIntegerField(_("booklets done"), default=0)
    file = models.FileField(_("file"), upload_to="booklets/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        db_table = "missions_bookletarchive"  # kept from the missions app: no table was rebuilt
        ordering = ["-created_at"]
        verbose_name = _("booklet archive")
        verbose_name_plural = _("booklet archives")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")),
                name="booklet_archive_done_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mission} ({self.get_state_display()})"
