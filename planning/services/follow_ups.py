"""After the mission: follow-up actions, the feedback summary, and the reminder rules.

Writes validate with `full_clean()` before saving. Reads at the end are scoped like
missions.selectors: an action of a mission out of the user's scope is a 404.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from messaging import reminders
from messaging.enums import MessageKind, MessageState
from messaging.models import OutgoingMessage, ReminderRule
from missions.models import Feedback, FollowUpAction, Mission
from missions.selectors import User, missions_editable_by, missions_visible_to
from organisations.enums import MembershipRole
from organisations.models import Person
from organisations.selectors import picker_options

ACTION_FIELDS = ("organisation", "contact", "agreed", "owner", "due_date", "status")

# WRITES ----------------------------------------------------------------------------------


@transaction.atomic
def action_create(*, mission: Mission, data: dict) -> FollowUpAction:
    """Record a follow-up action of the mission; its owner is reminded on the due date."""
    action = FollowUpAction(mission=mission, **{field: data[field] for field in ACTION_FIELDS})
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_update(*, action: FollowUpAction, data: dict) -> FollowUpAction:
    """Change an action. A closed action or a new due date cancels a reminder not yet sent
    (the next scan sees to it); a new due date gets its own reminder."""
    for field in ACTION_FIELDS:
        setattr(action, field, data[field])
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def reminder_rules_replace(
    *, mission: Mission, rules: Iterable[reminders.Rule]
) -> list[ReminderRule]:
    """Make these the mission's reminder rules, replacing the stored ones or the defaults.

    Reminders already queued or sent stay as they are: a reminder's occasion is what its
    rule says, so an unchanged rule never reminds anyone twice.
    """
    ReminderRule.objects.filter(mission=mission).delete()
    saved = []
    for rule in rules:
        row = ReminderRule(
            mission=mission,
            kind=rule.kind,
            anchor=rule.anchor,
            days=rule.days,
            is_active=rule.is_active,
        )
        row.full_clean()
        row.save()
        saved.append(row)
    return saved


# READS -----------------------------------------------------------------------------------


def action_for(user: User, pk: int, *, edit: bool = False) -> FollowUpAction:
    """The action if the user may see its mission (or change it, with `edit`), else 404."""
    scope = missions_editable_by(user) if edit else missions_visible_to(user)
    return get_object_or_404(
        FollowUpAction.objects.select_related("mission", "organisation", "contact", "owner"),
        pk=pk,
        mission__in=scope,
    )


def actions_of(mission: Mission) -> QuerySet[FollowUpAction]:
    return mission.actions.select_related("organisation", "contact", "owner").order_by(
        "due_date", "pk"
    )


def owner_choices(mission: Mission, *, current: AbstractBaseUser | None = None) -> QuerySet:
    """Planners of the mission's organisers (and the current owner, who may have left)."""
    planners = Q(
        memberships__role__in=MembershipRole.PLANS,
        memberships__organisation__in=mission.organisers.values("pk"),
    )
    if current is not None:
        planners |= Q(pk=current.pk)
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(pk__in=users.filter(planners).values("pk")).order_by(
        "first_name", "last_name", "username"
    )


def contact_options(*, q: str = "", selected: Collection[int] = ()) -> list[Person]:
    """People whose name or organisation matches `q`, for the contact picker. Shown by
    name and organisation, which every planner may see of the shared directory; e-mail
    addresses are not searched (they are their organisation's)."""
    return picker_options(
        Person.objects.select_related("organisation"),
        q=q,
        selected=selected,
        fields=Q(full_name__icontains=q) | Q(organisation__name__icontains=q),
        name="full_name",
    )


@dataclass
class FeedbackSummary:
    count: int
    average: float | None
    by_rating: list[tuple[int, int]]  # (rating, how many), 5 to 1
    comments: list[Feedback]


def feedback_summary(mission: Mission) -> FeedbackSummary:
    """Ratings (count, average, spread) and the comments given after the mission."""
    given = Feedback.objects.filter(participant__mission=mission)
    totals = given.aggregate(
        count=Count("pk"),
        average=Avg("rating"),
        **{f"r{n}": Count("pk", filter=Q(rating=n)) for n in range(1, 6)},
    )
    comments = list(
        given.exclude(comment="")
        .select_related("participant__person")
        .order_by("-created_at", "-pk")
    )
    return FeedbackSummary(
        count=totals["count"],
        average=round(totals["average"], 1) if totals["average"] is not None else None,
        by_rating=[(n, totals[f"r{n}"]) for n in range(5, 0, -1)],
        comments=comments,
    )


def thanks_counts(mission: Mission) -> dict[str, int]:
    """The mission's thank-you messages by state: queued, in_flight, sent, failed, cancelled."""
    counts = dict.fromkeys(MessageState.values, 0)
    rows = (
        OutgoingMessage.objects.filter(mission=mission, kind=MessageKind.FOLLOW_UP)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update(dict(rows))
    return counts
