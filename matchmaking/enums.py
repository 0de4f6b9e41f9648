from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SlotPicking(models.TextChoices):
    """Who puts an accepted meeting into a slot."""

    ORGANISERS = "organisers", _("Organisers schedule every meeting at once")
    PARTICIPANTS = "participants", _("Participants pick a slot when they accept")


class RequestStatus(models.TextChoices):
    # A meeting request is accepted ("angenommen"), an invitation accepted ("zugesagt").
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", pgettext_lazy("meeting request", "Accepted")
    DECLINED = "declined", pgettext_lazy("meeting request", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("meeting request", "Withdrawn")


# Still standing: waiting for an answer, or accepted. At most one such request per pair.
RequestStatus.OPEN = (RequestStatus.REQUESTED, RequestStatus.ACCEPTED)


class MeetingState(models.TextChoices):
    PRELIMINARY = "preliminary", _("Preliminary")
    FINAL = "final", _("Final")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


RunState.ACTIVE = (RunState.QUEUED, RunState.RUNNING)


class UnplacedReason(models.TextChoices):
    """Why the scheduler left an accepted meeting out."""

    NO_COMMON_SLOT = "no_common_slot", _("No slot in which both are free")
    TABLE_CAPACITY = "table_capacity", _("Every table is taken in the slots both are free")
    MEETING_LIMIT = "meeting_limit", _("One of the two has reached their meeting limit")


class Conflict(models.TextChoices):
    """Why a meeting cannot go into a slot at a table (a move checked like the scheduler)."""

    PERSON_BUSY = "person_busy", _("One of the two is not free in that slot.")
    DOUBLE_BOOKED = "double_booked", _("One of the two has another meeting in that slot.")
    TABLE_TAKEN = "table_taken", _("The table is taken in that slot.")
    NO_SUCH_TABLE = "no_such_table", _("The table is not one of that slot's block.")
    NO_SUCH_SLOT = "no_such_slot", _("There is no such slot.")
    MEETING_LIMIT = "meeting_limit", _("One of the two has reached their meeting limit.")
