"""Playwright driving Debian's Chromium (never a browser that Playwright downloads).

Screenshots go to artifacts/ (git-ignored), for people to look at after a run. Every
browser test also asserts that no page it opened broke the Content-Security-Policy: a
context made by `new_context` reports each violation (the page's `securitypolicyviolation`
events, and the console's messages about the policy, which also cover sandboxed frames
where no script runs) to the `csp_violations` list, checked when the test ends.
"""

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.signals import request_finished, request_started
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from tests.conftest import CHROMIUM

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "artifacts"

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous, so Django's async guard must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _Answering:
    """How many requests the live server's threads are answering now (Django's signals;
    the test client's requests, in the tests' own thread, are not counted)."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def started(self, **kwargs) -> None:
        if threading.current_thread() is not threading.main_thread():
            with self.changed:
                self.count += 1

    def finished(self, **kwargs) -> None:
        if threading.current_thread() is not threading.main_thread():
            with self.changed:
                self.count -= 1
                self.changed.notify_all()

    def wait_until_none(self, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count <= 0, timeout)


ANSWERING = _Answering()
request_started.connect(ANSWERING.started)
request_finished.connect(ANSWERING.finished)


@pytest.fixture(autouse=True)
def _live_server_done(transactional_db) -> Iterator[None]:
    """The test's database is emptied only once the live server has answered every
    request of its pages: a request still reading while the tables are truncated, when a
    test closed its page early, deadlocks with the flush on PostgreSQL."""
    yield
    assert ANSWERING.wait_until_none(timeout=30), "the live server is still answering"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Runs in every page and frame before the page's own scripts: each violation of the
# policy is handed to the binding, with what was blocked and where.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.documentURI} (${event.sourceFile || ""}:${event.lineNumber}): ${event.sample}`
  );
});
"""


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """What the pages of the test's contexts reported against the policy: nothing, at the end."""
    violations: list[str] = []
    yield violations
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


def new_context(browser: Browser, violations: list[str], **options) -> BrowserContext:
    """A browser context whose pages report every CSP violation to `violations`."""
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    context.expose_binding("reportCspViolation", lambda _source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)

    def console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            where = message.page.url if message.page else "?"
            violations.append(f"console at {where}: {message.text}")

    context.on("console", console)
    return context


@pytest.fixture
def page(browser: Browser, live_server, csp_violations) -> Iterator[Page]:
    context = new_context(
        browser,
        csp_violations,
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# axe-core reads the page's style sheets before its rules run (its "cssom" asset): it
# parses each sheet that another imports (the admin's forms.css imports widgets.css) by
# adding a <style> element to the page, which the Content-Security-Policy rightly blocks.
# The one rule that needs those sheets (css-orientation-lock) is experimental and off, so
# axe loads the page's media only: it changes nothing on the page it checks.
AXE_OPTIONS = {"resultTypes": ["violations"], "preload": {"assets": ["media"]}}


def accessibility_problems(page: Page, name: str) -> list[str]:
    """Every axe-core violation on the page as it is shown now, whatever its impact."""
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{name}: {violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]
