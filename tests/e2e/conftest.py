"""Browser tests: Playwright drives the system Chromium against pytest-django's live server.

The browser is Debian's /usr/bin/chromium (never a downloaded one). Without it, or without
the `playwright` package, the e2e modules skip themselves and the rest of the suite runs.
Set E2E_SCREENSHOTS=1 to keep full-page screenshots of the main pages in /tmp/e2e-shots/.
"""

import importlib
import importlib.util
import os
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.test import override_settings
from playwright.sync_api import expect, sync_playwright

from dod.models import CriteriaVersion

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/e2e-shots")
PASSWORD = "e2e-pass-2026"
TIMEOUT_MS = 10_000


def unavailable() -> str | None:
    """Why the browser tests cannot run on this machine, or None if they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for the tests of one module (each xdist worker starts its own).

    While Playwright's sync API is started, its event loop runs in this thread and Django
    refuses ORM calls here; the tests' own ORM calls (factories, checks) are synchronous and
    safe, so they are allowed, for as long as the browser is open and no longer.
    """
    expect.set_options(timeout=TIMEOUT_MS)
    environ = pytest.MonkeyPatch()
    environ.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        environ.undo()


@pytest.fixture(scope="session")
def _no_https_redirect():
    """SECURE_SSL_REDIRECT off while the live server builds its handler (see below)."""
    override = override_settings(SECURE_SSL_REDIRECT=False)
    override.enable()
    yield override


@pytest.fixture(scope="session")
def live_server(_no_https_redirect, live_server):
    """pytest-django's live server, serving plain HTTP.

    Its SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server thread builds
    its handler, which is done when the server is up: the override can end here, so no
    later test of the session sees it.
    """
    _no_https_redirect.disable()
    return live_server


@pytest.fixture(autouse=True)
def _http_cookies(settings):
    """Session and CSRF cookies the browser keeps over plain HTTP, and for as long as it is
    open: the server's clock is pinned (tests/conftest.py) while the browser's is the real one,
    so a cookie dated by the server could already have expired for the browser."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Let fixtures see whether the test itself failed (for the screenshots of a failure)."""
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def new_page(request, browser, live_server):
    """`new_page()` opens a page in a fresh browser context (its own cookies: one person).

    The test fails if any page or asset the browser loads answers with an error status, or
    if the browser reports a Content-Security-Policy violation on any page.
    With E2E_SCREENSHOTS set, a failed test leaves a screenshot of each of its pages.
    """
    contexts, failures, violations = [], [], []

    def record(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            failures.append(f"{response.status} {response.request.method} {response.url}")

    def console(message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("response", record)
        page.on("console", console)
        return page

    yield open_page
    if getattr(request.node, "e2e_failed", False):
        for number, context in enumerate(contexts, start=1):
            for page in context.pages:
                shot(page, f"failed-{request.node.name}-{number}")
    for context in contexts:
        context.close()
    assert not failures, "The browser got error responses:\n" + "\n".join(failures)
    assert not violations, "Pages broke the Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def edition(transactional_db):
    """DoD edition 1 as its data migration seeds it.

    The live server's tests flush the database after each test, migration data included;
    the seed is idempotent, so it is simply run again.
    """
    seed = importlib.import_module("dod.migrations.0003_edition_one").seed
    seed(django_apps, None)
    return CriteriaVersion.in_force()


@pytest.fixture
def log_in(new_page):
    """`log_in(user)`: a new page on which `user` has logged in through the login page."""

    def run(user, password=PASSWORD):
        page = new_page()
        page.goto("/")
        page.get_by_role("link", name="Log in", exact=True).click()
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        assert_styled(page)
        return page

    return run


def assert_styled(page) -> None:
    """Bootstrap and the portal's stylesheet reached the browser (static files are served).

    The check waits for the page's stylesheets: the navbar may be in the DOM a moment
    before they are applied.
    """
    page.wait_for_load_state("load")
    # .bg-dark from bootstrap.min.css; an unstyled page keeps a transparent background.
    expect(page.locator("nav.navbar").first).to_have_css("background-color", "rgb(33, 37, 41)")


def shot(page, name: str) -> None:
    """Keep a full-page screenshot when E2E_SCREENSHOTS is set."""
    if not os.environ.get("E2E_SCREENSHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def request_pk(page) -> int:
    """The number of the request whose page is open."""
    match = re.search(r"/requests/(\d+)/", page.url)
    assert match, page.url
    return int(match.group(1))
