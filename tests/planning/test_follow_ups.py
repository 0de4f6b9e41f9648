"""The follow-up page (feedback and actions), action forms, the contact picker, reminder rules."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from messaging.enums import MessageKind, MessageState
from messaging.models import ReminderRule
from messaging.reminders import DEFAULT_RULES, rules_of
from missions.enums import ActionStatus, MissionStatus, RsvpStatus
from missions.models import FollowUpAction
from organisations.enums import MembershipRole
from tests.factories import (
    FeedbackFactory,
    FollowUpActionFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
    ReminderRuleFactory,
)

pytestmark = pytest.mark.django_db
QUERY_BUDGET = 15


@pytest.fixture
def planner():
    return MembershipFactory(
        organisation=OrganisationFactory(name="Birmingham City Council"),
        user__first_name="Chris",
        user__last_name="Lowe",
    )


@pytest.fixture
def mission(planner):
    return MissionFactory(
        title="Leipzig creative trade mission",
        lead_organisation=planner.organisation,
        status=MissionStatus.COMPLETED,
    )


@pytest.fixture
def planner_client(client: Client, planner) -> Client:
    client.force_login(planner.user)
    return client


def feedback(mission, rating: int, comment: str = "", name: str = "") -> None:
    participant = ParticipantFactory(
        mission=mission,
        rsvp_status=RsvpStatus.ACCEPTED,
        **({"person__full_name": name} if name else {}),
    )
    FeedbackFactory(participant=participant, rating=rating, comment=comment)


def action_data(organisation, owner, **overrides) -> dict:
    return {
        "organisation": str(organisation.pk),
        "contact": "",
        "agreed": "Showcase at the MACHN Festival in June",
        "owner": str(owner.pk),
        "due_date": "2025-04-30",
        "status": ActionStatus.OPEN,
        **overrides,
    }


def form_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# THE FOLLOW-UP PAGE -----------------------------------------------------------------------


def test_follow_up_page_shows_average_rating_and_comments(planner_client, mission):
    feedback(mission, 5, "The STEAMHouse visit was the highlight.", name="Ines Dietrich")
    feedback(mission, 4, "<script>alert(1)</script>", name="Anthony Tattum")
    feedback(mission, 4)
    feedback(MissionFactory(), 1, "Another mission's feedback")

    response = planner_client.get(reverse("plan:follow-up", args=[mission.pk]))

    summary = response.context["feedback"]
    assert (summary.count, summary.average) == (3, 4.3)
    assert summary.by_rating == [(5, 1), (4, 2), (3, 0), (2, 0), (1, 0)]
    assert [f.participant.person.full_name for f in summary.comments] == [
        "Anthony Tattum",
        "Ines Dietrich",
    ]
    assertContains(response, "Average rating 4.3 out of 5, from 3 answers")
    assertContains(response, "The STEAMHouse visit was the highlight.")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, "<script>alert(1)")
    assertNotContains(response, "Another mission's feedback")


def test_follow_up_page_counts_thank_you_messages(planner_client, mission):
    for state in (MessageState.SENT, MessageState.SENT, MessageState.FAILED):
        participant = ParticipantFactory(mission=mission, rsvp_status=RsvpStatus.ACCEPTED)
        OutgoingMessageFactory(
            participant=participant,
            kind=MessageKind.FOLLOW_UP,
            occasion=f"thanks:{mission.pk}",
            state=state,
            sent_at=timezone.now() if state == MessageState.SENT else None,
        )

    response = planner_client.get(reverse("plan:follow-up", args=[mission.pk]))

    assertContains(response, "2 sent, 0 waiting, 1 failed")


def test_follow_up_page_before_the_mission_ends_says_when_thanks_go_out(planner_client, planner):
    mission = MissionFactory(
        lead_organisation=planner.organisation,
        status=MissionStatus.CONFIRMED,
        start_date=dt.date(2030, 12, 29),
        end_date=dt.date(2030, 12, 31),
    )

    response = planner_client.get(
        reverse("plan:follow-up", args=[mission.pk]), HTTP_ACCEPT_LANGUAGE="de"
    )

    assertContains(response, "am Mittwoch, 1. Januar 2031")
    assertNotContains(response, "0 gesendet")


def test_follow_up_page_of_a_cancelled_mission_says_no_thanks_go_out(planner_client, planner):
    mission = MissionFactory(lead_organisation=planner.organisation, status=MissionStatus.CANCELLED)

    response = planner_client.get(reverse("plan:follow-up", args=[mission.pk]))

    assertContains(response, "A cancelled mission sends no thank-you messages.")


def test_follow_up_page_lists_actions_with_open_overdue_ones_flagged(planner_client, mission):
    today = timezone.localdate(timezone=mission.time_zone)
    FollowUpActionFactory(
        mission=mission, agreed="Joint bid", due_date=today - dt.timedelta(days=1)
    )
    FollowUpActionFactory(
        mission=mission,
        agreed="Festival slot",
        due_date=today - dt.timedelta(days=2),
        status=ActionStatus.AGREED,
    )
    FollowUpActionFactory(mission=mission, agreed="Studio visit", due_date=today)

    response = planner_client.get(reverse("plan:follow-up", args=[mission.pk]))

    assert [a.agreed for a in response.context["actions"]] == [
        "Festival slot",
        "Joint bid",
        "Studio visit",
    ]
    assert response.content.decode().count("Overdue") == 1


def test_follow_up_page_without_actions_says_what_to_record(planner_client, mission):
    response = planner_client.get(
        reverse("plan:follow-up", args=[mission.pk]), HTTP_ACCEPT_LANGUAGE="de"
    )

    page = response.content.decode()
    assert "Noch keine Nachbereitungsaufgaben erfasst." in page
    assert "am Fälligkeitstag" in page  # when the owner hears of it, in German
    assert reverse("plan:action-create", args=[mission.pk]) in page


def test_follow_up_page_within_query_budget(planner_client, mission, django_assert_max_num_queries):
    for n in range(20):
        FollowUpActionFactory(
            mission=mission,
            contact=PersonFactory(),
            owner=MembershipFactory(organisation=mission.lead_organisation).user,
        )
        feedback(mission, n % 5 + 1, f"Comment {n}")

    with django_assert_max_num_queries(QUERY_BUDGET):
        response = planner_client.get(reverse("plan:follow-up", args=[mission.pk]))

    assert len(response.context["actions"]) == 20


def test_follow_up_page_read_only_for_partner(client, mission):
    partner = OrganisationFactory()
    mission.partners.add(partner)
    action = FollowUpActionFactory(mission=mission)
    client.force_login(MembershipFactory(organisation=partner).user)

    response = client.get(reverse("plan:follow-up", args=[mission.pk]))

    assert response.status_code == 200
    assertContains(response, action.agreed)
    assertNotContains(response, reverse("plan:action-edit", args=[action.pk]))
    assertNotContains(response, reverse("plan:action-create", args=[mission.pk]))


# OUT OF SCOPE: 404 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    ["plan:follow-up", "plan:action-create", "plan:contact-options", "plan:reminder-rules"],
)
def test_pages_of_someone_elses_mission_are_404(planner_client, url_name):
    theirs = MissionFactory()

    assert planner_client.get(reverse(url_name, args=[theirs.pk])).status_code == 404


def test_action_of_someone_elses_mission_is_404_and_unchanged(planner_client, planner):
    action = FollowUpActionFactory(mission=MissionFactory())
    url = reverse("plan:action-edit", args=[action.pk])

    response = planner_client.post(
        url, action_data(action.organisation, planner.user, status=ActionStatus.DROPPED)
    )

    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_action_edit_is_404_for_partner(client, mission):
    partner = OrganisationFactory()
    mission.partners.add(partner)
    action = FollowUpActionFactory(mission=mission)
    client.force_login(MembershipFactory(organisation=partner).user)

    assert client.get(reverse("plan:action-edit", args=[action.pk])).status_code == 404


# ACTIONS ---------------------------------------------------------------------------------


def test_action_create_records_action_and_returns_to_follow_up(planner_client, planner, mission):
    organisation = OrganisationFactory(name="MACHN", city="Leipzig", country="DE")
    contact = PersonFactory(full_name="Anja Roth", organisation=organisation)

    response = planner_client.post(
        reverse("plan:action-create", args=[mission.pk]),
        action_data(organisation, planner.user, contact=str(contact.pk)),
    )

    assertRedirects(response, reverse("plan:follow-up", args=[mission.pk]))
    action = FollowUpAction.objects.get()
    assert (action.mission, action.organisation, action.contact, action.owner) == (
        mission,
        organisation,
        contact,
        planner.user,
    )
    assert (action.due_date, action.status) == (dt.date(2025, 4, 30), ActionStatus.OPEN)


def test_action_create_form_offers_planners_of_organisers_as_owner(
    planner_client, planner, mission
):
    colleague = MembershipFactory(organisation=planner.organisation).user
    MembershipFactory(organisation=planner.organisation, role=MembershipRole.VIEWER)
    MembershipFactory()  # a planner elsewhere

    response = planner_client.get(reverse("plan:action-create", args=[mission.pk]))

    form = response.context["form"]
    assert {user.pk for user in form.fields["owner"].queryset} == {planner.user.pk, colleague.pk}
    assert form["owner"].value() == planner.user.pk
    assertContains(response, 'hx-get="/plan/directory/organisations/options/"')
    assertContains(response, f'hx-get="/plan/missions/{mission.pk}/follow-up/contacts/"')


def test_action_create_refuses_owner_outside_organisers(planner_client, mission):
    outsider = MembershipFactory().user

    response = planner_client.post(
        reverse("plan:action-create", args=[mission.pk]),
        action_data(OrganisationFactory(), outsider),
    )

    assert response.status_code == 200
    assert form_errors(response, "owner") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert FollowUpAction.objects.count() == 0


def test_action_create_empty_post_shows_required_fields(planner_client, mission):
    response = planner_client.post(reverse("plan:action-create", args=[mission.pk]), {})

    errors = response.context["form"].errors
    assert sorted(errors) == ["agreed", "due_date", "organisation", "owner", "status"]
    assert FollowUpAction.objects.count() == 0


def test_action_create_rejects_ten_thousand_characters(planner_client, planner, mission):
    response = planner_client.post(
        reverse("plan:action-create", args=[mission.pk]),
        action_data(OrganisationFactory(), planner.user, agreed="x" * 10_000),
    )

    assert form_errors(response, "agreed") == [
        "Ensure this value has at most 2000 characters (it has 10000)."
    ]


def test_action_with_markup_right_to_left_and_emoji_is_kept_and_escaped(
    planner_client, planner, mission
):
    agreed = "<b>اتفاق</b> on a joint bid 🤝"
    planner_client.post(
        reverse("plan:action-create", args=[mission.pk]),
        action_data(OrganisationFactory(), planner.user, agreed=agreed),
    )

    response = planner_client.get(reverse("plan:follow-up", args=[mission.pk]))

    assert FollowUpAction.objects.get().agreed == agreed
    assertContains(response, "&lt;b&gt;اتفاق&lt;/b&gt; on a joint bid 🤝")


def test_action_edit_changes_status(planner_client, planner, mission):
    action = FollowUpActionFactory(mission=mission, owner=planner.user)

    response = planner_client.post(
        reverse("plan:action-edit", args=[action.pk]),
        action_data(action.organisation, planner.user, status=ActionStatus.AGREED),
    )

    assertRedirects(response, reverse("plan:follow-up", args=[mission.pk]))
    action.refresh_from_db()
    assert action.status == ActionStatus.AGREED


def test_action_edit_keeps_an_owner_who_is_no_longer_a_planner(planner_client, mission):
    former = MembershipFactory(organisation=OrganisationFactory()).user
    action = FollowUpActionFactory(mission=mission, owner=former)

    response = planner_client.post(
        reverse("plan:action-edit", args=[action.pk]),
        action_data(action.organisation, former, status=ActionStatus.IN_PROGRESS),
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.status) == (former, ActionStatus.IN_PROGRESS)


def test_contact_options_match_name_or_organisation(planner_client, mission):
    machn = OrganisationFactory(name="MACHN")
    PersonFactory(full_name="Anja Roth", organisation=machn)
    PersonFactory(full_name="Ben Ochs", organisation=OrganisationFactory(name="Spinnerei"))
    selected = PersonFactory(full_name="Zoe Zander", organisation=None)
    url = reverse("plan:contact-options", args=[mission.pk])

    by_name = planner_client.get(url, {"q": "anja"})
    by_organisation = planner_client.get(url, {"q": "spinn", "selected": selected.pk})

    assert [p.full_name for p in by_name.context["options"]] == ["Anja Roth"]
    assertContains(by_name, "Anja Roth, MACHN")
    assert [p.full_name for p in by_organisation.context["options"]] == ["Zoe Zander", "Ben Ochs"]
    assertContains(by_organisation, f'<option value="{selected.pk}" selected>Zoe Zander</option>')


def test_contact_options_do_not_search_e_mail_addresses(planner_client, mission):
    PersonFactory(full_name="Anja Roth", email="secret.handle@machn.example")
    url = reverse("plan:contact-options", args=[mission.pk])

    response = planner_client.get(url, {"q": "secret.handle"})

    assert response.context["options"] == []


def test_action_form_lists_at_most_20_contacts_not_the_whole_directory(
    planner_client, mission, django_assert_max_num_queries
):
    people = PersonFactory.create_batch(30, organisation=None)
    action = FollowUpActionFactory(mission=mission, contact=people[-1])

    with django_assert_max_num_queries(20):
        response = planner_client.get(reverse("plan:action-edit", args=[action.pk]))

    select = re.search(r'<select name="contact".*?</select>', response.content.decode(), re.S)
    options = re.findall(r'<option value="(\d+)"', select.group(0))
    assert len(options) == 20
    assert options[0] == str(people[-1].pk)  # the chosen contact first, selected
    assert f'<option value="{people[-1].pk}" selected>' in select.group(0)


# REMINDER RULES --------------------------------------------------------------------------


def rules_data(rows: list[dict], initial: int) -> dict:
    data = {
        "rules-TOTAL_FORMS": str(len(rows)),
        "rules-INITIAL_FORMS": str(initial),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "12",
    }
    for n, row in enumerate(rows):
        for field, value in row.items():
            if value is True:
                data[f"rules-{n}-{field}"] = "on"
            elif value not in (False, None):
                data[f"rules-{n}-{field}"] = str(value)
    return data


def default_rows(**changes_by_index) -> list[dict]:
    rows = [
        {"kind": r.kind, "days": r.days, "anchor": r.anchor, "is_active": True}
        for r in DEFAULT_RULES
    ]
    for index, changes in changes_by_index.items():
        rows[int(index.removeprefix("row"))].update(changes)
    return [*rows, {"kind": "", "days": "", "anchor": "", "is_active": True}]


def test_reminder_rules_page_shows_the_defaults(planner_client, mission):
    response = planner_client.get(reverse("plan:reminder-rules", args=[mission.pk]))

    formset = response.context["formset"]
    assert [(f["kind"].value(), f["days"].value(), f["anchor"].value()) for f in formset] == [
        ("rsvp_reminder", 7, "after_invitation"),
        ("rsvp_reminder", 3, "before_deadline"),
        ("mission_reminder", 7, "before_start"),
        ("mission_reminder", 1, "before_start"),
        (None, None, None),
    ]
    assertContains(response, "This mission uses the default rules.")
    assertContains(response, "<li>Reminder to answer: 7 days after the invitation</li>", html=True)


def test_reminder_rules_save_changed_days_and_deactivation(planner_client, mission):
    rows = default_rows(row0={"days": 5}, row3={"is_active": False})

    response = planner_client.post(
        reverse("plan:reminder-rules", args=[mission.pk]), rules_data(rows, initial=4)
    )

    assertRedirects(response, reverse("plan:reminder-rules", args=[mission.pk]))
    assert [(r.kind, r.anchor, r.days, r.is_active) for r in rules_of(mission)] == [
        ("mission_reminder", "before_start", 1, False),
        ("mission_reminder", "before_start", 7, True),
        ("rsvp_reminder", "after_invitation", 5, True),
        ("rsvp_reminder", "before_deadline", 3, True),
    ]


def test_reminder_rules_add_a_rule_in_the_empty_row(planner_client, mission):
    ReminderRuleFactory(mission=mission, days=7)
    rows = [
        {"kind": "rsvp_reminder", "days": 7, "anchor": "after_invitation", "is_active": True},
        {"kind": "rsvp_reminder", "days": 14, "anchor": "before_start", "is_active": True},
    ]

    planner_client.post(
        reverse("plan:reminder-rules", args=[mission.pk]), rules_data(rows, initial=1)
    )

    assert sorted(ReminderRule.objects.values_list("anchor", "days")) == [
        ("after_invitation", 7),
        ("before_start", 14),
    ]


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        (default_rows(row1={"anchor": "after_invitation", "days": 7}), "listed twice"),
        (
            [{"DELETE": True, **row} for row in default_rows()[:4]],
            "Keep at least one rule",
        ),
    ],
)
def test_reminder_rules_refuse(planner_client, mission, rows, error):
    response = planner_client.post(
        reverse("plan:reminder-rules", args=[mission.pk]), rules_data(rows, initial=4)
    )

    assert response.status_code == 200
    assert error in " ".join(response.context["formset"].non_form_errors())
    assert ReminderRule.objects.count() == 0


def test_reminder_rules_refuse_mission_reminder_after_invitation(planner_client, mission):
    rows = default_rows(row2={"anchor": "after_invitation"})

    response = planner_client.post(
        reverse("plan:reminder-rules", args=[mission.pk]), rules_data(rows, initial=4)
    )

    assert response.context["formset"].errors[2] == {
        "anchor": ["A reminder before the mission goes out a number of days before it starts."]
    }
    assert ReminderRule.objects.count() == 0


def test_reminder_rules_refuse_negative_or_huge_days(planner_client, mission):
    rows = default_rows(row0={"days": -1}, row1={"days": 10_000})

    response = planner_client.post(
        reverse("plan:reminder-rules", args=[mission.pk]), rules_data(rows, initial=4)
    )

    errors = response.context["formset"].errors
    assert (errors[0], errors[1]) == (
        {"days": ["Ensure this value is greater than or equal to 0."]},
        {"days": ["Ensure this value is less than or equal to 365."]},
    )


def test_reminder_rules_check_duplicates_beside_an_invalid_deleted_row(planner_client, mission):
    rows = default_rows(row0={"days": -1, "DELETE": True}, row2={"days": 1})

    response = planner_client.post(
        reverse("plan:reminder-rules", args=[mission.pk]), rules_data(rows, initial=4)
    )

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["The same reminder is listed twice."]
    assert ReminderRule.objects.count() == 0


def test_reminder_rules_name_each_input_by_its_column_and_row(planner_client, mission):
    response = planner_client.get(reverse("plan:reminder-rules", args=[mission.pk]))

    html = response.content.decode()
    names = dict(re.findall(r'name="rules-1-(\w+)"[^>]*aria-label="([^"]+)"', html))
    assert names == {
        "kind": "Reminder, rule 2",
        "days": "Days, rule 2",
        "anchor": "When, rule 2",
        "is_active": "Active, rule 2",
        "DELETE": "Delete, rule 2",
    }
