"""Participant pages: list, add, edit, remove and the bulk import with its preview."""

import datetime as dt
import re
import time
import zoneinfo
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from missions.enums import Audience, ParticipantRole, RsvpStatus
from missions.models import Participant
from organisations.models import Person
from tests.factories import (
    ItineraryItemFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
HTMX = {"HTTP_HX_REQUEST": "true"}
HOSTILE_MARKUP = '<script>alert("x")</script><b>Bold</b>'


@pytest.fixture
def mission():
    return MissionFactory(
        title="Leipzig economic delegation to Japan",
        slug="leipzig-japan-2025",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=dt.date(2025, 11, 12),
        end_date=dt.date(2025, 11, 14),
    )


def text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(html).split())


def csv_upload(content: str, encoding: str = "utf-8", name: str = "people.csv"):
    return SimpleUploadedFile(name, content.encode(encoding), content_type="text/csv")


def mission_urls(mission, participant):
    return {
        "participant-list": reverse("plan:participant-list", args=[mission.pk]),
        "participant-add": reverse("plan:participant-add", args=[mission.pk]),
        "participant-import": reverse("plan:participant-import", args=[mission.pk]),
        "participant-edit": reverse("plan:participant-edit", args=[participant.pk]),
        "participant-delete": reverse("plan:participant-delete", args=[participant.pk]),
    }


# PERMISSIONS ---------------------------------------------------------------------

READ = {"participant-list"}


@pytest.mark.parametrize(
    "name",
    [
        "participant-list",
        "participant-add",
        "participant-import",
        "participant-edit",
        "participant-delete",
    ],
)
def test_participant_pages_of_someone_elses_mission_give_404(client, outsider, mission, name):
    url = mission_urls(mission, ParticipantFactory(mission=mission))[name]

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["participant-add", "participant-import", "participant-edit", "participant-delete"],
)
def test_participant_edit_pages_give_404_to_partner_planners(client, partner, mission, name):
    participant = ParticipantFactory(mission=mission)
    url = mission_urls(mission, participant)[name]

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_participant_list_for_partner_planner_is_read_only(client, partner, mission):
    participant = ParticipantFactory(mission=mission)

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assertContains(response, participant.person.full_name)
    assertNotContains(response, reverse("plan:participant-edit", args=[participant.pk]))
    assertNotContains(response, reverse("plan:participant-add", args=[mission.pk]))


def test_participant_list_for_partner_planner_shows_no_personal_data(client, partner, mission):
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Jana Müller", email="jana@example.org"),
        phone="+49 341 1",
        dietary_requirements="Vegetarian",
        accessibility_needs="Step-free access",
        arrival_details="NH 210",
        arrival_at=dt.datetime(2025, 11, 11, 22, 30, tzinfo=dt.UTC),
    )

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assertContains(response, "Jana Müller")
    for personal in ("jana@example.org", "+49 341 1", "Vegetarian", "Step-free", "NH 210", "07:30"):
        assertNotContains(response, personal)
    assertNotContains(response, reverse("plan:participant-export", args=[mission.pk]))
    assertNotContains(response, reverse("plan:dietary-export", args=[mission.pk]))
    assertContains(response, reverse("plan:attendance-export", args=[mission.pk]))


def test_participant_list_for_anonymous_user_redirects_to_login(client, mission):
    url = reverse("plan:participant-list", args=[mission.pk])

    response = client.get(url)

    assertRedirects(response, f"{reverse('login')}?next={url}", fetch_redirect_response=False)


# LIST ----------------------------------------------------------------------------


def test_participant_list_shows_people_with_travel_in_the_mission_zone(client, planner, mission):
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(
            full_name="Jana Müller",
            organisation=OrganisationFactory(name="Kreatives Leipzig"),
        ),
        dietary_requirements="Vegetarian",
        phone="+49 341 1",
        role=ParticipantRole.LEAD,
        rsvp_status=RsvpStatus.ACCEPTED,
        arrival_at=dt.datetime(2025, 11, 11, 22, 30, tzinfo=dt.UTC),
        arrival_details="NH 210",
    )

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    row = re.search(r'<tr id="participant-\d+">.*?</tr>', response.content.decode(), re.S)
    cells = " ".join(unescape(re.sub(r"<[^>]+>", " ", row.group(0))).split())
    assert cells == (
        "Jana Müller " + response.context["participants"][0].person.email + " · +49 341 1 "
        "Kreatives Leipzig "
        "Delegation lead Accepted 12 Nov 2025, 07:30 JST NH 210 – Dietary Vegetarian Edit Remove"
    )
    assertContains(response, "Arrival (Asia/Tokyo)")


def test_participant_list_counts_answers_of_everyone(client, planner, mission):
    ParticipantFactory.create_batch(2, mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
    ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.DECLINED)
    ParticipantFactory(rsvp_status=RsvpStatus.ACCEPTED)  # another mission

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    counts = {value: count for value, _, count in response.context["counts"]}
    assert counts == {
        "invited": 3,  # everyone who was sent an invitation, as on the overview
        "accepted": 2,
        "tentative": 0,
        "declined": 1,
        "no_answer": 0,
        "not_invited": 0,
    }
    assert response.context["total"] == 3


def test_participant_list_filters_by_role_and_answer(client, planner, mission):
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Speaker who accepted"),
        role=ParticipantRole.SPEAKER,
        rsvp_status=RsvpStatus.ACCEPTED,
    )
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Speaker who declined"),
        role=ParticipantRole.SPEAKER,
        rsvp_status=RsvpStatus.DECLINED,
    )
    ParticipantFactory(
        mission=mission,
        person=PersonFactory(full_name="Delegate who accepted"),
        rsvp_status=RsvpStatus.ACCEPTED,
    )
    url = reverse("plan:participant-list", args=[mission.pk])

    response = client.get(url, {"role": "speaker", "rsvp_status": "accepted"})

    assert [p.person.full_name for p in response.context["participants"]] == [
        "Speaker who accepted"
    ]


def test_participant_list_ignores_an_unknown_filter_value(client, planner, mission):
    ParticipantFactory(mission=mission)

    response = client.get(reverse("plan:participant-list", args=[mission.pk]), {"role": "<x>"})

    assert len(response.context["participants"]) == 1


def test_participant_list_escapes_markup_in_names(client, planner, mission):
    ParticipantFactory(mission=mission, person=PersonFactory(full_name=HOSTILE_MARKUP))

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assertNotContains(response, HOSTILE_MARKUP)
    assertContains(response, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")


@pytest.mark.parametrize("count", [1, 300])
def test_participant_list_stays_within_15_queries(
    client, planner, mission, django_assert_max_num_queries, count
):
    organisation = OrganisationFactory()
    people = PersonFactory.create_batch(count, organisation=organisation)
    Participant.objects.bulk_create(
        Participant(
            mission=mission, person=person, arrival_at=dt.datetime(2025, 11, 12, tzinfo=TOKYO)
        )
        for person in people
    )

    with django_assert_max_num_queries(15):
        response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assert len(response.context["participants"]) == min(count, 50)


def test_participant_list_pages_50_at_a_time_and_the_delivery_column_follows(
    client, planner, mission
):
    people = PersonFactory.create_batch(60, organisation=OrganisationFactory())
    Participant.objects.bulk_create(Participant(mission=mission, person=p) for p in people)
    ordered = list(mission.participants.order_by("person__full_name", "pk"))
    url = reverse("plan:participant-list", args=[mission.pk])

    second = client.get(url, {"role": "", "page": 2})
    delivery = client.get(
        reverse("plan:delivery-status", args=[mission.pk]), {"role": "", "page": 2}
    )

    assert list(second.context["participants"]) == ordered[50:]
    assertContains(second, '<nav aria-label="Pages of participants"')
    assertContains(second, 'href="?role=&amp;page=1"')
    assertContains(
        second, f'hx-get="{reverse("plan:delivery-status", args=[mission.pk])}?role=&amp;page=2"'
    )
    cells = set(re.findall(r'id="delivery-(\d+)"', delivery.content.decode()))
    assert cells == {str(p.pk) for p in ordered[50:]}


def test_mission_nav_links_to_the_participants(client, planner, mission):
    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assertContains(
        response,
        f'<a class="nav-link active" aria-current="page" '
        f'href="{reverse("plan:participant-list", args=[mission.pk])}">Participants</a>',
        html=True,
    )


# ADD -----------------------------------------------------------------------------


def new_person(**overrides) -> dict:
    return {
        "role": ParticipantRole.DELEGATE,
        "full_name": "Jörg Müller",
        "email": "joerg.mueller@example.org",
        "organisation": "",
        "job_title": "Managing director",
        "preferred_language": "de",
        "dietary_requirements": "Vegan",
        "accessibility_needs": "",
    } | overrides


def test_participant_add_new_person_creates_them_in_the_directory(client, planner, mission):
    url = reverse("plan:participant-add", args=[mission.pk])

    response = client.post(url, new_person(role=ParticipantRole.SPEAKER))

    assertRedirects(response, reverse("plan:participant-list", args=[mission.pk]))
    participant = Participant.objects.get(mission=mission)
    person = participant.person
    assert (participant.role, person.full_name, person.email, person.preferred_language) == (
        "speaker",
        "Jörg Müller",
        "joerg.mueller@example.org",
        "de",
    )
    assert (participant.dietary_requirements, participant.accessibility_needs) == ("Vegan", "")


def test_participant_add_lists_at_most_20_organisations_and_takes_one_found_by_search(
    client, planner, mission
):
    *_, last = [OrganisationFactory(name=f"Zeta agency {n:02d}") for n in range(30)]
    url = reverse("plan:participant-add", args=[mission.pk])

    page = client.get(url).content.decode()
    select = re.search(r'<select name="organisation".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="(\d+)"', select)
    assert len(options) == 20
    assert str(last.pk) not in options
    assert 'hx-get="/plan/directory/organisations/options/"' in page  # the search for more

    response = client.post(url, new_person(organisation=last.pk))

    assert response.status_code == 302
    assert Person.objects.get(email="joerg.mueller@example.org").organisation == last


def test_participant_add_existing_person_picked_from_search(client, planner, mission):
    person = PersonFactory(full_name="Ada Lovelace", organisation=mission.lead_organisation)
    url = reverse("plan:participant-add", args=[mission.pk])

    response = client.post(url, new_person(full_name="", email="", person=person.pk))

    assert response.status_code == 302
    assert list(mission.participants.values_list("person", flat=True)) == [person.pk]


def test_participant_add_new_person_with_known_email_in_other_case_reuses_them(
    client, planner, mission
):
    person = PersonFactory(full_name="Jörg Müller", email="Joerg.Mueller@example.org")
    people_before = Person.objects.count()

    client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(full_name="J. Mueller", email="JOERG.MUELLER@EXAMPLE.ORG"),
    )

    assert Person.objects.count() == people_before
    assert mission.participants.get().person == person
    person.refresh_from_db()
    assert person.full_name == "Jörg Müller"


def test_participant_add_person_already_on_the_mission_errs_on_the_email(client, planner, mission):
    ParticipantFactory(
        mission=mission, person=PersonFactory(full_name="Ada", email="ada@example.org")
    )

    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(email="ADA@example.org"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "email": ["Ada (ada@example.org) already takes part in this mission."]
    }
    assert mission.participants.count() == 1


def test_participant_add_picked_person_already_on_the_mission_errs_on_the_person(
    client, planner, mission
):
    participant = ParticipantFactory(
        mission=mission, person=PersonFactory(organisation=mission.lead_organisation)
    )

    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(full_name="", email="", person=participant.person.pk),
    )

    person = participant.person
    assert response.context["form"].errors == {
        "person": [f"{person.full_name} ({person.email}) already takes part in this mission."]
    }
    assertContains(response, "already takes part in this mission.")


def test_participant_add_without_person_or_name_says_what_is_missing(client, planner, mission):
    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]), new_person(full_name="", email="")
    )

    assert response.context["form"].errors == {"email": ["Enter the person's e-mail address."]}


def test_participant_add_person_and_new_details_together_is_refused(client, planner, mission):
    person = PersonFactory(organisation=mission.lead_organisation)

    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]), new_person(person=person.pk)
    )

    assert response.context["form"].errors == {
        "person": ["Pick an existing person or enter a new one, not both."]
    }
    assert not mission.participants.exists()


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("full_name", "x" * 10_000, "Ensure this value has at most 200 characters (it has 10000)."),
        ("email", "<b>@example.org", "Enter a valid email address."),
        ("role", "boss", "Select a valid choice. boss is not one of the available choices."),
        (
            "dietary_requirements",
            "🥦" * 301,
            "Ensure this value has at most 300 characters (it has 301).",
        ),
    ],
)
def test_participant_add_hostile_input_gives_an_error_on_the_field(
    client, planner, mission, field, value, error
):
    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]), new_person(**{field: value})
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert not Person.objects.filter(email="joerg.mueller@example.org").exists()


def test_participant_add_markup_rtl_and_emoji_are_kept_and_escaped(client, planner, mission):
    client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(full_name=HOSTILE_MARKUP, dietary_requirements="حلال 🍲"),
    )

    participant = mission.participants.get()
    assert (participant.person.full_name, participant.dietary_requirements) == (
        HOSTILE_MARKUP,
        "حلال 🍲",
    )
    response = client.get(reverse("plan:participant-list", args=[mission.pk]))
    assertNotContains(response, HOSTILE_MARKUP)
    assertContains(response, "حلال 🍲")


def test_participant_add_search_finds_by_name_or_email_and_marks_who_takes_part(
    client, planner, mission
):
    ours = mission.lead_organisation
    ada = PersonFactory(full_name="Ada Lovelace", email="ada@example.org", organisation=ours)
    bea = PersonFactory(full_name="Beatrix Ada", email="bea@example.org", organisation=ours)
    PersonFactory(full_name="Carl", email="carl@ada.example.org", organisation=ours)
    PersonFactory(full_name="Dora", email="dora@example.org", organisation=ours)
    ParticipantFactory(mission=mission, person=bea)

    response = client.get(reverse("plan:participant-add", args=[mission.pk]), {"q": "ADA"}, **HTMX)

    assert [(p.full_name, p.on_mission) for p in response.context["matches"]] == [
        ("Ada Lovelace", False),
        ("Beatrix Ada", True),
        ("Carl", False),
    ]
    assertContains(response, f'value="{ada.pk}" id="person-{ada.pk}">')
    assertContains(response, f'value="{bea.pk}" id="person-{bea.pk}" disabled>')
    assertNotContains(response, "<html")


def test_participant_add_search_lists_only_people_of_the_planners_own_organisation(
    client, planner, mission
):
    PersonFactory(
        full_name="Ada Ours", email="ada@ours.example", organisation=mission.lead_organisation
    )
    PersonFactory(full_name="Ada Theirs", email="ada@theirs.example")
    PersonFactory(full_name="Ada Nobody's", email="ada@none.example", organisation=None)

    response = client.get(reverse("plan:participant-add", args=[mission.pk]), {"q": "ada"}, **HTMX)

    assert [p.full_name for p in response.context["matches"]] == ["Ada Ours"]
    assertNotContains(response, "ada@theirs.example")
    assertNotContains(response, "ada@none.example")


def test_participant_add_search_shows_at_most_20_in_a_fixed_number_of_queries(
    client, planner, mission, django_assert_max_num_queries
):
    PersonFactory.create_batch(30, organisation=mission.lead_organisation)

    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("plan:participant-add", args=[mission.pk]), {"q": "delegate"}, **HTMX
        )

    assert len(response.context["matches"]) == 20
    assert response.content.decode().count('name="person"') == 20


def test_participant_add_picked_person_of_another_organisation_is_refused(client, planner, mission):
    theirs = PersonFactory(full_name="Ada Theirs", email="ada@theirs.example")

    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(full_name="", email="", person=theirs.pk),
    )

    assert response.context["form"].errors == {"person": ["Pick someone from the search results."]}
    assert not mission.participants.exists()
    assertNotContains(response, "ada@theirs.example")


def test_participant_add_someone_of_another_organisation_by_exact_email_without_a_name(
    client, planner, mission
):
    theirs = PersonFactory(full_name="Ada Theirs", email="Ada@Theirs.example")

    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(full_name="", email="ada@theirs.example", dietary_requirements=""),
    )

    assertRedirects(response, reverse("plan:participant-list", args=[mission.pk]))
    assert mission.participants.get().person == theirs


def test_participant_add_unknown_email_without_a_name_asks_for_the_name(client, planner, mission):
    response = client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(full_name="", email="nobody@example.org"),
    )

    assert response.context["form"].errors == {
        "full_name": ["This e-mail address is not in the directory: enter the new person's name."]
    }
    assert not Person.objects.filter(email="nobody@example.org").exists()


def test_participant_add_never_carries_over_what_the_person_told_another_councils_mission(
    client, planner, mission
):
    """The attack of issue 12, finding 3: add someone of another council's mission, export."""
    theirs = ParticipantFactory(
        person=PersonFactory(full_name="Ada Theirs", email="ada@theirs.example"),
        phone="+81 3 0000 1111",
        dietary_requirements="Halal, nut allergy",
        accessibility_needs="Wheelchair user",
    )

    client.post(
        reverse("plan:participant-add", args=[mission.pk]),
        new_person(full_name="", email="ada@theirs.example", dietary_requirements=""),
    )
    participants = client.get(reverse("plan:participant-export", args=[mission.pk]))
    dietary = client.get(reverse("plan:dietary-export", args=[mission.pk]))
    page = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assert mission.participants.get().person == theirs.person
    for response in (participants, dietary, page):
        content = response.content.decode()
        assert "Ada Theirs" in content or response is dietary
        for secret in ("+81 3 0000 1111", "Halal", "Wheelchair"):
            assert secret not in content


# EDIT ----------------------------------------------------------------------------


def participant_data(**overrides) -> dict:
    return {
        "role": ParticipantRole.DELEGATE,
        "rsvp_status": RsvpStatus.ACCEPTED,
        "arrival_at": "2025-11-12T07:30",
        "arrival_details": "NH 210",
        "departure_at": "2025-11-14T21:00",
        "departure_details": "NH 209",
        "notes": "",
    } | overrides


def test_participant_edit_keeps_phone_and_needs_for_this_mission_only(client, planner, mission):
    person = PersonFactory()
    elsewhere = ParticipantFactory(person=person, dietary_requirements="Vegetarian")
    participant = ParticipantFactory(mission=mission, person=person)

    client.post(
        reverse("plan:participant-edit", args=[participant.pk]),
        participant_data(
            phone="+49 341 2", dietary_requirements="Vegan", accessibility_needs="Ramp"
        ),
    )

    participant.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (
        participant.phone,
        participant.dietary_requirements,
        participant.accessibility_needs,
    ) == (
        "+49 341 2",
        "Vegan",
        "Ramp",
    )
    assert (elsewhere.phone, elsewhere.dietary_requirements) == ("", "Vegetarian")


def test_participant_edit_takes_travel_times_in_the_mission_zone(client, planner, mission):
    participant = ParticipantFactory(mission=mission)
    url = reverse("plan:participant-edit", args=[participant.pk])

    response = client.post(url, participant_data())

    assertRedirects(response, reverse("plan:participant-list", args=[mission.pk]))
    participant.refresh_from_db()
    assert participant.arrival_at == dt.datetime(2025, 11, 11, 22, 30, tzinfo=dt.UTC)
    assert participant.departure_at == dt.datetime(2025, 11, 14, 12, tzinfo=dt.UTC)
    assert (participant.rsvp_status, participant.arrival_details) == ("accepted", "NH 210")


def test_participant_edit_form_shows_times_in_the_mission_zone(client, planner, mission):
    participant = ParticipantFactory(
        mission=mission, arrival_at=dt.datetime(2025, 11, 11, 22, 30, tzinfo=dt.UTC)
    )

    response = client.get(reverse("plan:participant-edit", args=[participant.pk]))

    assertContains(response, 'value="2025-11-12T07:30"')
    assertContains(response, "Time in Asia/Tokyo.", count=2)


def test_participant_edit_departure_before_arrival_errs_on_departure(client, planner, mission):
    participant = ParticipantFactory(mission=mission)

    response = client.post(
        reverse("plan:participant-edit", args=[participant.pk]),
        participant_data(departure_at="2025-11-12T07:00"),
    )

    assert response.context["form"].errors == {"departure_at": ["Departure must be after arrival."]}


def test_participant_edit_hostile_notes_are_kept_and_escaped(client, planner, mission):
    participant = ParticipantFactory(mission=mission)
    notes = HOSTILE_MARKUP + " שלום 👋"

    client.post(
        reverse("plan:participant-edit", args=[participant.pk]), participant_data(notes=notes)
    )

    participant.refresh_from_db()
    assert participant.notes == notes
    response = client.get(reverse("plan:participant-edit", args=[participant.pk]))
    assertNotContains(response, HOSTILE_MARKUP)
    assertContains(response, "שלום 👋")


def test_participant_edit_sets_the_selected_items_and_keeps_others(client, planner, mission):
    participant = ParticipantFactory(mission=mission)
    workshop = ItineraryItemFactory(mission=mission, title="Workshop", audience=Audience.SELECTED)
    dinner = ItineraryItemFactory(mission=mission, title="Dinner", audience=Audience.SELECTED)
    plenary = ItineraryItemFactory(mission=mission, title="Plenary")  # whole delegation
    participant.items.add(dinner, plenary)
    url = reverse("plan:participant-edit", args=[participant.pk])

    form = client.get(url).context["form"]
    response = client.post(url, participant_data(selected_items=[workshop.pk]))

    assert list(form.fields["selected_items"].queryset) == [workshop, dinner]
    assert response.status_code == 302
    assert set(participant.items.all()) == {workshop, plenary}


def test_participant_edit_cannot_put_them_on_another_missions_item(client, planner, mission):
    participant = ParticipantFactory(mission=mission)
    ItineraryItemFactory(mission=mission, audience=Audience.SELECTED)
    elsewhere = ItineraryItemFactory(audience=Audience.SELECTED)

    response = client.post(
        reverse("plan:participant-edit", args=[participant.pk]),
        participant_data(selected_items=[elsewhere.pk]),
    )

    assert list(response.context["form"].errors) == ["selected_items"]
    assert not participant.items.exists()


# REMOVE --------------------------------------------------------------------------


def test_participant_delete_get_asks_for_confirmation(client, planner, mission):
    participant = ParticipantFactory(mission=mission, person=PersonFactory(full_name="Ada"))

    response = client.get(reverse("plan:participant-delete", args=[participant.pk]))

    assertContains(response, f"Remove Ada from “{mission.title}”?")
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_participant_delete_post_removes_them_and_keeps_the_person(client, planner, mission):
    participant = ParticipantFactory(mission=mission)

    response = client.post(reverse("plan:participant-delete", args=[participant.pk]))

    assertRedirects(response, reverse("plan:participant-list", args=[mission.pk]))
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert Person.objects.filter(pk=participant.person_id).exists()


# IMPORT --------------------------------------------------------------------------

GOOD_CSV = (
    "full_name,email,organisation,role\n"
    "Ada Lovelace,ada@example.org,Kreatives Leipzig,speaker\n"
    "Bea Braun,bea@example.org,,delegate\n"
    "Carl Clausen,carl@example.org,Unknown GmbH,\n"
)


def upload(client, mission, content: str, **kwargs):
    return client.post(
        reverse("plan:participant-import", args=[mission.pk]),
        {"file": csv_upload(content, **kwargs)},
    )


def confirm(client, mission, preview):
    return client.post(
        reverse("plan:participant-import", args=[mission.pk]), {"token": preview.context["token"]}
    )


def summary(response) -> str:
    match = re.search(r'<p class="lead" id="import-summary">(.*?)</p>', response.content.decode())
    return " ".join(match.group(1).split())


def test_participant_import_page_shows_the_upload_form(client, planner, mission):
    response = client.get(reverse("plan:participant-import", args=[mission.pk]))

    assertContains(response, 'type="file"')
    assertContains(response, 'enctype="multipart/form-data"')


def test_participant_import_of_a_30_mb_body_is_refused_before_it_is_read(client, planner, mission):
    """The error sits next to the file field, and the body is never read: not by the
    view, and not by the CSRF check, which would parse the whole of it."""
    csv = b"full_name,email\n" + b"Ada Lovelace,ada@example.org\n" * (30 * 1024 * 1024 // 29)
    started = time.monotonic()

    response = client.post(
        reverse("plan:participant-import", args=[mission.pk]),
        {"file": SimpleUploadedFile("people.csv", csv, content_type="text/csv")},
    )

    elapsed = time.monotonic() - started
    assert response.status_code == 413
    assert not response.wsgi_request.META["wsgi.input"].read_started
    field = re.search(r'<input[^>]*name="file"[^>]*>', response.content.decode()).group(0)
    assert "is-invalid" in field
    assertContains(
        response,
        "The file is larger than 2 MB. Split the list into smaller files.",
        status_code=413,
    )
    assert elapsed < 5
    assert Person.objects.count() == 0


def test_participant_import_still_needs_the_csrf_token(planner, mission):
    client = Client(enforce_csrf_checks=True)
    client.force_login(planner)

    response = client.post(
        reverse("plan:participant-import", args=[mission.pk]),
        {"file": csv_upload(GOOD_CSV)},
    )

    assert response.status_code == 403
    assert "participant-import:" not in str(dict(client.session))


def test_participant_import_preview_shows_every_row_and_creates_nothing(client, planner, mission):
    ParticipantFactory(
        mission=mission, person=PersonFactory(full_name="Dora Dietz", email="dora@example.org")
    )
    OrganisationFactory(name="Kreatives Leipzig")
    people_before = Person.objects.count()
    content = GOOD_CSV + (
        ",nobody@example.org,,\n"
        "Eve,not-an-email,,\n"
        "Fay,fay@example.org,,chief\n"
        "Ada twice,ADA@example.org,,\n"
        "Dora,dora@example.org,,\n"
    )

    response = upload(client, mission, content)

    assert response.status_code == 200
    assert summary(response) == "3 rows ready, 5 rows with errors"
    assert [(row.number, row.errors) for row in response.context["rows"]] == [
        (2, []),
        (3, []),
        (4, []),
        (5, ["Name is missing."]),
        (6, ["The e-mail address is not valid."]),
        (
            7,
            [
                "Unknown role “chief”. Use one of: Delegation lead, Delegate, Speaker, Host, "
                "Organiser, Interpreter, Press."
            ],
        ),
        (8, ["Same e-mail as row 2."]),
        (9, ["Dora Dietz (dora@example.org) already takes part in this mission."]),
    ]
    page = text(response)
    assert "6 Eve not-an-email The e-mail address is not valid." in page
    assert "Organisation “Unknown GmbH” is not in the directory: imported without one." in page
    assert Person.objects.count() == people_before
    assert mission.participants.count() == 1


def test_participant_import_confirm_imports_the_ready_rows(client, planner, mission):
    kreatives = OrganisationFactory(name="Kreatives Leipzig")
    preview = upload(client, mission, GOOD_CSV + "Eve,not-an-email,,\n")

    response = confirm(client, mission, preview)

    assertRedirects(response, reverse("plan:participant-list", args=[mission.pk]))
    imported = mission.participants.order_by("person__full_name")
    assert [
        (p.person.full_name, p.person.email, p.person.organisation, p.role) for p in imported
    ] == [
        ("Ada Lovelace", "ada@example.org", kreatives, "speaker"),
        ("Bea Braun", "bea@example.org", None, "delegate"),
        ("Carl Clausen", "carl@example.org", None, "delegate"),
    ]
    assert [str(m) for m in response.wsgi_request._messages] == ["Imported 3 participants."]
    assert imported[0].history.get().history_user == planner


def test_participant_import_reuses_a_person_known_by_email_in_another_case(
    client, planner, mission
):
    known = PersonFactory(full_name="Ada Lovelace", email="Ada@Example.org")
    people_before = Person.objects.count()

    confirm(client, mission, upload(client, mission, GOOD_CSV))

    assert Person.objects.count() == people_before + 2
    assert mission.participants.filter(person=known).exists()


def test_participant_import_confirm_twice_imports_once(client, planner, mission):
    preview = upload(client, mission, GOOD_CSV)
    confirm(client, mission, preview)

    response = confirm(client, mission, preview)

    assertRedirects(response, reverse("plan:participant-import", args=[mission.pk]))
    assert mission.participants.count() == 3


def test_participant_import_confirm_of_an_older_preview_is_refused(client, planner, mission):
    first = upload(client, mission, GOOD_CSV)
    upload(client, mission, "name,email\nZoe,zoe@example.org\n")

    response = confirm(client, mission, first)

    assertRedirects(response, reverse("plan:participant-import", args=[mission.pk]))
    assert not mission.participants.exists()


def test_participant_import_conflict_after_preview_imports_nothing(client, planner, mission):
    preview = upload(client, mission, GOOD_CSV)
    bea = PersonFactory(full_name="Bea Braun", email="bea@example.org")
    ParticipantFactory(mission=mission, person=bea)  # added by a colleague meanwhile
    people_before = Person.objects.count()

    response = confirm(client, mission, preview)

    assert response.status_code == 200
    assert mission.participants.count() == 1
    assert Person.objects.count() == people_before
    assert summary(response) == "2 rows ready, 1 row with errors"
    assertContains(response, "Bea Braun (bea@example.org) already takes part in this mission.")
    assertContains(response, "Something changed since the preview, so nothing was imported.")


def test_participant_import_failure_while_writing_rolls_everything_back(client, planner, mission):
    people_before = Person.objects.count()
    preview = upload(client, mission, GOOD_CSV)
    with connection.cursor() as cursor:  # the database refuses the last row, as a race would
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE missions_participant ADD CONSTRAINT test_no_speakers "
                "CHECK (role <> 'speaker')"
            )
        else:  # SQLite adds no constraint to a table; a trigger refuses the row as well
            cursor.execute(
                "CREATE TRIGGER test_no_speakers BEFORE INSERT ON missions_participant "
                "WHEN NEW.role = 'speaker' BEGIN SELECT RAISE(ABORT, 'test_no_speakers'); END"
            )

    response = confirm(client, mission, preview)

    assertRedirects(response, reverse("plan:participant-import", args=[mission.pk]))
    assert Person.objects.count() == people_before
    assert not Participant.objects.exists()
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Nothing was imported: the directory or the mission changed while importing. "
        "Upload the file again."
    ]


def test_participant_import_cp1252_csv_from_excel_keeps_the_umlauts(client, planner, mission):
    content = "Name;E-Mail;Rolle\r\nJörg Müller;joerg@example.org;Delegationsmitglied\r\n"

    preview = upload(client, mission, content, encoding="cp1252")
    confirm(client, mission, preview)

    assert mission.participants.get().person.full_name == "Jörg Müller"


def test_participant_import_xlsx_is_previewed_and_imported(client, planner, mission):
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "E-Mail", "Sprache", "Ernährung"])
    workbook.active.append(["Lena Vogel", "lena@example.org", "Deutsch", "Glutenfrei"])
    out = io.BytesIO()
    workbook.save(out)
    url = reverse("plan:participant-import", args=[mission.pk])

    preview = client.post(url, {"file": SimpleUploadedFile("people.xlsx", out.getvalue())})
    confirm(client, mission, preview)

    participant = mission.participants.get()
    person = participant.person
    assert (person.full_name, person.preferred_language, participant.dietary_requirements) == (
        "Lena Vogel",
        "de",
        "Glutenfrei",
    )


def test_participant_import_preview_escapes_markup_and_keeps_rtl_and_emoji(
    client, planner, mission
):
    quoted = HOSTILE_MARKUP.replace('"', '""')
    content = f'name,email\n"{quoted}",x@example.org\nمريم الحسن 🎭,maryam@example.org\n'

    preview = upload(client, mission, content)

    assertNotContains(preview, HOSTILE_MARKUP)
    assertContains(preview, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
    assertContains(preview, "مريم الحسن 🎭")
    confirm(client, mission, preview)
    assert sorted(p.person.full_name for p in mission.participants.all()) == [
        HOSTILE_MARKUP,
        "مريم الحسن 🎭",
    ]


def test_participant_import_10000_character_cell_is_an_error_on_its_row(client, planner, mission):
    preview = upload(client, mission, "name,email\n" + "x" * 10_000 + ",a@example.org\n")

    assert preview.status_code == 200
    assert summary(preview) == "0 rows ready, 1 row with errors"
    assertContains(preview, "Name is too long: 10000 characters, at most 200.")
    assertNotContains(preview, "x" * 100)
    assertNotContains(preview, 'name="token"')


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b",,,\n,,,\n", "The file has no data: every cell is empty."),
        (b"", "The submitted file is empty."),
        (b"\x00\x01\x02\xff\xfe binary", "This does not look like a CSV or Excel (.xlsx) file."),
        (b"PK\x03\x04garbage", "This does not look like a CSV or Excel (.xlsx) file."),
        (
            b"Vorname,Nachname\nAda,Lovelace\n",
            "The first row must name the columns. Missing: Name, E-mail. Found: Vorname, Nachname.",
        ),
    ],
)
def test_participant_import_hostile_file_gives_an_error_on_the_field(
    client, planner, mission, content, message
):
    response = client.post(
        reverse("plan:participant-import", args=[mission.pk]),
        {"file": SimpleUploadedFile("people.csv", content)},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}


def test_participant_import_without_a_file_asks_for_one(client, planner, mission):
    response = client.post(reverse("plan:participant-import", args=[mission.pk]), {})

    assert response.context["form"].errors == {"file": ["This field is required."]}


def test_participant_import_puts_phone_and_needs_on_this_missions_participant_only(
    client, planner, mission
):
    known = PersonFactory(full_name="Ada Known", email="ada@example.org")
    elsewhere = ParticipantFactory(person=known, dietary_requirements="Halal", phone="+44 1")
    content = (
        "name,email,dietary,accessibility,phone\n"
        "Ada Known,ada@example.org,Vegan,,+49 341 5\n"
        "Bo New,bo@example.org,,Ramp,\n"
    )

    confirm(client, mission, upload(client, mission, content))

    told = {
        p.person.email: (p.phone, p.dietary_requirements, p.accessibility_needs)
        for p in mission.participants.select_related("person")
    }
    assert told == {
        "ada@example.org": ("+49 341 5", "Vegan", ""),
        "bo@example.org": ("", "", "Ramp"),
    }
    elsewhere.refresh_from_db()
    assert (elsewhere.phone, elsewhere.dietary_requirements) == ("+44 1", "Halal")
