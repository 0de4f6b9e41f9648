"""Reads of missions, scoped to what a user may see or change.

This module is the one place that decides who sees which mission. Every view looks
its objects up through these querysets, so an object out of scope is a 404.

- Planners of an organisation that organises a mission may change it.
- Members of its organisers with the viewer role, and members of its partner
  organisations, may see it read-only.
- Superusers see and change everything; anonymous users and everyone else see nothing.
- What the participants told a mission (e-mail, phone, dietary and accessibility needs,
  travel, notes) is shown and exported only to those who may change the mission, its
  organisers (`can_see_personal_data`, `mission_for(..., personal_data=True)`); read-only
  users see names, organisations, roles and answers.
- The audit log of an organisation's missions is for its administrators (and superusers).
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from missions.attendance import attended_by
from missions.enums import RsvpGroup
from missions.models import AuditEntry, Feedback, ItineraryItem, Mission, Participant
from organisations.enums import MembershipRole
from organisations.models import Organisation
from organisations.selectors import planner_organisations

User = AbstractBaseUser | AnonymousUser


def missions_visible_to(user: User) -> QuerySet[Mission]:
    """Missions that one of the user's organisations organises or partners; all for superusers."""
    missions = Mission.objects.all()
    if not user.is_authenticated:
        return missions.none()
    if user.is_superuser:
        return missions
    organisations = user.memberships.values("organisation")
    return missions.filter(
        pk__in=Mission.objects.filter(
            Q(organisers__in=organisations) | Q(partners__in=organisations)
        ).values("pk")
    )


def missions_editable_by(user: User) -> QuerySet[Mission]:
    """Missions that one of the user's organisations organises and the user plans for."""
    missions = Mission.objects.all()
    if not user.is_authenticated:
        return missions.none()
    if user.is_superuser:
        return missions
    organisations = planner_organisations(user)
    return missions.filter(pk__in=Mission.objects.filter(organisers__in=organisations).values("pk"))


def missions_with_personal_data_for(user: User) -> QuerySet[Mission]:
    """Missions whose participants' personal data the user sees: the organisers' (the
    planners of an organising organisation), the same as `missions_editable_by`."""
    return missions_editable_by(user)


def mission_for(user: User, pk: int, *, edit: bool = False, personal_data: bool = False) -> Mission:
    """The mission if the user may see it (or change it, with `edit`; or see its
    participants' personal data, with `personal_data`), else 404."""
    if personal_data:
        scope = missions_with_personal_data_for(user)
    elif edit:
        scope = missions_editable_by(user)
    else:
        scope = missions_visible_to(user)
    return get_object_or_404(scope.select_related("lead_organisation"), pk=pk)


def can_edit(user: User, mission: Mission) -> bool:
    return missions_editable_by(user).filter(pk=mission.pk).exists()


def can_see_personal_data(user: User, mission: Mission) -> bool:
    """Whether the user sees what the mission's participants told it (see the top)."""
    return missions_with_personal_data_for(user).filter(pk=mission.pk).exists()


def item_for(user: User, pk: int, *, edit: bool = False) -> ItineraryItem:
    scope = missions_editable_by(user) if edit else missions_visible_to(user)
    return get_object_or_404(
        ItineraryItem.objects.select_related("mission", "venue", "host"),
        pk=pk,
        mission__in=scope,
    )


def participant_for(user: User, pk: int, *, edit: bool = False) -> Participant:
    scope = missions_editable_by(user) if edit else missions_visible_to(user)
    return get_object_or_404(
        Participant.objects.select_related("mission", "person", "person__organisation"),
        pk=pk,
        mission__in=scope,
    )


def missions_of_organisation(*, organisation: Organisation, user: User) -> QuerySet[Mission]:
    """The missions the organisation took part in that the user may see, with its roles.

    Each mission carries booleans `as_lead`, `as_organiser`, `as_partner`, `as_host` (of an
    item) and `as_participants` (through its people).
    """
    organisers = Mission.organisers.through.objects.filter(
        mission=OuterRef("pk"), organisation=organisation
    )
    partners = Mission.partners.through.objects.filter(
        mission=OuterRef("pk"), organisation=organisation
    )
    hosted = ItineraryItem.objects.filter(mission=OuterRef("pk"), host=organisation)
    people = Participant.objects.filter(mission=OuterRef("pk"), person__organisation=organisation)
    return (
        missions_visible_to(user)
        .annotate(
            as_lead=Q(lead_organisation=organisation),
            as_organiser=Exists(organisers),
            as_partner=Exists(partners),
            as_host=Exists(hosted),
            as_participants=Exists(people),
        )
        .filter(
            Q(as_lead=True)
            | Q(as_organiser=True)
            | Q(as_partner=True)
            | Q(as_host=True)
            | Q(as_participants=True)
        )
        .order_by("-start_date", "title")
    )


def participant_items(
    participant: Participant, *, include_cancelled: bool = False
) -> QuerySet[ItineraryItem]:
    """The items a participant is invited to: the whole delegation's and their selected ones,
    in time order, with mission, venue and host."""
    items = (
        ItineraryItem.objects.filter(mission_id=participant.mission_id)
        .filter(attended_by(participant))
        .select_related("mission", "venue", "host")
        .order_by("starts_at", "pk")
    )
    return items if include_cancelled else items.filter(is_cancelled=False)


def feedback_of(participant: Participant) -> Feedback | None:
    """What the participant said of the mission, if they said anything yet."""
    return Feedback.objects.filter(participant=participant).first()


# THE AUDIT LOG ------------------------------------------------------------------------


def _administered(user: User) -> QuerySet:
    """The ids of the organisations the user administers."""
    return user.memberships.filter(role=MembershipRole.ADMIN).values("organisation")


def can_see_audit_log(user: User) -> bool:
    """Administrators of an organisation, and superusers."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or _administered(user).exists()


def audit_missions_for(user: User) -> QuerySet[Mission]:
    """The missions whose audit log the user reads: those one of the organisations they
    administer organises; all for superusers."""
    if not can_see_audit_log(user):
        return Mission.objects.none()
    if user.is_superuser:
        return Mission.objects.all()
    return Mission.objects.filter(
        pk__in=Mission.objects.filter(organisers__in=_administered(user)).values("pk")
    )


def audit_entries_for(user: User, *, mission: Mission | None = None) -> QuerySet[AuditEntry]:
    """The entries the user may read, newest first: those of the missions their
    organisations organise, and those that name no mission but one of their organisations
    (a person's data exported or erased); with `mission`, that mission's only."""
    entries = AuditEntry.objects.select_related("mission", "participant__person", "person")
    if not can_see_audit_log(user):
        return entries.none()
    if not user.is_superuser:
        entries = entries.filter(
            Q(mission__in=audit_missions_for(user))
            | Q(mission__isnull=True, organisation__in=_administered(user))
        )
    if mission is not None:
        entries = entries.filter(mission=mission)
    return entries.order_by("-at", "-pk")


# INVITATIONS AND ANSWERS -------------------------------------------------------------
# Who was invited, who was not yet, who answered what: every page counts and filters by
# these (`RsvpGroup`), read from the participants' RSVP status alone, so the overview,
# the dashboard, the participants list and the invitation page always agree.


def rsvp_group_annotations(*, prefix: str = "rsvp_") -> dict[str, Count]:
    """Annotations that count a mission's participants in each `RsvpGroup`, in one join:
    `rsvp_invited`, `rsvp_accepted`, … (for a queryset of missions)."""
    return {
        f"{prefix}{group.value}": Count(
            "participants", filter=Q(participants__rsvp_status__in=statuses)
        )
        for group, statuses in RsvpGroup.STATUSES.items()
    }


def rsvp_group_counts(mission: Mission) -> dict[str, int]:
    """The mission's participants in each `RsvpGroup` (`invited`, `accepted`, …,
    `not_invited`) and `total`, in one query."""
    return Mission.objects.filter(pk=mission.pk).aggregate(
        **rsvp_group_annotations(prefix=""), total=Count("participants")
    )


def participants_in_group(participants: QuerySet[Participant], group: str) -> QuerySet[Participant]:
    """The participants of an `RsvpGroup`; all of them for "" (no group chosen)."""
    if not group:
        return participants
    return participants.filter(rsvp_status__in=RsvpGroup.STATUSES[RsvpGroup(group)])


def has_been_invited(participant: Participant) -> bool:
    return participant.rsvp_status in RsvpGroup.STATUSES[RsvpGroup.INVITED]
