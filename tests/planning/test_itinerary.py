"""The itinerary builder: timeline, add/edit/move/delete in place, warnings, permissions."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.urls import reverse

from missions.enums import Audience, FeasibilityRule, ItemKind, RsvpStatus
from missions.models import ItineraryItem, Participant, WarningAcknowledgement
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
LONDON = zoneinfo.ZoneInfo("Europe/London")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mission():
    return MissionFactory(
        title="Leipzig economic delegation to Japan",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=dt.date(2025, 11, 12),
        end_date=dt.date(2025, 11, 14),
    )


def item_data(**overrides) -> dict:
    data = {
        "kind": ItemKind.RECEPTION,
        "title": "Reception with the German ambassador",
        "starts_at_0": "2025-11-13",
        "starts_at_1": "17:30",
        "ends_at_0": "2025-11-13",
        "ends_at_1": "18:45",
        "venue": "",
        "host": "",
        "meeting_point": "",
        "online_link": "",
        "audience": Audience.WHOLE_DELEGATION,
        "capacity": "",
        "description": "",
    }
    return data | overrides


def test_builder_shows_each_day_in_the_destination_zone(client, planner, mission):
    ItineraryItemFactory(
        mission=mission,
        title="Gewandhaus concert",
        starts_at=dt.datetime(2025, 11, 13, 10, tzinfo=dt.UTC),
        ends_at=dt.datetime(2025, 11, 13, 12, tzinfo=dt.UTC),
    )
    response = client.get(reverse("plan:itinerary", args=[mission.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Times in Asia/Tokyo" in html
    assert [day for day, _ in response.context["days"]] == [
        dt.date(2025, 11, 12),
        dt.date(2025, 11, 13),
        dt.date(2025, 11, 14),
    ]
    [(_, first), (_, second), (_, third)] = response.context["days"]
    assert (first, [i.title for i in second], third) == ([], ["Gewandhaus concert"], [])
    assert '<time datetime="2025-11-13T19:00:00+09:00">19:00</time>' in html


def test_item_added_with_htmx_is_read_in_the_destination_zone(client, planner, mission):
    response = client.post(reverse("plan:item-create", args=[mission.pk]), item_data(), **HTMX)
    item = ItineraryItem.objects.get()
    assert response.status_code == 200
    assert response.templates[0].name == "missions/_itinerary_timeline.html"
    assert item.starts_at == dt.datetime(2025, 11, 13, 8, 30, tzinfo=dt.UTC)
    assert item.ends_at == dt.datetime(2025, 11, 13, 9, 45, tzinfo=dt.UTC)


def test_item_ending_before_it_starts_is_an_error_next_to_the_field(client, planner, mission):
    response = client.post(
        reverse("plan:item-create", args=[mission.pk]),
        item_data(ends_at_1="17:00"),
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#item-form-new"
    assert response.context["form"].errors == {"ends_at": ["The item must end after it starts."]}
    assert ItineraryItem.objects.count() == 0


def test_item_outside_the_mission_is_an_error_on_its_start(client, planner, mission):
    response = client.post(
        reverse("plan:item-create", args=[mission.pk]),
        item_data(starts_at_0="2025-11-20", ends_at_0="2025-11-20"),
        **HTMX,
    )
    errors = response.context["form"].errors
    assert errors["starts_at"] == [
        "The item starts on 2025-11-20, outside the mission (2025-11-12 to 2025-11-14)."
    ]
    assert ItineraryItem.objects.count() == 0


def test_item_without_javascript_redirects_back_to_the_builder(client, planner, mission):
    response = client.post(reverse("plan:item-create", args=[mission.pk]), item_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("plan:itinerary", args=[mission.pk])
    assert ItineraryItem.objects.count() == 1


def test_item_for_selected_participants_needs_someone_chosen(client, planner, mission):
    alice, bob = ParticipantFactory.create_batch(2, mission=mission)
    url = reverse("plan:item-create", args=[mission.pk])
    refused = client.post(url, item_data(audience=Audience.SELECTED), **HTMX)
    assert refused.context["form"].errors == {
        "attendees": ["Choose who attends, or make it for everyone."]
    }
    client.post(url, item_data(audience=Audience.SELECTED, attendees=[bob.pk]), **HTMX)
    assert list(ItineraryItem.objects.get().attendees.all()) == [bob]


def test_item_moved_later_keeps_its_length(client, planner, mission):
    item = ItineraryItemFactory(
        mission=mission,
        starts_at=dt.datetime(2025, 11, 13, 19, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 11, 13, 21, tzinfo=TOKYO),
    )
    client.post(reverse("plan:item-move", args=[item.pk]), {"minutes": "15"}, **HTMX)
    item.refresh_from_db()
    assert (item.starts_at, item.ends_at) == (
        dt.datetime(2025, 11, 13, 19, 15, tzinfo=TOKYO),
        dt.datetime(2025, 11, 13, 21, 15, tzinfo=TOKYO),
    )


def test_item_moved_out_of_the_mission_stays_and_says_why(client, planner, mission):
    item = ItineraryItemFactory(
        mission=mission,
        starts_at=dt.datetime(2025, 11, 14, 19, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 11, 14, 21, tzinfo=TOKYO),
    )
    response = client.post(reverse("plan:item-move", args=[item.pk]), {"minutes": "1440"}, **HTMX)
    item.refresh_from_db()
    assert item.starts_at == dt.datetime(2025, 11, 14, 19, tzinfo=TOKYO)
    assert response.context["error"].startswith("The item starts on 2025-11-15, outside")


def test_item_deleted_disappears_from_the_timeline(client, planner, mission):
    item = ItineraryItemFactory(mission=mission, title="Free evening")
    response = client.post(reverse("plan:item-delete", args=[item.pk]), **HTMX)
    assert ItineraryItem.objects.count() == 0
    assert "Free evening" not in response.content.decode()


def test_site_visit_without_venue_warns_until_acknowledged_and_again_after_an_edit(
    client, planner, mission
):
    item = ItineraryItemFactory(mission=mission, kind=ItemKind.SITE_VISIT, title="Holosphere")
    url = reverse("plan:itinerary", args=[mission.pk])
    [warning] = client.get(url).context["report"].warnings
    assert (warning.rule, warning.is_open) == (FeasibilityRule.SITE_VISIT_INCOMPLETE, True)

    client.post(
        reverse("plan:warning-acknowledge", args=[item.pk]),
        {"rule": warning.rule, "subject": warning.subject, "reason": "They meet us outside"},
        **HTMX,
    )
    assert client.get(url).context["report"].open_count == 0
    assert WarningAcknowledgement.objects.get().acknowledged_by == planner

    client.post(
        reverse("plan:item-edit", args=[item.pk]),
        item_data(
            kind=ItemKind.SITE_VISIT,
            title="Holosphere XR studio",
            starts_at_0="2025-11-12",
            ends_at_0="2025-11-12",
        ),
        **HTMX,
    )
    assert client.get(url).context["report"].open_count == 1


def test_acknowledging_without_a_reason_is_refused(client, planner, mission):
    item = ItineraryItemFactory(mission=mission, kind=ItemKind.SITE_VISIT)
    response = client.post(
        reverse("plan:warning-acknowledge", args=[item.pk]),
        {"rule": FeasibilityRule.SITE_VISIT_INCOMPLETE, "subject": "", "reason": ""},
        **HTMX,
    )
    assert response.context["error"] == "Give a reason to acknowledge a warning."
    assert WarningAcknowledgement.objects.count() == 0


def test_travel_time_warning_shows_next_to_the_later_item(client, planner, mission):
    shinjuku = VenueFactory(
        name="Tokyo Metropolitan Government",
        city="Tokyo",
        time_zone=TOKYO,
        latitude="35.689500",
        longitude="139.691700",
    )
    yokohama = VenueFactory(
        name="Yokohama Bio Industry Center",
        city="Yokohama",
        time_zone=TOKYO,
        latitude="35.482000",
        longitude="139.660000",
    )
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    ItineraryItemFactory(
        mission=mission,
        venue=shinjuku,
        title="Briefing",
        starts_at=dt.datetime(2025, 11, 12, 9, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 11, 12, 10, tzinfo=TOKYO),
    )
    later = ItineraryItemFactory(
        mission=mission,
        venue=yokohama,
        title="Biotech site visit",
        kind=ItemKind.SITE_VISIT,
        host=OrganisationFactory(),
        starts_at=dt.datetime(2025, 11, 12, 10, 15, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 11, 12, 12, tzinfo=TOKYO),
    )
    report = client.get(reverse("plan:itinerary", args=[mission.pk])).context["report"]
    assert [(w.rule, w.item_id) for w in report.warnings] == [
        (FeasibilityRule.TRAVEL_TIME, later.pk)
    ]


def test_hostile_titles_are_escaped_or_refused(client, planner, mission):
    url = reverse("plan:item-create", args=[mission.pk])
    client.post(url, item_data(title="<script>alert(1)</script> مرحبا 🎉"), **HTMX)
    html = client.get(reverse("plan:itinerary", args=[mission.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; مرحبا 🎉" in html
    assert "<script>alert(1)" not in html
    response = client.post(url, item_data(title="x" * 10_000), **HTMX)
    assert response.context["form"].errors["title"] == [
        "Ensure this value has at most 200 characters (it has 10000)."
    ]


def test_partner_planner_sees_the_builder_without_edit_controls(client, mission):
    partner = OrganisationFactory(name="Invest Region Leipzig")
    mission.partners.add(partner)
    client.force_login(MembershipFactory(organisation=partner).user)
    item = ItineraryItemFactory(mission=mission)
    response = client.get(reverse("plan:itinerary", args=[mission.pk]))
    assert response.status_code == 200
    assert response.context["editable"] is False
    assert reverse("plan:item-edit", args=[item.pk]) not in response.content.decode()
    assert client.get(reverse("plan:item-edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("plan:item-delete", args=[item.pk])).status_code == 404
    assert ItineraryItem.objects.count() == 1


def test_outsider_gets_404_from_the_builder(client, mission):
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("plan:itinerary", args=[mission.pk])).status_code == 404


@pytest.mark.parametrize(("n_items", "n_participants"), [(1, 1), (100, 300)])
def test_builder_stays_within_15_queries(
    client, planner, mission, django_assert_max_num_queries, n_items, n_participants
):
    venue = VenueFactory(time_zone=TOKYO)
    people = PersonFactory.create_batch(n_participants, organisation=venue.organisation)
    participants = [
        ParticipantFactory.build(mission=mission, person=p, rsvp_status=RsvpStatus.ACCEPTED)
        for p in people
    ]
    participants = Participant.objects.bulk_create(participants)
    start = dt.datetime(2025, 11, 12, 8, tzinfo=TOKYO)
    items = ItineraryItem.objects.bulk_create(
        ItineraryItem(
            mission=mission,
            kind=ItemKind.MEETING,
            title=f"Meeting {n}",
            venue=venue,
            starts_at=start + dt.timedelta(minutes=20 * n),
            ends_at=start + dt.timedelta(minutes=20 * n + 15),
            audience=Audience.SELECTED if n % 2 else Audience.WHOLE_DELEGATION,
        )
        for n in range(n_items)
    )
    items[0].attendees.set(participants[:10])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("plan:itinerary", args=[mission.pk]))
    assert response.status_code == 200
    assert len(response.context["days"][0][1]) + len(response.context["days"][1][1]) >= 1


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    return re.findall(r'<option value="(\d+)"', select.group(0))


def test_item_form_lists_at_most_20_venues_and_hosts_not_the_whole_directory(
    client, planner, mission
):
    venues = VenueFactory.create_batch(30)
    hosts = OrganisationFactory.create_batch(30)
    item = ItineraryItemFactory(
        mission=mission,
        venue=venues[-1],
        host=hosts[-1],
        starts_at=dt.datetime(2025, 11, 13, 10, tzinfo=TOKYO),
        ends_at=dt.datetime(2025, 11, 13, 11, tzinfo=TOKYO),
    )

    html = client.get(reverse("plan:item-edit", args=[item.pk])).content.decode()

    for name, chosen in (("venue", venues[-1]), ("host", hosts[-1])):
        options = _options(html, name)
        assert len(options) == 20, name
        assert options[0] == str(chosen.pk)  # the chosen one first, selected


def test_item_takes_a_venue_the_search_offered_beyond_the_first_20(client, planner, mission):
    # Names in the order of their numbers, whatever the factory's count has reached.
    *_, last = [VenueFactory(name=f"Venue {number:02}") for number in range(30)]
    assert str(last.pk) not in _options(
        client.get(reverse("plan:item-create", args=[mission.pk])).content.decode(), "venue"
    )

    client.post(reverse("plan:item-create", args=[mission.pk]), item_data(venue=last.pk))

    assert ItineraryItem.objects.get(mission=mission).venue == last


def test_item_form_names_the_date_and_the_time_of_its_start_and_end(client, planner, mission):
    html = client.get(reverse("plan:item-create", args=[mission.pk])).content.decode()

    names = dict(re.findall(r'<input[^>]*name="(\w+_at_\d)"[^>]*aria-label="([^"]+)"', html))
    assert names == {
        "starts_at_0": "Starts, date",
        "starts_at_1": "Starts, time",
        "ends_at_0": "Ends, date",
        "ends_at_1": "Ends, time",
    }
