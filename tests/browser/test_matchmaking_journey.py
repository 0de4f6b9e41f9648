"""B2B matchmaking on the personal pages, on a phone (390 px wide), in a real browser:
a delegate opens their page, fills in their profile (a mistake shown next to its field
first), finds a host and asks them for a meeting; the host accepts on their own page,
then switches it to German and the marketplace back to English, staying on each page;
once scheduled and published, the meeting is on the delegate's page and in their
calendar file, with its own UID.
axe-core finds no serious or critical problem on any page, none is wider than the
phone, and no page breaks the Content-Security-Policy (`csp_violations`)."""

from collections.abc import Iterator

import icalendar
import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from matchmaking.enums import RequestStatus
from matchmaking.models import MeetingRequest, Profile
from matchmaking.services.meetings import meeting_place, schedule_publish
from missions.enums import ParticipantRole, RsvpStatus
from missions.tokens import token_issue
from portal.calendar import meeting_uid
from tests.browser.conftest import new_context
from tests.browser.test_delegate_journey import (
    PHONE,
    accessibility_problems,
    wider_than_the_phone,
)
from tests.factories import (
    MatchmakingSettingsFactory,
    MeetingBlockFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    ProfileFactory,
    SectorFactory,
    TableFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser: Browser, live_server, settings, csp_violations) -> Iterator[Page]:
    settings.LINK_RATE_ENABLED = False
    context = new_context(
        browser,
        csp_violations,
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def fair():
    mission = MissionFactory(upcoming=True, title="Leipzig creative mission to Birmingham")
    MatchmakingSettingsFactory(mission=mission)
    SectorFactory(name="Games", name_de="Spiele")
    delegate = ParticipantFactory(
        mission=mission,
        rsvp_status=RsvpStatus.ACCEPTED,
        person=PersonFactory(
            full_name="Ines Dietrich",
            organisation=OrganisationFactory(name="Invest Region Leipzig"),
        ),
    )
    host = ParticipantFactory(
        mission=mission,
        role=ParticipantRole.HOST,
        rsvp_status=RsvpStatus.ACCEPTED,
        person=PersonFactory(
            full_name="Tom Baker", organisation=OrganisationFactory(name="Birmingham Games")
        ),
    )
    ProfileFactory(participant=host, offer="A motion-capture stage", languages=["en"])
    return delegate, host


def _check(page: Page, name: str, problems: list[str]) -> None:
    problems += accessibility_problems(page, name) + wider_than_the_phone(page, name)


def test_delegate_asks_a_host_for_a_meeting_and_the_host_accepts(phone: Page, fair, artifacts):
    delegate, host = fair
    problems: list[str] = []

    phone.goto(reverse("delegate:page", kwargs={"token": token_issue(participant=delegate)}))
    phone.get_by_test_id("to-meetings").click()
    expect(phone.get_by_role("heading", name="B2B meetings")).to_be_visible()
    _check(phone, "meetings", problems)

    phone.get_by_label("Games").check()
    phone.get_by_label("What we offer").fill("Film studios and a games cluster")
    phone.get_by_label("What we seek").fill("Co-producers")
    phone.get_by_label("Languages spoken").fill("Deutsch, Klingon")
    phone.get_by_label("Show my profile to the other side").check()
    phone.get_by_role("button", name="Save my profile").click()
    expect(phone.locator("#error_1_id_languages")).to_contain_text("Which language is Klingon?")
    _check(phone, "profile with an error", problems)
    phone.get_by_label("Languages spoken").fill("German, English")
    phone.get_by_role("button", name="Save my profile").click()
    expect(phone.get_by_test_id("done")).to_have_text("Your profile is saved.")
    assert Profile.objects.get(participant=delegate).languages == ["de", "en"]

    phone.get_by_test_id("to-marketplace").click()
    expect(phone.get_by_test_id("profile-card")).to_have_count(1)
    _check(phone, "marketplace", problems)
    phone.get_by_label("A short message").fill("Shall we talk about a co-production?")
    phone.get_by_role("button", name="Ask Tom Baker for a meeting").click()
    expect(phone.get_by_test_id("done")).to_have_text("Your request is sent.")
    expect(phone.get_by_test_id("outgoing-request")).to_contain_text("Requested")
    phone.screenshot(path=artifacts / "matchmaking-delegate-asked.png", full_page=True)

    phone.goto(reverse("delegate:meetings", kwargs={"token": token_issue(participant=host)}))
    expect(phone.get_by_test_id("incoming-request")).to_contain_text(
        "Shall we talk about a co-production?"
    )
    _check(phone, "host's meetings", problems)
    phone.get_by_role("button", name="Accept").click()
    expect(phone.get_by_test_id("done")).to_have_text("You accepted the meeting.")
    expect(phone.get_by_test_id("incoming-request")).to_contain_text("Accepted")
    phone.screenshot(path=artifacts / "matchmaking-host-accepted.png", full_page=True)

    phone.get_by_role("button", name="Deutsch").click()  # the same page, in German
    expect(phone.get_by_role("heading", name="B2B-Termine")).to_be_visible()
    expect(phone.get_by_test_id("incoming-request")).to_contain_text("Angenommen")
    expect(phone.get_by_role("heading", name="Ihr Profil")).to_be_visible()
    _check(phone, "host's meetings in German", problems)
    phone.get_by_test_id("to-marketplace").click()
    expect(phone.get_by_role("heading", name="Delegationsmitglieder finden")).to_be_visible()
    expect(phone.get_by_test_id("standing")).to_have_text("Ihr Termin ist angenommen. Ihre Termine")
    _check(phone, "marketplace in German", problems)
    phone.get_by_role("button", name="English").click()  # and back, on the marketplace
    expect(phone.get_by_role("heading", name="Find delegates to meet")).to_be_visible()

    request = MeetingRequest.objects.get()
    assert request.status == RequestStatus.ACCEPTED

    # The organisers schedule and publish; the delegate finds the meeting on their page
    # and in their calendar.
    block = MeetingBlockFactory(item__mission=request.mission, item__title="Round table")
    TableFactory(block=block, number=1)
    meeting = meeting_place(request=request, block=block, starts_at=block.item.starts_at)
    schedule_publish(mission=request.mission)
    delegate_page = reverse("delegate:page", kwargs={"token": token_issue(participant=delegate)})
    phone.goto(delegate_page)
    expect(phone.get_by_test_id("page-meeting")).to_contain_text("Tom Baker, Birmingham Games")
    expect(phone.get_by_test_id("page-meeting")).to_contain_text("final")
    _check(phone, "delegate's page with the meeting", problems)
    ics = phone.request.get(delegate_page + "calendar-download.ics").body()
    uids = [str(event["uid"]) for event in icalendar.Calendar.from_ical(ics).walk("VEVENT")]
    assert meeting_uid(meeting) in uids
    assert problems == []
