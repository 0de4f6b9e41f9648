"""Missions: create, change, cancel and duplicate them; the reads of the dashboard.

Writes check the model (`full_clean`) before they save and record the acting user in the
mission's history. Who may call them is decided by the caller through
`missions.selectors` (the views look the mission up with `edit=True`).

The reads at the end (RSVP counts, the dashboard's lists, the organisations a user plans
for) are selectors by nature; they live here next to the writes they serve because
`missions/selectors.py` holds the permission scoping that every area shares.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    Exists,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext
from simple_history.utils import bulk_create_with_history

from missions.display import format_local, short_date
from missions.enums import FeasibilityRule, MissionStatus
from missions.models import ItineraryItem, Mission, Participant
from missions.selectors import missions_visible_to, rsvp_group_annotations
from organisations.models import Organisation, Person, Sector
from organisations.selectors import planner_organisations

User = AbstractBaseUser | AnonymousUser

# The fields a planner sets on the mission form; the slug and status are the services'.
EDITABLE_FIELDS = (
    "title",
    "kind",
    "destination_city",
    "destination_country",
    "time_zone",
    "start_date",
    "end_date",
    "rsvp_deadline",
    "lead_organisation",
    "objectives",
    "description",
    "travel_buffer_minutes",
)
SLUG_MAX_LENGTH = Mission._meta.get_field("slug").max_length


# WRITES ----------------------------------------------------------------------


def mission_slug(*, title: str, exclude_pk: int | None = None) -> str:
    """A slug from the title, unique among missions: `leipzig-to-birmingham`, then `-2`, `-3`.

    A title with no Latin letters or digits (emoji, Arabic) gives `mission`.
    """
    base = slugify(title)[: SLUG_MAX_LENGTH - 10].strip("-") or "mission"
    taken = set(
        Mission.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _set_organisations(
    mission: Mission,
    *,
    organisers: Iterable[Organisation],
    partners: Iterable[Organisation],
    sectors: Iterable[Sector],
) -> None:
    """The lead organisation always organises; an organiser is never also a partner."""
    organisers = {*organisers, mission.lead_organisation}
    partners = [partner for partner in partners if partner not in organisers]
    mission.organisers.set(organisers)
    mission.partners.set(partners)
    mission.sectors.set(list(sectors))


@transaction.atomic
def mission_create(*, user: AbstractBaseUser, data: dict[str, Any]) -> Mission:
    """A new draft mission with a unique slug from its title.

    `data` holds the `EDITABLE_FIELDS` and the `organisers`, `partners` and `sectors`;
    the lead organisation is always among the organisers.
    """
    mission = Mission(
        **{name: data[name] for name in EDITABLE_FIELDS if name in data},
        status=MissionStatus.DRAFT,
    )
    mission.slug = mission_slug(title=mission.title)
    mission.full_clean()
    mission._history_user = user
    mission.save()
    _set_organisations(
        mission,
        organisers=data.get("organisers", ()),
        partners=data.get("partners", ()),
        sectors=data.get("sectors", ()),
    )
    return mission


@transaction.atomic
def mission_update(*, mission: Mission, user: AbstractBaseUser, data: dict[str, Any]) -> Mission:
    """Change the mission's fields (`EDITABLE_FIELDS`, `status`) and its organisations.

    Organisations, partners and sectors missing from `data` stay as they are. The slug
    stays too: links that others saved keep working after a change of title.
    """
    for name in (*EDITABLE_FIELDS, "status"):
        if name in data:
            setattr(mission, name, data[name])
    mission.full_clean()
    mission._history_user = user
    mission.save()
    _set_organisations(
        mission,
        organisers=data.get("organisers", mission.organisers.all()),
        partners=data.get("partners", mission.partners.all()),
        sectors=data.get("sectors", mission.sectors.all()),
    )
    return mission


def mission_lock(*, mission_id: int) -> None:
    """Hold the mission's row until the transaction ends (inside one): writes of one
    mission that must not interleave (a schedule and a meeting placed by hand, two
    archives of its booklets asked at once) wait for each other here, not for any other
    mission's."""
    Mission.objects.select_for_update().filter(pk=mission_id).values_list("pk").get()


def mission_cancel_refused_because(mission: Mission) -> str:
    """Why the mission cannot be cancelled, or "": one that has ended (completed, or its
    last day over) happened, and stays in the records as it was."""
    if mission.status != MissionStatus.CANCELLED and mission.has_ended:
        return gettext("This mission has ended: there is nothing left to cancel.")
    return ""


@transaction.atomic
def mission_cancel(*, mission: Mission, user: AbstractBaseUser) -> Mission:
    """Mark the mission cancelled. Cancelling a cancelled mission changes nothing; a
    mission that has ended is a ValidationError (`mission_cancel_refused_because`)."""
    if mission.status == MissionStatus.CANCELLED:
        return mission
    if refused := mission_cancel_refused_because(mission):
        raise ValidationError(refused, code="mission_ended")
    mission.status = MissionStatus.CANCELLED
    mission.full_clean()
    mission._history_user = user
    mission.save(update_fields=["status", "updated_at"])
    return mission


def _shifted(moment: dt.datetime, tz, days: int) -> dt.datetime:
    """The same wall-clock time `days` later in the zone `tz`, across any change of DST."""
    return timezone.localtime(moment, tz) + dt.timedelta(days=days)


@transaction.atomic
def mission_duplicate(
    *, mission: Mission, title: str, shift_days: int, user: AbstractBaseUser
) -> Mission:
    """Plan the mission again: a draft copy, `shift_days` later, under a new title.

    Copied: the fields, organisers, partners and sectors; the itinerary items (venue,
    host, audience, capacity and who attends) at the same local times `shift_days`
    later; the participants with their roles. Not copied: cancelled items and anything
    the people answered or told us (RSVP, arrival, departure, notes).

    Items and participants are copies of saved rows moved together with the mission's
    dates, so they are not validated again: the copy shows the same feasibility
    warnings as the original, where staff fix them.
    """
    shift = dt.timedelta(days=shift_days)
    copy = Mission(
        title=title,
        slug=mission_slug(title=title),
        status=MissionStatus.DRAFT,
        **{
            name: getattr(mission, name)
            for name in EDITABLE_FIELDS
            if name not in {"title", "start_date", "end_date", "rsvp_deadline"}
        },
        start_date=mission.start_date + shift,
        end_date=mission.end_date + shift,
        rsvp_deadline=mission.rsvp_deadline + shift if mission.rsvp_deadline else None,
    )
    copy.full_clean()
    copy._history_user = user
    copy.save()
    _set_organisations(
        copy,
        organisers=mission.organisers.all(),
        partners=mission.partners.all(),
        sectors=mission.sectors.all(),
    )

    items = list(
        mission.items.filter(is_cancelled=False)
        .select_related("venue")
        .prefetch_related("attendees")
        .order_by("starts_at", "pk")
    )
    new_items = bulk_create_with_history(
        [
            ItineraryItem(
                mission=copy,
                kind=item.kind,
                title=item.title,
                description=item.description,
                starts_at=_shifted(item.starts_at, item.time_zone, shift_days),
                ends_at=_shifted(item.ends_at, item.time_zone, shift_days),
                venue=item.venue,
                host_id=item.host_id,
                meeting_point=item.meeting_point,
                online_link=item.online_link,
                audience=item.audience,
                capacity=item.capacity,
            )
            for item in items
        ],
        ItineraryItem,
        default_user=user,
    )
    new_item_for = {old.pk: new for old, new in zip(items, new_items, strict=True)}

    participants = list(mission.participants.order_by("pk"))
    new_participants = bulk_create_with_history(
        [Participant(mission=copy, person_id=p.person_id, role=p.role) for p in participants],
        Participant,
        default_user=user,
    )
    new_participant_for = {
        old.pk: new for old, new in zip(participants, new_participants, strict=True)
    }
    Participant.items.through.objects.bulk_create(
        Participant.items.through(
            participant_id=new_participant_for[attendee.pk].pk,
            itineraryitem_id=new_item_for[item.pk].pk,
        )
        for item in items
        for attendee in item.attendees.all()
    )
    return copy


# READS -----------------------------------------------------------------------


def rsvp_counts() -> dict[str, Count]:
    """Annotations that count a mission's participants by invitation and answer, in one
    join: `rsvp_invited`, `rsvp_accepted`, … (`missions.selectors.rsvp_group_annotations`,
    the counts of every page). `rsvp_invited` is everyone who was sent an invitation: the
    sum of accepted, tentative, declined (withdrawn included) and no answer."""
    return rsvp_group_annotations()


def mission_organisations(mission: Mission) -> tuple[list[Organisation], list[Organisation]]:
    """The mission's organisers and partners, by name, in one query."""
    organisers = Mission.organisers.through.objects.filter(mission=mission)
    partners = Mission.partners.through.objects.filter(mission=mission)
    both = (
        Organisation.objects.filter(
            Q(pk__in=organisers.values("organisation")) | Q(pk__in=partners.values("organisation"))
        )
        .annotate(organises=Exists(organisers.filter(organisation=OuterRef("pk"))))
        .order_by("name")
    )
    both = list(both)
    return [o for o in both if o.organises], [o for o in both if not o.organises]


@dataclass
class Dashboard:
    upcoming: list[Mission] = field(default_factory=list)
    past: list[Mission] = field(default_factory=list)


def dashboard_missions(user: User) -> Dashboard:
    """The user's missions with their RSVP counts, split by the destination's today.

    A mission is upcoming (or under way) while its last day has not passed in the
    place it happens. Upcoming missions come soonest first, past ones latest first.
    One query.
    """
    missions = (
        missions_visible_to(user)
        .select_related("lead_organisation")
        .annotate(**rsvp_counts())
        .order_by("start_date", "title")
    )
    now = timezone.now()
    dashboard = Dashboard()
    for mission in missions:
        if mission.end_date >= timezone.localdate(now, mission.time_zone):
            dashboard.upcoming.append(mission)
        else:
            dashboard.past.insert(0, mission)
    return dashboard


def can_create_missions(user: User) -> bool:
    return user.is_superuser or planner_organisations(user).exists()


def duplicate_shift_days(mission: Mission) -> int:
    """The suggested move of a copy's dates: whole weeks, so every item keeps its weekday,
    to the days nearest the same dates a year later (52 weeks, 364 days), or as many
    years later as it takes for the copy to start after today where it takes place."""
    today = timezone.localdate(timezone=mission.time_zone)
    years = 1
    while True:
        anniversary = _same_day_years_later(mission.start_date, years)
        weeks = round((anniversary - mission.start_date).days / 7)
        if mission.start_date + dt.timedelta(weeks=weeks) > today:
            return weeks * 7
        years += 1


def _same_day_years_later(day: dt.date, years: int) -> dt.date:
    """The same date `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def duplicate_title(mission: Mission, shift_days: int) -> str:
    """The copy's suggested title: the mission's year in the title moves with the dates.

    "Trade mission 2025" becomes "Trade mission 2026"; other years ("since 1992") stay.
    """
    year = mission.start_date.year
    new_year = (mission.start_date + dt.timedelta(days=shift_days)).year
    return re.sub(rf"\b{year}\b", str(new_year), mission.title)


# HISTORY ---------------------------------------------------------------------

HISTORY_PER_PAGE = 25
NO_VALUE = "—"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One saved version of the mission, an item or a participant, and what it changed."""

    when: dt.datetime
    when_local: str  # in the mission's zone, with the zone named
    user: AbstractBaseUser | None
    kind: str  # "mission", "item" or "participant"
    label: str
    action: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange] = field(default_factory=list)


_HISTORY_SOURCES = {
    "mission": (Mission, "id"),
    "item": (ItineraryItem, "mission_id"),
    "participant": (Participant, "mission_id"),
}


def _history_rows(mission: Mission) -> QuerySet:
    """(history_id, history_date, source kind) of every version of the mission and its parts."""
    rows = [
        model.history.filter(**{key: mission.pk})
        .annotate(source=Value(kind, output_field=CharField()))
        .values("history_id", "history_date", "source")
        .order_by()
        for kind, (model, key) in _HISTORY_SOURCES.items()
    ]
    return rows[0].union(*rows[1:], all=True).order_by("-history_date", "-history_id")


def _with_previous(model: type[Model], history_ids: list[int]) -> tuple[list, dict]:
    """The versions, each with the id of the version before it, and those versions."""
    history = model.history
    earlier = history.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    records = list(
        history.filter(history_id__in=history_ids)
        .select_related("history_user")
        .annotate(
            previous_id=Subquery(
                earlier.order_by("-history_date", "-history_id").values("history_id")[:1]
            )
        )
    )
    previous_ids = [r.previous_id for r in records if r.previous_id and r.history_type == "~"]
    previous = history.in_bulk(previous_ids, field_name="history_id") if previous_ids else {}
    return records, previous


def _display(model_field, value, *, zone, related: dict) -> str:
    """A stored value as people read it: labels of choices, names, local times."""
    if value is None or value == "":
        return NO_VALUE
    if model_field.is_relation:
        return str(related.get((model_field.related_model, value), f"#{value}"))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return format_local(value, zone)
    if isinstance(value, dt.date):
        return short_date(value)
    return str(getattr(value, "name", value))  # a Country by its name, a zone by its key


def mission_history(
    mission: Mission, page_number: str | int | None, *, personal_data: bool
) -> Page:
    """A page of the history of the mission, its items and participants, newest first.

    Each entry names who saved it and, for a change, each field's old and new value;
    changes to what a participant told the mission (`Participant.PERSONAL_FIELDS`) only
    with `personal_data` (for its organisers), else they are left out.
    Queries are bounded whatever the page holds: two for the page, at most two per kind
    of object on it, and one per kind of related object named in it.
    """
    page = Paginator(_history_rows(mission), HISTORY_PER_PAGE).get_page(page_number)
    wanted: dict[str, list[int]] = {}
    for row in page.object_list:
        wanted.setdefault(row["source"], []).append(row["history_id"])

    versions = []  # (kind, record, delta or None)
    for kind, ids in wanted.items():
        model = _HISTORY_SOURCES[kind][0]
        records, previous = _with_previous(model, ids)
        for record in records:
            before = previous.get(record.previous_id)
            delta = record.diff_against(before) if before is not None else None
            versions.append((kind, record, delta))

    # Names of the organisations, venues and people that the page mentions: one query each.
    needed: dict[type[Model], set] = {}
    for kind, record, delta in versions:
        model = _HISTORY_SOURCES[kind][0]
        if kind == "participant":
            needed.setdefault(Person, set()).add(record.person_id)
        for change in delta.changes if delta else []:
            model_field = model._meta.get_field(change.field)
            if model_field.is_relation:
                needed.setdefault(model_field.related_model, set()).update(
                    value for value in (change.old, change.new) if value is not None
                )
    related = {
        (related_model, pk): obj
        for related_model, pks in needed.items()
        for pk, obj in related_model.objects.in_bulk(pks).items()
    }

    position = {(row["source"], row["history_id"]): n for n, row in enumerate(page.object_list)}
    versions.sort(key=lambda version: position[version[0], version[1].history_id])
    entries = []
    for kind, record, delta in versions:
        model = _HISTORY_SOURCES[kind][0]
        order = {f.name: n for n, f in enumerate(model._meta.fields)}
        changes = []
        for change in sorted(delta.changes if delta else [], key=lambda c: order[c.field]):
            hidden = kind == "participant" and change.field in Participant.PERSONAL_FIELDS
            if hidden and not personal_data:
                continue
            model_field = model._meta.get_field(change.field)
            changes.append(
                FieldChange(
                    label=capfirst(model_field.verbose_name),
                    old=_display(model_field, change.old, zone=mission.time_zone, related=related),
                    new=_display(model_field, change.new, zone=mission.time_zone, related=related),
                )
            )
        if kind == "participant":
            label = str(related.get((Person, record.person_id), f"#{record.person_id}"))
        else:
            label = record.title
        entries.append(
            HistoryEntry(
                when=record.history_date,
                when_local=format_local(record.history_date, mission.time_zone),
                user=record.history_user,
                kind=kind,
                label=label,
                action=record.history_type,
                changes=changes,
            )
        )
    page.object_list = entries
    return page


@dataclass
class OpenWarning:
    item_id: int
    item_title: str
    rule: str
    message: str


def open_warnings(mission: Mission, warnings: Iterable) -> list[OpenWarning]:
    """The open ones of the mission's feasibility warnings, with their items' titles."""
    warnings = [warning for warning in warnings if warning.is_open]
    titles = dict(
        mission.items.filter(pk__in={w.item_id for w in warnings}).values_list("pk", "title")
    )
    return [
        OpenWarning(
            item_id=warning.item_id,
            item_title=titles.get(warning.item_id, ""),
            rule=FeasibilityRule(warning.rule).label,
            message=warning.message,
        )
        for warning in warnings
    ]
