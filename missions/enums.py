from django.db import models
from django.utils.translation import gettext_lazy as _


class MissionKind(models.TextChoices):
    OUTBOUND = "outbound", _("Outbound trade mission")
    INBOUND = "inbound", _("Inbound delegation")
    STUDY_VISIT = "study_visit", _("Study visit")
    EVENT = "event", _("Conference or event")
    ONLINE = "online", _("Online meeting")


class MissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNING = "planning", _("Planning")
    CONFIRMED = "confirmed", _("Confirmed")
    UNDER_WAY = "under_way", _("Under way")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ItemKind(models.TextChoices):
    ROUND_TABLE = "round_table", _("Round table")
    SITE_VISIT = "site_visit", _("Site visit")
    MEETING = "meeting", _("Meeting")
    KEYNOTE = "keynote", _("Keynote or presentation")
    RECEPTION = "reception", _("Reception")
    MEAL = "meal", _("Meal")
    CULTURAL = "cultural", _("Cultural event")
    FESTIVAL = "festival", _("Festival or fair")
    TRAVEL = "travel", _("Travel")
    BRIEFING = "briefing", _("Briefing")
    FREE_TIME = "free_time", _("Free time")


class Audience(models.TextChoices):
    WHOLE_DELEGATION = "all", _("Whole delegation")
    SELECTED = "selected", _("Selected participants")


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("Delegation lead")
    DELEGATE = "delegate", _("Delegate")
    SPEAKER = "speaker", _("Speaker")
    HOST = "host", _("Host")
    ORGANISER = "organiser", _("Organiser")
    INTERPRETER = "interpreter", _("Interpreter")
    PRESS = "press", _("Press")


class RsvpStatus(models.TextChoices):
    NOT_INVITED = "not_invited", _("Not invited")
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    TENTATIVE = "tentative", _("Tentative")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The groups of answers, as attributes of the enum rather than members (so `choices` stays
# the six statuses): set after the class, where its members exist. One name per meaning.
# Said yes or maybe: on the list of who else is coming, reminded before the mission,
# thanked after it.
RsvpStatus.COMING = (RsvpStatus.ACCEPTED, RsvpStatus.TENTATIVE)
# Said no, or withdrawn by staff: no calendar events, not expected at items, not on the
# dietary and attendance lists, not an organiser to call.
RsvpStatus.NOT_COMING = (RsvpStatus.DECLINED, RsvpStatus.WITHDRAWN)
# Invited and not said no: who gets a booklet.
RsvpStatus.MAY_COME = (RsvpStatus.INVITED, *RsvpStatus.COMING)
# What a delegate can answer on their page (withdrawing is for staff).
RsvpStatus.DELEGATE_ANSWERS = (*RsvpStatus.COMING, RsvpStatus.DECLINED)
# The invitation has its answer, whether the delegate gave it or staff withdrew them.
RsvpStatus.ANSWERED = (*RsvpStatus.COMING, *RsvpStatus.NOT_COMING)
# Was sent an invitation, whatever they answered since: every status but "not invited".
# (Sending sets "invited"; a list imported with its answers arrives invited too.)
RsvpStatus.HAS_BEEN_INVITED = (RsvpStatus.INVITED, *RsvpStatus.ANSWERED)


class RsvpGroup(models.TextChoices):
    """How every page counts and filters the participants by invitation and answer: the
    mission's overview, the dashboard, the participants list and its filter, the
    invitation page (`missions.selectors.rsvp_group_counts`). "Invited" is everyone
    sent an invitation; the four answers below it add up to it."""

    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    TENTATIVE = "tentative", _("Tentative")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")
    NOT_INVITED = "not_invited", _("Not invited")


# The statuses of each group (withdrawn by staff counts as declined).
RsvpGroup.STATUSES = {
    RsvpGroup.INVITED: RsvpStatus.HAS_BEEN_INVITED,
    RsvpGroup.ACCEPTED: (RsvpStatus.ACCEPTED,),
    RsvpGroup.TENTATIVE: (RsvpStatus.TENTATIVE,),
    RsvpGroup.DECLINED: RsvpStatus.NOT_COMING,
    RsvpGroup.NO_ANSWER: (RsvpStatus.INVITED,),
    RsvpGroup.NOT_INVITED: (RsvpStatus.NOT_INVITED,),
}


class FeasibilityRule(models.TextChoices):
    OUTSIDE_DATES = "outside_dates", _("Outside the mission's dates")
    OVERLAP = "overlap", _("Participant booked on overlapping items")
    TRAVEL_TIME = "travel_time", _("Not enough time to get to the next venue")
    CAPACITY = "capacity", _("More attendees than capacity")
    ARRIVAL_DEPARTURE = "arrival_departure", _("Before arrival or after departure")
    SITE_VISIT_INCOMPLETE = "site_visit_incomplete", _("Site visit without venue or host")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    AGREED = "agreed", _("Agreement reached")
    DROPPED = "dropped", _("Dropped")


class AuditAction(models.TextChoices):
    """What an entry of the audit log records (missions/audit.py)."""

    EXPORT = "export", _("Personal data exported")
    BOOKLETS_DOWNLOADED = "booklets_downloaded", _("Booklet archive downloaded")
    PERSON_EXPORTED = "person_exported", _("Everything held about a person exported")
    LINK_ISSUED = "link_issued", _("Personal link issued")
    LINK_REGENERATED = "link_regenerated", _("Personal link regenerated")
    LINK_REVOKED = "link_revoked", _("Personal link revoked")
    PERSON_ERASED = "person_erased", _("Person erased")
    MISSION_ANONYMISED = "mission_anonymised", _("Personal data of a mission anonymised")
