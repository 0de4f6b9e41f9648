"""Reads of missions, scoped to what a user may see."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from .models import Mission


def missions_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Mission]:
    """Missions that one of the user's organisations organises or partners; all for superusers."""
    missions = Mission.objects.all()
    if not user.is_authenticated:
        return missions.none()
    if user.is_superuser:
        return missions
    organisations = user.memberships.values("organisation")
    return missions.filter(
        Q(organisers__in=organisations) | Q(partners__in=organisations)
    ).distinct()


def mission_overview(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Mission]:
    """The user's missions with what a list needs: lead organisation and head counts."""
    return (
        missions_visible_to(user)
        .select_related("lead_organisation")
        .annotate(
            item_count=Count("items", distinct=True),
            participant_count=Count("participants", distinct=True),
        )
        .order_by("start_date", "title")
    )
