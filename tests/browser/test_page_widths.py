"""Every page fits the screen: no page is wider than a phone (390 px) or a desktop
(1,280 px), in English or in German, with a mission full of data (long names and
e-mail addresses, a long feasibility warning, failed messages, follow-ups).

The staff pages are every GET URL of the workspace (`plan`) and the directory
(`directory`), taken from the permission matrix (tests/test_permissions.py, which fails
when a URL has no row there): a page added later is visited here too, and a row whose
sample URL this module cannot build fails here. The personal link's pages, the login
page and the admin's main pages follow. One browser, one page, one sign-in; axe-core
checks each page once (in German, on a phone), the admin's too, and a violation of any
impact fails the test.
"""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from matchmaking.enums import RequestStatus
from messaging.enums import MessageState
from missions.enums import ItemKind, ParticipantRole, RsvpStatus
from missions.tokens import token_issue
from organisations.enums import MembershipRole, OrganisationKind
from portal.booklet_archives import archive_file_save
from portal.enums import ArchiveState
from portal.models import BookletArchive
from tests.browser.conftest import accessibility_problems, new_context
from tests.factories import (
    FollowUpActionFactory,
    ItineraryItemFactory,
    MeetingBlockFactory,
    MeetingFactory,
    MeetingRequestFactory,
    MembershipFactory,
    MissionFactory,
    OrganisationFactory,
    OutcomeFactory,
    OutgoingMessageFactory,
    ParticipantFactory,
    PersonFactory,
    ProfileFactory,
    TableFactory,
    VenueFactory,
)
from tests.test_permissions import PORTAL, WORKSPACE

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)
LANGUAGES = ("en", "de")

DOMAIN = "kreativwirtschaft-mitteldeutschland.example.org"
LONG_NAMES = [
    "Maximiliane Alexandra von Hohenzollern-Sigmaringen",
    "Bartholomew Fitzwilliam-Montgomery-Smythe",
    "Anneliese Schwarzenberger-Oppenheimer",
    "Konstantinos Papadopoulos-Vasilakis",
    "Siobhán Ní Dhomhnaill-MacGiolla Phádraig",
    "Friedrich-Wilhelm Grünewald-Rechtsanwaltskanzlei",
    "Oluwaseun Adebayo-Okonkwo-Balogun",
    "Marie-Charlotte de La Rochefoucauld-Liancourt",
    "Wolfgang Amadeus Donaudampfschifffahrt",
    "Priyanka Venkataraman-Subramanian",
    "Hieronymus Bosch-Vanderbilt-Rockefeller",
    "Gwendolyn Llewellyn-Aberystwyth",
]


def _world() -> SimpleNamespace:
    """An upcoming mission as an organiser sees it after a few weeks of work."""
    organiser = OrganisationFactory(
        name="Birmingham City Council, Economic Development and Inward Investment Directorate",
        kind=OrganisationKind.CITY_COUNCIL,
    )
    partner = OrganisationFactory(
        name="Industrie- und Handelskammer zu Leipzig, Kreativwirtschaftsförderung",
        city="Leipzig",
        country="DE",
    )
    start = timezone.localdate() + dt.timedelta(days=20)
    mission = MissionFactory(
        title="Leipzig creative industries and digital media trade mission to the West Midlands",
        lead_organisation=organiser,
        partners=[partner],
        start_date=start,
        end_date=start + dt.timedelta(days=2),
    )
    hall = VenueFactory(
        organisation=organiser,
        name="STEAMHouse Innovation Centre, Belmont Row Grand Exhibition Hall",
        capacity=4,
    )
    far = VenueFactory(
        organisation=partner,
        name="Baumwollspinnerei Leipzig, Halle 14, Zentrum für zeitgenössische Kunst",
        city="Leipzig",
        country="DE",
        latitude="51.330000",
        longitude="12.330000",
    )
    first_day = dt.datetime.combine(start, dt.time(10), mission.time_zone)
    item = ItineraryItemFactory(
        mission=mission,
        venue=hall,
        host=organiser,
        title="Round table on public funding for immersive media and games studios",
        starts_at=first_day,
    )
    overlapping = ItineraryItemFactory(
        mission=mission,
        venue=far,
        host=partner,
        title="Studio visit and portfolio reviews with the Leipzig games cluster",
        starts_at=first_day + dt.timedelta(minutes=30),
    )
    ItineraryItemFactory(
        mission=mission,
        kind=ItemKind.SITE_VISIT,
        title="Site visit to the Digbeth creative quarter",
        starts_at=first_day + dt.timedelta(days=1),
    )
    statuses = [RsvpStatus.ACCEPTED] * 6 + [RsvpStatus.INVITED] * 3 + [RsvpStatus.DECLINED] * 2
    participants = []
    for number, name in enumerate(LONG_NAMES):
        person = PersonFactory(
            full_name=name,
            email=f"{name.lower().replace(' ', '.')}@{DOMAIN}",
            organisation=partner,
        )
        participant = ParticipantFactory(
            mission=mission,
            person=person,
            role=ParticipantRole.DELEGATE,
            rsvp_status=(statuses + [RsvpStatus.NOT_INVITED])[number],
            language=LANGUAGES[number % 2],
            phone="+49 341 123 456 789",
            dietary_requirements="Vegetarian, no nuts, lactose-free; halal meals where possible",
            accessibility_needs="Step-free access and a seat near the front for a hearing loop",
            arrival_at=first_day - dt.timedelta(hours=20),
            arrival_details="Lufthansa LH 2490 from Leipzig/Halle via Frankfurt am Main",
            departure_at=first_day + dt.timedelta(days=2, hours=8),
        )
        participant.items.add(item, overlapping)
        participants.append(participant)
    for participant in participants[:8]:
        OutgoingMessageFactory(
            participant=participant, state=MessageState.SENT, sent_at=timezone.now()
        )
    failed = OutgoingMessageFactory(
        participant=participants[8],
        state=MessageState.FAILED,
        last_error="550 5.1.1 The e-mail account that you tried to reach does not exist",
    )
    action = FollowUpActionFactory(
        mission=mission,
        organisation=partner,
        agreed="Joint application to the Creative Europe MEDIA programme for a co-produced "
        "immersive documentary series, with a shared pitch at the Games Week in Leipzig",
        due_date=start + dt.timedelta(days=40),
    )
    FollowUpActionFactory(mission=mission, organisation=organiser, due_date=start)
    # Matchmaking: a block at rooms with long names, a meeting of a long-named pair.
    host = ParticipantFactory(
        mission=mission,
        role=ParticipantRole.HOST,
        rsvp_status=RsvpStatus.ACCEPTED,
        person=PersonFactory(
            full_name="Professor Dr Maximiliane Charlotte von Hohenzollern-Sigmaringen",
            organisation=organiser,
        ),
    )
    block = MeetingBlockFactory(
        item=ItineraryItemFactory(
            mission=mission,
            title="Matchmaking with Birmingham creative-technology companies and agencies",
            starts_at=first_day + dt.timedelta(days=1, hours=4),
        )
    )
    rooms = ["Chamber House conference suite, first floor", "Boardroom"]
    tables = [TableFactory(block=block, number=n, name=room) for n, room in enumerate(rooms, 1)]
    for participant in (participants[0], host):
        ProfileFactory(participant=participant)
    meeting = MeetingFactory(
        request=MeetingRequestFactory(
            mission=mission,
            requester=participants[0],
            recipient=host,
            status=RequestStatus.ACCEPTED,
            mutual=True,
        ),
        block=block,
        table=tables[0],
        locked=True,
    )
    archive = BookletArchive.objects.create(
        mission=mission, state=ArchiveState.READY, total=1, done=1
    )
    archive_file_save(archive=archive, content=b"PK\x05\x06" + bytes(18), name="booklets.zip")
    archive.save()
    user = MembershipFactory(
        organisation=organiser,
        role=MembershipRole.ADMIN,  # the audit log too
        user__username="amira",
        user__is_staff=True,
        user__is_superuser=True,  # the admin's pages too
    ).user
    return SimpleNamespace(
        organiser=organiser,
        mission=mission,
        item=item,
        participant=participants[0],
        failed=failed,
        action=action,
        archive=archive,
        block=block,
        tables=tables,
        meeting=meeting,
        outcome=OutcomeFactory(mission=mission, recorded_for=organiser),
        newcomer=PersonFactory(organisation=organiser),
        user=user,
        # A delegate who reads in English and one who reads in German.
        tokens={p.language: token_issue(participant=p) for p in participants[:2]},
    )


def _staff_pages(w: SimpleNamespace) -> dict[str, str]:
    """Every GET URL of the workspace and the directory, then the admin's main pages."""
    pages = {}
    for name, row in sorted(WORKSPACE.items()):
        if "GET" in row.methods:
            try:
                pages[name] = reverse(name, kwargs=row.kwargs(w))
            except AttributeError as error:
                pytest.fail(f"{name}: no sample URL ({error}); add its object to _world")
    mission = w.mission.pk
    return pages | {
        "admin: index": reverse("admin:index"),
        "admin: missions": reverse("admin:missions_mission_changelist"),
        "admin: mission": reverse("admin:missions_mission_change", args=[mission]),
        "admin: participants": reverse("admin:missions_participant_changelist"),
        "admin: people": reverse("admin:organisations_person_changelist"),
        "admin: messages": reverse("admin:messaging_outgoingmessage_changelist"),
        "admin: item": reverse("admin:missions_itineraryitem_change", args=[w.item.pk]),
        "admin: participant": reverse("admin:missions_participant_change", args=[w.participant.pk]),
        "admin: meeting block": reverse("admin:matchmaking_meetingblock_change", args=[w.block.pk]),
        "admin: meeting": reverse("admin:matchmaking_meeting_change", args=[w.meeting.pk]),
        "admin: outcome": reverse("admin:outcomes_outcome_change", args=[w.outcome.pk]),
    }


def _link_pages(token: str) -> dict[str, str]:
    """The login page, and every GET page under a personal link."""
    pages = {"login": reverse("login")}
    for name, row in sorted(PORTAL.items()):
        if "GET" in row.methods:
            pages[name] = reverse(name, kwargs={"token": token})
    return pages


# The outermost elements that reach past the screen's right edge: what to fix.
OVERFLOWING = """width => {
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    [...e.classList].slice(0, 3).map(c => "." + c).join("");
  const past = e => e.getBoundingClientRect().right > width + 1;
  return [...document.body.querySelectorAll("*")]
    .filter(e => past(e) && !past(e.parentElement))
    .slice(0, 3).map(e => `${name(e.parentElement)} > ${name(e)}`);
}"""

# The tables that scroll sideways inside their box: on a desktop, their last columns (a
# row's buttons) are out of sight.
CUT_OFF = """() => [...document.querySelectorAll(".table-responsive")]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => `${box.querySelector("table")?.id || "table"} scrolls inside its box`)"""


class Visit:
    """Opens each page at both widths and keeps what does not fit, and what axe finds."""

    def __init__(self, page: Page, language: str) -> None:
        self.page = page
        self.language = language
        self.too_wide: list[tuple[str, str, int, int, list[str]]] = []
        self.problems: list[str] = []

    def url(self, name: str, url: str) -> None:
        """The page at `url`, if it is a page: a download or an htmx fragment is not."""
        answer = self.page.request.get(url)
        assert answer.status == 200, f"{name} ({url}) answers {answer.status}"
        if not answer.headers["content-type"].startswith("text/html"):
            return
        if "<html" not in answer.text()[:500]:
            return  # a fragment, part of a page that is checked
        self.page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        self.page.goto(url)
        # What htmx loads as the page opens (the participants' delivery column) is in.
        self.page.wait_for_function("""() => !document.querySelector('[hx-trigger="load"]')""")
        self.measure(name)

    def measure(self, name: str) -> None:
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": 900})
            scroll = self.page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                culprits = self.page.evaluate(OVERFLOWING, width)
                self.too_wide.append((name, self.language, width, scroll, culprits))
            if width == WIDTHS[0]:  # on a desktop, no table hides columns to the right
                cut = self.page.evaluate(CUT_OFF)
                if cut:
                    self.too_wide.append((name, self.language, width, scroll, cut))
        if self.language == "de":
            self.problems += accessibility_problems(self.page, f"{name} [de]")


def test_every_page_fits_a_phone_and_a_desktop_in_english_and_german(
    browser: Browser, live_server, csp_violations
):
    w = _world()
    client = Client()
    client.force_login(w.user)
    session = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    context = new_context(browser, csp_violations, base_url=live_server.url)
    if connection.vendor == "sqlite":
        # The live server's threads share the test's one in-memory SQLite connection; the
        # report's charts, asked for at once, would wait on each other for ever. Each
        # <img> has its width and height, so the page measures the same without them.
        context.route("**/reports/charts/**", lambda route: route.abort())
    page = context.new_page()
    too_wide, problems = [], []

    for language in LANGUAGES:
        context.clear_cookies()
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        visit = Visit(page, language)
        for name, url in _link_pages(w.tokens[language]).items():
            visit.url(name, url)
        context.add_cookies([session | {"url": live_server.url}])
        for name, url in _staff_pages(w).items():
            visit.url(name, url)
        # The invitation preview: the answer to the compose page's form.
        page.goto(reverse("plan:invitation-compose", kwargs={"pk": w.mission.pk}))
        page.locator("input[name=participants]").evaluate_all(
            "boxes => boxes.forEach(box => { box.checked = true; })"
        )
        page.locator("button[name=preview]").first.click()
        page.locator("#invitation-summary").wait_for()
        visit.measure("invitation preview")
        too_wide += visit.too_wide
        problems += visit.problems

    wider = [
        f"{name} [{language}] at {width} px (the page {scroll} px): {culprits}"
        for name, language, width, scroll, culprits in too_wide
    ]
    assert wider == [], "\n".join(["Wider than the screen:", *wider])
    assert problems == [], "\n".join(problems)
