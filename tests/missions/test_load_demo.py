import datetime as dt
import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from missions.demo import load_demo
from missions.enums import Audience, ParticipantRole
from missions.models import ItineraryItem, Mission, Participant
from organisations.enums import OrganisationKind
from organisations.models import Organisation

pytestmark = pytest.mark.django_db
JAPAN = "leipzig-economic-delegation-japan-2017"
CREATIVES = "leipzig-creative-trade-mission-birmingham-2025"


@pytest.fixture(scope="module", autouse=True)
def demo_counts(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module in a transaction rolled back at its end.

    Each test runs in a savepoint inside it, so what a test changes is undone after it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def _snapshot() -> dict:
    """Row counts of every table (history and link tables too) and every row's updated_at."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }
    stamps = {
        (model._meta.label, pk, updated_at)
        for model in apps.get_models()
        if any(field.name == "updated_at" for field in model._meta.get_fields())
        for pk, updated_at in model._default_manager.values_list("pk", "updated_at")
    }
    tokyo_times = list(
        ItineraryItem.objects.filter(mission__slug=JAPAN)
        .order_by("title")
        .values_list("title", "starts_at", "ends_at")
    )
    return {"counts": counts, "stamps": stamps, "tokyo_times": tokyo_times}


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_command_run_twice_changes_nothing():
    loaded = _snapshot()

    _load()
    after_first = _snapshot()
    _load()

    assert (after_first, _snapshot()) == (loaded, loaded)


def test_load_demo_second_run_creates_and_updates_nothing(demo_counts):
    again = load_demo()

    assert (demo_counts["created"] > 0, again["created"], again["updated"]) == (True, 0, 0)
    assert {**again, "created": 0} == {**demo_counts, "created": 0}


def test_load_demo_command_prints_the_counts(demo_counts):
    output = _load()

    assert output == (
        f"Demo data: 5 missions, {demo_counts['items']} itinerary items, "
        f"{demo_counts['participants']} participants, {demo_counts['people']} people, "
        f"{demo_counts['organisations']} organisations, {demo_counts['venues']} venues, "
        "8 sectors (0 rows created, 0 updated).\n"
    )


def test_load_demo_puts_an_edited_item_back():
    item = ItineraryItem.objects.get(mission__slug=JAPAN, title="Gewandhausorchester concert")
    original = item.starts_at
    ItineraryItem.objects.filter(pk=item.pk).update(starts_at=original - dt.timedelta(hours=2))

    counts = load_demo()

    item.refresh_from_db()
    assert (item.starts_at, counts["created"], counts["updated"]) == (original, 0, 1)


def test_tokyo_reception_and_concert_are_on_13_november_tokyo_time():
    items = ItineraryItem.objects.filter(mission__slug=JAPAN).select_related("venue", "mission")
    reception = items.get(title="Reception of the City of Leipzig and the Gewandhaus")
    concert = items.get(title="Gewandhausorchester concert")

    local = [
        (
            item.time_zone.key,
            item.local_starts_at.replace(tzinfo=None),
            item.local_ends_at.replace(tzinfo=None),
        )
        for item in (reception, concert)
    ]

    assert local == [
        ("Asia/Tokyo", dt.datetime(2017, 11, 13, 17, 30), dt.datetime(2017, 11, 13, 18, 45)),
        ("Asia/Tokyo", dt.datetime(2017, 11, 13, 19, 0), dt.datetime(2017, 11, 13, 21, 0)),
    ]
    assert concert.starts_at == dt.datetime(2017, 11, 13, 10, 0, tzinfo=dt.UTC)
    assert (reception.venue.name, concert.venue.name) == ("Suntory Hall", "Suntory Hall")


def test_creative_mission_has_ten_leipzig_company_delegates():
    delegates = Participant.objects.filter(
        mission__slug=CREATIVES,
        role=ParticipantRole.DELEGATE,
        person__organisation__kind=OrganisationKind.COMPANY,
        person__organisation__city="Leipzig",
    )

    assert delegates.count() == 10
    assert delegates.values("person__organisation").distinct().count() == 10


def test_creative_mission_itinerary_has_the_named_stops_in_order():
    titles = list(
        ItineraryItem.objects.filter(mission__slug=CREATIVES)
        .order_by("starts_at")
        .values_list("title", flat=True)
    )

    assert titles == [
        "Round table on Birmingham's creative and cultural ecosystem",
        "Birmingham Open Media and the Immersive Bootcamps",
        "Holosphere: XR studio visit",
        "VentureFest: European partnership opportunities",
        "STEAMHouse tour",
        "Digbeth: The Bond",
        "Digbeth: the Custard Factory",
        "Second Home Studios",
        "Closing visit: The Old Crown",
    ]


def test_creative_mission_is_organised_by_birmingham_with_its_partners():
    mission = Mission.objects.get(slug=CREATIVES)

    assert (
        mission.lead_organisation.name,
        sorted(mission.organisers.values_list("name", flat=True)),
        sorted(mission.partners.values_list("name", flat=True)),
    ) == (
        "Birmingham City Council",
        ["Birmingham City Council"],
        [
            "Department for Business and Trade",
            "Greater Birmingham Chambers of Commerce",
            "Kreatives Leipzig",
            "West Midlands Combined Authority",
            "West Midlands Growth Company",
        ],
    )


def test_second_home_studios_is_for_the_selected_animation_and_film_delegates():
    item = ItineraryItem.objects.get(mission__slug=CREATIVES, title="Second Home Studios")

    attendees = sorted(item.attendees.values_list("person__full_name", flat=True))

    assert (item.audience, item.capacity) == (Audience.SELECTED, 6)
    assert attendees == [
        "David Nguyen",
        "Fiona Latter",
        "Johanna Brenner",
        "Jonas Weidner",
        "Tobias Reinhardt",
    ]


def test_steamhouse_parent_is_birmingham_city_university():
    steamhouse = Organisation.objects.get(name="STEAMHouse", city="Birmingham")

    assert steamhouse.parent.name == "Birmingham City University"


def test_demo_users_organisations_exist():
    found = Organisation.objects.filter(
        name__in=["Birmingham City Council", "City of Leipzig", "Invest Region Leipzig"]
    ).values_list("name", "city")

    assert sorted(found) == [
        ("Birmingham City Council", "Birmingham"),
        ("City of Leipzig", "Leipzig"),
        ("Invest Region Leipzig", "Leipzig"),
    ]


def test_remote_speakers_items_have_an_online_link():
    remote = ItineraryItem.objects.filter(
        mission__slug="birmingham-leipzig-25-years-innovation-event-2017",
        title__endswith="(remote)",
    ).values_list("online_link", flat=True)

    assert list(remote) == ["https://meet.example.org/bham-leipzig-25"] * 2


def test_every_demo_item_passes_full_clean(demo_counts):
    items = ItineraryItem.objects.select_related("mission", "venue")

    for item in items:
        item.full_clean()  # raises ValidationError, naming the field, on an invalid item

    assert items.count() == demo_counts["items"] == 38


def test_every_item_lies_within_its_mission_in_local_time():
    outside = [
        item.title
        for item in ItineraryItem.objects.select_related("mission", "venue")
        if not (
            item.mission.start_date
            <= item.local_starts_at.date()
            <= item.local_ends_at.date()
            <= item.mission.end_date
        )
    ]

    assert outside == []


def test_demo_users_refused_under_settings_that_do_not_allow_them(settings):
    """Production's settings refuse to reset the admin to the password the README shows."""
    User = get_user_model()
    admin = User.objects.create_superuser("admin", "admin@example.org", "a-real-secret-1")
    settings.DEMO_USERS_ALLOWED = False

    with pytest.raises(CommandError, match="DEMO_USERS_ALLOWED"):
        call_command("demo_users")

    admin.refresh_from_db()
    assert admin.check_password("a-real-secret-1")
    assert not User.objects.filter(username="planner").exists()
