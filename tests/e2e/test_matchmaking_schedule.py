"""Scheduling a mission's meetings on a real worker: from "Schedule meetings" to the grid.

The organiser presses "Schedule meetings": the test client posts the page's form with its
CSRF token, as the browser does. The request commits a `ScheduleRun` and hands it to a
real Celery worker over a real Redis (see conftest.py), which runs the CP-SAT scheduler
and writes the meetings in the shared test database. The test polls the run's card at
the address the card itself asks htmx to poll, and reads what the organiser reads there,
on the matchmaking page and on the grid. A double click makes one run and one schedule;
a run whose task was lost with a restarted Redis is offered again once it looks stuck.
"""

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass, field

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from matchmaking.enums import RequestStatus, RunState
from matchmaking.models import Meeting, ScheduleRun
from matchmaking.selectors import STUCK_AFTER
from missions.enums import MissionStatus, ParticipantRole, RsvpStatus
from missions.models import Mission, Participant
from tests.e2e.conftest import Worker
from tests.factories import (
    MatchmakingSettingsFactory,
    MeetingBlockFactory,
    MeetingRequestFactory,
    MembershipFactory,
    MissionFactory,
    ProfileFactory,
    TableFactory,
    UnavailabilityFactory,
)
from tests.html_elements import Element, elements
from tests.html_forms import form_of

pytestmark = [
    # pytest's SQLite test database lives in its own memory: no other process can open it.
    pytest.mark.postgresql(reason="a real Celery worker process shares the test database"),
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

TASK = "matchmaking.tasks.schedule"
# The scheduler stops searching after 10 + 5 s (scheduler.TIME_LIMIT_SECONDS and
# GAP_TIME_LIMIT_SECONDS); this mission is solved to the optimum well before.
FINISHED_WITHIN = 60
ORDER = [RunState.QUEUED, RunState.RUNNING, RunState.DONE]


# THE PAGES, AS THE ORGANISER READS THEM ------------------------------------------------


def by_id(html: str, element_id: str) -> Element | None:
    return next((e for e in elements(html) if e.attrs.get("id") == element_id), None)


@dataclass(frozen=True)
class Card:
    """The run's card as the organiser sees it at one moment."""

    state: str
    text: str
    polls: str | None  # the address htmx asks again, while it does
    html: str = field(compare=False, repr=False)

    @classmethod
    def read(cls, html: str) -> "Card":
        card = by_id(html, "schedule-run")
        assert card is not None, html
        polls = card.attrs.get("hx-get") if card.attrs.get("hx-trigger") else None
        return cls(state=card.attrs["data-state"], text=card.text, polls=polls, html=html)


def grid_slots(html: str) -> dict[tuple[str, str], list[tuple[str, ...]]]:
    """The grid's meetings by (block, slot): the two names on each meeting's card."""
    page = elements(html)
    headings = {e.attrs["id"]: e.text for e in page if e.tag == "h3" and "id" in e.attrs}
    slots: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for meeting in (e for e in page if "mm-meeting" in e.classes):
        block = headings[meeting.ancestor("section").attrs["aria-labelledby"]]
        slot = meeting.ancestor("tr").text.split()[0]  # the row's header: the slot's times
        names = tuple(e.text for e in page if e.parent is meeting and "text-break" in e.classes)
        slots.setdefault((block, slot), []).append(names)
    return slots


class Organiser:
    """An organiser of the mission in a browser that sends CSRF tokens."""

    def __init__(self, mission: Mission, user) -> None:
        self.mission = mission
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)
        self.page_url = reverse("plan:matchmaking", kwargs={"pk": mission.pk})
        self.start_url = reverse("plan:schedule-start", kwargs={"pk": mission.pk})

    def open_page(self) -> str:
        response = self.client.get(self.page_url)
        assert response.status_code == 200
        return response.content.decode()

    def press_schedule_meetings(self, page: str) -> str:
        """Submit the page's (or card's) form that schedules; the page the browser is
        sent to."""
        form = form_of(page, self.start_url)
        assert form, "no button to schedule the meetings"
        response = self.client.post(self.start_url, form)
        assert (response.status_code, response["Location"]) == (302, self.page_url)
        return self.open_page()

    def poll(self, address: str) -> Card:
        """The card as htmx fetches it (`hx-get`, with the header htmx sends)."""
        response = self.client.get(address, headers={"HX-Request": "true"})
        assert response.status_code == 200
        return Card.read(response.content.decode())

    def follow_until_finished(self, first: Card, worker: Worker) -> list[Card]:
        """Every different card seen, from `first` while the card asks to be polled."""
        seen = [first]
        deadline = time.monotonic() + FINISHED_WITHIN
        while seen[-1].polls:
            if time.monotonic() > deadline:
                raise AssertionError(f"the card still polls: {seen}\n{worker.log()}")
            time.sleep(0.1)  # the page asks every 1.5 s; more often sees more steps
            card = self.poll(seen[-1].polls)
            if card != seen[-1]:
                seen.append(card)
        return seen


# THE MISSION ------------------------------------------------------------------------


def person(mission: Mission, name: str, *, host: bool = False) -> Participant:
    return ProfileFactory(
        participant__mission=mission,
        participant__role=ParticipantRole.HOST if host else ParticipantRole.DELEGATE,
        participant__rsvp_status=RsvpStatus.ACCEPTED,
        participant__person__full_name=name,
    ).participant


@pytest.fixture
def mission() -> Mission:
    """A round table 10:00 to 11:30 (three slots of 20 minutes) at two tables. Six
    accepted meetings: Hana meets all three delegates, Ivo two of them, and Jan, away for
    the whole round table, cannot meet Carla. One request is still unanswered, one was
    declined: neither is scheduled."""
    mission = MissionFactory(upcoming=True, status=MissionStatus.CONFIRMED)
    MatchmakingSettingsFactory(mission=mission)
    block = MeetingBlockFactory(item__mission=mission, item__title="Round table")
    TableFactory(block=block, number=1)
    TableFactory(block=block, number=2, name="Salon")
    anna, bernd, carla = (person(mission, n) for n in ("Anna Adler", "Bernd Berg", "Carla Conti"))
    hana, ivo, jan = (person(mission, n, host=True) for n in ("Hana Hill", "Ivo Ings", "Jan Jung"))
    UnavailabilityFactory(
        participant=jan, starts_at=block.item.starts_at, ends_at=block.item.ends_at
    )
    for requester, recipient, status in (
        (anna, hana, RequestStatus.ACCEPTED),
        (anna, ivo, RequestStatus.ACCEPTED),
        (bernd, hana, RequestStatus.ACCEPTED),
        (bernd, ivo, RequestStatus.ACCEPTED),
        (carla, hana, RequestStatus.ACCEPTED),
        (carla, jan, RequestStatus.ACCEPTED),
        (carla, ivo, RequestStatus.REQUESTED),
        (bernd, jan, RequestStatus.DECLINED),
    ):
        MeetingRequestFactory(
            mission=mission, requester=requester, recipient=recipient, status=status
        )
    return mission


@pytest.fixture
def planner(mission):
    return MembershipFactory(organisation=mission.lead_organisation).user


@pytest.fixture
def organiser(mission, planner) -> Organiser:
    return Organiser(mission, planner)


def tasks_received(worker: Worker) -> int:
    """How many schedule tasks the worker has taken."""
    return len(re.findall(rf"Task {re.escape(TASK)}\[[\w-]+\] received", worker.log()))


def assert_in_order(cards: list[Card]) -> None:
    """The card never goes back: queued, running (its percentage growing), done."""
    states = [card.state for card in cards]
    assert states == sorted(states, key=ORDER.index), states
    percentages = [
        int(re.search(r"Scheduling: (\d+) %", card.text)[1])
        for card in cards
        if card.state == RunState.RUNNING
    ]
    assert percentages == sorted(percentages), [card.text for card in cards]


# THE TESTS --------------------------------------------------------------------------

DONE = (
    "5 meetings in the schedule · 5 preliminary "
    "Scheduled: 5 meetings placed, 1 not placed. "
    "Not placed Carla Conti – Jan Jung: No slot in which both are free "
    "Schedule meetings Publish the schedule "
    "Locked meetings stay where they are; the others are placed anew."
)
WAITING = (
    "0 meetings in the schedule Waiting for a worker to start. Reload the page to see the progress."
)


def test_organiser_schedules_on_a_worker_and_sees_every_meeting_placed_or_why_not(
    mission, organiser, start_worker
):
    worker = start_worker(start=False)  # started once the run is seen waiting for it
    page = organiser.open_page()
    assert Card.read(page).text.startswith(
        "0 meetings in the schedule The meetings have not been scheduled yet."
    )

    page = organiser.press_schedule_meetings(page)

    waiting = Card.read(page)
    assert (waiting.state, waiting.text) == (RunState.QUEUED, WAITING)  # no button
    assert waiting.polls == reverse("plan:schedule-status", kwargs={"pk": mission.pk})
    assert organiser.poll(waiting.polls) == waiting
    worker.start()
    cards = organiser.follow_until_finished(waiting, worker)

    assert_in_order(cards)
    # What htmx swapped in last: the run's outcome and the schedule it made, to publish.
    assert (cards[-1].state, cards[-1].text) == (RunState.DONE, DONE), worker.log()
    assert form_of(cards[-1].html, reverse("plan:schedule-publish", kwargs={"pk": mission.pk}))
    assert Card.read(organiser.open_page()) == cards[-1]
    grid = organiser.client.get(reverse("plan:meeting-grid", kwargs={"pk": mission.pk}))
    slots = grid_slots(grid.content.decode())
    assert sorted(pair for pairs in slots.values() for pair in pairs) == [
        ("Anna Adler", "Hana Hill"),
        ("Anna Adler", "Ivo Ings"),
        ("Bernd Berg", "Hana Hill"),
        ("Bernd Berg", "Ivo Ings"),
        ("Carla Conti", "Hana Hill"),
    ]
    assert {block for block, _slot in slots} == {"Round table"}
    for slot, pairs in slots.items():  # nobody at two tables in one slot
        names = [name for pair in pairs for name in pair]
        assert len(names) == len(set(names)), (slot, pairs)
    assert tasks_received(worker) == 1


def test_schedule_meetings_pressed_twice_at_once_runs_once_and_gives_one_schedule(
    mission, planner, organiser, worker
):
    barrier = threading.Barrier(2)
    answers: list[int] = []
    errors: list[BaseException] = []

    def press() -> None:  # the double click: two requests, each on its own connection
        try:
            tab = Organiser(mission, planner)
            form = form_of(tab.open_page(), tab.start_url)
            barrier.wait(timeout=10)
            answers.append(tab.client.post(tab.start_url, form).status_code)
        except BaseException as error:  # noqa: BLE001  (reported by the test thread)
            errors.append(error)
        finally:
            connections.close_all()

    clicks = [threading.Thread(target=press) for _ in range(2)]
    for click in clicks:
        click.start()
    for click in clicks:
        click.join(timeout=30)

    assert (errors, answers) == ([], [302, 302])
    [run] = ScheduleRun.objects.filter(mission=mission)
    cards = organiser.follow_until_finished(Card.read(organiser.open_page()), worker)
    assert_in_order(cards)
    assert (cards[-1].state, cards[-1].text) == (RunState.DONE, DONE), worker.log()
    assert ScheduleRun.objects.get(pk=run.pk).state == RunState.DONE
    assert Meeting.objects.filter(request__mission=mission).count() == 5
    assert tasks_received(worker) == 1
    uids = set(Meeting.objects.values_list("uid", flat=True))

    # Pressed again once done: a new run that replaces the schedule, never adds to it.
    page = organiser.press_schedule_meetings(organiser.open_page())
    cards = organiser.follow_until_finished(Card.read(page), worker)
    assert (cards[-1].state, cards[-1].text) == (RunState.DONE, DONE), worker.log()
    assert ScheduleRun.objects.filter(mission=mission).count() == 2
    assert set(Meeting.objects.values_list("uid", flat=True)) == uids  # calendars keep them


def test_run_whose_task_redis_lost_is_offered_again_and_then_scheduled(
    mission, organiser, start_worker, own_redis
):
    worker = start_worker(broker_url=own_redis.url, start=False)
    page = organiser.press_schedule_meetings(organiser.open_page())
    assert Card.read(page).text == WAITING

    own_redis.restart()  # without persistence: the task handed over is gone
    worker.start()

    [run] = ScheduleRun.objects.filter(mission=mission)
    waiting = Card.read(organiser.open_page())
    time.sleep(2)  # a ready worker, and nothing for it to do
    assert organiser.poll(waiting.polls) == waiting
    assert ScheduleRun.objects.get(pk=run.pk).state == RunState.QUEUED
    assert "Try again" not in waiting.text  # not yet: it may just wait in a long queue
    # Ten minutes later, as far as the page can tell.
    ScheduleRun.objects.filter(pk=run.pk).update(
        created_at=run.created_at - STUCK_AFTER - dt.timedelta(seconds=1)
    )
    stuck = organiser.poll(waiting.polls)
    assert stuck.text == (
        "0 meetings in the schedule Waiting for a worker to start. "
        "This is taking much longer than it should. You may ask again: the scheduling "
        "starts over. Try again Reload the page to see the progress."
    )
    page = organiser.press_schedule_meetings(stuck.html)
    cards = organiser.follow_until_finished(Card.read(page), worker)

    assert_in_order(cards)
    assert (cards[-1].state, cards[-1].text) == (RunState.DONE, DONE), worker.log()
    assert list(ScheduleRun.objects.values_list("pk", flat=True)) == [run.pk]
    assert Meeting.objects.filter(request__mission=mission).count() == 5
    assert tasks_received(worker) == 1
