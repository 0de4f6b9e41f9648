"""Pictures of Itinera for people (`make screenshots`): every main page at 390 and
1,280 px, in English and in German, from the demo data (planning, matchmaking, outcomes, the
report and the delegate's pages).

    .venv/bin/python -m tests.browser.screenshots

Loads the demo (`load_demo`, `demo_users`) into a throwaway SQLite database, serves it
with `runserver` and writes, with Debian's Chromium:
- artifacts/screenshots/<page>-<width>-<language>.png, each page whole (git-ignored);
- docs/screenshots/<page>-<width>-en.png, what README.md shows: the first screen of the
  dashboard, the itinerary and the invitation preview on a desktop, the delegate's page
  on a phone.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ARTIFACTS = ROOT / "artifacts" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
WIDTHS = (390, 1280)
LANGUAGES = ("en", "de")
HEIGHT = {390: 844, 1280: 800}  # a phone's screen, a laptop's
# (page, width) that README.md shows.
FOR_README = [
    ("dashboard", 1280),
    ("itinerary", 1280),
    ("invitation-preview", 1280),
    ("delegate", 390),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare() -> tuple[dict[str, dict[str, str]], str]:
    """The demo in the throwaway database: each language's pages, and a planner's session."""
    # Imported once the environment names the throwaway database.
    import django
    from django.core.management import call_command

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from missions.enums import RsvpStatus
    from missions.models import Mission
    from missions.tokens import token_issue
    from organisations.enums import MembershipRole
    from organisations.models import Membership

    for command in ("migrate", "load_demo", "demo_users"):
        call_command(command, verbosity=0)
    # The latest mission: the upcoming one of the living demo.
    mission = Mission.objects.order_by("-start_date").first()
    user, _ = get_user_model().objects.get_or_create(username="screenshots")
    Membership.objects.get_or_create(
        user=user, organisation=mission.lead_organisation, defaults={"role": MembershipRole.ADMIN}
    )
    client = Client()
    client.force_login(user)
    pk = {"pk": mission.pk}
    staff = {
        "login": reverse("login"),
        "dashboard": reverse("plan:dashboard"),
        "mission": reverse("plan:mission-detail", kwargs=pk),
        "itinerary": reverse("plan:itinerary", kwargs=pk),
        "participants": reverse("plan:participant-list", kwargs=pk),
        "invitations": reverse("plan:invitation-compose", kwargs=pk),
        "follow-up": reverse("plan:follow-up", kwargs=pk),
        "matchmaking": reverse("plan:matchmaking", kwargs=pk),
        "meeting-grid": reverse("plan:meeting-grid", kwargs=pk),
        "outcomes": reverse("plan:outcome-list", kwargs=pk),
        "report": reverse("plan:reports"),
        "directory": reverse("directory:organisation-list"),
    }
    # Two delegates who accepted: one reads their page in English, one in German.
    delegates = sorted(
        mission.participants.order_by("pk"), key=lambda p: p.rsvp_status != RsvpStatus.ACCEPTED
    )
    pages = {}
    for language, delegate in zip(LANGUAGES, delegates, strict=False):
        delegate.language = language
        delegate.save(update_fields=["language"])
        token = {"token": token_issue(participant=delegate)}
        pages[language] = staff | {
            "delegate": reverse("delegate:page", kwargs=token),
            "delegate-calendar": reverse("delegate:calendar", kwargs=token),
            "delegate-meetings": reverse("delegate:meetings", kwargs=token),
            "delegate-marketplace": reverse("delegate:marketplace", kwargs=token),
        }
    return pages, client.cookies["sessionid"].value


def _serve(port: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603  (our own manage.py, no shell)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("The server did not start.")


def _take(base_url: str, pages: dict[str, dict[str, str]], session: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    DOCS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(base_url=base_url)
        page = context.new_page()
        for language, urls in pages.items():
            shots = [(name, lambda url=url: page.goto(url)) for name, url in urls.items()]
            compose = urls["invitations"]
            shots.append(("invitation-preview", lambda url=compose: _preview(page, url)))
            for name, open_page in shots:
                context.clear_cookies()
                cookies = [{"name": "django_language", "value": language, "url": base_url}]
                if name != "login":  # signed in everywhere else
                    cookies.append({"name": "sessionid", "value": session, "url": base_url})
                context.add_cookies(cookies)
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": HEIGHT[width]})
                    open_page()
                    page.wait_for_load_state("networkidle")
                    file = f"{name}-{width}-{language}.png"
                    page.screenshot(path=ARTIFACTS / file, full_page=True)
                    if language == "en" and (name, width) in FOR_README:
                        if name == "invitation-preview":  # the message itself, on top
                            page.locator("#main section.card").first.evaluate(
                                "card => card.scrollIntoView({behavior: 'instant'})"
                            )
                        page.screenshot(path=DOCS / file)
                    print(ARTIFACTS.relative_to(ROOT) / file)
        browser.close()


def _preview(page, compose: str) -> None:
    """The invitation preview: the compose page's form, with everyone ticked."""
    page.goto(compose)
    page.locator("input[name=participants]").evaluate_all(
        "boxes => boxes.forEach(box => { box.checked = true; })"
    )
    page.locator("button[name=preview]").first.click()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="itinera-screenshots-") as folder:
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3",
            "CELERY_BROKER_URL": "filesystem://",
        }
        env.pop("REDIS_URL", None)
        os.environ.clear()
        os.environ.update(env)
        pages, session = _prepare()
        port = _free_port()
        server = _serve(port, env)
        try:
            _take(f"http://127.0.0.1:{port}", pages, session)
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
