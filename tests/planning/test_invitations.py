"""Sending invitations from the workspace and the admin; delivery status; personal links.

Nothing here publishes to the broker: sends run under
`django_capture_on_commit_callbacks(execute=False)`, so the outbox rows are written and
the hand-over to the worker is captured, not run.
"""

import datetime as dt
import re
import zoneinfo
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from messaging import outbox
from messaging.enums import MessageKind, MessageState
from messaging.invitations import invitations_send, participant_link_regenerate
from messaging.models import OutgoingMessage
from missions import tokens
from missions.enums import MissionStatus, RsvpStatus
from missions.models import Participant
from organisations.models import Person
from tests.factories import (
    MissionFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def mission():
    return MissionFactory(
        title="Leipzig economic delegation to Japan",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=dt.date(2030, 11, 12),
        end_date=dt.date(2030, 11, 14),
    )


def delegate(mission, name: str, language: str = "en", **kwargs) -> Participant:
    email = name.lower().replace(" ", ".") + "@example.org"
    person = PersonFactory(full_name=name, email=email, preferred_language=language)
    return ParticipantFactory(mission=mission, person=person, **kwargs)


def invitation_to(participant: Participant, **kwargs) -> OutgoingMessage:
    return OutgoingMessageFactory(participant=participant, **kwargs)


def text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(unescape(html).split())


def flashed(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def checked(response) -> list[int]:
    html = response.content.decode()
    return sorted(
        int(pk) for pk in re.findall(r'name="participants" value="(\d+)"[^>]* checked', html)
    )


def compose_url(mission) -> str:
    return reverse("plan:invitation-compose", args=[mission.pk])


def status_url(mission) -> str:
    return reverse("plan:delivery-status", args=[mission.pk])


def snapshot() -> tuple:
    """Everything a preview could write: outbox rows, links, participants and their history."""
    return (
        OutgoingMessage.objects.count(),
        list(
            Participant.objects.order_by("pk").values_list(
                "pk", "rsvp_status", "token_nonce", "token_hash", "updated_at"
            )
        ),
        Participant.history.count(),
    )


# COMPOSE AND PREVIEW ------------------------------------------------------------------


def test_invitation_compose_preselects_those_not_yet_invited(client, planner, mission):
    new = delegate(mission, "Ines Dietrich")
    invited = delegate(mission, "Anthony Tattum", rsvp_status=RsvpStatus.INVITED)
    invitation_to(invited)
    answered = delegate(mission, "Ken Wood", rsvp_status=RsvpStatus.ACCEPTED)

    response = client.get(compose_url(mission))

    assert response.status_code == 200
    assert checked(response) == [new.pk]
    assertContains(response, f'value="{answered.pk}"')
    assertContains(response, "Everyone not yet invited (1)")


def test_invitation_compose_names_the_language_each_invitation_is_written_in(
    client, planner, mission
):
    delegate(mission, "Ines Dietrich", language="de")
    delegate(mission, "Anthony Tattum", language="en")
    delegate(mission, "Claire Dubois", language="fr")  # the site writes English to her

    page = text(client.get(compose_url(mission), HTTP_ACCEPT_LANGUAGE="de"))

    assert "Ines Dietrich ines.dietrich@example.org Deutsch Nicht eingeladen" in page
    assert "Anthony Tattum anthony.tattum@example.org Englisch Nicht eingeladen" in page
    assert "Claire Dubois claire.dubois@example.org Englisch (gewünscht: Französisch) Nicht" in page


def test_invitation_compose_without_participants_says_to_add_them(client, planner, mission):
    response = client.get(compose_url(mission))

    assertContains(response, "Nobody takes part yet")


def test_invitation_everyone_not_yet_invited_previews_exactly_them(client, planner, mission):
    first = delegate(mission, "Ines Dietrich")
    second = delegate(mission, "Ken Wood")
    invitation_to(delegate(mission, "Anthony Tattum", rsvp_status=RsvpStatus.INVITED))

    response = client.post(compose_url(mission), {"everyone": "1", "participants": []})

    assert [p.pk for p in response.context["participants"]] == [first.pk, second.pk]
    assertContains(response, "2 recipients selected.")


def test_invitation_everyone_when_all_are_invited_says_so(client, planner, mission):
    invitation_to(delegate(mission, "Anthony Tattum", rsvp_status=RsvpStatus.INVITED))

    response = client.post(compose_url(mission), {"everyone": "1"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "__all__": ["Everyone on the mission has been invited already."]
    }


def test_invitation_preview_says_who_was_invited_already(client, planner, mission):
    ines = delegate(mission, "Ines Dietrich")
    anthony = delegate(mission, "Anthony Tattum", rsvp_status=RsvpStatus.INVITED)
    invitation_to(anthony)

    response = client.post(
        compose_url(mission), {"preview": "1", "participants": [ines.pk, anthony.pk]}
    )

    assert (
        text(response).count(
            "2 recipients selected. 1 of them was invited already and will not get a second "
            "invitation."
        )
        == 1
    )


def test_invitation_change_the_selection_keeps_what_was_chosen(client, planner, mission):
    delegate(mission, "Ines Dietrich")
    ken = delegate(mission, "Ken Wood")

    response = client.post(compose_url(mission), {"change": "1", "participants": [ken.pk]})

    assert checked(response) == [ken.pk]
    assert response.context["form"].errors == {}


def test_invitation_preview_once_per_language_of_the_recipients(client, planner, mission):
    ines = delegate(mission, "Ines Dietrich", language="de")
    anthony = delegate(mission, "Anthony Tattum")
    ken = delegate(mission, "Ken Wood")

    response = client.post(
        compose_url(mission), {"preview": "1", "participants": [ines.pk, anthony.pk, ken.pk]}
    )

    previews = response.context["previews"]
    assert [(p.language, len(p.recipients)) for p in previews] == [("en", 2), ("de", 1)]
    english, german = previews
    assert english.subject == "Invitation: Leipzig economic delegation to Japan"
    assert english.sample == anthony
    assert german.sample == ines
    assert german.subject == "Einladung: Leipzig economic delegation to Japan"
    assert '<html lang="de">' in german.html
    assert english.text.startswith("Dear Anthony Tattum,")
    assert "/d/personal-link/" in english.text
    assert '<html lang="en">' in english.html
    assertContains(response, 'id="preview-en"')
    assertContains(response, 'id="preview-de"')
    assertContains(response, "Send to 3 participants")


def test_invitation_preview_writes_nothing_and_issues_no_link(
    client, planner, mission, django_capture_on_commit_callbacks
):
    never_invited = delegate(mission, "Ines Dietrich", language="de")
    with_link = delegate(mission, "Anthony Tattum")
    live_token = tokens.token_issue(participant=with_link)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            compose_url(mission),
            {"preview": "1", "participants": [never_invited.pk, with_link.pk]},
        )

    assert response.status_code == 200
    assert snapshot() == before
    assert callbacks == []
    never_invited.refresh_from_db()
    assert (never_invited.token_nonce, never_invited.token_hash) == ("", "")
    content = response.content.decode()
    assert live_token not in content
    assert "/d/personal-link/" in content


def test_invitation_preview_shows_markup_in_names_as_text_in_a_sandboxed_frame(
    client, planner, mission
):
    hostile = delegate(mission, '<script>alert("x")</script> Mallory')

    response = client.post(compose_url(mission), {"preview": "1", "participants": [hostile.pk]})

    content = response.content.decode()
    assert '<script>alert("x")</script>' not in content
    [frame] = re.findall(r"<iframe[^>]*>", content)
    assert " sandbox " in frame
    assert "allow-scripts" not in frame
    assert "srcdoc=" in frame


@pytest.mark.parametrize(
    "chosen",
    [[], ["abc"], ["9" * 50], ["-1"], ["1e3"]],
    ids=["nothing", "not-a-number", "huge", "negative", "float"],
)
def test_invitation_send_with_a_bad_selection_errs_and_sends_nothing(
    client, planner, mission, chosen, django_capture_on_commit_callbacks
):
    delegate(mission, "Ines Dietrich")

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(compose_url(mission), {"send": "1", "participants": chosen})

    assert response.status_code == 200
    assert response.context["form"].errors["participants"]
    assert OutgoingMessage.objects.count() == 0


def test_invitation_send_to_a_participant_of_another_mission_is_refused(
    client, planner, mission, django_capture_on_commit_callbacks
):
    theirs = delegate(MissionFactory(lead_organisation=mission.lead_organisation), "Ken Wood")

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(compose_url(mission), {"send": "1", "participants": [theirs.pk]})

    assert response.context["form"].errors == {
        "participants": ["One of the selected people no longer takes part in the mission."]
    }
    assert OutgoingMessage.objects.count() == 0


def _ended(mission) -> None:
    """The mission's last day was yesterday where it takes place."""
    yesterday = timezone.localdate(timezone=mission.time_zone) - dt.timedelta(days=1)
    mission.start_date = mission.end_date = yesterday
    mission.rsvp_deadline = None
    mission.save()


def _cancelled(mission) -> None:
    mission.status = MissionStatus.CANCELLED
    mission.save()


def _completed(mission) -> None:
    mission.status = MissionStatus.COMPLETED
    mission.save()


CLOSED = {
    _cancelled: "The mission is cancelled: no invitations can be sent.",
    _ended: "The mission ended on {date}: invitations can no longer be sent, and a link sent "
    "now would not work.",
    _completed: "The mission ended on {date}: invitations can no longer be sent, and a link "
    "sent now would not work.",
}


@pytest.mark.parametrize("close", CLOSED, ids=lambda close: close.__name__.strip("_"))
def test_invitation_to_a_mission_cancelled_or_ended_is_refused_with_the_reason(
    client, planner, mission, close
):
    ines = delegate(mission, "Ines Dietrich")
    close(mission)
    reason = CLOSED[close].format(date=date_format(mission.end_date, "DATE_FORMAT"))

    page = client.get(compose_url(mission))
    sent = client.post(compose_url(mission), {"send": "1", "participants": [ines.pk]})
    everyone = client.post(compose_url(mission), {"everyone": "1"})
    participants = client.get(reverse("plan:participant-list", args=[mission.pk]))

    for response in (page, sent, everyone):
        assert response.status_code == 200
        assert reason in text(response)
        assertNotContains(response, 'name="participants"')
    assert reason in text(participants)
    assertNotContains(participants, compose_url(mission))
    assert OutgoingMessage.objects.count() == 0
    ines.refresh_from_db()
    assert (ines.rsvp_status, ines.token_nonce) == (RsvpStatus.NOT_INVITED, "")


@pytest.mark.parametrize("close", CLOSED, ids=lambda close: close.__name__.strip("_"))
def test_invitations_send_for_a_mission_cancelled_or_ended_raises(mission, close):
    ines = delegate(mission, "Ines Dietrich")
    close(mission)

    with pytest.raises(ValidationError) as raised:
        invitations_send(mission=mission, participants=[ines], sent_by=None)
    with pytest.raises(ValidationError):
        participant_link_regenerate(participant=ines, sent_by=None, resend=True)

    assert raised.value.messages == [
        CLOSED[close].format(date=date_format(mission.end_date, "DATE_FORMAT"))
    ]
    assert OutgoingMessage.objects.count() == 0


def test_invitations_of_a_mission_ending_today_can_still_be_sent(
    client, planner, mission, django_capture_on_commit_callbacks
):
    ines = delegate(mission, "Ines Dietrich")
    mission.start_date = mission.end_date = timezone.localdate(timezone=mission.time_zone)
    mission.rsvp_deadline = None
    mission.save()

    with django_capture_on_commit_callbacks(execute=False):
        client.post(compose_url(mission), {"send": "1", "participants": [ines.pk]})

    assert OutgoingMessage.objects.count() == 1


# SEND -----------------------------------------------------------------------------------


def test_invitation_send_queues_one_row_each_and_marks_them_invited(
    client, planner, mission, django_capture_on_commit_callbacks
):
    ines = delegate(mission, "Ines Dietrich", language="de")
    anthony = delegate(mission, "Anthony Tattum")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            compose_url(mission), {"send": "1", "participants": [ines.pk, anthony.pk]}
        )

    assertRedirects(
        response,
        reverse("plan:participant-list", args=[mission.pk]),
        fetch_redirect_response=False,
    )
    assert flashed(response) == ["2 invitations queued."]
    assert sorted(
        OutgoingMessage.objects.values_list("recipient_email", "language", "kind", "state")
    ) == [
        ("anthony.tattum@example.org", "en", MessageKind.INVITATION, MessageState.QUEUED),
        ("ines.dietrich@example.org", "de", MessageKind.INVITATION, MessageState.QUEUED),
    ]
    assert set(mission.participants.values_list("rsvp_status", flat=True)) == {"invited"}
    [hand_over] = callbacks  # both messages leave in one batch, after commit
    assert sorted(hand_over.ids) == sorted(OutgoingMessage.objects.values_list("pk", flat=True))
    assert OutgoingMessage.objects.filter(context__sent_by=planner.pk).count() == 2
    # Each new link is in the participant's history, issued by the planner who sent.
    issued = Participant.history.filter(history_type="~").order_by("id")
    assert [(h.id, h.history_user, bool(h.token_hash)) for h in issued] == [
        (ines.pk, planner, True),
        (anthony.pk, planner, True),
    ]


def test_invitation_send_twice_gives_one_row_each(
    client, planner, mission, django_capture_on_commit_callbacks
):
    ines = delegate(mission, "Ines Dietrich")
    anthony = delegate(mission, "Anthony Tattum")
    data = {"send": "1", "participants": [ines.pk, anthony.pk]}

    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(compose_url(mission), data, follow=True)
        second = client.post(compose_url(mission), data, follow=True)

    assert [str(m) for m in first.context["messages"]] == ["2 invitations queued."]
    assert [str(m) for m in second.context["messages"]] == [
        "0 invitations queued. 2 were already invited."
    ]
    assert sorted(OutgoingMessage.objects.values_list("participant", flat=True)) == sorted(
        [ines.pk, anthony.pk]
    )


def test_invitation_send_counts_those_already_invited(
    client, planner, mission, django_capture_on_commit_callbacks
):
    ines = delegate(mission, "Ines Dietrich")
    anthony = delegate(mission, "Anthony Tattum", rsvp_status=RsvpStatus.INVITED)
    invitation_to(anthony, state=MessageState.SENT, sent_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            compose_url(mission), {"send": "1", "participants": [ines.pk, anthony.pk]}
        )

    assert flashed(response) == ["1 invitation queued. 1 was already invited."]
    assert OutgoingMessage.objects.count() == 2


# DELIVERY STATUS ------------------------------------------------------------------------


def cell(response, participant) -> str:
    html = response.content.decode()
    match = re.search(
        rf'<div id="delivery-{participant.pk}"[^>]*>(.*?)</div>\s*(?=<div id="delivery-|$)',
        html,
        re.S,
    )
    assert match, f"no delivery cell for participant {participant.pk}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def test_participant_list_has_the_invite_button_and_loads_the_delivery_column(
    client, planner, mission
):
    participant = delegate(mission, "Ines Dietrich")

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assertContains(response, f'href="{compose_url(mission)}"')
    assertContains(response, f'id="delivery-{participant.pk}"')
    assertContains(response, f'hx-get="{status_url(mission)}" hx-trigger="load"')


def test_participant_list_for_partner_planner_has_no_invite_button(client, partner, mission):
    delegate(mission, "Ines Dietrich")

    response = client.get(reverse("plan:participant-list", args=[mission.pk]))

    assertNotContains(response, compose_url(mission))


def test_delivery_status_shows_each_state(client, planner, mission):
    not_invited = delegate(mission, "Anna Arndt")
    queued = delegate(mission, "Bernd Bauer", rsvp_status=RsvpStatus.INVITED)
    invitation_to(queued)
    sending = delegate(mission, "Clara Cole", rsvp_status=RsvpStatus.INVITED)
    invitation_to(sending, state=MessageState.IN_FLIGHT, attempts=1)
    sent = delegate(mission, "Dora Day", rsvp_status=RsvpStatus.INVITED)
    invitation_to(
        sent, state=MessageState.SENT, sent_at=dt.datetime(2030, 10, 1, 9, 30, tzinfo=dt.UTC)
    )
    answered = delegate(
        mission,
        "Emil Engel",
        rsvp_status=RsvpStatus.ACCEPTED,
        answered_at=dt.datetime(2030, 10, 2, 23, 0, tzinfo=dt.UTC),
    )
    invitation_to(
        answered, state=MessageState.SENT, sent_at=dt.datetime(2030, 10, 1, 9, 30, tzinfo=dt.UTC)
    )

    response = client.get(status_url(mission), **HTMX)

    assert response.status_code == 200
    assert cell(response, not_invited).startswith("Not invited No live personal link")
    assert cell(response, queued).startswith("Queued")
    assert cell(response, sending).startswith("Sending")
    # Sent and answered times in the mission's zone, named.
    assert cell(response, sent).startswith("Sent 1 Oct 2030, 18:30 JST")
    assert cell(response, answered).startswith(
        "Sent 1 Oct 2030, 18:30 JST Answered: Accepted 3 Oct 2030, 08:00 JST"
    )


def test_delivery_status_shows_why_a_message_failed_with_a_retry_button(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    message = invitation_to(
        participant,
        state=MessageState.FAILED,
        attempts=1,
        last_error="SMTP 550: SMTPRecipientsRefused: mailbox unavailable",
    )

    response = client.get(status_url(mission), **HTMX)

    # What happened and what to do first; the server's answer folded away below it.
    assert cell(response, participant).startswith(
        "Failed The recipient's mail server does not know this address. Check it for a "
        "typo, correct it, and send again. The mail server's answer "
        "SMTP 550: SMTPRecipientsRefused: mailbox unavailable Retry"
    )
    assertContains(response, f'action="{reverse("plan:message-retry", args=[message.pk])}"')


@pytest.mark.parametrize(
    ("last_error", "explanation"),
    [
        (
            "SMTP 550: SMTPRecipientsRefused: {'a@leipzig.de': (550, b'5.1.1 <a@leipzig.de>: "
            "Recipient address rejected: User unknown in virtual mailbox table')}",
            "The recipient's mail server does not know this address.",
        ),
        (
            "SMTP 550: SMTPRecipientsRefused: {'a@leipzig.dee': (550, b'5.1.10 null MX')}",
            "The address's domain (after the @) receives no mail.",
        ),
        (
            "SMTP 552: SMTPDataError: (552, b'5.2.2 Mailbox full')",
            "The recipient's mailbox is full or closed.",
        ),
        (
            "SMTP 554: SMTPDataError: (554, b'5.7.1 Message rejected as spam')",
            "The recipient's mail server refused the message by its rules",
        ),
        (
            "SMTP 553: SMTPSenderRefused: (553, b'Sender not allowed')",
            "The recipient's mail server refused the message; its answer below says why.",
        ),
        (
            "SMTP 421: SMTPServerDisconnected: (421, b'4.3.2 Try again later')",
            "The mail server could not take the message at any of 6 attempts.",
        ),
        (
            "ConnectionRefusedError: [Errno 111] Connection refused",
            "The mail server could not take the message at any of 6 attempts.",
        ),
        (
            "render: 'NoneType' object has no attribute 'title'",
            "The message could not be written: a fault in Itinera, not in the address.",
        ),
    ],
)
def test_delivery_status_explains_a_failure_in_a_planner_s_words(
    client, planner, mission, last_error, explanation
):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    invitation_to(participant, state=MessageState.FAILED, attempts=6, last_error=last_error)

    response = client.get(status_url(mission), **HTMX)

    assert cell(response, participant).startswith(f"Failed {explanation}")


def test_delivery_status_of_a_retry_says_it_is_tried_again(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    invitation_to(
        participant,
        attempts=2,
        due_at=timezone.now() + dt.timedelta(minutes=4),
        last_error="SMTP 451: SMTPDataError: (451, b'4.7.1 Greylisted, try again')",
    )

    response = client.get(status_url(mission), **HTMX)

    assert "The mail server could not take the message just now; it is tried again." in cell(
        response, participant
    )


def test_delivery_status_for_partner_planner_shows_state_without_actions_or_the_error(
    client, partner, mission
):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    error = "SMTP 550: <ines.dietrich@leipzig.de>: mailbox unavailable"
    message = invitation_to(participant, state=MessageState.FAILED, last_error=error)

    response = client.get(status_url(mission), **HTMX)

    # The relay's answer names the address: personal data, for the organisers only.
    assert cell(response, participant) == "Failed No live personal link"
    assertNotContains(response, "ines.dietrich@leipzig.de")
    assertNotContains(response, reverse("plan:message-retry", args=[message.pk]))
    assertNotContains(response, reverse("plan:link-regenerate", args=[participant.pk]))


def test_delivery_status_escapes_markup_in_the_error(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich")
    invitation_to(participant, state=MessageState.FAILED, last_error="<b>550</b>")

    response = client.get(status_url(mission), **HTMX)

    assertContains(response, "&lt;b&gt;550&lt;/b&gt;")


def test_delivery_status_polls_while_a_message_is_on_its_way(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich")
    message = invitation_to(participant)

    queued = client.get(status_url(mission), **HTMX)
    message.state = MessageState.SENT
    message.sent_at = timezone.now()
    message.save()
    sent = client.get(status_url(mission), **HTMX)

    assertContains(queued, 'hx-trigger="every 5s"')
    assertContains(queued, f'hx-get="{status_url(mission)}"')
    assertNotContains(sent, "hx-trigger")
    assertNotContains(sent, "hx-get")


def test_delivery_status_does_not_poll_for_a_message_due_next_week(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich")
    invitation_to(participant, due_at=timezone.now() + dt.timedelta(days=7))

    response = client.get(status_url(mission), **HTMX)

    assert cell(response, participant).startswith("Queued, next attempt")
    assertNotContains(response, "hx-trigger")


def test_delivery_status_keeps_the_filters_of_the_page(client, planner, mission):
    accepted = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.ACCEPTED)
    other = delegate(mission, "Ken Wood")
    invitation_to(accepted)

    response = client.get(status_url(mission) + "?rsvp_status=accepted", **HTMX)

    assertContains(response, f'id="delivery-{accepted.pk}"')
    assertNotContains(response, f'id="delivery-{other.pk}"')
    assertContains(response, f'hx-get="{status_url(mission)}?rsvp_status=accepted"')


def test_delivery_status_of_300_participants_stays_within_10_queries(
    client, planner, mission, django_assert_max_num_queries
):
    people = Person.objects.bulk_create(
        Person(full_name=f"Delegate {n:03}", email=f"delegate{n:03}@example.org")
        for n in range(300)
    )
    participants = Participant.objects.bulk_create(
        Participant(mission=mission, person=person, rsvp_status=RsvpStatus.INVITED)
        for person in people
    )
    now = timezone.now()
    OutgoingMessage.objects.bulk_create(
        OutgoingMessage(
            mission=mission,
            participant=participant,
            recipient_email=participant.person.email,
            kind=kind,
            occasion=f"test:{participant.pk}",
            state=MessageState.FAILED if participant.pk % 3 else MessageState.SENT,
            sent_at=now,
            last_error="SMTP 550",
            due_at=now,
            message_id=f"<{kind}-{participant.pk}@example.org>",
        )
        for participant in participants
        for kind in [MessageKind.INVITATION, MessageKind.RSVP_REMINDER]
    )

    with django_assert_max_num_queries(10):
        response = client.get(status_url(mission), **HTMX)

    # The column of the list's first page (ParticipantFilterForm.PAGE_SIZE).
    assert response.content.decode().count('hx-swap-oob="true"') == 50
    assert cell(response, participants[0]).startswith("Reminder to answer:")


# RETRY ------------------------------------------------------------------------------------


def test_message_retry_queues_a_failed_message_again(
    client, planner, mission, django_capture_on_commit_callbacks
):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    message = invitation_to(participant, state=MessageState.FAILED, attempts=6, last_error="550")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("plan:message-retry", args=[message.pk]))

    assertRedirects(
        response,
        reverse("plan:participant-list", args=[mission.pk]),
        fetch_redirect_response=False,
    )
    assert flashed(response) == ["The message to ines.dietrich@example.org is queued again."]
    message.refresh_from_db()
    assert (message.state, message.attempts) == (MessageState.QUEUED, 0)
    assert len(callbacks) == 1
    assertContains(client.get(status_url(mission), **HTMX), 'hx-trigger="every 5s"')


def test_message_retry_of_a_sent_message_changes_nothing(
    client, planner, mission, django_capture_on_commit_callbacks
):
    participant = delegate(mission, "Ines Dietrich")
    message = invitation_to(participant, state=MessageState.SENT, sent_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("plan:message-retry", args=[message.pk]))

    assert flashed(response) == [
        "There is nothing to retry: the message has not failed, or it is already on its way "
        "to the person's current address."
    ]
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert callbacks == []


def test_message_retry_after_the_address_was_corrected_goes_to_the_new_address(
    client, planner, mission, django_capture_on_commit_callbacks
):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    message = invitation_to(
        participant,
        recipient_email="ines.dietrich@leipzig.dee",  # mistyped
        state=MessageState.FAILED,
        attempts=1,
        last_error="SMTP 550: SMTPRecipientsRefused: 5.1.10 null MX",
    )
    participant.person.email = "ines.dietrich@leipzig.de"  # corrected on the person
    participant.person.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("plan:message-retry", args=[message.pk]))

    assert flashed(response) == ["The message to ines.dietrich@leipzig.de is queued again."]
    message.refresh_from_db()
    assert (message.state, message.recipient_email) == (
        MessageState.QUEUED,
        "ines.dietrich@leipzig.de",
    )
    assert len(callbacks) == 1


def test_message_retry_to_an_address_already_sent_the_message_changes_nothing(
    client, planner, mission, django_capture_on_commit_callbacks
):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    failed = invitation_to(
        participant,
        recipient_email="ines.dietrich@leipzig.dee",
        state=MessageState.FAILED,
    )
    # Corrected, and invited again at the new address with "Send invitations".
    invitation_to(
        participant,
        state=MessageState.SENT,
        sent_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("plan:message-retry", args=[failed.pk]))

    assert flashed(response)[0].startswith("There is nothing to retry")
    failed.refresh_from_db()
    assert (failed.state, failed.recipient_email) == (
        MessageState.FAILED,
        "ines.dietrich@leipzig.dee",
    )
    assert callbacks == []


# PERSONAL LINKS -------------------------------------------------------------------------


def test_link_revoke_asks_first_then_the_old_link_shows_the_friendly_page(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich")
    token = tokens.token_issue(participant=participant)
    url = reverse("plan:link-revoke", args=[participant.pk])

    confirmation = client.get(url)
    still_works = client.get(reverse("delegate:page", args=[token]))
    response = client.post(url)
    old_link = client.get(reverse("delegate:page", args=[token]))

    assertContains(confirmation, "Revoke Ines Dietrich")
    assert still_works.status_code == 200
    assertRedirects(
        response,
        reverse("plan:participant-list", args=[mission.pk]),
        fetch_redirect_response=False,
    )
    assertContains(old_link, "This link no longer works", status_code=404)
    participant.refresh_from_db()
    assert (participant.token_nonce, participant.token_hash) == ("", "")


def test_link_regenerate_replaces_the_link(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich")
    old = tokens.token_issue(participant=participant)

    client.post(reverse("plan:link-regenerate", args=[participant.pk]))

    participant.refresh_from_db()
    new = tokens.token_for(participant=participant)
    assert new != old
    assert tokens.participant_for_token(old) is None
    assert tokens.participant_for_token(new) == participant
    assert client.get(reverse("delegate:page", args=[new])).status_code == 200


def test_link_regenerated_with_send_mails_the_invitation_with_the_new_link(
    client, planner, mission, mailoutbox, django_capture_on_commit_callbacks
):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    old = tokens.token_issue(participant=participant)
    confirm = client.get(reverse("plan:link-regenerate", args=[participant.pk]))

    with django_capture_on_commit_callbacks(execute=False) as handed_over:
        response = client.post(
            reverse("plan:link-regenerate", args=[participant.pk]), {"send": "1"}, follow=True
        )
    outbox.deliver([message.pk for message in OutgoingMessage.objects.all()])

    participant.refresh_from_db()
    new = tokens.token_for(participant=participant)
    assertContains(confirm, 'name="send" value="1" id="send-new-link" checked')
    assertContains(response, "The invitation with the new link is on its way to them.")
    assert len(handed_over) == 1
    [email] = mailoutbox
    assert (
        email.to == ["Ines Dietrich <ines.dietrich@example.org>"] or "Ines Dietrich" in email.to[0]
    )
    assert f"/d/{new}/" in email.body
    assert old not in email.body


def test_link_regenerated_without_send_mails_nothing(client, planner, mission):
    participant = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    tokens.token_issue(participant=participant)

    client.post(reverse("plan:link-regenerate", args=[participant.pk]))

    assert not OutgoingMessage.objects.exists()


def test_delivery_status_shows_whether_the_link_is_live(client, planner, mission):
    with_link = delegate(mission, "Ines Dietrich")
    tokens.token_issue(participant=with_link)
    without = delegate(mission, "Ken Wood")

    response = client.get(status_url(mission), **HTMX)

    assert cell(response, with_link) == "Not invited Personal link active · Regenerate · Revoke"
    assert cell(response, without) == "Not invited No live personal link · Create"


def test_delivery_status_shows_an_expired_link_as_not_live(client, planner):
    old_mission = MissionFactory(
        lead_organisation=planner.memberships.get().organisation,
        start_date=dt.date(2020, 3, 4),
        end_date=dt.date(2020, 3, 6),
    )
    participant = delegate(old_mission, "Ines Dietrich")
    tokens.token_issue(participant=participant)

    response = client.get(status_url(old_mission), **HTMX)

    assert cell(response, participant) == "Not invited No live personal link · Create"


def test_participants_page_and_its_delivery_column_show_each_participants_newest_message(
    client, planner, mission
):
    reminded = delegate(mission, "Ines Dietrich", rsvp_status=RsvpStatus.INVITED)
    invitation_to(reminded, state=MessageState.SENT, sent_at=timezone.now())
    invitation_to(reminded, kind=MessageKind.RSVP_REMINDER, state=MessageState.FAILED)
    invited = delegate(mission, "Ken Wood", rsvp_status=RsvpStatus.INVITED)
    invitation_to(invited, state=MessageState.FAILED, last_error="SMTP 550")

    page = client.get(reverse("plan:participant-list", args=[mission.pk]))
    column = client.get(status_url(mission), **HTMX)

    assert (page.status_code, column.status_code) == (200, 200)
    assert cell(column, reminded).startswith("Reminder to answer: Failed")
    assert cell(column, invited).startswith("Failed The recipient's mail server does not know")


# PERMISSIONS ------------------------------------------------------------------------------


def edit_endpoints(mission, participant, message) -> list[str]:
    return [
        compose_url(mission),
        reverse("plan:message-retry", args=[message.pk]),
        reverse("plan:link-regenerate", args=[participant.pk]),
        reverse("plan:link-revoke", args=[participant.pk]),
    ]


def test_invitation_edit_endpoints_give_404_to_partner_planners_and_change_nothing(
    client, partner, mission, django_capture_on_commit_callbacks
):
    participant = delegate(mission, "Ines Dietrich")
    tokens.token_issue(participant=participant)
    message = invitation_to(participant, state=MessageState.FAILED)
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answers = [
            client.post(url, {"send": "1", "participants": [participant.pk]}).status_code
            for url in edit_endpoints(mission, participant, message)
        ]

    assert answers == [404, 404, 404, 404]
    assert client.get(compose_url(mission)).status_code == 404
    assert snapshot() == before
    assert OutgoingMessage.objects.get().state == MessageState.FAILED
    assert callbacks == []


def test_invitation_endpoints_give_404_to_outsiders(client, outsider, mission):
    participant = delegate(mission, "Ines Dietrich")
    message = invitation_to(participant, state=MessageState.FAILED)
    before = snapshot()

    answers = [
        client.post(url, {"send": "1", "participants": [participant.pk]}).status_code
        for url in edit_endpoints(mission, participant, message)
    ]

    assert answers == [404, 404, 404, 404]
    assert client.get(status_url(mission), **HTMX).status_code == 404
    assert snapshot() == before


# ADMIN --------------------------------------------------------------------------------------


def changelist_action(admin_client, action: str, participants):
    return admin_client.post(
        reverse("admin:missions_participant_changelist"),
        {"action": action, "_selected_action": [p.pk for p in participants]},
        follow=True,
    )


def test_admin_send_invitation_queues_one_per_participant_of_each_mission(
    admin_client, mission, django_capture_on_commit_callbacks
):
    ines = delegate(mission, "Ines Dietrich", language="de")
    other_mission = MissionFactory(upcoming=True)
    ken = delegate(other_mission, "Ken Wood")
    invited = delegate(mission, "Anthony Tattum", rsvp_status=RsvpStatus.INVITED)
    invitation_to(invited)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = changelist_action(admin_client, "send_invitation", [ines, ken, invited])

    assertContains(response, "2 invitations queued. 1 was already invited.")
    assert sorted(
        OutgoingMessage.objects.values_list("recipient_email", "mission", "language")
    ) == [
        ("anthony.tattum@example.org", mission.pk, "en"),
        ("ines.dietrich@example.org", mission.pk, "de"),
        ("ken.wood@example.org", other_mission.pk, "en"),
    ]
    assert len(callbacks) == 2


def test_admin_send_invitation_skips_a_mission_that_ended_and_says_why(
    admin_client, mission, django_capture_on_commit_callbacks
):
    ines = delegate(mission, "Ines Dietrich")
    ended = MissionFactory(title="Leipzig 2025")  # 4 to 6 March 2025
    ken = delegate(ended, "Ken Wood")

    with django_capture_on_commit_callbacks(execute=False):
        response = changelist_action(admin_client, "send_invitation", [ines, ken])

    assertContains(
        response,
        "Leipzig 2025: The mission ended on 6 March 2025: invitations can no longer be sent",
    )
    assertContains(response, "1 invitation queued.")
    assert list(OutgoingMessage.objects.values_list("recipient_email", flat=True)) == [
        "ines.dietrich@example.org"
    ]


def test_admin_revoke_personal_links(admin_client, mission):
    participant = delegate(mission, "Ines Dietrich")
    token = tokens.token_issue(participant=participant)

    response = changelist_action(admin_client, "revoke_links", [participant])

    assertContains(response, "1 personal link revoked.")
    assert tokens.participant_for_token(token) is None


def test_admin_regenerate_personal_links(admin_client, mission):
    participant = delegate(mission, "Ines Dietrich")
    token = tokens.token_issue(participant=participant)

    response = changelist_action(admin_client, "regenerate_links", [participant])

    assertContains(response, "1 new personal link; earlier links no longer work.")
    participant.refresh_from_db()
    assert tokens.participant_for_token(token) is None
    assert tokens.participant_for_token(tokens.token_for(participant=participant)) == participant


def test_admin_retry_failed_messages(admin_client, mission, django_capture_on_commit_callbacks):
    failed = invitation_to(
        delegate(mission, "Ines Dietrich"),
        recipient_email="ines.dietrich@leipzig.dee",  # corrected on the person since
        state=MessageState.FAILED,
    )

    with django_capture_on_commit_callbacks(execute=False):
        response = admin_client.post(
            reverse("admin:messaging_outgoingmessage_changelist"),
            {"action": "retry_failed", "_selected_action": [failed.pk]},
        )

    assert flashed(response) == ["1 message queued again."]
    failed.refresh_from_db()
    assert (failed.state, failed.recipient_email) == (
        MessageState.QUEUED,
        failed.participant.person.email,
    )


# ONE COUNT ON EVERY PAGE ---------------------------------------------------------------


def test_invited_and_not_yet_invited_are_the_same_numbers_on_every_page(
    client, planner, mission, django_capture_on_commit_callbacks
):
    """The overview, the invitation page and the participants list with its filter count
    the same people as invited and not invited, whether the invitation went out from the
    workspace (through the outbox) or the list was imported with its answers (demo)."""
    sent = [delegate(mission, name) for name in ("Ines Dietrich", "Anthony Tattum")]
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=mission, participants=sent, sent_by=None)
    sent[1].rsvp_status = RsvpStatus.ACCEPTED  # answered since
    sent[1].save()
    for name, status in [
        ("Imported Accepted", RsvpStatus.ACCEPTED),
        ("Imported Invited", RsvpStatus.INVITED),
        ("Imported Tentative", RsvpStatus.TENTATIVE),
        ("Imported Declined", RsvpStatus.DECLINED),
        ("Imported Withdrawn", RsvpStatus.WITHDRAWN),
        ("New One", RsvpStatus.NOT_INVITED),
        ("New Two", RsvpStatus.NOT_INVITED),
    ]:
        delegate(mission, name, rsvp_status=status)
    participants_url = reverse("plan:participant-list", args=[mission.pk])

    overview = client.get(reverse("plan:mission-detail", args=[mission.pk]))
    compose = client.get(compose_url(mission))
    listed = client.get(participants_url)
    filtered = {
        group: client.get(participants_url, {"rsvp_status": group})
        for group in ("invited", "not_invited", "no_answer")
    }

    html = overview.content.decode()
    on_overview = {
        group: int(re.search(rf'data-testid="rsvp-{group}">(\d+)<', html).group(1))
        for group in ("invited", "not-invited", "no-answer")
    }
    badges = re.findall(
        r'data-testid="invitation-state"><span[^>]*>([^<]+)<', compose.content.decode()
    )
    on_compose = {
        "invited": badges.count("Already invited"),
        "not-invited": badges.count("Not yet invited"),
    }
    on_list = {value: count for value, _, count in listed.context["counts"]}
    rows = {group: len(response.context["participants"]) for group, response in filtered.items()}

    assert on_overview == {"invited": 7, "not-invited": 2, "no-answer": 2}
    assert on_compose == {"invited": 7, "not-invited": 2}
    assertContains(compose, "Everyone not yet invited (2)")
    assert (on_list["invited"], on_list["not_invited"], on_list["no_answer"]) == (7, 2, 2)
    assert rows == {"invited": 7, "not_invited": 2, "no_answer": 2}
