"""Reads of the directory: organisations, their venues and people.

The directory is reference data shared by every staff user: anyone with a membership
(or a superuser) sees its organisations and venues, and of its people the name,
organisation and job title. A person's e-mail address, and the people to browse and
search, are their own organisation's: only its members (and superusers) see them
(`people_browsable_by`, `can_see_contact_details`). Someone of another organisation is
put on a mission by typing their exact e-mail address. The missions an organisation
took part in are read in the missions room (`missions.selectors.missions_of_organisation`),
scoped like every mission, so an organisation's page never shows a mission the user
could not open.
"""

from collections.abc import Collection

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from organisations.enums import MembershipRole
from organisations.models import Organisation, Person, Sector, Venue

User = AbstractBaseUser | AnonymousUser

PICKER_LIMIT = 20


def can_use_directory(user: User) -> bool:
    """Signed-in users with at least one membership, and superusers."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.memberships.exists()


def people_browsable_by(user: User) -> QuerySet[Person]:
    """The people a user may look through, with their e-mail addresses: those of the
    user's own organisations (any membership); everyone for superusers, nobody for
    anonymous users."""
    people = Person.objects.all()
    if not user.is_authenticated:
        return people.none()
    if user.is_superuser:
        return people
    return people.filter(organisation__in=user.memberships.values("organisation"))


def can_see_contact_details(user: User, organisation: Organisation) -> bool:
    """Whether the user sees the e-mail addresses of the organisation's people."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.memberships.filter(organisation=organisation).exists()


def planner_organisations(user: User) -> QuerySet[Organisation]:
    """The organisations the user plans for (a membership of a role that plans,
    `MembershipRole.PLANS`): whose missions they may run, whose people's data they
    export; all of them for superusers, none for anonymous users."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=MembershipRole.PLANS
    )


def can_add_to_directory(user: User) -> bool:
    """Planners of any organisation, and superusers; a viewer only reads."""
    return user.is_superuser or planner_organisations(user).exists()


def organisation_search(
    *,
    q: str = "",
    sector: str = "",
    kind: str = "",
    city: str = "",
    country: str = "",
) -> QuerySet[Organisation]:
    """Organisations matching the search text and every given filter, with their sectors.

    `q` matches name, short name, city or description (case-insensitive); `sector` is a
    sector's slug; the other filters are exact.
    """
    organisations = Organisation.objects.prefetch_related("sectors").order_by("name", "pk")
    if q:
        organisations = organisations.filter(
            Q(name__icontains=q)
            | Q(short_name__icontains=q)
            | Q(city__icontains=q)
            | Q(description__icontains=q)
        )
    if sector:
        organisations = organisations.filter(
            pk__in=Organisation.sectors.through.objects.filter(sector__slug=sector).values(
                "organisation"
            )
        )
    if kind:
        organisations = organisations.filter(kind=kind)
    if city:
        organisations = organisations.filter(city=city)
    if country:
        organisations = organisations.filter(country=country)
    return organisations


def people_in_care_of(user: User) -> QuerySet[Person]:
    """The people whose personal data the user may export: those of the organisations the
    user plans for (planners and administrators); everyone for superusers."""
    if not user.is_authenticated:
        return Person.objects.none()
    if user.is_superuser:
        return Person.objects.all()
    return Person.objects.filter(organisation__in=planner_organisations(user))


def person_in_care_of(user: User, pk: int) -> Person:
    """The person, if the user may export their data (`people_in_care_of`), else 404."""
    return get_object_or_404(people_in_care_of(user).select_related("organisation"), pk=pk)


def sector_choices() -> list[tuple[str, str]]:
    """(slug, name) of every sector, for a filter."""
    return list(Sector.objects.order_by("name").values_list("slug", "name"))


def organisation_places() -> list[tuple[str, str]]:
    """The distinct (city, country code) pairs of the directory, in one query."""
    return list(
        Organisation.objects.order_by("city", "country").values_list("city", "country").distinct()
    )


def organisation_detail(pk: int) -> Organisation:
    """The organisation with its parent, units, sectors and venues; 404 if absent."""
    return get_object_or_404(
        Organisation.objects.select_related("parent").prefetch_related(
            "sectors", "units", "venues"
        ),
        pk=pk,
    )


def picker_options(
    queryset: QuerySet, *, q: str, selected: Collection[int] = (), fields: Q, name: str = "name"
) -> list:
    """At most PICKER_LIMIT rows matching `fields` (all without `q`), ordered by `name`,
    after the selected rows, which always come first and always all (so a select never
    drops a choice). Every directory picker's options."""
    # Without `q`, the first by name: an empty Q() would vanish when OR-ed with `selected`.
    condition = fields if q else Q(pk__isnull=False)
    if selected:
        condition |= Q(pk__in=selected)
        queryset = queryset.annotate(is_selected=Q(pk__in=selected)).order_by(
            "-is_selected", name, "pk"
        )
    else:
        queryset = queryset.order_by(name, "pk")
    return list(queryset.filter(condition)[: max(PICKER_LIMIT, len(selected))])


def venue_options(*, q: str = "", selected: Collection[int] = ()) -> list[Venue]:
    """Venues whose name, city or address contains `q`, for a picker."""
    return picker_options(
        Venue.objects.only("pk", "name", "city"),
        q=q,
        selected=selected,
        fields=Q(name__icontains=q) | Q(city__icontains=q) | Q(address__icontains=q),
    )


def organisation_options(*, q: str = "", selected: Collection[int] = ()) -> list[Organisation]:
    """Organisations whose name, short name or city contains `q`, for a picker."""
    return picker_options(
        Organisation.objects.only("pk", "name", "city"),
        q=q,
        selected=selected,
        fields=Q(name__icontains=q) | Q(short_name__icontains=q) | Q(city__icontains=q),
    )


def two_factor_required(user: User) -> bool:
    """Whether `user` must sign in with a second factor: superusers where
    TWO_FACTOR_REQUIRED_FOR_SUPERUSERS is on (production), and the members of an
    organisation that requires it (`Organisation.two_factor_required`)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS:
        return True
    return user.memberships.filter(organisation__two_factor_required=True).exists()
