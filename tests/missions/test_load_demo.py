import datetime as dt
import io
import zoneinfo
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from matchmaking.demo import load_demo_matchmaking
from messaging.demo import load_demo_mail
from missions.demo import load_demo
from missions.demo.living import UNDER_WAY, UPCOMING
from missions.enums import ActionStatus, Audience, FeasibilityRule, ParticipantRole, RsvpStatus
from missions.feasibility import mission_warnings
from missions.models import (
    Feedback,
    FollowUpAction,
    ItemRating,
    ItineraryItem,
    Mission,
    Participant,
)
from missions.selectors import participant_items
from missions.services.missions import dashboard_missions
from organisations.enums import OrganisationKind
from organisations.models import Organisation
from outcomes.demo import load as load_demo_outcomes

pytestmark = pytest.mark.django_db
JAPAN = "leipzig-economic-delegation-japan-2017"
CREATIVES = "leipzig-creative-trade-mission-birmingham-2025"
LONDON, BERLIN = zoneinfo.ZoneInfo("Europe/London"), zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module", autouse=True)
def demo_counts(django_db_setup, django_db_blocker):
    """The demo as `manage.py load_demo` loads it (the missions, their mail, the upcoming
    mission's matchmaking and the seed missions' outcomes), once for this module in a
    transaction rolled back at its end.

    Each test runs in a savepoint inside it, so what a test changes is undone after it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        now = timezone.now()
        counts = load_demo(now=now)
        load_demo_mail(now=now)
        load_demo_matchmaking(now=now)
        counts["outcomes"] = load_demo_outcomes()["outcomes"]
        yield counts
        transaction.set_rollback(True)


@pytest.fixture
def days_later(monkeypatch):
    """Move the clock (`timezone.now`, which `timezone.localdate` and the models read)
    by a number of days, or to a given moment."""

    def move(days: float = 0, *, to: dt.datetime | None = None) -> dt.datetime:
        moment = to or timezone.now() + dt.timedelta(days=days)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return move


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
    assert {**again, "created": 0, "outcomes": demo_counts["outcomes"]} == {
        **demo_counts,
        "created": 0,
    }


def test_load_demo_command_prints_the_counts_and_no_link(demo_counts):
    output = _load()

    assert output == (
        f"Demo data: 7 missions, {demo_counts['items']} itinerary items, "
        f"{demo_counts['participants']} participants, {demo_counts['people']} people, "
        f"{demo_counts['organisations']} organisations, {demo_counts['venues']} venues, "
        "8 sectors, 5 follow-up actions, 9 feedback (33 item ratings), 51 messages, "
        "4 reminder rules, "
        f"{demo_counts['outcomes']} outcomes (0 rows created, 0 updated).\n"
        "Matchmaking on the upcoming mission: 10 profiles, 9 requests, 7 meetings published.\n"
    )


def test_load_demo_delegate_links_open_the_upcoming_missions_delegate_pages(client):
    out = io.StringIO()
    call_command("load_demo", "--delegate-links", stdout=out)
    lines = out.getvalue().splitlines()[2:]  # after the counts of the demo and its matchmaking
    mission = Mission.objects.get(slug=UPCOMING)

    pages = [client.get(urlsplit(line.rpartition(": ")[2]).path) for line in lines]

    assert [line.partition(": ")[0] for line in lines] == [
        "  David Nguyen (invited)",
        "  Lena Vogt (accepted)",
    ]
    assert [page.status_code for page in pages] == [200, 200]
    assert all(mission.title in page.content.decode() for page in pages)


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

    assert items.count() == demo_counts["items"] == 57


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


# THE FIVE REAL MISSIONS AND THE TWO THAT LIVE RELATIVE TO TODAY ---------------------------


def _counts_of_rows() -> dict[str, int]:
    """Rows of every table but the history tables (an update adds to those)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.label.split(".")[1].startswith("Historical")
    }


def test_seed_missions_keep_their_real_dates(days_later):
    days_later(40)
    load_demo()

    dates = dict(
        Mission.objects.exclude(slug__in=[UPCOMING, UNDER_WAY]).values_list("slug", "start_date")
    )

    assert dates == {
        CREATIVES: dt.date(2025, 3, 11),
        "birmingham-delegation-leipzig-opera-ball-2024": dt.date(2024, 11, 7),
        JAPAN: dt.date(2017, 11, 6),
        "birmingham-leipzig-25-years-innovation-event-2017": dt.date(2017, 10, 20),
        "isa-online-conference-2021": dt.date(2021, 11, 30),
    }


@pytest.mark.parametrize("days", [1, 3, 12])
def test_load_demo_days_later_creates_nothing_and_keeps_the_living_missions_current(
    days_later, days
):
    rows = _counts_of_rows()
    now = days_later(days)

    counts = load_demo(now=now)
    mail = load_demo_mail(now=now)

    upcoming = Mission.objects.get(slug=UPCOMING)
    under_way = Mission.objects.get(slug=UNDER_WAY)
    london_today = timezone.localdate(now, LONDON)
    berlin_today = timezone.localdate(now, BERLIN)
    assert (counts["created"], mail["created"], _counts_of_rows()) == (0, 0, rows)
    assert counts["updated"] > 0  # the two living missions moved along
    assert 21 <= (upcoming.start_date - london_today).days <= 27
    assert upcoming.rsvp_deadline - london_today == dt.timedelta(days=5)
    assert (under_way.start_date, under_way.end_date) == (
        berlin_today - dt.timedelta(days=1),
        berlin_today + dt.timedelta(days=1),
    )


def test_upcoming_mission_runs_tuesday_to_thursday_in_about_three_weeks():
    mission = Mission.objects.get(slug=UPCOMING)

    days_ahead = (mission.start_date - timezone.localdate(timezone=LONDON)).days

    assert 21 <= days_ahead <= 27
    assert (mission.start_date.strftime("%A"), mission.end_date.strftime("%A")) == (
        "Tuesday",
        "Thursday",
    )


def test_upcoming_mission_has_accepted_declined_and_silent_participants():
    answers = Counter(
        Participant.objects.filter(mission__slug=UPCOMING).values_list("rsvp_status", flat=True)
    )

    assert answers == {
        RsvpStatus.ACCEPTED: 11,  # 4 of them the matchmaking's hosts
        RsvpStatus.TENTATIVE: 1,
        RsvpStatus.DECLINED: 2,
        RsvpStatus.INVITED: 4,  # silent
        RsvpStatus.NOT_INVITED: 1,
    }


def test_upcoming_mission_rsvp_deadline_is_within_the_next_7_days():
    mission = Mission.objects.get(slug=UPCOMING)

    days_left = (mission.rsvp_deadline - timezone.localdate(timezone=mission.time_zone)).days

    assert 0 <= days_left <= 7


def test_upcoming_mission_has_one_open_warning_a_too_short_travel_gap():
    mission = Mission.objects.get(slug=UPCOMING)
    titles = dict(mission.items.values_list("pk", "title"))

    warnings = mission_warnings(mission).warnings

    assert [(w.rule, titles[w.item_id], w.is_open) for w in warnings] == [
        (
            FeasibilityRule.TRAVEL_TIME,
            "Round table at the Chamber of Commerce: creative exports",
            True,
        )
    ]


def test_under_way_mission_has_no_feasibility_warning():
    assert mission_warnings(Mission.objects.get(slug=UNDER_WAY)).warnings == []


def test_under_way_mission_dates_contain_today_with_an_item_earlier_and_one_later_today(
    days_later,
):
    eleven = dt.datetime.combine(timezone.localdate(timezone=BERLIN), dt.time(11), BERLIN)
    now = days_later(to=eleven)
    load_demo(now=now)
    mission = Mission.objects.get(slug=UNDER_WAY)
    today = timezone.localdate(now, mission.time_zone)
    todays = [item for item in mission.items.all() if item.local_starts_at.date() == today]

    ended = [item.title for item in todays if item.ends_at <= now]
    next_item = min((item for item in todays if item.starts_at > now), key=lambda i: i.starts_at)

    assert (mission.start_date < today < mission.end_date, mission.status) == (True, "under_way")
    assert ended == ["Morning briefing"]
    assert next_item.title == "Lunch at the Baumwollspinnerei"
    assert next_item.local_starts_at.date() == today


def test_under_way_mission_has_follow_up_actions_due_some_overdue():
    mission = Mission.objects.get(slug=UNDER_WAY)
    today = timezone.localdate(timezone=mission.time_zone)
    open_actions = FollowUpAction.objects.filter(
        mission=mission, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS]
    )

    overdue = open_actions.filter(due_date__lt=today).count()
    due_today = open_actions.filter(due_date=today).count()

    assert (overdue, due_today) == (2, 1)
    assert {action.owner.get_full_name() for action in open_actions} == {"Lloyd Broad"}


def test_follow_up_owner_is_a_council_planner_who_cannot_sign_in():
    owner = FollowUpAction.objects.filter(mission__slug=UNDER_WAY).first().owner

    assert owner.has_usable_password() is False
    assert list(owner.memberships.values_list("organisation__name", "role")) == [
        ("Birmingham City Council", "planner")
    ]


def test_under_way_mission_has_its_first_feedback():
    ratings = sorted(
        Feedback.objects.filter(participant__mission__slug=UNDER_WAY).values_list(
            "participant__person__full_name", "rating"
        )
    )

    assert ratings == [("Dr David Hardman", 5), ("Priya Sandhu", 4)]


def test_demo_item_ratings_are_of_items_their_raters_had_by_the_time_they_gave_them():
    """Every rated item is one of the rater's mission, on their itinerary, over before
    the loading; the under way mission's are yesterday's."""
    ratings = ItemRating.objects.select_related("item__mission", "feedback__participant")

    assert ratings.count() == 33
    for rating in ratings:
        participant = rating.feedback.participant
        assert rating.item in participant_items(participant), rating
        assert rating.item.ends_at < timezone.now(), rating
    assert {rating.item.mission.slug for rating in ratings} == {
        "birmingham-delegation-leipzig-opera-ball-2024",
        "leipzig-creative-trade-mission-birmingham-2025",
        UNDER_WAY,
    }


def test_demo_planners_see_an_upcoming_and_an_under_way_mission_on_their_dashboard(settings):
    settings.DEMO_USERS_ALLOWED = True
    call_command("demo_users", stdout=io.StringIO())
    User = get_user_model()

    boards = {
        username: [
            mission.slug
            for mission in dashboard_missions(User.objects.get(username=username)).upcoming
        ]
        for username in ("planner", "leipzig")
    }

    assert boards == {"planner": [UNDER_WAY, UPCOMING], "leipzig": [UNDER_WAY, UPCOMING]}
