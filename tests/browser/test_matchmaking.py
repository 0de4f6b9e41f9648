"""The matchmaking tab in a real browser: an organiser schedules the meetings (the page
polls the run while a worker, here the test, runs it), sees the grid, drags a meeting to
another table, has a refused drag explained, and publishes; axe-core and the
Content-Security-Policy find nothing, and no page is wider than a desktop or a phone."""

import datetime as dt
from unittest import mock

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from matchmaking.enums import MeetingState, RequestStatus
from matchmaking.models import Meeting, ScheduleRun
from matchmaking.tasks import schedule
from messaging import outbox
from messaging.enums import MessageKind
from messaging.models import OutgoingMessage
from missions.enums import MissionStatus, ParticipantRole, RsvpStatus
from tests.browser.conftest import new_context
from tests.factories import (
    LONDON,
    ItineraryItemFactory,
    MeetingBlockFactory,
    MeetingRequestFactory,
    MembershipFactory,
    MissionFactory,
    ProfileFactory,
    TableFactory,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PASSWORD = "correct horse battery staple"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
FIRST_DAY = dt.date.today() + dt.timedelta(days=30)


@pytest.fixture
def mission():
    """A round table 14:00 to 15:00 (two slots of 20 minutes) at two tables; Anna meets
    both hosts, Bernd meets Hana: three meetings in four cells."""
    membership = MembershipFactory(user__username="fiona")
    mission = MissionFactory(
        title="Leipzig creative industries trade mission",
        lead_organisation=membership.organisation,
        status=MissionStatus.CONFIRMED,
        time_zone=LONDON,
        start_date=FIRST_DAY,
        end_date=FIRST_DAY + dt.timedelta(days=1),
    )
    starts = dt.datetime.combine(FIRST_DAY, dt.time(14), LONDON)
    item = ItineraryItemFactory(
        mission=mission,
        title="Round table",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    block = MeetingBlockFactory(item=item)
    TableFactory(block=block, number=1)
    TableFactory(block=block, number=2, name="Salon")

    def person(name: str, role: str):
        return ProfileFactory(
            participant__mission=mission,
            participant__role=role,
            participant__rsvp_status=RsvpStatus.ACCEPTED,
            participant__person__full_name=name,
        ).participant

    anna, bernd = person("Anna Adler", "delegate"), person("Bernd Berg", "delegate")
    hana, ivo = person("Hana Hill", ParticipantRole.HOST), person("Ivo Ings", ParticipantRole.HOST)
    for one, other, mutual in ((anna, hana, True), (anna, ivo, False), (bernd, hana, False)):
        MeetingRequestFactory(
            mission=mission,
            requester=one,
            recipient=other,
            status=RequestStatus.ACCEPTED,
            mutual=mutual,
        )
    return mission


def sign_in(page: Page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("fiona")
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()


def drag(page: Page, source, target) -> None:
    """Press on `source`, move onto `target` in steps, release."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + 8
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 10, steps=3)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=8)
    page.mouse.up()


def accessibility_problems(page: Page, name: str) -> list[str]:
    results = Axe().run(page)
    return [
        f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


def test_organiser_schedules_drags_a_meeting_to_another_table_and_publishes(
    page: Page, mission, artifacts
):
    sign_in(page)
    page.goto(f"/plan/missions/{mission.pk}/matchmaking/")
    with mock.patch("matchmaking.services.scheduling.current_app") as celery:
        page.get_by_role("button", name="Schedule meetings").click()
        expect(page.locator("#schedule-run")).to_have_attribute("data-state", "queued")
    (call,) = celery.send_task.call_args_list
    assert call.args == ("matchmaking.tasks.schedule",)

    schedule(**call.kwargs["kwargs"])  # the worker's turn

    expect(page.locator("#schedule-run")).to_have_attribute("data-state", "done")
    expect(page.locator("#schedule-result")).to_have_text(
        "Scheduled: 3 meetings placed, 0 not placed."
    )
    assert ScheduleRun.objects.get().placed == 3

    page.get_by_role("link", name="Open the grid of meetings").click()
    expect(page.locator(".mm-meeting")).to_have_count(3)
    # The slot with one meeting: drag it to the free table beside it.
    empty = page.locator("td.mm-cell:not(:has(.mm-meeting))")
    expect(empty).to_have_count(1)
    row = empty.locator("xpath=..")
    meeting = row.locator(".mm-meeting")
    meeting_id = int(meeting.get_attribute("data-meeting"))
    table_id = int(empty.get_attribute("data-table"))
    with page.expect_response(lambda response: "/move/" in response.url):
        drag(page, meeting, empty)
    expect(
        page.locator(f"td[data-table='{table_id}'] [data-meeting='{meeting_id}']")
    ).to_have_count(1)
    moved = Meeting.objects.get(pk=meeting_id)
    assert (moved.table_id, moved.locked) == (table_id, True)
    expect(page.locator(f"[data-meeting='{meeting_id}']")).to_contain_text("locked")

    # A meeting of the full slot dragged into the other one: one of the two is busy there.
    empty = page.locator("td.mm-cell:not(:has(.mm-meeting))")
    other = page.locator(".mm-meeting").filter(has_not_text="locked").first
    other_id = int(other.get_attribute("data-meeting"))
    before = Meeting.objects.get(pk=other_id).starts_at
    with page.expect_response(lambda response: "/move/" in response.url):
        drag(page, other, empty)
    expect(page.locator("#grid-error")).to_contain_text("The meeting was not moved")
    assert Meeting.objects.get(pk=other_id).starts_at == before
    page.screenshot(path=artifacts / "meeting-grid-1280.png", full_page=True)

    with mock.patch.object(outbox, "enqueue"):
        page.get_by_role("button", name="Publish the schedule").first.click()
        expect(page.locator("#grid-summary")).to_contain_text("all final")
    assert set(Meeting.objects.values_list("state", flat=True)) == {MeetingState.FINAL}
    assert OutgoingMessage.objects.filter(kind=MessageKind.MEETINGS_PUBLISHED).count() == 4


def test_matchmaking_pages_fit_and_pass_axe_on_a_desktop_and_a_phone(
    browser: Browser, live_server, mission, csp_violations, artifacts
):
    from matchmaking.services.scheduling import schedule_mission  # noqa: PLC0415

    schedule_mission(mission=mission)
    participant = mission.participants.first()
    item = mission.items.get()
    pages = {
        "matchmaking": f"/plan/missions/{mission.pk}/matchmaking/",
        "grid": f"/plan/missions/{mission.pk}/matchmaking/grid/",
        "profiles": f"/plan/missions/{mission.pk}/matchmaking/profiles/",
        "profile": f"/plan/participants/{participant.pk}/profile/",
        "block": f"/plan/items/{item.pk}/meeting-block/",
        "move": f"/plan/meetings/{Meeting.objects.first().pk}/move/",
    }
    problems = []
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = new_context(browser, csp_violations, base_url=live_server.url, viewport=viewport)
        page = context.new_page()
        sign_in(page)
        for name, path in pages.items():
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name}, {size}: the page is {width} px wide"
            problems += accessibility_problems(page, f"{name}, {size}")
            page.screenshot(path=artifacts / f"matchmaking-{name}-{size}.png", full_page=True)
        context.close()
    assert problems == [], "\n".join(problems)
