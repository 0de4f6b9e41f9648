"""The admin site (planning/admin.py): every model's pages, times in the mission's zone."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib import admin
from django.urls import reverse
from pytest_django.asserts import assertContains

from missions.enums import ItemKind, ParticipantRole, RsvpStatus
from missions.models import AuditEntry, ItineraryItem, Mission, Participant
from tests.factories import (
    AuditEntryFactory,
    FeedbackFactory,
    FollowUpActionFactory,
    ItemRatingFactory,
    ItineraryItemFactory,
    MeetingFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
    ReminderRuleFactory,
    SectorFactory,
    VenueFactory,
    WarningAcknowledgementFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
REGISTERED = sorted(
    (
        model
        for model in admin.site._registry
        if model._meta.app_label in {"organisations", "missions", "messaging", "portal"}
    ),
    key=lambda model: model._meta.label,
)
# Written only by the application, never by hand: no add page (its change page is a view).
READ_ONLY = {AuditEntry}


def tokyo_mission(**kwargs) -> Mission:
    return MissionFactory(
        title="Smart city mission to Tokyo",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=dt.date(2025, 11, 12),
        end_date=dt.date(2025, 11, 14),
        **kwargs,
    )


def tokyo_evening(hour: int = 19, minute: int = 0) -> dt.datetime:
    return dt.datetime(2025, 11, 13, hour, minute, tzinfo=TOKYO)


def input_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]* name="{re.escape(name)}"[^>]* value="([^"]*)"', html)
    assert match, f"no input {name} with a value"
    return match.group(1)


@pytest.fixture
def directory_and_missions() -> None:
    """One of everything, with the optional relations filled so every list column renders."""
    sector = SectorFactory(name="Creative industries", slug="creative-industries")
    university = OrganisationFactory(name="Birmingham City University", kind="university")
    steamhouse = OrganisationFactory(name="STEAMHouse", parent=university)
    steamhouse.sectors.add(sector)
    venue = VenueFactory(name="Tokyo Big Sight", city="Tokyo", country="JP", time_zone=TOKYO)
    MembershipFactory(organisation=university)
    mission = tokyo_mission(partners=[steamhouse])
    mission.sectors.add(sector)
    item = ItineraryItemFactory(
        mission=mission, venue=venue, host=steamhouse, starts_at=tokyo_evening()
    )
    WarningAcknowledgementFactory(item=item)
    participant = ParticipantFactory(mission=mission)
    OutgoingMessageFactory(participant=participant)
    ItemRatingFactory(feedback=FeedbackFactory(participant=participant), item=item)
    AuditEntryFactory(mission=mission, participant=participant, person=participant.person)
    ReminderRuleFactory(mission=mission)
    FollowUpActionFactory(mission=mission, organisation=steamhouse)
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(organisation=steamhouse),
        arrival_at=dt.datetime(2025, 11, 12, 7, 30, tzinfo=TOKYO),
        departure_at=dt.datetime(2025, 11, 14, 21, tzinfo=TOKYO),
    )


@pytest.mark.usefixtures("directory_and_missions")
@pytest.mark.parametrize("page", ["changelist", "add", "change"])
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_page_of_every_model_with_data_answers_200(admin_client, model, page):
    opts = model._meta
    args = [model._default_manager.first().pk] if page == "change" else []
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)

    response = admin_client.get(url)

    assert response.status_code == (403 if page == "add" and model in READ_ONLY else 200)


def test_mission_change_page_with_items_shows_item_times_in_their_zone(admin_client):
    mission = tokyo_mission()
    ItineraryItemFactory(mission=mission, title="Welcome dinner", starts_at=tokyo_evening())

    response = admin_client.get(reverse("admin:missions_mission_change", args=[mission.pk]))

    assertContains(response, "Welcome dinner")
    assertContains(response, "13 Nov 2025, 19:00 JST (Asia/Tokyo)", count=1)
    html = response.content.decode()
    assert input_value(html, "items-0-starts_at_0") == "2025-11-13"
    assert input_value(html, "items-0-starts_at_1") == "19:00:00"


def test_item_change_page_of_tokyo_mission_shows_the_input_in_tokyo_time(admin_client):
    item = ItineraryItemFactory(mission=tokyo_mission(), starts_at=tokyo_evening())

    response = admin_client.get(reverse("admin:missions_itineraryitem_change", args=[item.pk]))

    html = response.content.decode()
    assert input_value(html, "starts_at_1") == "19:00:00"
    assertContains(response, "Time in Asia/Tokyo.", count=2)


@pytest.mark.parametrize("page", ["mission", "item", "participant"])
def test_change_forms_in_the_mission_zone_name_it_beside_every_date_and_time_input(
    admin_client, page
):
    """The admin's script warns "You are 9 hours behind server time" beside a date or
    time input unless its container holds a `timezonewarning`: each has one, naming the
    zone, so the script adds none."""
    mission = tokyo_mission()
    item = ItineraryItemFactory(mission=mission, starts_at=tokyo_evening())
    participant = ParticipantFactory(mission=mission)
    url = {
        "mission": reverse("admin:missions_mission_change", args=[mission.pk]),
        "item": reverse("admin:missions_itineraryitem_change", args=[item.pk]),
        "participant": reverse("admin:missions_participant_change", args=[participant.pk]),
    }[page]

    html = admin_client.get(url).content.decode()

    containers = re.findall(r'<p class="(?:date|datetime)">(.*?)</p>', html, re.S)
    assert containers
    assert [("timezonewarning" in container) for container in containers] == [True] * len(
        containers
    )
    if page != "mission":
        assert html.count('<span class="help timezonewarning">Time in Asia/Tokyo.</span>') == 2
    else:
        assert html.count("A local date where the mission takes place.") == 3


def item_form(mission: Mission, **overrides) -> dict[str, str]:
    return {
        "mission": str(mission.pk),
        "kind": ItemKind.MEAL,
        "title": "Welcome dinner",
        "description": "",
        "starts_at_0": "2025-11-13",
        "starts_at_1": "19:00",
        "ends_at_0": "2025-11-13",
        "ends_at_1": "21:00",
        "venue": "",
        "host": "",
        "meeting_point": "",
        "online_link": "",
        "audience": "all",
        "capacity": "",
        **overrides,
    }


def _feedback_form(feedback, item, rating: str) -> dict[str, str]:
    return {
        "participant": str(feedback.participant_id),
        "rating": str(feedback.rating),
        "comment": feedback.comment,
        "item_ratings-TOTAL_FORMS": "1",
        "item_ratings-INITIAL_FORMS": "0",
        "item_ratings-0-item": str(item.pk),
        "item_ratings-0-rating": rating,
    }


def test_feedback_change_page_rates_an_item_of_the_mission_inline(admin_client):
    feedback = FeedbackFactory()
    item = ItineraryItemFactory(mission=feedback.participant.mission, title="Welcome dinner")
    url = reverse("admin:missions_feedback_change", args=[feedback.pk])

    response = admin_client.post(url, _feedback_form(feedback, item, "3"))

    assert response.status_code == 302
    assert list(feedback.item_ratings.values_list("item__title", "rating")) == [
        ("Welcome dinner", 3)
    ]
    assertContains(admin_client.get(url), 'aria-label="Rating, row 1"')


def test_feedback_change_page_refuses_an_item_of_another_mission(admin_client):
    feedback = FeedbackFactory()
    url = reverse("admin:missions_feedback_change", args=[feedback.pk])

    response = admin_client.post(url, _feedback_form(feedback, ItineraryItemFactory(), "3"))

    assertContains(response, "This item is not of the participant&#x27;s mission.")
    assert not feedback.item_ratings.exists()


def test_item_add_for_tokyo_mission_at_19_stores_10_utc(admin_client):
    mission = tokyo_mission()
    url = reverse("admin:missions_itineraryitem_add") + f"?mission={mission.pk}"

    response = admin_client.post(url, item_form(mission))

    assert response.status_code == 302
    item = ItineraryItem.objects.get()
    assert item.starts_at == dt.datetime(2025, 11, 13, 10, tzinfo=dt.UTC)
    assert item.ends_at == dt.datetime(2025, 11, 13, 12, tzinfo=dt.UTC)


def test_item_add_page_from_tokyo_mission_names_the_zone(admin_client):
    mission = tokyo_mission()
    url = reverse("admin:missions_itineraryitem_add") + f"?mission={mission.pk}"

    response = admin_client.get(url)

    assertContains(response, "Time in Asia/Tokyo.", count=2)


def test_item_add_without_mission_in_query_takes_times_in_utc(admin_client):
    mission = tokyo_mission()

    response = admin_client.post(reverse("admin:missions_itineraryitem_add"), item_form(mission))

    assert response.status_code == 302
    assert ItineraryItem.objects.get().starts_at == dt.datetime(2025, 11, 13, 19, tzinfo=dt.UTC)


def test_mission_change_post_takes_inline_times_in_the_mission_zone(admin_client):
    mission = tokyo_mission()
    person = PersonFactory()
    form = {
        "title": mission.title,
        "slug": mission.slug,
        "kind": mission.kind,
        "status": mission.status,
        "destination_city": "Tokyo",
        "destination_country": "JP",
        "time_zone": "Asia/Tokyo",
        "start_date": "2025-11-12",
        "end_date": "2025-11-14",
        "rsvp_deadline": "",
        "lead_organisation": str(mission.lead_organisation.pk),
        "organisers": [str(mission.lead_organisation.pk)],
        "objectives": "",
        "description": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-title": "Welcome dinner",
        "items-0-kind": ItemKind.MEAL,
        "items-0-starts_at_0": "2025-11-13",
        "items-0-starts_at_1": "19:00",
        "items-0-ends_at_0": "2025-11-13",
        "items-0-ends_at_1": "21:00",
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "0",
        "participants-0-person": str(person.pk),
        "participants-0-role": ParticipantRole.DELEGATE,
        "participants-0-rsvp_status": RsvpStatus.INVITED,
        "participants-0-arrival_at_0": "2025-11-12",
        "participants-0-arrival_at_1": "07:30",
        "participants-0-departure_at_0": "",
        "participants-0-departure_at_1": "",
    }

    response = admin_client.post(reverse("admin:missions_mission_change", args=[mission.pk]), form)

    assert response.status_code == 302
    assert ItineraryItem.objects.get().starts_at == dt.datetime(2025, 11, 13, 10, tzinfo=dt.UTC)
    assert Participant.objects.get().arrival_at == dt.datetime(2025, 11, 11, 22, 30, tzinfo=dt.UTC)


def test_participant_add_for_tokyo_mission_takes_arrival_in_tokyo_time(admin_client):
    mission = tokyo_mission()
    url = reverse("admin:missions_participant_add") + f"?mission={mission.pk}"
    form = {
        "mission": str(mission.pk),
        "person": str(PersonFactory().pk),
        "role": ParticipantRole.DELEGATE,
        "rsvp_status": RsvpStatus.INVITED,
        "arrival_at_0": "2025-11-12",
        "arrival_at_1": "07:30",
        "arrival_details": "NH 210",
        "departure_at_0": "",
        "departure_at_1": "",
        "departure_details": "",
        "notes": "",
    }

    response = admin_client.post(url, form)

    assert response.status_code == 302
    assert Participant.objects.get().arrival_at == dt.datetime(2025, 11, 11, 22, 30, tzinfo=dt.UTC)


def test_item_changelist_shows_times_in_the_item_zone(admin_client):
    london_venue = VenueFactory(name="STEAMHouse")
    mission = tokyo_mission()
    ItineraryItemFactory(mission=mission, title="Dinner", starts_at=tokyo_evening())
    ItineraryItemFactory(
        mission=mission,
        title="Remote briefing",
        venue=london_venue,
        starts_at=dt.datetime(2025, 11, 13, 9, tzinfo=dt.UTC),
    )

    response = admin_client.get(reverse("admin:missions_itineraryitem_changelist"))

    assertContains(response, "13 Nov 2025, 19:00 JST (Asia/Tokyo)", count=1)
    assertContains(response, "13 Nov 2025, 09:00 GMT (Europe/London)", count=1)


def test_participant_changelist_shows_travel_in_the_mission_zone(admin_client):
    ParticipantFactory(
        mission=tokyo_mission(), arrival_at=dt.datetime(2025, 11, 11, 22, 30, tzinfo=dt.UTC)
    )

    response = admin_client.get(reverse("admin:missions_participant_changelist"))

    assertContains(response, "12 Nov 2025, 07:30 JST (Asia/Tokyo)", count=1)


def test_mission_changelist_counts_items_and_participants(admin_client):
    mission = tokyo_mission()
    ItineraryItemFactory.create_batch(3, mission=mission)
    ParticipantFactory.create_batch(2, mission=mission)

    response = admin_client.get(reverse("admin:missions_mission_changelist"))

    [row] = response.context["cl"].result_list
    assert (row.item_count, row.participant_count) == (3, 2)


QUERY_BUDGET = 10  # session, user, counts, rows, date hierarchy, filter choices


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize(
    "changelist", ["admin:missions_mission_changelist", "admin:missions_itineraryitem_changelist"]
)
def test_changelist_stays_within_query_budget_whatever_the_rows(
    admin_client, django_assert_max_num_queries, changelist, rows
):
    venue = VenueFactory()
    for _ in range(rows):
        mission = MissionFactory()
        ItineraryItemFactory(mission=mission, venue=venue, host=venue.organisation)
        ParticipantFactory(mission=mission)
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = admin_client.get(reverse(changelist))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize(
    "changelist",
    ["admin:matchmaking_meeting_changelist", "admin:matchmaking_meetingrequest_changelist"],
)
def test_matchmaking_changelist_stays_within_query_budget_whatever_the_rows(
    admin_client, django_assert_max_num_queries, changelist, rows
):
    """Each row names both people with their mission ("Anna Delegate (Leipzig trade
    mission) → Tom Host (…)"): read with the rows, not once per row."""
    for _ in range(rows):
        MeetingFactory()
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = admin_client.get(reverse(changelist))

    assert len(response.context["cl"].result_list) == rows


def test_organisation_autocomplete_for_lead_organisation_finds_by_name(admin_client):
    leipzig = OrganisationFactory(name="Stadt Leipzig", city="Leipzig", country="DE")
    OrganisationFactory(name="Birmingham City Council")
    query = "app_label=missions&model_name=mission&field_name=lead_organisation&term=leip"

    response = admin_client.get(f"{reverse('admin:autocomplete')}?{query}")

    assert response.status_code == 200
    assert response.json() == {
        "results": [{"id": str(leipzig.pk), "text": "Stadt Leipzig"}],
        "pagination": {"more": False},
    }


def tag_of(html: str, name: str) -> str:
    """The start tag of the input or select named `name`."""
    return re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html).group(0)


def test_mission_change_page_names_each_inline_input_by_its_column_and_row(admin_client):
    mission = tokyo_mission()
    ItineraryItemFactory(mission=mission, title="Welcome dinner", starts_at=tokyo_evening())

    response = admin_client.get(reverse("admin:missions_mission_change", args=[mission.pk]))

    html = response.content.decode()
    assert 'aria-label="Title, row 1"' in tag_of(html, "items-0-title")
    assert 'aria-label="Starts, time, row 1"' in tag_of(html, "items-0-starts_at_1")
    assert 'aria-label="Venue, row 1"' in tag_of(html, "items-0-venue")
    assert 'aria-label="Delete, row 1"' in tag_of(html, "items-0-DELETE")
    assert "aria-label" not in tag_of(html, "items-0-id")  # hidden: nobody reads it
    # The first column's head (each row's entry and its change link) has a name too.
    assertContains(response, '<span class="visually-hidden">Entry</span>', count=2)


def test_change_pages_label_and_name_the_date_and_the_time_of_a_date_time(admin_client):
    item = ItineraryItemFactory(mission=tokyo_mission(), starts_at=tokyo_evening())

    response = admin_client.get(reverse("admin:missions_itineraryitem_change", args=[item.pk]))

    assertContains(response, '<label for="id_starts_at_0">Date:</label>', html=True)
    assertContains(response, '<label for="id_starts_at_1">Time:</label>', html=True)
    html = response.content.decode()
    assert 'aria-label="Starts, date"' in tag_of(html, "starts_at_0")


def test_autocomplete_of_many_choices_has_no_remove_all_cross(admin_client):
    mission = tokyo_mission()

    response = admin_client.get(reverse("admin:missions_mission_change", args=[mission.pk]))

    html = response.content.decode()
    partners = re.search(r'<select[^>]*name="partners"[^>]*>', html).group(0)
    assert 'data-allow-clear="false"' in partners
