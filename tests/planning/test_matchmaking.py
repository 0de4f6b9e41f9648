"""The matchmaking tab of a mission, for its organisers (planning/views/matchmaking.py):
settings, meeting blocks, profiles, scheduling, the grid, moves, locks and publishing."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from matchmaking.enums import MeetingState, RequestStatus, RunState, SlotPicking, UnplacedReason
from matchmaking.models import MatchmakingSettings, Meeting, MeetingBlock, Profile, ScheduleRun
from matchmaking.selectors import STUCK_AFTER
from matchmaking.services.scheduling import run_execute
from messaging.emails import render_message
from messaging.enums import MessageKind
from messaging.models import OutgoingMessage
from missions.enums import MissionStatus, ParticipantRole, RsvpStatus
from planning.meeting_grid import slot_value
from tests.factories import (
    MeetingBlockFactory,
    MeetingFactory,
    MeetingRequestFactory,
    MissionFactory,
    ParticipantFactory,
    ProfileFactory,
    ScheduleRunFactory,
    SectorFactory,
    TableFactory,
)
from tests.html_forms import form_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def mission():
    return MissionFactory(upcoming=True, status=MissionStatus.CONFIRMED)


@pytest.fixture
def block(mission):
    """The round table, 10:00 to 11:30: slots at 10:00, 10:25, 10:50; two tables."""
    block = MeetingBlockFactory(item__mission=mission, item__title="Round table")
    TableFactory(block=block, number=1)
    TableFactory(block=block, number=2, name="Salon")
    return block


def _person(mission, name: str, *, host: bool = False, language: str = "en"):
    return ProfileFactory(
        participant__mission=mission,
        participant__role=ParticipantRole.HOST if host else ParticipantRole.DELEGATE,
        participant__rsvp_status=RsvpStatus.ACCEPTED,
        participant__person__full_name=name,
        participant__person__preferred_language=language,
    ).participant


def _meeting(block, requester, recipient, *, slot: int = 0, table: int = 0, **kwargs):
    starts_at = block.slot_times()[slot][0]
    request = MeetingRequestFactory(
        mission=block.item.mission,
        requester=requester,
        recipient=recipient,
        status=RequestStatus.ACCEPTED,
        mutual=kwargs.pop("mutual", False),
    )
    return MeetingFactory(
        request=request,
        block=block,
        table=list(block.tables.all())[table],
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=block.slot_minutes),
        **kwargs,
    )


@pytest.fixture
def people(mission):
    return {
        "anna": _person(mission, "Anna Delegate"),
        "bernd": _person(mission, "Bernd Delegate", language="de"),
        "hana": _person(mission, "Hana Host", host=True),
        "ivo": _person(mission, "Ivo Host", host=True),
    }


# SETTINGS AND BLOCKS ---------------------------------------------------------------------


def test_settings_page_turns_matchmaking_on_with_the_choices_made(client, planner, mission):
    url = reverse("plan:matchmaking", kwargs={"pk": mission.pk})
    assert "matchmaking-off" in client.get(url).content.decode()

    response = client.post(
        url,
        {
            "slot_picking": SlotPicking.PARTICIPANTS,
            "max_meetings_per_person": "8",
        },
    )

    assert response.status_code == 302
    chosen = MatchmakingSettings.objects.get(mission=mission)
    assert (
        chosen.requests_need_acceptance,
        chosen.slot_picking,
        chosen.max_meetings_per_person,
    ) == (
        False,
        SlotPicking.PARTICIPANTS,
        8,
    )
    assert "matchmaking-off" not in client.get(url).content.decode()


def test_settings_with_no_meeting_allowed_is_refused(client, planner, mission):
    url = reverse("plan:matchmaking", kwargs={"pk": mission.pk})

    response = client.post(
        url, {"slot_picking": SlotPicking.ORGANISERS, "max_meetings_per_person": "0"}
    )

    assert response.status_code == 200
    assert not MatchmakingSettings.objects.filter(mission=mission).exists()


def test_meeting_block_with_named_rooms_has_a_table_per_room(client, planner, mission):
    item = MeetingBlockFactory.build(item__mission=mission).item
    item.save()
    url = reverse("plan:meeting-block", kwargs={"pk": item.pk})

    response = client.post(
        url, {"slot_minutes": "30", "break_minutes": "0", "rooms": "Salon\nLibrary\n"}
    )

    assert response.status_code == 302
    block = MeetingBlock.objects.get(item=item)
    assert (block.slot_minutes, [str(t) for t in block.tables.all()]) == (30, ["Salon", "Library"])
    assert len(block.slot_times()) == 3


def test_meeting_block_without_tables_shows_the_error_and_marks_nothing(client, planner, mission):
    item = MeetingBlockFactory.build(item__mission=mission).item
    item.save()

    response = client.post(
        reverse("plan:meeting-block", kwargs={"pk": item.pk}),
        {"slot_minutes": "20", "break_minutes": "5"},
    )

    assert "Give the number of tables, or name the rooms." in response.content.decode()
    assert not MeetingBlock.objects.filter(item=item).exists()


def test_meeting_block_longer_than_the_item_is_refused(client, planner, mission):
    item = MeetingBlockFactory.build(item__mission=mission).item
    item.save()

    response = client.post(
        reverse("plan:meeting-block", kwargs={"pk": item.pk}),
        {"slot_minutes": "120", "break_minutes": "0", "tables": "4"},
    )

    assert "Not one slot of 120 minutes fits in the item." in response.content.decode()
    assert not MeetingBlock.objects.filter(item=item).exists()


def test_meeting_block_removed_is_a_plain_item_again(client, planner, block):
    response = client.post(reverse("plan:meeting-block-remove", kwargs={"pk": block.item_id}))

    assert response.status_code == 302
    assert not MeetingBlock.objects.filter(pk=block.pk).exists()


def test_matchmaking_page_and_block_page_say_when_each_item_is(client, planner, mission, block):
    year = mission.start_date.year
    when = f"Tue 4 Mar {year}, 10:00–11:30 GMT (Europe/London)"

    page = client.get(reverse("plan:matchmaking", kwargs={"pk": mission.pk})).content.decode()
    block_page = client.get(reverse("plan:meeting-block", kwargs={"pk": block.item_id}))

    blocks = page[page.index('id="meeting-blocks"') :]
    assert when in blocks[: blocks.index("</ul>")]
    assert f'<p class="mb-1" id="block-period">{when}</p>' in block_page.content.decode()


# PROFILES --------------------------------------------------------------------------------


def test_staff_fill_in_a_participant_s_profile(client, planner, mission):
    participant = ParticipantFactory(mission=mission, role=ParticipantRole.HOST)
    sector = SectorFactory()

    response = client.post(
        reverse("plan:matchmaking-profile", kwargs={"pk": participant.pk}),
        {
            "offer": "Motion capture",
            "seek": "Co-producers",
            "pitch": "A studio.",
            "languages": "EN, Deutsch",
            "sectors": [sector.pk],
            "opted_in": "on",
        },
    )

    assert response.status_code == 302
    profile = Profile.objects.get(participant=participant)
    assert (profile.offer, profile.languages, profile.opted_in) == (
        "Motion capture",
        ["en", "de"],
        True,
    )
    assert list(profile.sectors.all()) == [sector]


def test_staff_cannot_show_a_profile_without_an_offer_or_a_seek(client, planner, mission):
    participant = ParticipantFactory(mission=mission, role=ParticipantRole.HOST)

    response = client.post(
        reverse("plan:matchmaking-profile", kwargs={"pk": participant.pk}),
        {"pitch": "A studio.", "languages": "en", "opted_in": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["offer"] == [
        "Say what you offer or what you seek before showing it."
    ]
    assert not Profile.objects.filter(participant=participant).exists()


def test_profile_form_in_german_lists_the_sectors_by_their_german_names_in_order(
    client, planner, mission
):
    participant = ParticipantFactory(mission=mission, role=ParticipantRole.HOST)
    for name, german in (
        ("Advanced manufacturing", "Fortschrittliche Fertigung"),
        ("Cleantech", "Umwelttechnik"),
        ("Digital health", "Digitale Gesundheit"),
        ("Logistics", ""),
    ):
        SectorFactory(name=name, name_de=german)
    client.cookies["django_language"] = "de"

    page = client.get(reverse("plan:matchmaking-profile", kwargs={"pk": participant.pk}))

    label = r'<label for="id_sectors_\d+" class="form-check-label">\s*(.+?)\s*</label>'
    assert re.findall(label, page.content.decode()) == [
        "Digitale Gesundheit",
        "Fortschrittliche Fertigung",
        "Logistics",
        "Umwelttechnik",
    ]


def test_profiles_page_counts_each_person_s_requests(client, planner, mission, people):
    MeetingRequestFactory(mission=mission, requester=people["anna"], recipient=people["hana"])
    MeetingRequestFactory(
        mission=mission,
        requester=people["anna"],
        recipient=people["ivo"],
        status=RequestStatus.ACCEPTED,
    )

    page = client.get(
        reverse("plan:matchmaking-profiles", kwargs={"pk": mission.pk})
    ).content.decode()

    assert "Anna Delegate → Hana Host: Requested" in page
    assert "Anna Delegate → Ivo Host: Accepted" in page


# SCHEDULING ------------------------------------------------------------------------------


def test_schedule_meetings_queues_a_run_handed_to_a_worker_after_commit(
    client, planner, mission, block, people, django_capture_on_commit_callbacks
):
    MeetingRequestFactory(
        mission=mission,
        requester=people["anna"],
        recipient=people["hana"],
        status=RequestStatus.ACCEPTED,
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("plan:schedule-start", kwargs={"pk": mission.pk}))

    assert response.status_code == 302
    assert ScheduleRun.objects.get(mission=mission).state == RunState.QUEUED
    assert len(callbacks) == 1


def test_schedule_meetings_without_a_block_says_why(client, planner, mission):
    response = client.post(reverse("plan:schedule-start", kwargs={"pk": mission.pk}), follow=True)

    assert "Mark an itinerary item as a meeting block first." in response.content.decode()
    assert not ScheduleRun.objects.filter(mission=mission).exists()


def test_schedule_status_polls_while_the_run_is_running_and_offers_no_button(
    client, planner, mission, block, people
):
    _meeting(block, people["anna"], people["hana"])
    ScheduleRunFactory(mission=mission, state=RunState.RUNNING, progress=40)

    page = client.get(reverse("plan:schedule-status", kwargs={"pk": mission.pk})).content.decode()

    assert "Scheduling: 40 %" in page
    assert "hx-trigger" in page
    assert "1 meeting in the schedule · 1 preliminary" in page
    assert "This is taking much longer than it should." not in page
    assert "<button" not in page  # neither scheduled again nor published while it runs


def test_schedule_status_of_a_published_schedule_says_all_are_final(
    client, planner, mission, block, people
):
    _meeting(block, people["anna"], people["hana"], state=MeetingState.FINAL)
    ScheduleRunFactory(mission=mission, state=RunState.DONE, placed=1, unplaced=0)

    page = client.get(reverse("plan:schedule-status", kwargs={"pk": mission.pk})).content.decode()

    assert "1 meeting in the schedule · all final" in page


def test_schedule_status_of_a_stuck_run_offers_to_ask_again_which_hands_it_over_again(
    client, planner, mission, block, people, django_capture_on_commit_callbacks
):
    MeetingRequestFactory(
        mission=mission,
        requester=people["anna"],
        recipient=people["hana"],
        status=RequestStatus.ACCEPTED,
    )
    run = ScheduleRunFactory(mission=mission)
    ScheduleRun.objects.filter(pk=run.pk).update(
        created_at=run.created_at - STUCK_AFTER - dt.timedelta(seconds=1)
    )
    status = reverse("plan:schedule-status", kwargs={"pk": mission.pk})
    start = reverse("plan:schedule-start", kwargs={"pk": mission.pk})

    page = client.get(status).content.decode()

    assert "Waiting for a worker to start." in page
    assert "This is taking much longer than it should." in page
    assert "hx-trigger" in page  # still followed: a worker may take it yet
    form = form_of(page, start)
    assert form
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(start, form)
    assert response.status_code == 302
    assert (len(callbacks), ScheduleRun.objects.get().pk) == (1, run.pk)
    page = client.get(status).content.decode()
    assert "Waiting for a worker to start." in page
    assert "This is taking much longer than it should." not in page


def test_schedule_status_of_a_run_done_lists_the_meetings_not_placed_and_stops_polling(
    client, planner, mission, block, people
):
    # Both want to meet Hana; only one slot is free for all three (the others are busy).
    for name in ("anna", "bernd"):
        MeetingRequestFactory(
            mission=mission,
            requester=people[name],
            recipient=people["hana"],
            status=RequestStatus.ACCEPTED,
        )
    block.item.ends_at = block.item.starts_at + dt.timedelta(minutes=20)
    block.item.save()
    run = ScheduleRunFactory(mission=mission)

    run_execute(run_id=run.pk)  # as the worker would

    page = client.get(reverse("plan:schedule-status", kwargs={"pk": mission.pk})).content.decode()
    assert "Scheduled: 1 meeting placed, 1 not placed." in page
    assert str(UnplacedReason.NO_COMMON_SLOT.label) in page
    assert "hx-trigger" not in page
    # The card the poll swaps in carries the new schedule: its count, and publishing it.
    assert "1 meeting in the schedule · 1 preliminary" in page
    assert form_of(page, reverse("plan:schedule-publish", kwargs={"pk": mission.pk}))


def test_schedule_status_of_a_failed_run_says_why_and_offers_to_schedule_again(
    client, planner, mission
):
    ScheduleRunFactory(
        mission=mission,
        state=RunState.FAILED,
        message="Locked meetings changed while the scheduler ran: run it again.",
    )

    page = client.get(reverse("plan:schedule-status", kwargs={"pk": mission.pk})).content.decode()

    assert 'data-state="failed"' in page
    assert "The meetings could not be scheduled." in page
    assert "Reason: Locked meetings changed while the scheduler ran: run it again." in page
    assert "hx-trigger" not in page
    assert form_of(page, reverse("plan:schedule-start", kwargs={"pk": mission.pk}))


# THE GRID, MOVES AND LOCKS --------------------------------------------------------------


def test_grid_shows_each_meeting_in_its_slot_at_its_table(client, planner, mission, block, people):
    _meeting(block, people["anna"], people["hana"], slot=1, table=1, mutual=True, locked=True)

    page = client.get(reverse("plan:meeting-grid", kwargs={"pk": mission.pk})).content.decode()

    row = page[page.index("10:25–10:45") :]
    row = row[: row.index("</tr>")]
    cells = row.split('class="mm-cell"')
    assert "Anna Delegate" not in cells[1]
    assert "Anna Delegate" in cells[2]
    assert "Hana Host" in cells[2]
    assert "mutual" in cells[2]
    assert "locked" in cells[2]
    assert "Salon" in page
    assert f"Tuesday, 4 March {mission.start_date.year} (local times, GMT)" in page


def test_grid_reads_the_same_number_of_queries_however_many_meetings(
    client, planner, mission, block, people, django_assert_max_num_queries
):
    url = reverse("plan:meeting-grid", kwargs={"pk": mission.pk})
    _meeting(block, people["anna"], people["hana"])
    client.get(url)  # sessions and the like warmed up
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    _meeting(block, people["bernd"], people["hana"], slot=1)
    _meeting(block, people["anna"], people["ivo"], slot=1, table=1)
    _meeting(block, people["bernd"], people["ivo"], slot=2)

    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_meeting_moved_to_a_free_table_moves_and_is_locked(client, planner, block, people):
    meeting = _meeting(block, people["anna"], people["hana"])
    salon = block.tables.get(number=2)

    response = client.post(
        reverse("plan:meeting-move", kwargs={"pk": meeting.pk}),
        {"slot": slot_value(block.pk, block.slot_times()[2][0]), "table": salon.pk},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.table, meeting.locked) == (
        block.slot_times()[2][0],
        salon,
        True,
    )


def test_meeting_dragged_where_a_person_has_another_meeting_is_refused_and_stays(
    client, planner, block, people
):
    meeting = _meeting(block, people["anna"], people["hana"])
    _meeting(block, people["anna"], people["ivo"], slot=1)

    response = client.post(
        reverse("plan:meeting-move", kwargs={"pk": meeting.pk}),
        {
            "slot": slot_value(block.pk, block.slot_times()[1][0]),
            "table": block.tables.get(number=2).pk,
        },
        HTTP_HX_REQUEST="true",
    )

    page = response.content.decode()
    assert 'id="grid-error"' in page
    assert "One of the two has another meeting in that slot." in page
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.table.number) == (block.slot_times()[0][0], 1)


class _Selects(HTMLParser):
    """A page's selects: their options' texts by option group, by the select's name."""

    def __init__(self) -> None:
        super().__init__()
        self.selects: dict[str, dict[str, list[str]]] = {}
        self._groups: dict[str, list[str]] | None = None
        self._options: list[str] | None = None
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "select":
            self._groups = self.selects.setdefault(a["name"], {})
        elif tag == "optgroup" and self._groups is not None:
            self._options = self._groups.setdefault(a["label"], [])
        elif tag == "option" and self._options is not None:
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._text is not None:
            self._options.append("".join(self._text).strip())
            self._text = None
        elif tag == "select":
            self._groups = self._options = None


def test_meeting_move_page_offers_every_slot_and_table_by_block_with_day_and_zone(
    client, planner, block, people
):
    meeting = _meeting(block, people["anna"], people["hana"])
    year = block.item.mission.start_date.year

    page = client.get(reverse("plan:meeting-move", kwargs={"pk": meeting.pk})).content.decode()
    selects = _Selects()
    selects.feed(page)

    assert selects.selects == {
        "slot": {
            "Round table": [
                "Tue 4 Mar, 10:00–10:20 GMT",
                "Tue 4 Mar, 10:25–10:45 GMT",
                "Tue 4 Mar, 10:50–11:10 GMT",
            ]
        },
        "table": {"Round table": ["Table 1", "Salon"]},
    }
    assert f"Now: 4 Mar {year}, 10:00–10:20 GMT (Europe/London), Table 1." in page


def test_meeting_locked_then_unlocked(client, planner, block, people):
    meeting = _meeting(block, people["anna"], people["hana"])
    url = reverse("plan:meeting-lock", kwargs={"pk": meeting.pk})

    client.post(url, {"locked": "1"})
    meeting.refresh_from_db()
    locked = meeting.locked
    client.post(url, {"locked": "0"})
    meeting.refresh_from_db()

    assert (locked, meeting.locked) == (True, False)


# PUBLISHING ------------------------------------------------------------------------------


def test_publishing_makes_meetings_final_and_mails_each_person_once_in_their_language(
    client, planner, mission, block, people
):
    _meeting(block, people["anna"], people["hana"])
    _meeting(block, people["bernd"], people["hana"], slot=1)

    response = client.post(reverse("plan:schedule-publish", kwargs={"pk": mission.pk}))

    assert response.status_code == 302
    assert set(Meeting.objects.values_list("state", flat=True)) == {MeetingState.FINAL}
    mails = OutgoingMessage.objects.filter(kind=MessageKind.MEETINGS_PUBLISHED)
    assert sorted(m.participant.person.full_name for m in mails) == [
        "Anna Delegate",
        "Bernd Delegate",
        "Hana Host",
    ]
    bernd = render_message(mails.get(participant=people["bernd"]))
    hana = render_message(mails.get(participant=people["hana"]))
    assert bernd.subject == f"Ihre Termine bei {mission.title}"
    assert f"Ihre B2B-Termine bei {mission.title} stehen fest (Ortszeit):" in bernd.body
    assert "mit Hana Host" in bernd.body
    assert "with Anna Delegate" in hana.body
    assert "with Bernd Delegate" in hana.body


def test_publishing_again_with_nothing_new_mails_nobody(client, planner, mission, block, people):
    _meeting(block, people["anna"], people["hana"], state=MeetingState.FINAL)

    client.post(reverse("plan:schedule-publish", kwargs={"pk": mission.pk}))

    assert not OutgoingMessage.objects.filter(kind=MessageKind.MEETINGS_PUBLISHED).exists()


def test_publishing_while_a_run_is_on_its_way_is_refused_with_a_reason(
    client, planner, mission, block, people
):
    _meeting(block, people["anna"], people["hana"])
    ScheduleRunFactory(mission=mission, state=RunState.RUNNING)

    response = client.post(reverse("plan:schedule-publish", kwargs={"pk": mission.pk}), follow=True)

    assert "publish once the run has finished" in response.content.decode()
    assert set(Meeting.objects.values_list("state", flat=True)) == {MeetingState.PRELIMINARY}
    assert not OutgoingMessage.objects.filter(kind=MessageKind.MEETINGS_PUBLISHED).exists()


def test_published_meeting_moved_tells_both_people(client, planner, mission, block, people):
    meeting = _meeting(block, people["anna"], people["hana"], state=MeetingState.FINAL)

    client.post(
        reverse("plan:meeting-move", kwargs={"pk": meeting.pk}),
        {"slot": slot_value(block.pk, block.slot_times()[1][0]), "table": meeting.table_id},
    )

    notices = OutgoingMessage.objects.filter(kind=MessageKind.ITINERARY_CHANGED)
    assert sorted(n.participant_id for n in notices) == sorted(
        [people["anna"].pk, people["hana"].pk]
    )
    body = " ".join(render_message(notices.get(participant=people["anna"])).body.split())
    assert "Moved: Meeting with Hana Host, now" in body
    assert "10:25–10:45" in body
    assert "(was" in body


def test_preliminary_meeting_moved_tells_nobody(client, planner, block, people):
    meeting = _meeting(block, people["anna"], people["hana"])

    client.post(
        reverse("plan:meeting-move", kwargs={"pk": meeting.pk}),
        {"slot": slot_value(block.pk, block.slot_times()[1][0]), "table": meeting.table_id},
    )

    assert not OutgoingMessage.objects.exists()


# WHO MAY ---------------------------------------------------------------------------------


def test_partner_gets_404_on_the_grid_and_cannot_move(client, partner, block, people):
    meeting = _meeting(block, people["anna"], people["hana"])

    grid = client.get(reverse("plan:meeting-grid", kwargs={"pk": block.item.mission_id}))
    move = client.post(
        reverse("plan:meeting-move", kwargs={"pk": meeting.pk}),
        {"slot": slot_value(block.pk, block.slot_times()[1][0]), "table": meeting.table_id},
    )

    assert (grid.status_code, move.status_code) == (404, 404)
    meeting.refresh_from_db()
    assert meeting.starts_at == block.slot_times()[0][0]


@pytest.mark.parametrize(
    "url_name",
    [
        "plan:mission-detail",
        "plan:itinerary",
        "plan:participant-list",
        "plan:follow-up",
        "plan:mission-history",
    ],
)
def test_matchmaking_tab_is_hidden_from_partners(client, partner, mission, url_name):
    page = client.get(reverse(url_name, kwargs={"pk": mission.pk})).content.decode()

    assert reverse("plan:matchmaking", kwargs={"pk": mission.pk}) not in page


def test_matchmaking_tab_is_shown_to_organisers(client, planner, mission):
    page = client.get(reverse("plan:mission-history", kwargs={"pk": mission.pk})).content.decode()

    assert reverse("plan:matchmaking", kwargs={"pk": mission.pk}) in page


# PROFILES FROM A FILE --------------------------------------------------------------------


def _upload(text: str):
    return SimpleUploadedFile("profiles.csv", text.encode(), content_type="text/csv")


def test_profiles_imported_from_a_german_csv(client, planner, mission, people):
    sector = SectorFactory(name="Games")
    anna = people["anna"].person.email.upper()
    hana = people["hana"].person.email
    text = (
        "E-Mail;Angebot;Gesucht;Sprachen;Branchen;Sichtbar\n"
        f"{anna};Animation;Partner;de, en;Games;ja\n"
        f"{hana};Studios;;en;;nein\n"
    )

    response = client.post(
        reverse("plan:matchmaking-profile-import", kwargs={"pk": mission.pk}),
        {"file": _upload(text)},
    )

    assert response.status_code == 302
    anna_profile = Profile.objects.get(participant=people["anna"])
    hana_profile = Profile.objects.get(participant=people["hana"])
    assert (anna_profile.offer, anna_profile.languages, anna_profile.opted_in) == (
        "Animation",
        ["de", "en"],
        True,
    )
    assert list(anna_profile.sectors.all()) == [sector]
    assert (hana_profile.offer, hana_profile.opted_in) == ("Studios", False)


def test_profiles_file_with_a_bad_row_imports_nothing_and_names_every_problem(
    client, planner, mission, people
):
    before = list(Profile.objects.values_list("pk", "offer", "updated_at"))
    text = (
        "email,offer,languages,sectors\n"
        f"{people['anna'].person.email},Changed,en,\n"
        "nobody@example.org,Ghost,en,\n"
        f"{people['bernd'].person.email},Film,english; Klingon,Unknown sector\n"
    )

    response = client.post(
        reverse("plan:matchmaking-profile-import", kwargs={"pk": mission.pk}),
        {"file": _upload(text)},
    )

    page = response.content.decode()
    assert "Row 3: no participant of this mission has the e-mail address nobody@example.org" in page
    assert "Row 4: no such language: Klingon (write English, German, … or en, de, …)" in page
    assert "Row 4: no such sector: Unknown sector" in page
    assert list(Profile.objects.values_list("pk", "offer", "updated_at")) == before


def test_profiles_file_showing_a_profile_without_offer_or_seek_imports_nothing(
    client, planner, mission, people
):
    before = list(Profile.objects.values_list("pk", "offer", "updated_at"))
    text = (
        "email,offer,seek,pitch,shown\n"
        f"{people['anna'].person.email},Animation,,,yes\n"
        f"{people['bernd'].person.email},,,A studio.,yes\n"
    )

    response = client.post(
        reverse("plan:matchmaking-profile-import", kwargs={"pk": mission.pk}),
        {"file": _upload(text)},
    )

    assert "Row 3: Say what you offer or what you seek before showing it." in (
        response.content.decode()
    )
    assert list(Profile.objects.values_list("pk", "offer", "updated_at")) == before


def test_profiles_file_without_an_email_column_is_refused(client, planner, mission, people):
    response = client.post(
        reverse("plan:matchmaking-profile-import", kwargs={"pk": mission.pk}),
        {"file": _upload("offer\nSomething\n")},
    )

    assert "The first row must name the columns, with E-mail." in response.content.decode()
    assert not Profile.objects.filter(offer="Something").exists()
