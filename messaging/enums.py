from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    RSVP_REMINDER = "rsvp_reminder", _("Reminder to answer")
    MISSION_REMINDER = "mission_reminder", _("Reminder before the mission")
    ITINERARY_CHANGED = "itinerary_changed", _("Itinerary changed")
    FOLLOW_UP = "follow_up", _("Thank-you and feedback after the mission")
    ACTION_DUE = "action_due", _("Follow-up action due")
    PASSWORD_RESET = "password_reset", _("Link to choose a new password")
    MEETINGS_PUBLISHED = "meetings_published", _("Meeting schedule published")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    IN_FLIGHT = "in_flight", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", pgettext_lazy("message state", "Cancelled")


class ReminderAnchor(models.TextChoices):
    AFTER_INVITATION = "after_invitation", _("days after the invitation")
    BEFORE_DEADLINE = "before_deadline", _("days before the RSVP deadline")
    BEFORE_START = "before_start", _("days before the mission starts")
