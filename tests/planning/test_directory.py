import datetime as dt
import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from missions.enums import MissionStatus
from organisations.enums import MembershipRole, OrganisationKind
from organisations.models import Organisation, Venue
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    SectorFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("directory:organisation-list")
VENUE_OPTIONS = reverse("directory:venue-options")
ORGANISATION_OPTIONS = reverse("directory:organisation-options")
VENUE_CREATE = reverse("directory:venue-create")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def council() -> Organisation:
    return OrganisationFactory(
        name="Birmingham City Council", kind=OrganisationKind.CITY_COUNCIL, short_name="BCC"
    )


@pytest.fixture
def member(council):
    return MembershipFactory(organisation=council, user__username="planner").user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def names(response) -> list[str]:
    return [organisation.name for organisation in response.context["page"].object_list]


def detail_url(organisation: Organisation) -> str:
    return reverse("directory:organisation-detail", args=[organisation.pk])


# ACCESS ----------------------------------------------------------------------


def every_url() -> list[str]:
    organisation = OrganisationFactory(name="STEAMHouse")
    return [LIST, detail_url(organisation), VENUE_OPTIONS, ORGANISATION_OPTIONS, VENUE_CREATE]


def test_directory_urls_for_anonymous_user_redirect_to_login(client):
    for url in every_url():
        response = client.get(url)

        assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)


def test_directory_urls_for_user_without_membership_give_404(client):
    client.force_login(UserFactory(username="stranger"))

    statuses = [client.get(url).status_code for url in every_url()]

    assert statuses == [404, 404, 404, 404, 404]


def test_directory_urls_for_superuser_without_membership_answer_200(admin_client):
    statuses = [admin_client.get(url).status_code for url in every_url()]

    assert statuses == [200, 200, 200, 200, 200]


def test_organisation_detail_of_unknown_pk_gives_404(member_client):
    response = member_client.get(reverse("directory:organisation-detail", args=[2**40]))

    assert response.status_code == 404


def test_venue_create_post_for_user_without_membership_gives_404_and_saves_nothing(client):
    client.force_login(UserFactory(username="stranger"))

    response = client.post(VENUE_CREATE, venue_form())

    assert response.status_code == 404
    assert Venue.objects.count() == 0


def test_venue_create_for_a_viewer_gives_404_and_saves_nothing(client, council):
    """A viewer reads the directory; adding to it is for planners."""
    viewer = MembershipFactory(organisation=council, role=MembershipRole.VIEWER).user
    client.force_login(viewer)

    page = client.get(detail_url(council))
    response = client.post(VENUE_CREATE, venue_form())

    assert page.status_code == 200
    assertNotContains(page, VENUE_CREATE)
    assert response.status_code == 404
    assert Venue.objects.count() == 0


# DIRECTORY -------------------------------------------------------------------


@pytest.fixture
def directory(council) -> None:
    creative = SectorFactory(name="Creative industries", slug="creative-industries")
    mobility = SectorFactory(name="Mobility", slug="mobility")
    council.sectors.add(creative, mobility)
    university = OrganisationFactory(
        name="Birmingham City University",
        kind=OrganisationKind.UNIVERSITY,
        description="Home of STEAMHouse and the Birmingham School of Media.",
    )
    university.sectors.add(creative)
    OrganisationFactory(
        name="Kreatives Leipzig",
        kind=OrganisationKind.CULTURAL,
        city="Leipzig",
        country="DE",
        description="Network of the creative industries in Leipzig.",
    ).sectors.add(creative)
    OrganisationFactory(
        name="Invest Region Leipzig",
        short_name="IRL",
        kind=OrganisationKind.ECONOMIC_DEVELOPMENT,
        city="Leipzig",
        country="DE",
    ).sectors.add(mobility)
    OrganisationFactory(
        name="German Embassy Tokyo", kind=OrganisationKind.GOVERNMENT, city="Tokyo", country="JP"
    )


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Birmingham City Council", "Birmingham City University", "German Embassy Tokyo",
              "Invest Region Leipzig", "Kreatives Leipzig"]),
        ("q=leipzig", ["Invest Region Leipzig", "Kreatives Leipzig"]),
        ("q=irl", ["Invest Region Leipzig"]),
        ("q=bcc", ["Birmingham City Council"]),
        ("q=steamhouse", ["Birmingham City University"]),
        ("q=TOKYO", ["German Embassy Tokyo"]),
        ("sector=mobility", ["Birmingham City Council", "Invest Region Leipzig"]),
        ("kind=university", ["Birmingham City University"]),
        ("city=Leipzig", ["Invest Region Leipzig", "Kreatives Leipzig"]),
        ("country=JP", ["German Embassy Tokyo"]),
        ("sector=creative-industries&city=Birmingham",
         ["Birmingham City Council", "Birmingham City University"]),
        ("q=creative&country=DE", ["Kreatives Leipzig"]),
        ("sector=creative-industries&kind=government", []),
    ],
)  # fmt: skip
def test_directory_search_and_filters_list_exactly_the_matches(member_client, query, expected):
    response = member_client.get(f"{LIST}?{query}")

    assert names(response) == expected


@pytest.mark.usefixtures("directory")
def test_directory_filters_keep_their_values(member_client):
    response = member_client.get(f"{LIST}?q=city&sector=mobility&kind=city_council&country=GB")

    assertContains(response, 'value="city"')
    assertContains(response, '<option value="mobility" selected>Mobility</option>', html=True)
    assertContains(
        response, '<option value="city_council" selected>City council</option>', html=True
    )
    assertContains(response, '<option value="GB" selected>United Kingdom</option>', html=True)


@pytest.mark.usefixtures("directory")
def test_directory_filter_choices_list_the_directory_cities_and_countries(member_client):
    response = member_client.get(LIST)

    form = response.context["form"]
    assert [label for _, label in form.fields["city"].choices] == [
        "Any",
        "Birmingham",
        "Leipzig",
        "Tokyo",
    ]
    assert [label for _, label in form.fields["country"].choices] == [
        "Any",
        "Germany",
        "Japan",
        "United Kingdom",
    ]


@pytest.mark.usefixtures("directory")
def test_directory_shows_the_count_and_rows(member_client):
    response = member_client.get(f"{LIST}?city=Leipzig")

    assertContains(response, "2 organisations")
    assertContains(response, "Network of the creative industries", count=0)
    assertContains(response, f'href="{detail_url(Organisation.objects.get(short_name="IRL"))}"')


@pytest.mark.usefixtures("directory")
def test_directory_without_matches_shows_the_empty_state_with_a_reset_link(member_client):
    response = member_client.get(f"{LIST}?q=atlantis")

    assert names(response) == []
    assertContains(response, "0 organisations")
    assertContains(response, "No organisation matches your search and filters.")
    assertContains(response, f'<a href="{LIST}">Show all organisations</a>', html=True)


@pytest.mark.usefixtures("directory")
def test_directory_with_unknown_filter_value_reports_it_and_ignores_it(member_client):
    response = member_client.get(f"{LIST}?country=ZZ&kind=spaceport")

    assert response.status_code == 200
    assert len(names(response)) == 5
    assert sorted(response.context["form"].errors) == ["country", "kind"]


@pytest.mark.usefixtures("directory")
@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "<script>alert(1)</script>",
        "\u0644\u064a\u0628\u0632\u064a\u063a",
        "🎭",
        "a\x00b",
        "%",
    ],
)
def test_directory_search_with_hostile_text_answers_200(member_client, text):
    response = member_client.get(LIST, {"q": text})

    assert response.status_code == 200
    assertNotContains(response, "<script>alert(1)</script>")


def test_directory_search_with_overlong_text_says_so_next_to_the_field(member_client):
    response = member_client.get(LIST, {"q": "x" * 10_000})

    assert response.context["form"].errors == {
        "q": ["Ensure this value has at most 100 characters (it has 10000)."]
    }


def test_directory_paginates_by_25_and_keeps_the_filters(member_client):
    OrganisationFactory.create_batch(30, city="Leipzig", country="DE")

    first = member_client.get(f"{LIST}?city=Leipzig")
    second = member_client.get(f"{LIST}?city=Leipzig&page=2")

    assert (len(names(first)), len(names(second))) == (25, 5)
    assertContains(first, "30 organisations")
    assertContains(first, 'href="?city=Leipzig&amp;page=2"')
    assertContains(second, 'href="?city=Leipzig&amp;page=1"')
    assertContains(
        second,
        '<li class="page-item active" aria-current="page"><span class="page-link">'
        '<span class="visually-hidden">Page </span>2</span></li>',
    )


def test_directory_with_page_out_of_range_shows_the_last_page(member_client):
    OrganisationFactory.create_batch(26)

    response = member_client.get(f"{LIST}?page=99")

    assert response.context["page"].number == 2


@pytest.mark.parametrize("count", [1, 60])
def test_directory_stays_within_query_budget(member_client, django_assert_max_num_queries, count):
    sectors = SectorFactory.create_batch(3)
    for organisation in OrganisationFactory.create_batch(count):
        organisation.sectors.set(sectors)

    with django_assert_max_num_queries(10):
        response = member_client.get(f"{LIST}?q=organisation&sector={sectors[0].slug}")

    assert len(names(response)) == min(count, 25)


# ORGANISATION PAGE -----------------------------------------------------------


@pytest.fixture
def steamhouse() -> Organisation:
    university = OrganisationFactory(name="Birmingham City University")
    steamhouse = OrganisationFactory(
        name="STEAMHouse",
        kind=OrganisationKind.INCUBATOR,
        parent=university,
        website="https://www.steamhouse.org.uk",
        description="Innovation centre for the arts, science and technology.",
    )
    OrganisationFactory(name="STEAMHouse Makerspace", parent=steamhouse)
    PersonFactory(
        full_name="Jo Maker",
        job_title="Innovation lead",
        email="jo.maker@example.org",
        organisation=steamhouse,
    )
    VenueFactory(
        name="STEAMHouse Belmont Row",
        organisation=steamhouse,
        address="Belmont Row",
        latitude="52.483200",
        longitude="-1.883500",
        capacity=120,
        notes="Entrance <b>round the back</b>",
    )
    return steamhouse


def test_organisation_page_shows_its_details_people_and_venues(member_client, steamhouse):
    response = member_client.get(detail_url(steamhouse))

    assertContains(response, "<h1", count=1)
    assertContains(response, "Incubator or accelerator")
    assertContains(response, "United Kingdom")
    assertContains(
        response,
        '<a href="https://www.steamhouse.org.uk" rel="noopener" target="_blank">'
        "https://www.steamhouse.org.uk</a>",
        html=True,
    )
    assertContains(response, "Innovation centre for the arts, science and technology.")
    assertContains(response, "Birmingham City University")
    assertContains(response, "STEAMHouse Makerspace")
    assertContains(response, "<strong>Jo Maker</strong>, Innovation lead")
    assertNotContains(response, "jo.maker@example.org")  # the member works for another one
    assertContains(response, "Belmont Row, Birmingham, United Kingdom")
    assertContains(response, "Time zone Europe/London")
    assertContains(response, "120 people")


def test_organisation_page_shows_e_mail_addresses_to_its_own_members(client, steamhouse):
    client.force_login(MembershipFactory(organisation=steamhouse).user)

    response = client.get(detail_url(steamhouse))

    assertContains(
        response, '<a href="mailto:jo.maker@example.org">jo.maker@example.org</a>', html=True
    )


def test_organisation_page_shows_other_organisations_people_by_name_and_job_only(
    member_client, steamhouse
):
    response = member_client.get(detail_url(steamhouse))

    assertContains(response, "<strong>Jo Maker</strong>, Innovation lead")
    assertNotContains(response, "mailto:")
    assertNotContains(response, "@example.org")


def test_organisation_page_shows_e_mail_addresses_to_superusers(admin_client, steamhouse):
    assertContains(admin_client.get(detail_url(steamhouse)), "jo.maker@example.org")


def test_organisation_page_links_the_venue_to_openstreetmap(member_client, steamhouse):
    response = member_client.get(detail_url(steamhouse))

    assertContains(
        response,
        'href="https://www.openstreetmap.org/?mlat=52.483200&amp;mlon=-1.883500'
        '#map=17/52.483200/-1.883500"',
    )


def test_organisation_page_in_german_keeps_the_map_coordinates_with_dots(client, steamhouse):
    client.force_login(MembershipFactory(organisation=steamhouse).user)
    client.cookies["django_language"] = "de"

    response = client.get(detail_url(steamhouse), headers={"accept-language": "de"})

    assertContains(response, "mlat=52.483200&amp;mlon=-1.883500")


def test_organisation_page_escapes_markup_in_venue_notes(member_client, steamhouse):
    response = member_client.get(detail_url(steamhouse))

    assertContains(response, "Entrance &lt;b&gt;round the back&lt;/b&gt;")
    assertNotContains(response, "<b>round the back</b>")


def test_organisation_page_without_people_venues_or_missions_says_so(member_client, council):
    response = member_client.get(detail_url(OrganisationFactory(name="Holosphere")))

    assertContains(response, "No people recorded.")
    assertContains(response, "No venues recorded.")
    assertContains(response, "No missions that you can see.")


@pytest.fixture
def two_missions(steamhouse) -> dict:
    """STEAMHouse partners a Birmingham mission and hosts an item of a Leipzig mission."""
    birmingham = OrganisationFactory(name="West Midlands Growth Company")
    leipzig = OrganisationFactory(name="Stadt Leipzig", city="Leipzig", country="DE")
    return {
        "birmingham": birmingham,
        "leipzig": leipzig,
        "partnered": MissionFactory(
            title="Creative industries mission 2025",
            lead_organisation=birmingham,
            partners=[steamhouse],
        ),
        "hosted": ItineraryItemFactory(
            mission__title="Opera Ball delegation 2024",
            mission__lead_organisation=leipzig,
            host=steamhouse,
        ).mission,
    }


def mission_titles(response) -> list[str]:
    return [mission.title for mission in response.context["missions"]]


def test_organisation_page_for_organiser_lists_only_their_missions(
    client, steamhouse, two_missions
):
    client.force_login(MembershipFactory(organisation=two_missions["birmingham"]).user)

    response = client.get(detail_url(steamhouse))

    assert mission_titles(response) == ["Creative industries mission 2025"]
    mission_url = reverse("plan:mission-detail", args=[two_missions["partnered"].pk])
    assertContains(response, f'<a href="{mission_url}">Creative industries mission 2025</a>')
    assertNotContains(response, "Opera Ball delegation 2024")


def test_organisation_page_for_other_organiser_lists_only_their_missions(
    client, steamhouse, two_missions
):
    client.force_login(MembershipFactory(organisation=two_missions["leipzig"]).user)

    response = client.get(detail_url(steamhouse))

    assert mission_titles(response) == ["Opera Ball delegation 2024"]
    assertNotContains(response, "Creative industries mission 2025")


def test_organisation_page_for_outsider_lists_no_mission(member_client, steamhouse, two_missions):
    response = member_client.get(detail_url(steamhouse))

    assert mission_titles(response) == []
    assertNotContains(response, "Creative industries mission 2025")
    assertNotContains(response, "Opera Ball delegation 2024")
    assertContains(response, "No missions that you can see.")


def test_organisation_page_for_superuser_lists_every_role_once(admin_client, steamhouse):
    led = MissionFactory(title="Led", lead_organisation=steamhouse, start_date=dt.date(2025, 1, 1),
                         end_date=dt.date(2025, 1, 2))  # fmt: skip
    organised = MissionFactory(title="Organised", organisers=[steamhouse, OrganisationFactory()])
    partnered = MissionFactory(title="Partnered", partners=[steamhouse])
    hosted = ItineraryItemFactory(mission__title="Hosted", host=steamhouse).mission
    ItineraryItemFactory(mission=hosted, host=steamhouse)
    attended = MissionFactory(title="Attended", status=MissionStatus.COMPLETED)
    for person in PersonFactory.create_batch(2, organisation=steamhouse):
        ParticipantFactory(mission=attended, person=person)
    MissionFactory(title="Unrelated")

    response = admin_client.get(detail_url(steamhouse))

    roles = {
        mission.title: [
            role
            for role in ("as_lead", "as_organiser", "as_partner", "as_host", "as_participants")
            if getattr(mission, role)
        ]
        for mission in response.context["missions"]
    }
    assert roles == {
        led.title: ["as_lead", "as_organiser"],
        organised.title: ["as_organiser"],
        partnered.title: ["as_partner"],
        hosted.title: ["as_host"],
        attended.title: ["as_participants"],
    }
    assert len(response.context["missions"]) == 5


@pytest.mark.parametrize("count", [1, 30])
def test_organisation_page_stays_within_query_budget(
    django_assert_max_num_queries, client, steamhouse, count
):
    planner = MembershipFactory(organisation=steamhouse).user
    PersonFactory.create_batch(count, organisation=steamhouse)
    VenueFactory.create_batch(count, organisation=steamhouse)
    OrganisationFactory.create_batch(count, parent=steamhouse)
    steamhouse.sectors.set(SectorFactory.create_batch(3))
    for _ in range(count):
        ItineraryItemFactory(mission__organisers=[steamhouse], host=steamhouse)
    client.force_login(planner)

    # Constant: three of them say what the user may do (see contacts, export, add a venue),
    # two count and fetch a page of people.
    with django_assert_max_num_queries(15):
        response = client.get(detail_url(steamhouse))

    assert len(response.context["missions"]) == count


# PICKERS ---------------------------------------------------------------------


def test_venue_options_list_matches_by_name_with_an_empty_first_option(member_client):
    gewandhaus = VenueFactory(name="Gewandhaus", city="Leipzig", country="DE")
    VenueFactory(name="Symphony Hall", city="Birmingham")
    oper = VenueFactory(name="Oper Leipzig", city="Leipzig", country="DE")

    response = member_client.get(VENUE_OPTIONS, {"q": "leipzig"}, **HTMX)

    assert response.content.decode() == (
        '<option value="">—</option>\n'
        f'<option value="{gewandhaus.pk}">Gewandhaus, Leipzig</option>\n'
        f'<option value="{oper.pk}">Oper Leipzig, Leipzig</option>\n'
    )


def test_venue_options_keep_the_selected_venue_first_and_selected(member_client):
    gewandhaus = VenueFactory(name="Gewandhaus", city="Leipzig", country="DE")
    symphony = VenueFactory(name="Symphony Hall", city="Birmingham")

    response = member_client.get(VENUE_OPTIONS, {"q": "gewand", "selected": symphony.pk})

    assert response.content.decode() == (
        '<option value="">—</option>\n'
        f'<option value="{symphony.pk}" selected>Symphony Hall, Birmingham</option>\n'
        f'<option value="{gewandhaus.pk}">Gewandhaus, Leipzig</option>\n'
    )


def test_venue_options_list_at_most_20_ordered_by_name(member_client):
    for number in range(25, 0, -1):
        VenueFactory(name=f"Hall {number:02}")

    response = member_client.get(VENUE_OPTIONS)

    html = response.content.decode()
    assert html.count("<option") == 21
    assert html.index("Hall 01") < html.index("Hall 02") < html.index("Hall 20")
    assert "Hall 21" not in html


def test_organisation_options_match_short_name_and_escape_markup(member_client, council):
    OrganisationFactory(name="<b>Bold</b> Ltd")

    bcc = member_client.get(ORGANISATION_OPTIONS, {"q": "bcc"})
    bold = member_client.get(ORGANISATION_OPTIONS, {"q": "bold"})

    assert bcc.content.decode() == (
        '<option value="">—</option>\n'
        f'<option value="{council.pk}">Birmingham City Council, Birmingham</option>\n'
    )
    assertContains(bold, "&lt;b&gt;Bold&lt;/b&gt; Ltd, Birmingham")


@pytest.mark.parametrize(
    "query", [{"q": "x" * 10_000}, {"q": "a\x00b"}, {"selected": "abc"}, {"selected": 2**70}]
)
def test_venue_options_with_hostile_query_answer_200(member_client, query):
    VenueFactory(name="Symphony Hall")

    response = member_client.get(VENUE_OPTIONS, query)

    assert response.status_code == 200


def test_picker_options_stay_within_query_budget(member_client, django_assert_max_num_queries):
    *_, selected = VenueFactory.create_batch(30)

    with django_assert_max_num_queries(6):
        member_client.get(VENUE_OPTIONS, {"q": "venue", "selected": selected.pk})


def test_picker_snippet_renders_the_search_box_and_the_select():
    class ItemForm(forms.Form):
        venue = forms.ModelChoiceField(queryset=Venue.objects.all(), required=False)

    symphony = VenueFactory(name="Symphony Hall")

    html = render_to_string(
        "organisations/_picker.html",
        {"field": ItemForm(initial={"venue": symphony.pk})["venue"], "options_url": VENUE_OPTIONS},
    )

    assert f'hx-get="{VENUE_OPTIONS}"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-target="#id_venue"' in html
    assert f'hx-vals=\'{{"selected": "{symphony.pk}"}}\'' in html
    assert '<select name="venue" class="select form-select" id="id_venue">' in html
    assert f'<option value="{symphony.pk}" selected>Symphony Hall, Birmingham</option>' in html


def test_organisation_options_for_a_multiple_picker_keep_every_choice_selected(
    member_client, council
):
    leipzig = OrganisationFactory(name="Stadt Leipzig", city="Leipzig", country="DE")
    bcu = OrganisationFactory(name="Birmingham City University")

    response = member_client.get(
        ORGANISATION_OPTIONS,
        {"q": "city university", "selected_in": "partners", "partners": [leipzig.pk, council.pk]},
    )

    assert response.content.decode() == (  # no empty option in a multiple select
        f'<option value="{council.pk}" selected>Birmingham City Council, Birmingham</option>\n'
        f'<option value="{leipzig.pk}" selected>Stadt Leipzig, Leipzig</option>\n'
        f'<option value="{bcu.pk}">Birmingham City University, Birmingham</option>\n'
    )


def mission_form_partners(response) -> list[str]:
    select = re.search(r'<select name="partners".*?</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="\d+"(?: selected)?>([^<]*)</option>', select.group(0))


def test_mission_form_partners_start_with_the_chosen_and_20_of_the_directory(client, council):
    planner = MembershipFactory(organisation=council).user
    for number in range(30):
        OrganisationFactory(name=f"Agency {number:02}")
    leipzig = OrganisationFactory(name="Stadt Leipzig", city="Leipzig", country="DE")
    mission = MissionFactory(lead_organisation=council, partners=[leipzig])
    client.force_login(planner)

    response = client.get(reverse("plan:mission-edit", args=[mission.pk]))

    partners = mission_form_partners(response)
    assert len(partners) == 20
    assert partners[:2] == ["Stadt Leipzig", "Agency 00"]
    assertContains(response, f'<option value="{leipzig.pk}" selected>')
    assertContains(response, f'hx-get="{ORGANISATION_OPTIONS}"')
    assertContains(response, 'hx-include="#id_partners"')


def test_mission_form_accepts_a_partner_found_by_searching(client, council):
    planner = MembershipFactory(organisation=council).user
    for number in range(30):
        OrganisationFactory(name=f"Agency {number:02}")
    zurich = OrganisationFactory(name="Zurich Tourism", city="Zurich", country="CH")
    mission = MissionFactory(lead_organisation=council)
    client.force_login(planner)
    url = reverse("plan:mission-edit", args=[mission.pk])
    data = {
        "title": mission.title,
        "kind": mission.kind,
        "status": mission.status,
        "destination_city": mission.destination_city,
        "destination_country": str(mission.destination_country),
        "time_zone": mission.time_zone.key,
        "start_date": mission.start_date.isoformat(),
        "end_date": mission.end_date.isoformat(),
        "lead_organisation": council.pk,
        "organisers": [council.pk],
        "partners": [zurich.pk],
        "travel_buffer_minutes": 15,
    }

    assert "Zurich Tourism" not in mission_form_partners(client.get(url))
    response = client.post(url, data)

    assertRedirects(response, reverse("plan:mission-detail", args=[mission.pk]))
    assert list(mission.partners.all()) == [zurich]
    assert mission_form_partners(client.get(url))[0] == "Zurich Tourism"


# NEW VENUE -------------------------------------------------------------------


def venue_form(**overrides) -> dict[str, str]:
    data = {
        "name": "Symphony Hall",
        "organisation": "",
        "address": "Broad Street",
        "city": "Birmingham",
        "country": "GB",
        "latitude": "52.4786",
        "longitude": "-1.9097",
        "time_zone": "Europe/London",
        "capacity": "2262",
        "notes": "",
        **overrides,
    }
    return {f"venue-{name}": value for name, value in data.items()}


def test_venue_create_get_for_htmx_returns_the_form_fragment(member_client):
    response = member_client.get(VENUE_CREATE, {"target": "id_venue"}, **HTMX)

    html = response.content.decode()
    assert not html.lstrip().startswith("<!doctype")
    assert 'hx-target="#id_venue"' in html
    assert 'name="venue-name"' in html


def test_venue_create_get_without_htmx_is_a_page_with_the_organisation_chosen(
    member_client, council
):
    response = member_client.get(VENUE_CREATE, {"organisation": council.pk})

    assertContains(response, "<!doctype html>")
    assertContains(
        response,
        f'<option value="{council.pk}" selected>Birmingham City Council</option>',
        html=True,
    )
    assertNotContains(response, "hx-post")


@pytest.mark.parametrize("organisation", ["²", "abc", "9" * 30, "-1"])
def test_venue_create_get_with_hostile_organisation_shows_the_form(member_client, organisation):
    response = member_client.get(VENUE_CREATE, {"organisation": organisation})

    assertContains(response, 'name="venue-name"')


def test_venue_create_get_with_hostile_target_leaves_it_out(member_client):
    response = member_client.get(VENUE_CREATE, {"target": '"><script>x</script>'}, **HTMX)

    assertNotContains(response, "<script>x")
    assertNotContains(response, "hx-post")


def test_venue_create_post_for_htmx_returns_the_selected_option_and_triggers_an_event(
    member_client,
):
    response = member_client.post(VENUE_CREATE, {**venue_form(), "target": "id_venue"}, **HTMX)

    venue = Venue.objects.get()
    assert response.status_code == 200
    assert response["HX-Trigger"] == "venueCreated"
    assert response.content.decode().strip() == (
        f'<option value="{venue.pk}" selected>Symphony Hall, Birmingham</option>'
    )
    assert (str(venue.latitude), str(venue.longitude), venue.capacity) == (
        "52.478600",
        "-1.909700",
        2262,
    )


def test_venue_create_post_rounds_precise_coordinates_to_six_places(member_client):
    member_client.post(VENUE_CREATE, venue_form(latitude="52.47861234", longitude="-1.90971"))

    venue = Venue.objects.get()
    assert (str(venue.latitude), str(venue.longitude)) == ("52.478612", "-1.909710")


def test_venue_create_post_returns_to_a_safe_next(member_client):
    response = member_client.post(VENUE_CREATE, {**venue_form(), "next": "/plan/1/itinerary/"})

    assertRedirects(response, "/plan/1/itinerary/", fetch_redirect_response=False)


def test_venue_create_post_with_foreign_next_goes_to_the_organisation_page(member_client, council):
    response = member_client.post(
        VENUE_CREATE,
        {**venue_form(organisation=str(council.pk)), "next": "https://evil.example/"},
    )

    assertRedirects(response, detail_url(council), fetch_redirect_response=False)


def test_venue_create_post_without_organisation_or_next_goes_to_the_directory(member_client):
    response = member_client.post(VENUE_CREATE, venue_form(), follow=True)

    assertRedirects(response, LIST)
    assertContains(response, "Venue “Symphony Hall, Birmingham” added.")


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"name": "x" * 10_000},
            {"name": ["Ensure this value has at most 200 characters (it has 10000)."]},
        ),
        ({"name": ""}, {"name": ["This field is required."]}),
        ({"longitude": ""}, {"longitude": ["Give both latitude and longitude, or neither."]}),
        ({"latitude": ""}, {"latitude": ["Give both latitude and longitude, or neither."]}),
        ({"latitude": "91"}, {"latitude": ["Ensure this value is less than or equal to 90."]}),
        (
            {"longitude": "-181"},
            {"longitude": ["Ensure this value is greater than or equal to -180."]},
        ),
        ({"latitude": "north"}, {"latitude": ["Enter a number."]}),
        (
            {"time_zone": "Mars/Olympus"},
            {
                "time_zone": [
                    "Select a valid choice. Mars/Olympus is not one of the available choices."
                ]
            },
        ),
        ({"capacity": "-5"}, {"capacity": ["Ensure this value is greater than or equal to 0."]}),
        (
            {"country": "ZZ"},
            {"country": ["Select a valid choice. ZZ is not one of the available choices."]},
        ),
        (
            {"organisation": "999999999"},
            {
                "organisation": [
                    "Select a valid choice. That choice is not one of the available choices."
                ]
            },
        ),
    ],
)
def test_venue_create_post_with_bad_input_shows_the_error_next_to_the_field(
    member_client, overrides, errors
):
    response = member_client.post(VENUE_CREATE, venue_form(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Venue.objects.count() == 0
    for message in errors.values():
        assertContains(response, message[0].replace("'", "&#x27;"))


def test_venue_create_post_errors_for_htmx_replace_the_form(member_client):
    response = member_client.post(
        VENUE_CREATE, {**venue_form(name=""), "target": "id_venue"}, **HTMX
    )

    assert response.status_code == 200
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#venue-create", "outerHTML")
    assert "HX-Trigger" not in response
    assertContains(response, "This field is required.")
    assertContains(response, 'hx-target="#id_venue"')


def test_venue_create_accepts_right_to_left_text_and_emoji_and_shows_them(member_client, council):
    name = "\u0642\u0627\u0639\u0629 \u0627\u0644\u0645\u062f\u064a\u0646\u0629 🎻"
    notes = "\u05db\u05e0\u05d9\u05e1\u05d4 \u05de\u05d4\u05e6\u05d3 🚪"
    member_client.post(VENUE_CREATE, venue_form(name=name, notes=notes, organisation=council.pk))

    response = member_client.get(detail_url(council))

    assert Venue.objects.get().name == name
    assertContains(response, name)
    assertContains(response, notes)


def test_venue_create_from_the_organisation_page_keeps_markup_in_notes_escaped(
    member_client, council
):
    member_client.post(
        VENUE_CREATE,
        venue_form(organisation=council.pk, notes='<img src=x onerror="alert(1)">'),
    )

    response = member_client.get(detail_url(council))

    assertContains(response, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;")
    assertNotContains(response, "<img src=x")


def test_venue_create_with_put_is_not_allowed(member_client):
    response = member_client.put(VENUE_CREATE)

    assert response.status_code == 405


def test_organisation_page_lists_its_people_25_at_a_time_by_name(member_client, steamhouse):
    PersonFactory.create_batch(29, organisation=steamhouse)  # and Jo Maker: 30

    first = member_client.get(detail_url(steamhouse))
    second = member_client.get(detail_url(steamhouse), {"page": 2})

    names = [person.full_name for person in steamhouse.people.order_by("full_name", "pk")]
    assert [person.full_name for person in first.context["people"]] == names[:25]
    assert [person.full_name for person in second.context["people"]] == names[25:]
    assertContains(first, "30 people")
    assertContains(first, 'href="?page=2"')
