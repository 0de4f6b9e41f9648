"""Reads of outcomes, scoped like missions.selectors (which decides who sees a mission).

Whoever sees a mission sees all its outcomes, whichever side recorded them. Who records:
- the planners of the mission's organisers (and superusers) record and change any
  outcome, for any side (an organiser or a partner of the mission);
- the planners of a partner organisation record their own side's (`recorded_for` their
  organisation) and change only those;
- everyone else records nothing: the pages that write are a 404 for them.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from missions.models import FollowUpAction, Mission
from missions.selectors import User, can_edit, mission_for, missions_visible_to
from organisations.models import Organisation
from organisations.selectors import planner_organisations
from outcomes.models import Outcome


def recording_sides(user: User, mission: Mission) -> QuerySet[Organisation]:
    """The organisations the user may record the mission's outcomes for (see the top)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if can_edit(user, mission):
        sides = Organisation.objects.filter(
            Q(organised_missions=mission) | Q(partnered_missions=mission)
        )
        return Organisation.objects.filter(pk__in=sides.values("pk")).order_by("name")
    return mission.partners.filter(pk__in=planner_organisations(user)).order_by("name")


def mission_for_recording(user: User, pk: int) -> Mission:
    """The mission if the user may record an outcome of it, else 404."""
    mission = mission_for(user, pk)
    if not recording_sides(user, mission).exists():
        raise Http404
    return mission


def outcome_for(user: User, pk: int, *, edit: bool = False) -> Outcome:
    """The outcome if the user sees its mission (or may change it, with `edit`), else 404."""
    outcome = get_object_or_404(
        Outcome.objects.select_related("mission", "recorded_for"),
        pk=pk,
        mission__in=missions_visible_to(user),
    )
    sides = recording_sides(user, outcome.mission) if edit else None
    if sides is not None and not sides.filter(pk=outcome.recorded_for_id).exists():
        raise Http404
    return outcome


def outcomes_of(mission: Mission) -> QuerySet[Outcome]:
    """The mission's outcomes, newest first, with what their list shows."""
    return (
        Outcome.objects.filter(mission=mission)
        .select_related("recorded_for", "recorded_by", "follow_up_action")
        .prefetch_related("organisations", "participants__person")
        .order_by("-date", "-pk")
    )


def involved_organisations(mission: Mission) -> QuerySet[Organisation]:
    """Who an outcome of the mission may name: its lead, organisers and partners, the
    hosts of its items, its participants' and its follow-up actions' organisations."""
    return Organisation.objects.filter(
        Q(led_missions=mission)
        | Q(organised_missions=mission)
        | Q(partnered_missions=mission)
        | Q(hosted_items__mission=mission)
        | Q(people__participations__mission=mission)
        | Q(follow_up_actions__mission=mission)
    ).distinct()


def actions_of(mission: Mission) -> QuerySet[FollowUpAction]:
    return FollowUpAction.objects.filter(mission=mission).select_related("organisation")
