"""Recording outcomes: organisers record any side's, a partner's planners their own side
only (which the organisers see), outsiders get a 404; the follow-up page offers it."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from missions.enums import ActionStatus
from organisations.enums import MembershipRole
from outcomes.enums import OutcomeKind, OutcomeStatus
from outcomes.models import Outcome
from tests.factories import (
    FollowUpActionFactory,
    MeetingFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    ParticipantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission():
    partner = OrganisationFactory(name="Kreatives Leipzig", city="Leipzig", country="DE")
    return MissionFactory(partners=[partner])


def _client(organisation, role=MembershipRole.PLANNER) -> Client:
    client = Client()
    client.force_login(MembershipFactory(organisation=organisation, role=role).user)
    return client


def _partner(mission):
    return mission.partners.get()


def _form(mission, recorded_for, **extra) -> dict:
    return {
        "kind": OutcomeKind.DEAL,
        "status": OutcomeStatus.CONFIRMED,
        "date": mission.end_date.isoformat(),
        "recorded_for": recorded_for.pk,
        "value": "12000",
        "currency": "eur",
    } | extra


def test_outcome_create_by_organiser_for_partner_side_is_saved(mission):
    client = _client(mission.lead_organisation)
    url = reverse("plan:outcome-create", args=[mission.pk])

    response = client.post(url, _form(mission, _partner(mission)))

    assert response.status_code == 302
    outcome = Outcome.objects.get()
    assert (outcome.recorded_for, outcome.value, outcome.currency) == (
        _partner(mission),
        Decimal("12000.00"),
        "EUR",
    )


def test_outcome_list_without_outcomes_says_what_to_record_and_offers_it(mission):
    response = _client(mission.lead_organisation).get(
        reverse("plan:outcome-list", args=[mission.pk]), HTTP_ACCEPT_LANGUAGE="de"
    )

    page = response.content.decode()
    assert "Noch keine Ergebnisse erfasst." in page
    assert "Folgebesuche" in page  # what kinds of outcome there are, in the page's language
    assert reverse("plan:outcome-create", args=[mission.pk]) in page


def test_outcome_create_by_partner_for_organiser_side_is_refused(mission):
    client = _client(_partner(mission))
    url = reverse("plan:outcome-create", args=[mission.pk])

    response = client.post(url, _form(mission, mission.lead_organisation))

    assert response.status_code == 200
    assert "recorded_for" in response.context["form"].errors
    assert Outcome.objects.count() == 0


def test_outcome_create_by_partner_for_own_side_is_seen_by_organisers(mission):
    partner_client = _client(_partner(mission))
    partner_client.post(
        reverse("plan:outcome-create", args=[mission.pk]), _form(mission, _partner(mission))
    )

    page = _client(mission.lead_organisation).get(reverse("plan:outcome-list", args=[mission.pk]))

    assert [o.recorded_for for o in page.context["outcomes"]] == [_partner(mission)]
    assert page.context["outcomes"][0].changeable is True  # organisers change any side's


@pytest.mark.parametrize("page", ["plan:outcome-list", "plan:outcome-create"])
def test_outcome_pages_offer_the_matchmaking_tab_to_organisers_only(mission, page):
    matchmaking = reverse("plan:matchmaking", args=[mission.pk])
    url = reverse(page, args=[mission.pk])

    organisers = _client(mission.lead_organisation).get(url).content.decode()
    partners = _client(_partner(mission)).get(url).content.decode()

    assert (matchmaking in organisers, matchmaking in partners) == (True, False)


def test_outcome_edit_by_partner_of_organiser_outcome_is_404(mission):
    theirs = OutcomeFactory(mission=mission)
    client = _client(_partner(mission))

    edit = client.get(reverse("plan:outcome-edit", args=[theirs.pk]))
    delete = client.post(reverse("plan:outcome-delete", args=[theirs.pk]))
    listed = client.get(reverse("plan:outcome-list", args=[mission.pk]))

    assert (edit.status_code, delete.status_code) == (404, 404)
    assert Outcome.objects.filter(pk=theirs.pk).exists()
    assert [(o.pk, o.changeable) for o in listed.context["outcomes"]] == [(theirs.pk, False)]


def test_outcome_delete_by_partner_of_own_outcome_deletes_it(mission):
    own = OutcomeFactory(mission=mission, recorded_for=_partner(mission))

    response = _client(_partner(mission)).post(reverse("plan:outcome-delete", args=[own.pk]))

    assert response.status_code == 302
    assert not Outcome.objects.filter(pk=own.pk).exists()


def test_outcome_pages_for_outsider_are_404(mission):
    outcome = OutcomeFactory(mission=mission)
    client = _client(OrganisationFactory())

    statuses = [
        client.get(reverse("plan:outcome-list", args=[mission.pk])).status_code,
        client.get(reverse("plan:outcome-create", args=[mission.pk])).status_code,
        client.get(reverse("plan:outcome-edit", args=[outcome.pk])).status_code,
    ]

    assert statuses == [404, 404, 404]


def test_outcome_create_by_organisers_viewer_is_404(mission):
    client = _client(mission.lead_organisation, role=MembershipRole.VIEWER)

    listed = client.get(reverse("plan:outcome-list", args=[mission.pk]))
    create = client.get(reverse("plan:outcome-create", args=[mission.pk]))

    assert (listed.status_code, create.status_code) == (200, 404)
    assert b"Record an outcome" not in listed.content


def test_follow_up_page_offers_record_an_outcome_prefilled(mission):
    action = FollowUpActionFactory(
        mission=mission, organisation=_partner(mission), status=ActionStatus.AGREED
    )
    client = _client(mission.lead_organisation)

    page = client.get(reverse("plan:follow-up", args=[mission.pk])).content.decode()
    link = reverse("plan:outcome-create", args=[mission.pk]) + f"?action={action.pk}"
    form = client.get(link).context["form"]

    assert f'href="{link}"' in page
    assert form["follow_up_action"].value() == action.pk
    assert form["organisations"].value() == [_partner(mission).pk]
    assert form["kind"].value() == OutcomeKind.AGREEMENT


def test_outcome_jobs_on_a_deal_is_a_field_error(mission):
    client = _client(mission.lead_organisation)

    response = client.post(
        reverse("plan:outcome-create", args=[mission.pk]),
        _form(mission, mission.lead_organisation, jobs="4"),
    )

    assert list(response.context["form"].errors) == ["jobs"]


def test_outcome_participants_of_another_mission_are_refused(mission):
    stranger = ParticipantFactory()
    client = _client(mission.lead_organisation)

    response = client.post(
        reverse("plan:outcome-create", args=[mission.pk]),
        _form(mission, mission.lead_organisation, participants=[stranger.pk]),
    )

    assert list(response.context["form"].errors) == ["participants"]


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"value": Decimal("10")}, "outcome_value_has_currency"),
        ({"value": Decimal("-1"), "currency": "EUR"}, "outcome_value_not_negative"),
        ({"jobs": 3, "kind": OutcomeKind.DEAL}, "outcome_jobs_only_for_jobs_kind"),
    ],
)
def test_outcome_constraint_names_what_is_wrong(mission, fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        OutcomeFactory(mission=mission, **fields)


def test_outcome_from_a_matchmaking_meeting_of_another_mission_is_refused(mission):
    theirs = MeetingFactory()
    client = _client(mission.lead_organisation)

    response = client.post(
        reverse("plan:outcome-create", args=[mission.pk]),
        _form(mission, mission.lead_organisation, meeting=theirs.pk),
    )

    assert list(response.context["form"].errors) == ["meeting"]


def test_outcome_from_a_matchmaking_meeting_of_the_mission_is_saved(mission):
    meeting = MeetingFactory(request__mission=mission)
    client = _client(mission.lead_organisation)

    client.post(
        reverse("plan:outcome-create", args=[mission.pk]),
        _form(mission, mission.lead_organisation, meeting=meeting.pk),
    )

    assert Outcome.objects.get().meeting == meeting
