"""A delegate's journey on a phone (390 px wide), in a real browser: from the link in the
invitation e-mail to their own page, which asks for the answer at the top; a mistake
shown next to its field, the answer sent, then the programme with calendar and booklet,
in German; axe-core finds no accessibility problem on any page, and
none is wider than the phone. Screenshots go to artifacts/."""

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from messaging import outbox
from messaging.invitations import invitations_send
from messaging.models import OutgoingMessage
from missions.enums import ParticipantRole, RsvpStatus
from missions.models import Participant
from missions.tokens import token_issue
from organisations.enums import OrganisationKind
from tests.browser.conftest import accessibility_problems, new_context
from tests.factories import (
    ItineraryItemFactory,
    MissionFactory,
    OrganisationFactory,
    ParticipantFactory,
    PersonFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
PHONE = {"width": 390, "height": 844}
GERMAN_DAYS = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
GERMAN_MONTHS = [
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
]  # fmt: skip


@pytest.fixture
def phone(browser: Browser, live_server, settings, csp_violations) -> Iterator[Page]:
    """A phone-sized page on the live server; the rate limit stays out of the way."""
    settings.LINK_RATE_ENABLED = False
    context = new_context(
        browser,
        csp_violations,
        base_url=live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def delegate() -> Participant:
    """Ines from Leipzig, invited to a Tokyo mission that starts in 40 days."""
    start = timezone.localdate(timezone=TOKYO) + dt.timedelta(days=40)
    leipzig = OrganisationFactory(
        name="City of Leipzig", kind=OrganisationKind.CITY_COUNCIL, city="Leipzig", country="DE"
    )
    mission = MissionFactory(
        title="Leipzig economic delegation to Tokyo",
        destination_city="Tokyo",
        destination_country="JP",
        time_zone=TOKYO,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
        lead_organisation=leipzig,
    )
    jetro = OrganisationFactory(
        name="Japan External Trade Organization (JETRO)",
        kind=OrganisationKind.GOVERNMENT,
        city="Tokyo",
        country="JP",
        description="Japan's trade and investment promotion agency.",
    )
    hall = VenueFactory(
        name="Suntory Hall",
        address="1-13-1 Akasaka, Minato-ku, Tokyo 107-8403",
        city="Tokyo",
        country="JP",
        time_zone=TOKYO,
        latitude="35.667300",
        longitude="139.740600",
    )
    ItineraryItemFactory(
        mission=mission,
        title="Biotechnology talks at JETRO",
        starts_at=dt.datetime.combine(start, dt.time(10), TOKYO),
        ends_at=dt.datetime.combine(start, dt.time(12), TOKYO),
        host=jetro,
        meeting_point="Hotel lobby at 9:15",
    )
    ItineraryItemFactory(
        mission=mission,
        title="Gewandhausorchester concert",
        starts_at=dt.datetime.combine(start + dt.timedelta(days=1), dt.time(19), TOKYO),
        ends_at=dt.datetime.combine(start + dt.timedelta(days=1), dt.time(21), TOKYO),
        venue=hall,
    )
    ParticipantFactory(
        mission=mission,
        role=ParticipantRole.ORGANISER,
        person=PersonFactory(full_name="Katrin Vogel", email="katrin.vogel@example.org"),
        phone="+49 341 123 4567",
    )
    ParticipantFactory(
        mission=mission,
        rsvp_status=RsvpStatus.ACCEPTED,
        listed=True,
        person=PersonFactory(full_name="Jonas Becker", organisation=leipzig),
    )
    return ParticipantFactory(
        mission=mission,
        person=PersonFactory(
            full_name="Ines Dietrich",
            email="ines.dietrich@example.org",
            time_zone=BERLIN,
            organisation=OrganisationFactory(name="Invest Region Leipzig", city="Leipzig"),
        ),
    )


def invitation_link(delegate: Participant, live_server_url: str) -> str:
    """Send the invitation through the outbox and return the link in the e-mail's text."""
    # This test delivers in its own thread, below: hand nothing to the shared broker.
    with mock.patch.object(outbox, "enqueue"):
        invitations_send(mission=delegate.mission, participants=[delegate], sent_by=None)
    ids = list(OutgoingMessage.objects.filter(participant=delegate).values_list("pk", flat=True))
    assert outbox.deliver(ids)["sent"] == 1
    (email,) = mail.outbox
    assert email.to == ["Ines Dietrich <ines.dietrich@example.org>"]
    link = re.search(r"https?://[^/\s]+(/d/[0-9a-f]+/)", email.body)
    assert link is not None, email.body
    return live_server_url + link.group(1)  # the live server, not SITE_URL


def wider_than_the_phone(page: Page, name: str) -> list[str]:
    """The page, if the document scrolls sideways at the phone's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return [f"{name}: {width} px wide"] if width > PHONE["width"] else []


def test_delegate_follows_the_invitation_answers_and_reads_their_page_in_german(
    phone: Page, live_server, delegate, artifacts
):
    link = invitation_link(delegate, live_server.url)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    problems = []  # checked at the end, so that one page's problems hide no other's

    # The link in the e-mail opens her own page, with the answer form at the top.
    phone.goto(link)
    expect(phone).to_have_url(live_server.url + reverse("delegate:page", args=[token]))
    expect(phone.get_by_role("heading", name=delegate.mission.title)).to_be_visible()
    form = phone.get_by_test_id("answer-form")
    expect(form).to_be_in_viewport()
    expect(phone.get_by_test_id("your-answer")).to_contain_text("You have not answered yet.")
    problems += accessibility_problems(phone, "page with the answer form")
    problems += wider_than_the_phone(phone, "page with the answer form")
    phone.screenshot(path=artifacts / "delegate-1-answer-form-390.png", full_page=True)

    # She sends it without choosing: the mistake is named next to the field, and what
    # she typed is still there.
    phone.get_by_label("Dietary requirements").fill("Vegetarian")
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_test_id("form-errors")).to_be_visible()
    expect(phone.locator("#id_answer_error")).to_have_text("This field is required.")
    expect(phone.get_by_label("Dietary requirements")).to_have_value("Vegetarian")
    problems += accessibility_problems(phone, "answer form with an error")
    problems += wider_than_the_phone(phone, "answer form with an error")
    phone.screenshot(path=artifacts / "delegate-2-answer-error-390.png", full_page=True)

    # She accepts and agrees to be listed to the other delegates, and lands on her
    # programme with the calendar and the booklet; the form has gone from the top.
    phone.get_by_label("Yes, I will take part").check()
    phone.get_by_label(re.compile("Other delegates may see my name")).check()
    phone.get_by_role("button", name="Send my answer").click()
    expect(phone.get_by_test_id("saved")).to_contain_text("your answer is saved")
    expect(phone.get_by_test_id("answer-form")).to_have_count(0)
    expect(phone.get_by_test_id("delegate-downloads")).to_be_in_viewport()
    expect(phone.get_by_role("link", name="Add to calendar")).to_be_visible()
    expect(phone.get_by_role("link", name="Booklet (PDF)")).to_be_visible()
    answered = Participant.objects.get(pk=delegate.pk)
    assert (answered.rsvp_status, answered.dietary_requirements) == ("accepted", "Vegetarian")
    problems += accessibility_problems(phone, "programme after answering")
    problems += wider_than_the_phone(phone, "programme after answering")
    phone.screenshot(path=artifacts / "delegate-3-answered-390.png", full_page=True)

    # Her page as she opens it again: her answer lower down, with the way to change it.
    phone.goto(link)
    expect(phone.get_by_test_id("answer-form")).to_have_count(0)
    expect(phone.get_by_test_id("your-answer")).to_contain_text("Your answer: Accepted.")
    concert = phone.locator("li", has_text="Gewandhausorchester concert")
    expect(concert.get_by_test_id("local-time")).to_have_text("19:00–21:00 JST")
    expect(concert.get_by_test_id("home-time")).to_have_text("11:00–13:00 CET at home")
    expect(concert.get_by_role("link", name="Map (Suntory Hall)")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/\?mlat=35\.667300&mlon=139\.740600")
    )
    expect(phone.get_by_test_id("others")).to_have_text("Jonas Becker, City of Leipzig")
    expect(phone.get_by_role("link", name="Change your answer")).to_be_visible()
    problems += accessibility_problems(phone, "delegate page")
    problems += wider_than_the_phone(phone, "delegate page")
    phone.screenshot(path=artifacts / "delegate-3b-page-390.png", full_page=True)

    # She switches to German; the page and her record remember it.
    phone.get_by_role("button", name="Deutsch").click()
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    first_day = delegate.mission.start_date
    expect(phone.locator(f"#day-{first_day.isoformat()}")).to_have_text(
        f"{GERMAN_DAYS[first_day.weekday()]}, {first_day.day}. "
        f"{GERMAN_MONTHS[first_day.month - 1]} {first_day.year}"
    )
    assert Participant.objects.get(pk=delegate.pk).language == "de"
    problems += accessibility_problems(phone, "delegate page in German")
    phone.screenshot(path=artifacts / "delegate-4-german-390.png", full_page=True)

    # The calendar to download, and the booklet, from the page; the page's links are
    # relative to its address (the kept page holds no link).
    calendar = reverse("delegate:calendar-ics", args=[token])
    expect(phone.locator('a[href="calendar-download.ics"]')).to_be_visible()
    response = phone.request.get(calendar)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in response.text()
    booklet = reverse("delegate:booklet", args=[token])
    expect(phone.locator('a[href="booklet.pdf"]')).to_be_visible()
    response = phone.request.get(booklet)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # To subscribe, a page of its own gives the feed's addresses under the feed's own
    # token, which opens nothing else.
    phone.locator('a[href="calendar/"]').click()
    expect(phone).to_have_url(re.compile(re.escape(reverse("delegate:calendar", args=[token]))))
    feed = phone.get_by_test_id("subscribe").get_attribute("href")
    assert re.fullmatch(r"webcal://[^/]+/c/[0-9a-f]{64}\.ics", feed)
    assert token not in feed
    response = phone.request.get(live_server.url + "/" + feed.split("/", 3)[3])
    assert response.ok
    assert "BEGIN:VCALENDAR" in response.text()
    problems += accessibility_problems(phone, "calendar subscription page")
    phone.screenshot(path=artifacts / "delegate-4b-calendar-390.png", full_page=True)

    assert problems == [], "\n".join(problems)


def test_delegate_page_under_way_with_changes_and_cancellations_is_accessible(
    phone: Page, delegate, artifacts
):
    """The page's other states: the next item highlighted, changes marked, one cancelled."""
    mission = delegate.mission
    today = timezone.localdate(timezone=TOKYO)
    mission.start_date, mission.end_date = (
        today - dt.timedelta(days=1),
        today + dt.timedelta(days=1),
    )
    mission.save()
    now = timezone.now()
    talks, concert = mission.items.order_by("starts_at")
    talks.starts_at, talks.ends_at = now + dt.timedelta(hours=1), now + dt.timedelta(hours=2)
    talks.save()
    concert.starts_at, concert.ends_at = now + dt.timedelta(hours=3), now + dt.timedelta(hours=4)
    concert.is_cancelled = True
    concert.save()
    Participant.objects.filter(pk=delegate.pk).update(
        rsvp_status=RsvpStatus.ACCEPTED, page_seen_at=now - dt.timedelta(days=1)
    )
    ItineraryItemFactory(
        mission=mission, title="Farewell dinner", starts_at=now + dt.timedelta(hours=5)
    )

    phone.goto(reverse("delegate:page", kwargs={"token": token_issue(participant=delegate)}))

    expect(phone.get_by_test_id("next-item")).to_contain_text("Biotechnology talks at JETRO")
    expect(phone.get_by_test_id("changes")).to_contain_text("3 items changed since your last visit")
    expect(phone.locator("li.is-cancelled")).to_contain_text("Cancelled")
    phone.screenshot(path=artifacts / "delegate-5-under-way-390.png", full_page=True)
    assert accessibility_problems(phone, "delegate page under way") == []


@pytest.mark.parametrize("width", [390, 1280])
def test_declined_delegate_sees_it_and_changes_the_answer_on_a_phone_and_a_desktop(
    browser: Browser, live_server, settings, csp_violations, delegate, artifacts, width
):
    settings.LINK_RATE_ENABLED = False
    context = new_context(
        browser, csp_violations, base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    Participant.objects.filter(pk=delegate.pk).update(
        rsvp_status=RsvpStatus.DECLINED, updated_at=timezone.now()
    )
    problems = []

    page.goto(reverse("delegate:page", kwargs={"token": token_issue(participant=delegate)}))
    expect(page.get_by_test_id("declined")).to_have_text(
        "You declined this invitation. Change your answer"
    )
    expect(page.get_by_test_id("answer-form")).to_have_count(0)
    problems += accessibility_problems(page, f"declined page at {width} px")
    page.screenshot(path=artifacts / f"delegate-6-declined-{width}.png", full_page=True)
    page.get_by_test_id("declined").get_by_role("link", name="Change your answer").click()
    expect(page.get_by_test_id("answer-form")).to_be_in_viewport()
    expect(page.get_by_label("No, I cannot take part")).to_be_checked()
    problems += accessibility_problems(page, f"changing the answer at {width} px")
    width_now = page.evaluate("document.documentElement.scrollWidth")
    context.close()

    assert width_now <= width
    assert problems == [], "\n".join(problems)


def test_delegate_rates_the_mission_and_its_items_by_keyboard_after_it(
    phone: Page, delegate, artifacts
):
    """After the mission, the feedback page (the thank-you mail's link): a mistake shown
    next to its field, the mission and one item rated with the keyboard alone, the others
    left at "did not attend"; saved, the page shows the ratings again."""
    mission = delegate.mission
    ended = timezone.localdate(timezone=TOKYO) - dt.timedelta(days=1)
    mission.start_date, mission.end_date = ended - dt.timedelta(days=2), ended
    mission.save()
    talks, concert = mission.items.order_by("starts_at")
    for item, day in ((talks, mission.start_date), (concert, mission.start_date + dt.timedelta(1))):
        item.starts_at = dt.datetime.combine(day, item.starts_at.astimezone(TOKYO).time(), TOKYO)
        item.ends_at = item.starts_at + dt.timedelta(hours=2)
        item.save()
    Participant.objects.filter(pk=delegate.pk).update(rsvp_status=RsvpStatus.ACCEPTED)
    problems = []

    phone.goto(reverse("rsvp:feedback", kwargs={"token": token_issue(participant=delegate)}))
    phone.get_by_role("button", name="Send my feedback").click()  # no rating of the mission
    expect(phone.get_by_test_id("form-errors")).to_be_visible()
    expect(phone.locator("#div_id_rating")).to_contain_text("This field is required.")
    problems += accessibility_problems(phone, "feedback with an error")
    problems += wider_than_the_phone(phone, "feedback with an error")

    phone.get_by_role("radio", name="4 – good").first.focus()
    phone.keyboard.press("Space")  # the mission: 4
    phone.keyboard.press("Tab")  # to the first item's choice: "did not attend or no answer"
    concert_group = phone.get_by_role("group", name=re.compile("^Gewandhausorchester concert"))
    talks_group = phone.get_by_role("group", name=re.compile("^Biotechnology talks at JETRO"))
    expect(talks_group.get_by_role("radio", name="Did not attend or no answer")).to_be_focused()
    phone.keyboard.press("ArrowDown")  # round to the first choice: 5
    expect(talks_group.get_by_role("radio", name="5 – excellent")).to_be_checked()
    phone.screenshot(path=artifacts / "delegate-6-feedback-390.png", full_page=True)
    problems += accessibility_problems(phone, "feedback")
    phone.get_by_role("button", name="Send my feedback").press("Enter")

    expect(phone.get_by_role("status")).to_contain_text("Thank you for your feedback.")
    expect(talks_group.get_by_role("radio", name="5 – excellent")).to_be_checked()
    expect(concert_group.get_by_role("radio", name="Did not attend or no answer")).to_be_checked()
    problems += accessibility_problems(phone, "feedback saved")
    problems += wider_than_the_phone(phone, "feedback saved")
    assert problems == [], "\n".join(problems)
    assert list(delegate.feedback.item_ratings.values_list("item__title", "rating")) == [
        ("Biotechnology talks at JETRO", 5)
    ]
