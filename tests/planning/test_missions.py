import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from missions.enums import ItemKind, MissionStatus, RsvpStatus
from missions.models import Mission
from organisations.enums import MembershipRole
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
QUERY_BUDGET = 15


def upcoming(**kwargs) -> Mission:
    """A mission three weeks from today, three days long."""
    start = timezone.localdate() + dt.timedelta(days=21)
    return MissionFactory(start_date=start, end_date=start + dt.timedelta(days=2), **kwargs)


@pytest.fixture
def planner():
    return MembershipFactory(organisation=OrganisationFactory(name="Birmingham City Council"))


@pytest.fixture
def planner_client(client: Client, planner) -> Client:
    client.force_login(planner.user)
    return client


def form_data(lead, **overrides) -> dict:
    return {
        "title": "Creative industries trade mission",
        "kind": "inbound",
        "destination_city": "Birmingham",
        "destination_country": "GB",
        "time_zone": "Europe/London",
        "start_date": "2027-03-04",
        "end_date": "2027-03-06",
        "rsvp_deadline": "2027-02-15",
        "lead_organisation": str(lead.pk),
        "objectives": "Partnerships in immersive media.",
        "description": "",
        "travel_buffer_minutes": "15",
        **overrides,
    }


def cells(response, *, after: str = "") -> list[str]:
    """The text of the page's table cells, in order (those after the text `after`)."""
    html = response.content.decode()
    html = html[html.index(after) :]
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
    ]


def input_tag(response, name: str) -> str:
    html = response.content.decode()
    match = re.search(rf'<(?:input|select|textarea)[^>]*name="{name}"[^>]*>', html)
    assert match, f"no field {name}"
    return match.group(0)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# HOME AND DASHBOARD ---------------------------------------------------------------


def test_home_signed_in_redirects_to_the_dashboard(planner_client):
    response = planner_client.get("/")

    assertRedirects(response, reverse("plan:dashboard"))


def test_dashboard_anonymous_redirects_to_login(client):
    response = client.get(reverse("plan:dashboard"))

    assertRedirects(response, f"{reverse('login')}?next={reverse('plan:dashboard')}")


def test_dashboard_row_shows_status_local_dates_answers_and_open_warnings(planner_client, planner):
    mission = upcoming(
        title="Creative mission",
        lead_organisation=planner.organisation,
        status=MissionStatus.CONFIRMED,
        time_zone=zoneinfo.ZoneInfo("Asia/Tokyo"),
        destination_city="Tokyo",
        destination_country="JP",
    )
    for status, n in [("not_invited", 1), ("invited", 2), ("accepted", 3), ("tentative", 1)]:
        ParticipantFactory.create_batch(n, mission=mission, rsvp_status=status)
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.WITHDRAWN)
    ItineraryItemFactory(mission=mission, kind=ItemKind.SITE_VISIT)  # no venue, no host

    response = planner_client.get(reverse("plan:dashboard"))

    dates = f"{mission.start_date:%-d %b %Y} – {mission.end_date:%-d %b %Y} Asia/Tokyo"
    assert cells(response, after='id="upcoming-missions"') == [
        "Creative mission Birmingham City Council",
        "Tokyo, Japan",
        dates,
        "Confirmed",
        "7",  # invited: 2 no answer + 3 accepted + 1 tentative + 1 withdrawn
        "3",
        "1",
        "1",
        "2",
        "1",
        "1",
    ]
    detail = reverse("plan:mission-detail", args=[mission.pk])
    assertContains(response, f'href="{detail}#warnings"', count=1)


def test_dashboard_lists_past_missions_in_a_collapsed_section(planner_client, planner):
    upcoming(title="Next one", lead_organisation=planner.organisation)
    MissionFactory(title="Opera Ball 2024", lead_organisation=planner.organisation)

    response = planner_client.get(reverse("plan:dashboard"))

    html = response.content.decode()
    start = html.index('id="past-missions"')
    past = html[start : html.index("</details>", start)]
    assert "Past (1)" in past
    assert "Opera Ball 2024" in past
    assert "Next one" not in past


def past_mission(n: int, organisation):
    day = dt.date(2020, 1, 1) + dt.timedelta(days=n)
    return MissionFactory(
        title=f"Past mission {n:02d}", lead_organisation=organisation, start_date=day, end_date=day
    )


def test_dashboard_pages_past_missions_25_at_a_time_with_an_accessible_nav(planner_client, planner):
    for n in range(30):
        past_mission(n, planner.organisation)

    first = planner_client.get(reverse("plan:dashboard"))
    second = planner_client.get(reverse("plan:dashboard"), {"page": 2})

    assert [m.title for m in first.context["past"]] == [
        f"Past mission {n:02d}" for n in range(29, 4, -1)
    ]
    assert [m.title for m in second.context["past"]] == [
        f"Past mission {n:02d}" for n in range(4, -1, -1)
    ]
    assertContains(first, "Past (30)")
    nav = re.search(
        r'<nav aria-label="Pages of past missions".*?</nav>', first.content.decode(), re.S
    )
    assert nav is not None
    assert re.search(
        r'aria-current="page"><span class="page-link"><span class="visually-hidden">Page </span>1<',
        nav.group(0),
    )
    assert 'href="?page=2"' in nav.group(0)
    assert '<details class="mt-4 dashboard" id="past-missions" open>' in second.content.decode()


def test_dashboard_pagination_speaks_german(planner_client, planner):
    for n in range(26):
        past_mission(n, planner.organisation)

    response = planner_client.get(reverse("plan:dashboard"), HTTP_ACCEPT_LANGUAGE="de")

    assertContains(response, 'aria-label="Seiten der vergangenen Missionen"')
    assertContains(response, '<span class="visually-hidden">Seite </span>2')
    assertContains(response, ">Weiter</a>")


@pytest.mark.parametrize("past", [5, 80])
def test_dashboard_with_many_past_missions_stays_within_query_budget(
    planner_client, planner, django_assert_max_num_queries, past
):
    for n in range(past):
        past_mission(n, planner.organisation)

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = planner_client.get(reverse("plan:dashboard"), {"page": 2})

    # A page past the last one shows the last: a few missions, or a full page of 25.
    assert len(response.context["past"]) == min(past, 25)


def test_dashboard_empty_for_planner_says_to_create_a_mission(planner_client):
    response = planner_client.get(reverse("plan:dashboard"))

    assertContains(response, "No missions yet")
    assertContains(response, f'href="{reverse("plan:mission-create")}"', count=1)
    assertContains(response, "Create your first mission")


def test_dashboard_empty_for_viewer_explains_without_a_create_button(client):
    viewer = MembershipFactory(role=MembershipRole.VIEWER).user
    client.force_login(viewer)

    response = client.get(reverse("plan:dashboard"))

    assertContains(response, "ask an administrator to make you a planner")
    assertNotContains(response, reverse("plan:mission-create"))


@pytest.mark.parametrize("missions", [1, 30])
def test_dashboard_stays_within_query_budget(
    planner_client, planner, django_assert_max_num_queries, missions
):
    venue = VenueFactory()
    for n in range(missions):
        mission = upcoming(lead_organisation=planner.organisation)
        ItineraryItemFactory(mission=mission, venue=venue, kind=ItemKind.SITE_VISIT)
        ParticipantFactory.create_batch(2, mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
        if n % 3 == 0:
            MissionFactory(lead_organisation=planner.organisation)  # a past one

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = planner_client.get(reverse("plan:dashboard"))

    assert len(response.context["upcoming"]) == missions
    assert {m.open_warnings for m in response.context["upcoming"]} == {1}


@pytest.mark.parametrize(("items", "participants"), [(1, 1), (100, 300)])
def test_dashboard_stays_within_query_budget_for_a_big_mission(
    planner_client, planner, django_assert_max_num_queries, items, participants
):
    mission = upcoming(lead_organisation=planner.organisation)
    ItineraryItemFactory.create_batch(items, mission=mission, venue=VenueFactory())
    ParticipantFactory.create_batch(participants, mission=mission, rsvp_status=RsvpStatus.INVITED)

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = planner_client.get(reverse("plan:dashboard"))

    [row] = response.context["upcoming"]
    assert row.rsvp_invited == participants


# CREATE -------------------------------------------------------------------------------


def test_mission_create_form_offers_only_the_users_planner_organisations(planner_client, planner):
    OrganisationFactory(name="Someone else's council")
    viewer_only = MembershipFactory(user=planner.user, role=MembershipRole.VIEWER).organisation

    response = planner_client.get(reverse("plan:mission-create"))

    form = response.context["form"]
    assert list(form.fields["lead_organisation"].queryset) == [planner.organisation]
    assert list(form.fields["organisers"].queryset) == [planner.organisation]
    assert viewer_only not in form.fields["lead_organisation"].queryset
    assert form.initial["lead_organisation"] == planner.organisation.pk


def test_mission_create_form_is_keyboard_friendly_with_date_pickers_and_zones(planner_client):
    response = planner_client.get(reverse("plan:mission-create"))

    assert "autofocus" in input_tag(response, "title")
    for name in ["start_date", "end_date", "rsvp_deadline"]:
        assert 'type="date"' in input_tag(response, name)
        assert len(re.findall(rf'<label\s+for="id_{name}"', response.content.decode())) == 1
    html = response.content.decode()
    assert re.search(r'<optgroup label="Common zones">\s*<option value="Europe/London"', html)
    assertContains(response, '<option value="America/Argentina/Buenos_Aires"', count=1)
    assertNotContains(response, 'name="status"')


def test_mission_create_saves_a_draft_and_goes_to_its_page(planner_client, planner):
    response = planner_client.post(reverse("plan:mission-create"), form_data(planner.organisation))

    mission = Mission.objects.get()
    assertRedirects(response, reverse("plan:mission-detail", args=[mission.pk]))
    assert (mission.title, mission.slug, mission.status) == (
        "Creative industries trade mission",
        "creative-industries-trade-mission",
        MissionStatus.DRAFT,
    )
    assert str(mission.time_zone) == "Europe/London"
    assert list(mission.organisers.all()) == [planner.organisation]
    assert messages_of(response) == [
        "Mission “Creative industries trade mission” created. Next, build its itinerary."
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"end_date": "2027-03-01"},
            "end_date",
            "The last day cannot be before the first day.",
        ),
        (
            {"rsvp_deadline": "2027-03-07"},
            "rsvp_deadline",
            "The RSVP deadline cannot be after the last day.",
        ),
        ({"start_date": "4 March"}, "start_date", "Enter a valid date."),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", None),
        ({"title": "x" * 10_000}, "title", None),
        ({"title": "   "}, "title", "This field is required."),
        ({"travel_buffer_minutes": "-5"}, "travel_buffer_minutes", None),
    ],
)
def test_mission_create_with_bad_input_shows_the_error_next_to_its_field(
    planner_client, planner, overrides, field, message
):
    response = planner_client.post(
        reverse("plan:mission-create"), form_data(planner.organisation, **overrides)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert "is-invalid" in input_tag(response, field)
    assertContains(response, f'id="error_1_id_{field}"', count=1)
    assert Mission.objects.count() == 0


def test_mission_create_with_someone_elses_organisation_is_refused(planner_client, planner):
    other = OrganisationFactory()

    response = planner_client.post(reverse("plan:mission-create"), form_data(other))

    assert list(response.context["form"].errors) == ["lead_organisation"]
    assert Mission.objects.count() == 0


@pytest.mark.parametrize(
    "title",
    [
        "<script>alert('x')</script> Mission",
        "مهمة تجارية إلى برمنغهام",
        "🎭 Opera Ball 🥂",
    ],
)
def test_mission_create_with_hostile_title_is_saved_and_shown_escaped(
    planner_client, planner, title
):
    planner_client.post(
        reverse("plan:mission-create"),
        form_data(planner.organisation, title=title, description="<b>bold</b>\n" * 500),
    )
    mission = Mission.objects.get()

    response = planner_client.get(reverse("plan:mission-detail", args=[mission.pk]))

    assert mission.title == title
    assertNotContains(response, "<script>alert")
    assertNotContains(response, "<b>bold</b>")
    assertContains(response, "&lt;b&gt;bold&lt;/b&gt;")


def test_mission_create_for_a_viewer_without_planner_role_is_404(client):
    client.force_login(MembershipFactory(role=MembershipRole.VIEWER).user)

    assert client.get(reverse("plan:mission-create")).status_code == 404


def test_mission_create_by_superuser_may_pick_any_organisation(admin_client):
    other = OrganisationFactory()

    response = admin_client.post(reverse("plan:mission-create"), form_data(other))

    assert response.status_code == 302
    assert Mission.objects.get().lead_organisation == other


# EDIT AND CANCEL ----------------------------------------------------------------------


def test_mission_edit_changes_fields_and_keeps_the_slug(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation, slug="first-slug")

    response = planner_client.post(
        reverse("plan:mission-edit", args=[mission.pk]),
        form_data(planner.organisation, title="Renamed", status=MissionStatus.PLANNING),
    )

    assertRedirects(response, reverse("plan:mission-detail", args=[mission.pk]))
    mission.refresh_from_db()
    assert (mission.title, mission.slug, mission.status) == ("Renamed", "first-slug", "planning")
    assert mission.history.first().history_user == planner.user
    assert messages_of(response) == ["Your changes to the mission were saved."]


def test_mission_edit_form_is_filled_and_offers_no_cancelled_status(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation, title="Opera Ball")

    response = planner_client.get(reverse("plan:mission-edit", args=[mission.pk]))

    form = response.context["form"]
    assert form["title"].value() == "Opera Ball"
    assert form["organisers"].value() == [planner.organisation.pk]
    assert "cancelled" not in [value for value, _ in form.fields["status"].choices]
    assertContains(response, f'value="{mission.start_date:%Y-%m-%d}"')


def test_mission_edit_invalid_keeps_the_saved_title_in_the_header(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation, title="Saved title")

    response = planner_client.post(
        reverse("plan:mission-edit", args=[mission.pk]),
        form_data(planner.organisation, title="Typed title", end_date="2000-01-01", status="draft"),
    )

    assertContains(response, '<h1 class="h3 mb-0 text-break">Saved title</h1>', html=False)
    assert Mission.objects.get().title == "Saved title"


def test_mission_edit_with_end_before_start_says_so_once_on_the_field(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation)

    response = planner_client.post(
        reverse("plan:mission-edit", args=[mission.pk]),
        form_data(
            planner.organisation, status="draft", start_date="2099-01-10", end_date="2099-01-01"
        ),
    )

    assert response.context["form"].errors == {
        "end_date": ["The last day cannot be before the first day."]
    }


def test_mission_edit_keeps_a_co_organiser_the_user_does_not_plan_for(planner_client, planner):
    leipzig = OrganisationFactory(name="City of Leipzig")
    mission = upcoming(
        lead_organisation=leipzig, organisers=[leipzig, planner.organisation], title="Joint"
    )

    response = planner_client.post(
        reverse("plan:mission-edit", args=[mission.pk]),
        {
            **form_data(leipzig, title="Joint mission", status="planning"),
            "organisers": [str(leipzig.pk), str(planner.organisation.pk)],
        },
    )

    assert response.status_code == 302
    assert set(mission.organisers.all()) == {leipzig, planner.organisation}


def test_mission_edit_removing_the_users_own_organisation_is_refused(planner_client, planner):
    leipzig = OrganisationFactory(name="City of Leipzig")
    mission = upcoming(lead_organisation=leipzig, organisers=[leipzig, planner.organisation])

    response = planner_client.post(
        reverse("plan:mission-edit", args=[mission.pk]),
        {**form_data(leipzig, status="planning"), "organisers": [str(leipzig.pk)]},
    )

    assert list(response.context["form"].errors) == ["organisers"]
    assert set(mission.organisers.all()) == {leipzig, planner.organisation}


def test_mission_cancel_get_asks_and_post_cancels(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation, title="Opera Ball")
    url = reverse("plan:mission-cancel", args=[mission.pk])

    page = planner_client.get(url)
    assertContains(page, "Cancel “Opera Ball”?")
    assert Mission.objects.get().status == MissionStatus.DRAFT

    response = planner_client.post(url)

    assertRedirects(response, reverse("plan:mission-detail", args=[mission.pk]))
    assert Mission.objects.get().status == MissionStatus.CANCELLED
    assert messages_of(response) == ["The mission was cancelled."]


def test_mission_cancel_post_by_partner_is_404_and_changes_nothing(client):
    partner = MembershipFactory()
    mission = upcoming(partners=[partner.organisation])
    client.force_login(partner.user)

    response = client.post(reverse("plan:mission-cancel", args=[mission.pk]))

    assert response.status_code == 404
    assert Mission.objects.get().status == MissionStatus.DRAFT


@pytest.mark.parametrize("status", [MissionStatus.COMPLETED, MissionStatus.CONFIRMED])
def test_mission_cancel_of_a_mission_that_has_ended_is_not_offered_and_refused(
    planner_client, planner, status
):
    mission = MissionFactory(lead_organisation=planner.organisation, status=status)  # 2025
    url = reverse("plan:mission-cancel", args=[mission.pk])

    overview = planner_client.get(reverse("plan:mission-detail", args=[mission.pk]))
    page = planner_client.get(url)
    posted = planner_client.post(url)

    assertNotContains(overview, url)
    assertNotContains(overview, "Cancel the mission")
    for response in (page, posted):
        assert response.status_code == 200
        assertContains(response, "This mission has ended: there is nothing left to cancel.")
        assertNotContains(response, "Yes, cancel the mission")
    assert Mission.objects.get().status == status


# DUPLICATE --------------------------------------------------------------------------


def test_mission_duplicate_form_suggests_the_same_weekdays_next_year(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation)
    mission.title = f"Creative mission {mission.start_date.year}"
    mission.save()

    response = planner_client.get(reverse("plan:mission-duplicate", args=[mission.pk]))

    form = response.context["form"]
    next_year = (mission.start_date + dt.timedelta(days=364)).year
    assert (form["title"].value(), form["shift_days"].value()) == (
        f"Creative mission {next_year}",
        364,
    )
    assertContains(response, "364 days are 52 weeks")


def test_mission_duplicate_of_a_mission_years_ago_suggests_its_weekdays_after_today(
    planner_client, planner
):
    mission = MissionFactory(lead_organisation=planner.organisation)  # Tue 4 March 2025
    today = timezone.localdate(timezone=mission.time_zone)

    response = planner_client.get(reverse("plan:mission-duplicate", args=[mission.pk]))

    starts = mission.start_date + dt.timedelta(days=response.context["form"]["shift_days"].value())
    anniversary = dt.date(starts.year, 3, 4)
    assert starts.weekday() == mission.start_date.weekday()  # a Tuesday
    assert starts > today
    assert abs((starts - anniversary).days) <= 3  # the Tuesday nearest 4 March
    assert anniversary - dt.timedelta(days=365) - dt.timedelta(days=3) <= today  # the first


def test_mission_duplicate_to_dates_in_the_past_is_refused(planner_client, planner):
    mission = MissionFactory(lead_organisation=planner.organisation)  # 4 March 2025

    response = planner_client.post(
        reverse("plan:mission-duplicate", args=[mission.pk]),
        {"title": "Creative again", "shift_days": "7"},
    )

    assert response.context["form"].errors == {
        "shift_days": [
            "The copy would start on 11 March 2025, which is in the past: move the dates further."
        ]
    }
    assert Mission.objects.count() == 1


def test_mission_duplicate_post_creates_the_draft_and_opens_it(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation, title="Creative 2025")
    ItineraryItemFactory(mission=mission, title="Round table")
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)

    response = planner_client.post(
        reverse("plan:mission-duplicate", args=[mission.pk]),
        {"title": "Creative 2026", "shift_days": "364"},
    )

    copy = Mission.objects.get(title="Creative 2026")
    assertRedirects(response, reverse("plan:mission-detail", args=[copy.pk]))
    assert (copy.status, copy.start_date) == (
        MissionStatus.DRAFT,
        mission.start_date + dt.timedelta(days=364),
    )
    assert [i.title for i in copy.items.all()] == ["Round table"]
    assert [p.rsvp_status for p in copy.participants.all()] == [RsvpStatus.NOT_INVITED]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "shift_days": "364"}, "title"),
        ({"title": "🎭" * 10_000, "shift_days": "364"}, "title"),
        ({"title": "Again", "shift_days": "-1"}, "shift_days"),
        ({"title": "Again", "shift_days": "99999999999"}, "shift_days"),
        ({"title": "Again", "shift_days": "next year"}, "shift_days"),
    ],
)
def test_mission_duplicate_with_bad_input_shows_the_error(planner_client, planner, data, field):
    mission = upcoming(lead_organisation=planner.organisation)

    response = planner_client.post(reverse("plan:mission-duplicate", args=[mission.pk]), data)

    assert list(response.context["form"].errors) == [field]
    assert Mission.objects.count() == 1


# DETAIL -----------------------------------------------------------------------------


def test_mission_detail_shows_summary_answers_and_open_warnings(planner_client, planner):
    partner = OrganisationFactory(name="Kreatives Leipzig")
    mission = upcoming(
        lead_organisation=planner.organisation, partners=[partner], title="Creative mission"
    )
    ItineraryItemFactory(mission=mission, kind=ItemKind.SITE_VISIT, title="Visit STEAMHouse")
    ParticipantFactory.create_batch(2, mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.INVITED)

    response = planner_client.get(reverse("plan:mission-detail", args=[mission.pk]))

    html = response.content.decode()
    counts = dict(re.findall(r'data-testid="rsvp-([a-z-]+)">(\d+)<', html))
    assert counts == {
        "invited": "3",
        "accepted": "2",
        "tentative": "0",
        "declined": "0",
        "no-answer": "1",
        "not-invited": "0",
    }
    [warning] = re.findall(r'data-testid="open-warning">(.*?)</li>', html, re.S)
    assert "Visit STEAMHouse" in warning
    assert "A site visit needs a venue and a host organisation; it has neither." in warning
    assertContains(response, "Kreatives Leipzig")
    assertContains(response, "Europe/London")
    assertContains(response, reverse("plan:mission-edit", args=[mission.pk]))
    assertContains(response, reverse("plan:participant-list", args=[mission.pk]))
    assertContains(response, reverse("plan:itinerary", args=[mission.pk]))


def test_mission_detail_for_partner_has_no_edit_links(client):
    partner = MembershipFactory()
    mission = upcoming(partners=[partner.organisation])
    client.force_login(partner.user)

    response = client.get(reverse("plan:mission-detail", args=[mission.pk]))

    assert response.status_code == 200
    for name in ["plan:mission-edit", "plan:mission-cancel", "plan:mission-duplicate"]:
        assertNotContains(response, reverse(name, args=[mission.pk]))


def test_mission_pages_show_the_mission_navigation(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation)

    response = planner_client.get(reverse("plan:mission-history", args=[mission.pk]))

    html = response.content.decode()
    tabs = re.findall(r'<a class="nav-link( active)?"[^>]*>([^<]+)</a>', html)
    tabs = [
        (label, bool(active))
        for active, label in tabs
        if label not in ("Missions", "Two-factor sign-in")
    ]
    assert tabs == [
        ("Directory", False),
        ("Overview", False),
        ("Itinerary", False),
        ("Participants", False),
        ("Follow-up", False),
        ("Outcomes", False),
        ("History", True),
    ]


@pytest.mark.parametrize(("items", "participants"), [(1, 1), (100, 300)])
def test_mission_detail_stays_within_query_budget(
    planner_client, planner, django_assert_max_num_queries, items, participants
):
    mission = upcoming(lead_organisation=planner.organisation)
    venue = VenueFactory()
    ItineraryItemFactory.create_batch(items, mission=mission, venue=venue)
    ParticipantFactory.create_batch(participants, mission=mission)

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = planner_client.get(reverse("plan:mission-detail", args=[mission.pk]))

    assert response.context["rsvp"]["not_invited"] == participants


# HISTORY ----------------------------------------------------------------------------


def test_mission_history_page_shows_who_changed_what(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation, title="Opera Ball")
    planner_client.post(
        reverse("plan:mission-edit", args=[mission.pk]),
        form_data(
            planner.organisation,
            title="Opera Ball 2027",
            status="draft",
            start_date=f"{mission.start_date:%Y-%m-%d}",
            end_date=f"{mission.end_date:%Y-%m-%d}",
            rsvp_deadline="",
        ),
    )

    response = planner_client.get(reverse("plan:mission-history", args=[mission.pk]))

    [newest, oldest] = response.context["page"].object_list
    assert (newest.user, newest.action) == (planner.user, "~")
    assert ("Title", "Opera Ball", "Opera Ball 2027") in [
        (c.label, c.old, c.new) for c in newest.changes
    ]
    assertContains(response, planner.user.username)
    assertContains(response, '<td class="text-break">Opera Ball</td>', count=1)


def test_mission_history_page_is_paginated_and_ignores_a_bad_page(planner_client, planner):
    mission = upcoming(lead_organisation=planner.organisation)
    ItineraryItemFactory.create_batch(30, mission=mission)
    url = reverse("plan:mission-history", args=[mission.pk])

    first = planner_client.get(url, {"page": "<script>"})
    second = planner_client.get(url, {"page": "2"})

    assert len(first.context["page"].object_list) == 25
    assertContains(first, 'href="?page=2"')
    assert len(second.context["page"].object_list) == 6


def _needs_changed(planner) -> Mission:
    """A mission whose participant told it a new diet, phone and arrival after joining."""
    mission = upcoming(lead_organisation=planner.organisation)
    participant = ParticipantFactory(mission=mission, dietary_requirements="Vegetarian")
    participant.dietary_requirements = "Halal"
    participant.phone = "+49 341 7"
    participant.arrival_details = "LH 716"
    participant.rsvp_status = RsvpStatus.ACCEPTED
    participant.save()
    return mission


def test_mission_history_for_organiser_shows_participants_needs_changed(planner_client, planner):
    mission = _needs_changed(planner)

    response = planner_client.get(reverse("plan:mission-history", args=[mission.pk]))

    for personal in ("Vegetarian", "Halal", "+49 341 7", "LH 716"):
        assertContains(response, personal)


def test_mission_history_for_partner_leaves_out_what_participants_told_it(client, planner):
    mission = _needs_changed(planner)
    partner = OrganisationFactory()
    mission.partners.add(partner)
    client.force_login(MembershipFactory(organisation=partner).user)

    response = client.get(reverse("plan:mission-history", args=[mission.pk]))

    assertContains(response, "Accepted")  # the answer is not personal data
    for personal in ("Vegetarian", "Halal", "+49 341 7", "LH 716"):
        assertNotContains(response, personal)


def test_mission_history_of_another_organisation_is_404(client):
    mission = upcoming()
    client.force_login(MembershipFactory().user)

    assert client.get(reverse("plan:mission-history", args=[mission.pk])).status_code == 404


def test_navigation_for_signed_in_users_links_missions_and_directory(planner_client):
    response = planner_client.get(reverse("plan:dashboard"))

    assertContains(response, f'href="{reverse("plan:dashboard")}">Missions</a>', count=1)
    assertContains(
        response, f'href="{reverse("directory:organisation-list")}">Directory</a>', count=1
    )


def test_navigation_for_visitors_has_no_workspace_links(client):
    response = client.get("/")

    assertNotContains(response, reverse("plan:dashboard"))
    assertNotContains(response, reverse("directory:organisation-list"))


def test_superuser_sees_and_edits_any_mission(admin_client):
    mission = upcoming()

    assert admin_client.get(reverse("plan:mission-detail", args=[mission.pk])).status_code == 200
    assert admin_client.get(reverse("plan:mission-edit", args=[mission.pk])).status_code == 200
