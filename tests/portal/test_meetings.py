"""B2B matchmaking on the participant's own page (portal/views/meetings.py): the
profile, the marketplace, asking, answering and withdrawing through the pages, the
meetings on the page, in the calendar and in the booklet."""

import io
from urllib.parse import urljoin

import icalendar
import pypdf
import pytest
from django.urls import reverse

from matchmaking.enums import MeetingState, RequestStatus, SlotPicking
from matchmaking.models import Meeting, MeetingRequest, Profile
from missions.enums import ParticipantRole, RsvpStatus
from missions.models import Participant
from missions.selectors import participant_items
from missions.tokens import token_issue
from portal.calendar import participant_calendar, with_revisions
from tests.factories import (
    MatchmakingSettingsFactory,
    MeetingBlockFactory,
    MeetingFactory,
    MeetingRequestFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    ProfileFactory,
    SectorFactory,
    TableFactory,
)
from tests.html_forms import Forms, form_of
from tests.portal.delegate_page import _elements, _links, _texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission():
    mission = MissionFactory(upcoming=True)
    MatchmakingSettingsFactory(mission=mission)
    return mission


def _person(name: str, organisation: str):
    return PersonFactory(full_name=name, organisation=OrganisationFactory(name=organisation))


@pytest.fixture
def delegate(mission):
    return ParticipantFactory(
        mission=mission,
        rsvp_status=RsvpStatus.ACCEPTED,
        person=_person("Ines Dietrich", "Invest Region Leipzig"),
    )


@pytest.fixture
def host(mission):
    participant = ParticipantFactory(
        mission=mission,
        role=ParticipantRole.HOST,
        rsvp_status=RsvpStatus.ACCEPTED,
        person=_person("Tom Baker", "Birmingham Games Studio"),
    )
    ProfileFactory(participant=participant, offer="Motion capture", languages=["en"])
    return participant


def _url(participant, name: str = "delegate:meetings") -> str:
    return reverse(name, kwargs={"token": token_issue(participant=participant)})


def _shown(participant):
    return ProfileFactory(participant=participant).participant


# THE PROFILE ---------------------------------------------------------------------------


def test_profile_saves_from_the_page_with_sectors_and_languages(client, delegate):
    games = SectorFactory(name="Games")

    response = client.post(
        _url(delegate),
        {
            "sectors": [games.pk],
            "offer": "Film studios",
            "seek": "Co-producers",
            "pitch": "Leipzig's creative cluster.",
            "languages": "DE, en",
            "opted_in": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?done=profile")
    profile = Profile.objects.get(participant=delegate)
    assert (profile.offer, profile.languages, profile.opted_in) == (
        "Film studios",
        ["de", "en"],
        True,
    )
    assert list(profile.sectors.all()) == [games]


def test_profile_with_an_unknown_language_shows_the_error_next_to_the_field(client, delegate):
    response = client.post(_url(delegate), {"offer": "Film", "languages": "German, Klingon"})

    assert response.status_code == 200
    assert _texts(response, id="error_1_id_languages") == [
        "Which language is Klingon? Write languages by name, e.g. English, German."
    ]
    assert _elements(response, "input", name="languages")[0].attrs["value"] == "German, Klingon"
    assert not Profile.objects.filter(participant=delegate).exists()


def test_profile_languages_by_name_in_english_german_or_their_own_are_kept_as_codes(
    client, delegate
):
    response = client.post(
        _url(delegate), {"offer": "Film", "languages": "Deutsch, english; Polnisch, yue, de"}
    )

    assert response.status_code == 302
    assert Profile.objects.get(participant=delegate).languages == ["de", "en", "pl", "yue"]
    # Shown again by name, in the page's language.
    page = client.get(_url(delegate))
    assert _elements(page, "input", name="languages")[0].attrs["value"] == (
        "German, English, Polish, yue"
    )


def test_profile_shown_without_an_offer_or_a_seek_says_so_next_to_the_offer(client, delegate):
    response = client.post(_url(delegate), {"pitch": "A studio.", "opted_in": "on"})

    assert response.status_code == 200
    assert _texts(response, id="error_1_id_offer") == [
        "Say what you offer or what you seek before showing it."
    ]
    assert not Profile.objects.filter(participant=delegate).exists()


def test_profile_page_speaks_german(client, delegate):
    delegate.language = "de"
    delegate.save()

    response = client.get(_url(delegate))

    assert "Ihr Profil" in response.content.decode()


def test_meetings_page_of_a_mission_without_matchmaking_says_so(client):
    participant = ParticipantFactory(mission=MissionFactory(upcoming=True))

    response = client.get(_url(participant))

    assert _texts(response, **{"data-testid": "no-matchmaking"}) == [
        "This mission has no B2B meetings."
    ]


def test_delegate_page_links_the_meetings_only_with_matchmaking(client, delegate):
    other = ParticipantFactory(mission=MissionFactory(upcoming=True), rsvp_status="accepted")

    with_meetings = client.get(_url(delegate, "delegate:page"))
    without = client.get(_url(other, "delegate:page"))

    assert _texts(with_meetings, **{"data-testid": "to-meetings"}) == ["B2B meetings"]
    assert _texts(without, **{"data-testid": "to-meetings"}) == []


# THE MARKETPLACE -----------------------------------------------------------------------


def _names(response) -> list[str]:
    return [text.split(",")[0] for text in _texts(response, "h2", **{"class": "h6 mb-1"})]


def test_marketplace_shows_the_other_side_s_opted_in_profiles_only(client, mission, delegate, host):
    hidden = ProfileFactory(
        participant__mission=mission, participant__role=ParticipantRole.HOST, opted_in=False
    )
    fellow = ProfileFactory(participant__mission=mission)  # a delegate: the same side

    names = _names(client.get(_url(delegate, "delegate:marketplace")))

    assert names == ["Tom Baker"]
    assert hidden.participant.person.full_name not in names
    assert fellow.participant.person.full_name not in names


def test_marketplace_names_the_languages_a_profile_speaks(client, delegate, host):
    page = client.get(_url(delegate, "delegate:marketplace")).content.decode()

    assert "Languages: English" in page


def test_marketplace_of_a_host_shows_delegates(client, delegate, host):
    _shown(delegate)

    assert _names(client.get(_url(host, "delegate:marketplace"))) == ["Ines Dietrich"]


def test_marketplace_filters_by_sector_text_and_language(client, mission, delegate, host):
    games = SectorFactory(name="Games")
    host.matchmaking_profile.sectors.add(games)
    other = ProfileFactory(
        participant__mission=mission,
        participant__role=ParticipantRole.HOST,
        participant__person=_person("Ada Lovelace", "Analytical Engines"),
        offer="Engines",
        seek="Funding",
        pitch="",
        languages=["de"],
    )
    url = _url(delegate, "delegate:marketplace")

    assert _names(client.get(url, {"sector": games.pk})) == ["Tom Baker"]
    assert _names(client.get(url, {"text": "funding"})) == ["Ada Lovelace"]
    assert _names(client.get(url, {"language": "de"})) == [other.participant.person.full_name]
    assert _names(client.get(url)) == ["Ada Lovelace", "Tom Baker"]
    # The languages the profiles list, by name: Tom Baker speaks English.
    assert _texts(client.get(url), "option")[-3:] == ["Any language", "English", "German"]


def _host(mission, name: str):
    return ProfileFactory(
        participant__mission=mission,
        participant__role=ParticipantRole.HOST,
        participant__person=_person(name, f"{name} Ltd"),
    ).participant


def test_marketplace_says_where_the_participant_stands_instead_of_asking_again(
    client, mission, delegate, host
):
    _shown(delegate)
    accepted, declined, asking, withdrawn = (
        _host(mission, name) for name in ("Ann Accepted", "Dan Declined", "Ava Asking", "Wes Gone")
    )
    for recipient, status in (
        (host, RequestStatus.REQUESTED),
        (accepted, RequestStatus.ACCEPTED),
        (declined, RequestStatus.DECLINED),
        (withdrawn, RequestStatus.WITHDRAWN),
    ):
        MeetingRequestFactory(
            mission=mission, requester=delegate, recipient=recipient, status=status
        )
    MeetingRequestFactory(mission=mission, requester=asking, recipient=delegate)

    response = client.get(_url(delegate, "delegate:marketplace"))

    assert _names(response) == [
        "Ann Accepted",
        "Ava Asking",
        "Tom Baker",
        "Dan Declined",
        "Wes Gone",
    ]
    assert _texts(response, **{"data-testid": "standing"}) == [
        "Your meeting is accepted. Your meetings",
        "They asked you for a meeting. Answer the request",
        "You asked for a meeting: waiting for an answer.",
        "Your request was declined.",
    ]
    assert _texts(response, "button", type="submit") == [
        "English",
        "Deutsch",
        "Filter",
        "Ask Wes Gone for a meeting",
    ]


def test_marketplace_without_profiles_says_why_and_how_to_see_them_all(
    client, mission, delegate, host
):
    url = _url(delegate, "delegate:marketplace")
    filtered = client.get(url, {"text": "submarines"})
    Profile.objects.filter(participant=host).update(opted_in=False)
    empty = client.get(url)

    assert _texts(filtered, **{"data-testid": "no-profiles"}) == [
        "No profile matches these filters. Show all profiles"
    ]
    assert _links(filtered, url)["Show all profiles"] == url
    assert _texts(empty, **{"data-testid": "no-profiles"}) == [
        "No host has shown a profile yet. Come back later: new profiles appear here."
    ]


def test_meetings_page_without_a_profile_or_meetings_says_what_comes_next(client, delegate):
    page = client.get(_url(delegate))

    assert _texts(page, **{"data-testid": "profile-first"}) == [
        "Show your profile to others before you ask for a meeting. Your profile"
    ]
    assert _texts(page, **{"data-testid": "no-meetings"}) == [
        "No meeting is scheduled yet. The organisers give each accepted request a slot and a "
        "table; your meetings then appear here."
    ]


def test_requests_in_german_are_accepted_not_agreed_to(client, delegate, host):
    Participant.objects.filter(pk=host.pk).update(language="de")
    MeetingRequestFactory(
        mission=delegate.mission, requester=delegate, recipient=host, status="accepted"
    )

    page = client.get(_url(host))

    assert _texts(page, **{"data-testid": "request-status"}) == ["Angenommen"]


# THE LANGUAGE SWITCH ----------------------------------------------------------------------


def _switch(client, token: str, page_url: str, language: str = "de", **query):
    """Press the language button of the page at `page_url`, as a browser submits its form."""
    page = client.get(page_url, query)
    switch_url = reverse("delegate:language", kwargs={"token": token})
    forms = Forms()
    forms.feed(page.content.decode())
    (fields,) = [f for action, f in forms.forms.items() if urljoin(page_url, action) == switch_url]
    return client.post(switch_url, {**dict(fields), "language": language})


def test_language_switch_on_the_marketplace_lands_on_the_marketplace_in_german(
    client, delegate, host
):
    _shown(delegate)
    games = SectorFactory(name="Games", name_de="Spiele")
    host.matchmaking_profile.sectors.add(games)
    token = token_issue(participant=delegate)
    marketplace = reverse("delegate:marketplace", kwargs={"token": token})

    response = _switch(client, token, marketplace, sector=games.pk)
    back = client.get(response["Location"])

    assert response["Location"] == f"{marketplace}?sector={games.pk}"
    assert _texts(back, "h1") == ["Gastgeber finden"]
    assert [o.text for o in _elements(back, "option") if "selected" in o.attrs] == [
        "Spiele",
        "Alle Sprachen",
    ]
    assert _names(back) == ["Tom Baker"]


@pytest.mark.parametrize("name", ["delegate:meetings", "delegate:calendar", "delegate:page"])
def test_language_switch_returns_to_the_page_it_was_pressed_on(client, delegate, name):
    token = token_issue(participant=delegate)
    page = reverse(name, kwargs={"token": token})

    response = _switch(client, token, page)

    assert response["Location"] == page
    assert _elements(client.get(page), "html")[0].attrs["lang"] == "de"


@pytest.mark.parametrize(
    "address",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/plan/",
        "another link",
        "meeting-ask",
        "meetings/",
    ],
)
def test_language_switch_ignores_a_page_that_is_not_this_links_own(client, delegate, host, address):
    token = token_issue(participant=delegate)
    if address == "another link":
        address = _url(host, "delegate:marketplace")
    elif address == "meeting-ask":
        address = reverse("delegate:meeting-ask", kwargs={"token": token})

    response = client.post(
        reverse("delegate:language", kwargs={"token": token}), {"language": "de", "next": address}
    )

    assert response["Location"] == reverse("delegate:page", kwargs={"token": token})
    assert Participant.objects.get(pk=delegate.pk).language == "de"


# ASKING, ANSWERING, WITHDRAWING ----------------------------------------------------------


def test_ask_through_the_page_sends_a_request_with_the_message(client, delegate, host):
    _shown(delegate)

    response = client.post(
        _url(delegate, "delegate:meeting-ask"), {"recipient": host.pk, "message": "Coffee?"}
    )

    assert response["Location"].endswith("?done=asked")
    request = MeetingRequest.objects.get()
    assert (request.requester, request.recipient, request.message, request.status) == (
        delegate,
        host,
        "Coffee?",
        RequestStatus.REQUESTED,
    )


def test_ask_a_profile_not_opted_in_is_a_404(client, mission, delegate):
    _shown(delegate)
    hidden = ProfileFactory(
        participant__mission=mission, participant__role=ParticipantRole.HOST, opted_in=False
    )

    response = client.post(
        _url(delegate, "delegate:meeting-ask"), {"recipient": hidden.participant.pk}
    )

    assert response.status_code == 404
    assert not MeetingRequest.objects.exists()


def test_asking_back_makes_the_request_mutual_and_shows_it(client, delegate, host):
    _shown(delegate)
    MeetingRequestFactory(mission=delegate.mission, requester=host, recipient=delegate)

    response = client.post(_url(delegate, "delegate:meeting-ask"), {"recipient": host.pk})
    page = client.get(_url(delegate))

    assert response["Location"].endswith("?done=mutual")
    assert MeetingRequest.objects.get().status == RequestStatus.ACCEPTED
    assert _texts(page, **{"data-testid": "mutual"}) == ["mutual"]


def test_ask_past_the_limit_shows_the_service_s_message(client, mission, delegate, host):
    _shown(delegate)
    settings = mission.matchmaking_settings
    settings.requests_need_acceptance = False
    settings.max_meetings_per_person = 1
    settings.save()
    other = ProfileFactory(participant__mission=mission, participant__role=ParticipantRole.HOST)
    MeetingRequestFactory(
        mission=mission,
        requester=delegate,
        recipient=other.participant,
        status=RequestStatus.ACCEPTED,
    )

    response = client.post(_url(delegate, "delegate:meeting-ask"), {"recipient": host.pk})

    assert response.status_code == 200
    assert _texts(response, **{"data-testid": "error"}) == [
        "Ines Dietrich has 1 meeting already, the most this mission allows."
    ]
    assert MeetingRequest.objects.count() == 1


def test_host_accepts_a_request_on_their_page(client, delegate, host):
    request = MeetingRequestFactory(mission=delegate.mission, requester=delegate, recipient=host)

    page = client.get(_url(host))
    response = client.post(
        _url(host, "delegate:meeting-answer"), {"request": request.pk, "answer": "accept"}
    )

    assert _texts(page, **{"data-testid": "request-status"}) == ["Requested"]
    assert response["Location"].endswith("?done=accepted")
    request.refresh_from_db()
    assert request.status == RequestStatus.ACCEPTED


def test_host_declines_a_request_on_their_page(client, delegate, host):
    request = MeetingRequestFactory(mission=delegate.mission, requester=delegate, recipient=host)

    client.post(_url(host, "delegate:meeting-answer"), {"request": request.pk, "answer": "decline"})

    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED


def test_answering_someone_else_s_request_is_a_404(client, mission, delegate, host):
    request = MeetingRequestFactory(mission=mission, requester=delegate, recipient=host)
    other_host = ProfileFactory(
        participant__mission=mission, participant__role=ParticipantRole.HOST
    ).participant

    by_requester = client.post(
        _url(delegate, "delegate:meeting-answer"), {"request": request.pk, "answer": "accept"}
    )
    by_other = client.post(
        _url(other_host, "delegate:meeting-answer"), {"request": request.pk, "answer": "accept"}
    )

    assert (by_requester.status_code, by_other.status_code) == (404, 404)
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED


def test_accept_past_the_limit_shows_the_service_s_message(client, mission, delegate, host):
    settings = mission.matchmaking_settings
    settings.max_meetings_per_person = 1
    settings.save()
    MeetingRequestFactory(mission=mission, recipient=host, status=RequestStatus.ACCEPTED)
    request = MeetingRequestFactory(mission=mission, requester=delegate, recipient=host)

    response = client.post(
        _url(host, "delegate:meeting-answer"), {"request": request.pk, "answer": "accept"}
    )

    assert _texts(response, **{"data-testid": "error"}) == [
        "Tom Baker has 1 meeting already, the most this mission allows."
    ]
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED


def test_withdraw_own_request_on_the_page(client, delegate, host):
    request = MeetingRequestFactory(mission=delegate.mission, requester=delegate, recipient=host)

    response = client.post(_url(delegate, "delegate:meeting-withdraw"), {"request": request.pk})

    assert response["Location"].endswith("?done=withdrawn")
    request.refresh_from_db()
    assert request.status == RequestStatus.WITHDRAWN


def test_withdraw_someone_else_s_request_is_a_404(client, delegate, host):
    request = MeetingRequestFactory(mission=delegate.mission, requester=delegate, recipient=host)

    response = client.post(_url(host, "delegate:meeting-withdraw"), {"request": request.pk})

    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED


@pytest.fixture
def block(mission):
    """10:00 to 11:30 London time: slots at 10:00, 10:25, 10:50; one table."""
    block = MeetingBlockFactory(item__mission=mission, item__title="Round table")
    TableFactory(block=block, number=1)
    return block


def test_accept_with_a_picked_slot_places_the_meeting(client, mission, delegate, host, block):
    settings = mission.matchmaking_settings
    settings.slot_picking = SlotPicking.PARTICIPANTS
    settings.save()
    request = MeetingRequestFactory(mission=mission, requester=delegate, recipient=host)

    page = client.get(_url(host))
    slots = [element.attrs["value"] for element in _elements(page, "option")]
    response = client.post(
        _url(host, "delegate:meeting-answer"),
        {"request": request.pk, "answer": "accept", "slot": slots[1]},
    )

    assert _texts(page, "option")[0].startswith("Tue 4 Mar, 10:00–10:20 GMT (Europe/London)")
    assert len(slots) == 3
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.request, meeting.starts_at) == (request, block.slot_times()[1][0])


def test_accept_without_a_slot_where_participants_pick_one_is_refused(
    client, mission, delegate, host, block
):
    settings = mission.matchmaking_settings
    settings.slot_picking = SlotPicking.PARTICIPANTS
    settings.save()
    request = MeetingRequestFactory(mission=mission, requester=delegate, recipient=host)

    response = client.post(
        _url(host, "delegate:meeting-answer"), {"request": request.pk, "answer": "accept"}
    )

    assert _texts(response, **{"data-testid": "error"}) == ["Choose a slot for the meeting."]
    request.refresh_from_db()
    assert request.status == RequestStatus.REQUESTED
    assert not Meeting.objects.exists()


# MEETINGS ON THE PAGE, IN THE CALENDAR, IN THE BOOKLET -------------------------------------


@pytest.fixture
def meetings(mission, delegate, host, block):
    """A final meeting at 10:00 and a preliminary one at 10:25."""
    final = MeetingFactory(
        request=MeetingRequestFactory(
            mission=mission, requester=delegate, recipient=host, status=RequestStatus.ACCEPTED
        ),
        block=block,
        table=block.tables.get(),
        state=MeetingState.FINAL,
    )
    other = ParticipantFactory(
        mission=mission, role=ParticipantRole.HOST, person=_person("Ada Lovelace", "Engines")
    )
    starts, ends = block.slot_times()[1]
    preliminary = MeetingFactory(
        request=MeetingRequestFactory(
            mission=mission, requester=delegate, recipient=other, status=RequestStatus.ACCEPTED
        ),
        block=block,
        table=block.tables.get(),
        starts_at=starts,
        ends_at=ends,
    )
    return final, preliminary


def test_meetings_page_lists_meetings_in_the_block_s_zone_marked_final_or_preliminary(
    client, delegate, meetings
):
    response = client.get(_url(delegate))

    year = delegate.mission.start_date.year
    assert _texts(response, **{"data-testid": "meeting"}) == [
        f"Tuesday, 4 March {year}, 10:00–10:20 GMT (Europe/London) final "
        "Tom Baker, Birmingham Games Studio Round table · Table 1",
        f"Tuesday, 4 March {year}, 10:25–10:45 GMT (Europe/London) preliminary "
        "Ada Lovelace, Engines Round table · Table 1",
    ]
    assert _texts(response, **{"data-testid": "meeting-state"}) == ["final", "preliminary"]


def test_a_request_whose_meeting_is_final_cannot_be_withdrawn_on_the_page(
    client, delegate, meetings
):
    final, preliminary = meetings
    token = token_issue(participant=delegate)
    withdraw_url = reverse("delegate:meeting-withdraw", kwargs={"token": token})

    page = client.get(reverse("delegate:meetings", kwargs={"token": token}))
    response = client.post(withdraw_url, {"request": final.request.pk})

    # Ada Lovelace's preliminary meeting may still be withdrawn, Tom Baker's final one not.
    assert form_of(page.content.decode(), withdraw_url) == {
        "request": [str(preliminary.request.pk)]
    }
    assert _texts(page, **{"data-testid": "final-meeting"}) == [
        "Your meeting is in the published schedule. If you cannot come, please tell the organisers."
    ]
    assert _texts(response, **{"data-testid": "error"}) == [
        "This meeting is in the published schedule and cannot be withdrawn here. If you "
        "cannot come, please tell the organisers."
    ]
    final.refresh_from_db()
    assert final.request.status == RequestStatus.ACCEPTED


def test_delegate_page_lists_the_meetings_marked_final_or_preliminary(client, delegate, meetings):
    response = client.get(_url(delegate, "delegate:page"))

    year = delegate.mission.start_date.year
    assert _texts(response, **{"data-testid": "page-meeting"}) == [
        f"Tuesday, 4 March {year}, 10:00–10:20 GMT (Europe/London) final "
        "Tom Baker, Birmingham Games Studio Round table · Table 1",
        f"Tuesday, 4 March {year}, 10:25–10:45 GMT (Europe/London) preliminary "
        "Ada Lovelace, Engines Round table · Table 1",
    ]


def test_calendar_has_the_final_meeting_with_its_uid(client, delegate, meetings):
    final, preliminary = meetings

    ics = client.get(_url(delegate, "delegate:calendar-ics")).content
    events = {
        str(event["uid"]): event for event in icalendar.Calendar.from_ical(ics).walk("VEVENT")
    }

    uid = f"meeting-{final.uid}@"
    found = [key for key in events if key.startswith(uid)]
    assert len(found) == 1
    event = events[found[0]]
    assert event.decoded("dtstart") == final.starts_at
    assert str(event["summary"]) == "Meeting: Tom Baker, Birmingham Games Studio"
    assert not any(key.startswith(f"meeting-{preliminary.uid}") for key in events)


def test_booklet_lists_the_final_meeting_only(client, delegate, meetings):
    pdf = client.get(_url(delegate, "delegate:booklet")).content
    text = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )

    assert "Your B2B meetings" in text
    assert "Tom Baker, Birmingham Games Studio" in text
    assert "Ada Lovelace" not in text


def test_calendar_built_for_a_group_of_invitations_has_nobody_s_meetings(delegate, meetings):
    items = with_revisions(participant_items(delegate))

    ics = participant_calendar(delegate, items=items)

    summaries = [str(e["summary"]) for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")]
    assert summaries == ["Round table"]
