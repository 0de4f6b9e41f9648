"""The invitation and the thank-you as the delegate receives them, in English and German."""

import datetime as dt
import re
import zoneinfo
from email import message_from_bytes

import icalendar
import pytest
from django.conf import settings
from django.test.signals import template_rendered

from messaging import outbox
from messaging.emails import Shared, render_message
from messaging.enums import MessageKind
from messaging.invitations import invitations_send
from messaging.models import OutgoingMessage
from missions.enums import Audience, RsvpStatus
from missions.models import Participant
from missions.selectors import participant_items
from missions.tokens import participant_for_token
from organisations.enums import OrganisationKind
from portal.calendar import participant_calendar, with_revisions
from tests.dates import year_like_2025
from tests.factories import (
    ItineraryItemFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


YEAR = year_like_2025()
# The delegate's page, or the feedback form (still under /r/).
LINK = re.compile(re.escape(settings.SITE_URL.rstrip("/")) + r"/[dr]/([^/\s]+)/(feedback/)?")


@pytest.fixture
def council():
    return OrganisationFactory(
        name="Birmingham City Council", kind=OrganisationKind.CITY_COUNCIL, city="Birmingham"
    )


@pytest.fixture
def planner(council):
    user = UserFactory(
        username="fiona", first_name="Fiona", last_name="Latter", email="fiona.latter@example.org"
    )
    MembershipFactory(user=user, organisation=council)
    return user


@pytest.fixture
def mission(council):
    mission = MissionFactory(
        title="Leipzig creative trade mission",
        lead_organisation=council,
        destination_city="Birmingham",
        destination_country="GB",
        time_zone=LONDON,
        start_date=dt.date(YEAR, 3, 4),
        end_date=dt.date(YEAR, 3, 6),
        rsvp_deadline=dt.date(YEAR, 2, 21),
        objectives="Link ten Leipzig film and animation businesses with Birmingham partners.",
    )
    steamhouse = VenueFactory(
        name="STEAMHouse", address="Belmont Row", city="Birmingham", time_zone=LONDON
    )
    for title, day, audience, cancelled in [
        ("Welcome round table", 4, Audience.WHOLE_DELEGATION, False),
        ("Animation studio visit", 5, Audience.SELECTED, False),
        ("Games studio visit", 5, Audience.SELECTED, False),
        ("Cancelled dinner", 5, Audience.WHOLE_DELEGATION, True),
    ]:
        ItineraryItemFactory(
            mission=mission,
            title=title,
            starts_at=dt.datetime(YEAR, 3, day, 10, 0, tzinfo=LONDON),
            ends_at=dt.datetime(YEAR, 3, day, 11, 30, tzinfo=LONDON),
            venue=steamhouse,
            audience=audience,
            is_cancelled=cancelled,
        )
    return mission


def _delegate(mission, *, language="en", name="Ines Dietrich", **person):
    participant = ParticipantFactory(
        mission=mission,
        person=PersonFactory(
            full_name=name, email="ines.dietrich@example.org", preferred_language=language, **person
        ),
    )
    participant.items.set(mission.items.filter(title="Animation studio visit"))
    return participant


def _invite(participant, mailoutbox, django_capture_on_commit_callbacks, *, sent_by=None):
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=participant.mission, participants=[participant], sent_by=sent_by)
    outbox.deliver(OutgoingMessage.objects.values_list("pk", flat=True))
    [email] = mailoutbox
    return email


def _html(email) -> str:
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return html


def _calendar_titles(email, mission) -> list[str]:
    [(name, content, mimetype)] = email.attachments
    assert (name, mimetype) == (f"{mission.slug}.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


def test_invitation_in_english_subject_deadline_programme_and_calendar(
    mission, planner, mailoutbox, django_capture_on_commit_callbacks
):
    participant = _delegate(mission)

    email = _invite(participant, mailoutbox, django_capture_on_commit_callbacks, sent_by=planner)

    assert email.subject == "Invitation: Leipzig creative trade mission"
    text = email.body
    assert text.startswith("Dear Ines Dietrich,\n\nBirmingham City Council invites you to take")
    assert f"Dates (local): Tuesday, 4 March {YEAR} – Thursday, 6 March {YEAR} (Europe/London)" in (
        text
    )
    assert f"Please answer by Friday, 21 February {YEAR}." in text
    assert f"Please answer by Friday, 21 February {YEAR}." in _html(email)
    assert f"* Tue 4 Mar {YEAR}, 10:00–11:30 GMT (Europe/London)\n  Welcome round table\n" in text
    assert "Animation studio visit" in text
    assert "Games studio visit" not in text
    assert "Cancelled dinner" not in text
    assert "Fiona Latter <fiona.latter@example.org>" in text
    assert 'href="mailto:fiona.latter@example.org"' in _html(email)
    assert _calendar_titles(email, mission) == ["Welcome round table", "Animation studio visit"]


def test_invitation_link_resolves_to_the_participant(
    client, mission, mailoutbox, django_capture_on_commit_callbacks
):
    participant = _delegate(mission)

    email = _invite(participant, mailoutbox, django_capture_on_commit_callbacks)

    [token] = {match.group(1) for match in LINK.finditer(email.body)}
    assert participant_for_token(token) == participant
    assert f"{settings.SITE_URL.rstrip('/')}/d/{token}/" in email.body
    assert f'href="{settings.SITE_URL.rstrip("/")}/d/{token}/"' in _html(email)
    page = client.get(f"/d/{token}/")
    assert page.status_code == 200
    assert 'data-testid="answer-form"' in page.content.decode()


def test_invitation_in_german(mission, mailoutbox, django_capture_on_commit_callbacks):
    participant = _delegate(mission, language="de")

    email = _invite(participant, mailoutbox, django_capture_on_commit_callbacks)

    assert email.subject == "Einladung: Leipzig creative trade mission"
    assert f"Freitag, 21. Februar {YEAR}" in email.body
    assert f"Dienstag, 4. März {YEAR} – Donnerstag, 6. März {YEAR}" in email.body
    assert f"Di, 4. Mär {YEAR}, 10:00–11:30 GMT (Europe/London)" in email.body
    assert '<html lang="de">' in _html(email)
    assert _calendar_titles(email, mission) == ["Welcome round table", "Animation studio visit"]


def test_invitation_in_an_unknown_language_falls_back_to_english(
    mission, mailoutbox, django_capture_on_commit_callbacks
):
    participant = _delegate(mission)
    participant.language = "fr"
    participant.save()

    email = _invite(participant, mailoutbox, django_capture_on_commit_callbacks)

    assert OutgoingMessage.objects.get().language == "fr"
    assert email.subject == "Invitation: Leipzig creative trade mission"
    assert f"Please answer by Friday, 21 February {YEAR}." in email.body
    assert '<html lang="en">' in _html(email)


@pytest.mark.parametrize("deadline", [None, dt.date.today() - dt.timedelta(days=2)])
def test_invitation_without_deadline_or_past_it_asks_for_an_answer_soon(
    mission, mailoutbox, django_capture_on_commit_callbacks, deadline
):
    mission.rsvp_deadline = deadline
    mission.save()

    email = _invite(_delegate(mission), mailoutbox, django_capture_on_commit_callbacks)

    assert "Please answer soon." in email.body
    assert "Please answer soon." in _html(email)
    assert "Please answer by" not in email.body


def test_invitation_without_sender_names_the_lead_organisations_planners(
    mission, planner, mailoutbox, django_capture_on_commit_callbacks
):
    email = _invite(_delegate(mission), mailoutbox, django_capture_on_commit_callbacks)

    contact = "Questions? Please contact the organisers:\nFiona Latter <fiona.latter@example.org>\n"
    assert contact in email.body


def test_invitation_names_a_planner_without_full_name_by_the_address_alone(
    mission, council, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(user=UserFactory(username="planner"), organisation=council)

    email = _invite(_delegate(mission), mailoutbox, django_capture_on_commit_callbacks)

    contact = "Questions? Please contact the organisers:\nplanner@example.org\n"
    assert contact in email.body
    assert "planner &lt;" not in _html(email)
    assert 'organisers:<br>\n    <a href="mailto:planner@example.org"' in _html(email)


def test_invitation_escapes_markup_in_html_and_keeps_text_as_written(
    mission, mailoutbox, django_capture_on_commit_callbacks
):
    mission.title = "Trade & <b>Culture</b>"
    mission.save()
    participant = _delegate(mission, name="<script>alert('x')</script> ناصر 🎬")

    email = _invite(participant, mailoutbox, django_capture_on_commit_callbacks)

    html = _html(email)
    assert email.subject == "Invitation: Trade & <b>Culture</b>"
    assert "<b>Culture</b>" not in html
    assert "Trade &amp; &lt;b&gt;Culture&lt;/b&gt;" in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; ناصر 🎬" in html
    assert email.body.startswith("Dear <script>alert('x')</script> ناصر 🎬,\n")


def test_follow_up_thanks_and_links_to_the_feedback_form(
    client, mission, planner, mailoutbox, django_capture_on_commit_callbacks
):
    participant = _delegate(mission, language="en")
    Participant.objects.filter(pk=participant.pk).update(rsvp_status=RsvpStatus.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=False):
        outbox.message_queue(
            recipient_email=participant.person.email,
            recipient_name=participant.person.full_name,
            language="en",
            kind=MessageKind.FOLLOW_UP,
            occasion=f"mission:{mission.pk}",
            mission=mission,
            participant=participant,
        )
    outbox.deliver(OutgoingMessage.objects.values_list("pk", flat=True))

    [email] = mailoutbox
    assert email.subject == "Thank you for taking part in Leipzig creative trade mission"
    assert email.body.startswith(
        "Dear Ines Dietrich,\n\nThank you for taking part in Leipzig creative trade mission "
        "in Birmingham.\n"
    )
    [(token, feedback)] = {match.groups() for match in LINK.finditer(email.body)}
    assert feedback == "feedback/"
    assert participant_for_token(token) == participant
    assert f'href="{settings.SITE_URL.rstrip("/")}/r/{token}/feedback/"' in _html(email)
    assert email.attachments == []


def _parts(email) -> tuple:
    return (email.subject, email.to, email.body, _html(email), email.attachments)


def test_invitations_rendered_as_one_batch_are_those_rendered_one_by_one(
    mission, planner, django_capture_on_commit_callbacks
):
    """What a batch shares (mission, programme, calendar) never carries one person's bits
    into another's message: names, links, selected items, answers and languages differ."""
    people = [
        ("Ines Dietrich", "de", "Animation studio visit", RsvpStatus.NOT_INVITED),
        ("Anthony Tattum", "en", "Games studio visit", RsvpStatus.NOT_INVITED),
        ("Ken Wood", "en", "Animation studio visit", RsvpStatus.NOT_INVITED),
        ("Sabine Krause", "de", "Animation studio visit", RsvpStatus.DECLINED),
    ]
    participants = []
    for name, language, item, status in people:
        participant = ParticipantFactory(
            mission=mission,
            rsvp_status=status,
            person=PersonFactory(
                full_name=name,
                email=name.lower().replace(" ", ".") + "@example.org",
                preferred_language=language,
            ),
        )
        participant.items.set(mission.items.filter(title=item))
        participants.append(participant)
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=mission, participants=participants, sent_by=planner)
    messages = list(
        OutgoingMessage.objects.select_related("participant__person").order_by("participant_id")
    )

    shared = Shared(messages)
    together = [_parts(render_message(message, shared=shared)) for message in messages]
    alone = [_parts(render_message(OutgoingMessage.objects.get(pk=m.pk))) for m in messages]

    assert together == alone
    assert len({body for _subject, _to, body, _html_body, _files in together}) == 4
    ines, anthony, ken, sabine = messages
    assert [_calendar_titles(render_message(m), mission) for m in (ines, anthony)] == [
        ["Welcome round table", "Animation studio visit"],
        ["Welcome round table", "Games studio visit"],
    ]
    # Ines and Sabine see the same items in German, but Sabine declined: hers are cancelled.
    calendars = {
        m.pk: icalendar.Calendar.from_ical(files[0][1])
        for m, (*_, files) in zip(messages, together, strict=True)
    }
    assert [str(e["STATUS"]) for e in calendars[ines.pk].walk("VEVENT")] == ["CONFIRMED"] * 2
    assert [str(e["STATUS"]) for e in calendars[sabine.pk].walk("VEVENT")] == ["CANCELLED"] * 2


def test_invitations_of_a_batch_render_once_per_language_and_fill_in_each_name_as_written(
    mission, planner, django_capture_on_commit_callbacks
):
    """A batch renders its templates once per group (language, sender, items) and fills
    in names and links: markup, quotes, right-to-left text and a name that looks like
    the stand-in come out as a one-by-one rendering gives them."""
    names = [
        "<script>alert('x')</script> ناصر 🎬",
        'Seán O\'Brien & Söhne "Film"',
        "stencil0123456789abcdefname",
        "",
        "Ines Dietrich",
    ]
    participants = [
        ParticipantFactory(
            mission=mission,
            person=PersonFactory(
                full_name=name, email=f"delegate{n}@example.org", preferred_language="en"
            ),
        )
        for n, name in enumerate(names)
    ]
    with django_capture_on_commit_callbacks(execute=False):
        invitations_send(mission=mission, participants=participants, sent_by=planner)
    messages = list(
        OutgoingMessage.objects.select_related("participant__person").order_by("participant_id")
    )
    rendered = []

    def note(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(note)
    try:
        shared = Shared(messages)
        together = [_parts(render_message(message, shared=shared)) for message in messages]
    finally:
        template_rendered.disconnect(note)

    assert rendered.count("emails/invitation/body.html") == 1
    alone = [_parts(render_message(OutgoingMessage.objects.get(pk=m.pk))) for m in messages]
    assert together == alone
    script = _html(render_message(messages[0], shared=shared))
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; ناصر 🎬" in script
    assert [body.splitlines()[0] for _subject, _to, body, _html_body, _files in together] == [
        f"Dear {name}," for name in names
    ]


def test_invitation_is_a_well_formed_mime_message(
    mission, mailoutbox, django_capture_on_commit_callbacks
):
    email = _invite(_delegate(mission), mailoutbox, django_capture_on_commit_callbacks)

    data = email.message().as_bytes(linesep="\r\n")
    parsed = message_from_bytes(data)
    assert [part.get_content_type() for part in parsed.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    text, html, calendar = (part.get_payload(decode=True) for part in list(parsed.walk())[2:])
    assert text.decode() == email.body.replace("\n", "\r\n")
    assert "Ines Dietrich" in html.decode()
    assert icalendar.Calendar.from_ical(calendar).walk("VEVENT")
    boundaries = [part.get_boundary() for part in parsed.walk() if part.is_multipart()]
    assert len(set(boundaries)) == 2
    assert not any(boundary.encode() in text + html + calendar for boundary in boundaries)
    # Drawn anew for each message: nobody can guess them and write one into a name.
    again = message_from_bytes(email.message().as_bytes())
    assert not set(boundaries) & {part.get_boundary() for part in again.walk()} - {None}


def test_invitation_calendar_is_the_participants_own_calendar_file(
    mission, mailoutbox, django_capture_on_commit_callbacks
):
    participant = _delegate(mission)

    email = _invite(participant, mailoutbox, django_capture_on_commit_callbacks)

    [(_name, content, _mimetype)] = email.attachments
    participant.refresh_from_db()
    items = with_revisions(participant_items(participant))
    assert content == participant_calendar(participant, items=items).decode()
    [token] = {match.group(1) for match in LINK.finditer(email.body)}
    # Long lines are folded: the link's line breaks inside the token, and is still right.
    assert token not in content
    events = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert {str(event["URL"]) for event in events} == {f"{settings.SITE_URL}/d/{token}/"}
