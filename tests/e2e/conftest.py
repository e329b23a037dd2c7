"""Browser tests: Playwright drives the system Chromium against pytest-django's live server.

The browser is Debian's /usr/bin/chromium (never a downloaded one). Without it, or without
the `playwright` package, the e2e modules skip themselves and the rest of the suite runs.
axe-core checks every page the browser loads (see `AxeWatch`).
Set E2E_SCREENSHOTS=1 to keep full-page screenshots of the main pages in /tmp/e2e-shots/.
The screenshots of each role's main page in both languages are artefacts of every run, in
E2E_ARTEFACTS (by default test-artefacts/screenshots/ in the repository).
"""

import importlib
import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.apps import apps as django_apps
from django.conf import settings
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
ARTEFACTS = Path(
    os.environ.get("E2E_ARTEFACTS") or Path(settings.BASE_DIR) / "test-artefacts" / "screenshots"
)
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


# WCAG 2.1 A and AA, the level the portal promises; a test fails on the serious and critical.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
AXE_IMPACTS = ["serious", "critical"]
# Runs in every HTML page the browser loads, before the page's own scripts: once the page has
# loaded (styles included: contrast depends on them), axe-core checks it and reports to the test.
AXE_ON_LOAD = """
(() => {
  const page = window.top === window && location.protocol.startsWith("http");
  if (!page || document.contentType !== "text/html") return;
  window.addEventListener("load", () => {
    window.__e2eAxeBegin();
    const late = new Promise((_, reject) => setTimeout(() => reject("timed out"), %(timeout)d));
    const check = new Promise((resolve) => resolve(axe.run(document, %(options)s)));
    Promise.race([check, late])
      .then((results) => window.__e2eAxeReport(location.href, results.violations
        .filter((v) => %(impacts)s.includes(v.impact))
        .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map((node) => node.target.join(" "))}))))
      .catch((error) => window.__e2eAxeReport(location.href, null, String(error)));
  });
})();
"""
AXE_TIMEOUT_S = 20
AXE_ON_LOAD %= {
    "options": json.dumps(AXE_OPTIONS),
    "impacts": json.dumps(AXE_IMPACTS),
    "timeout": AXE_TIMEOUT_S * 1000,
}


class AxeWatch:
    """axe-core on every page the browser loads, with no step in the tests.

    Every page runs axe (WCAG 2.1 A/AA) once loaded and reports its serious and critical
    violations here. No page is left before its check is done: the browser's next navigation
    waits for it (a route on the context holds the request), so the outcome does not depend
    on how fast a test clicks on. A page checks itself, because Playwright cannot evaluate
    script in a page while the page is navigating. A page left before it has loaded is not
    checked (the browser would stop loading it anyway): the steps of a journey wait for the
    pages they check (`checked`).
    """

    def __init__(self):
        self.found: dict[tuple[str, str], str] = {}
        self.unchecked: set = set()  # the pages whose current document is being checked

    def watch(self, context) -> None:
        context.expose_binding("__e2eAxeBegin", self._begin)
        context.expose_binding("__e2eAxeReport", self._report)
        context.add_init_script(script=AXE_SCRIPT + ";" + AXE_ON_LOAD)
        context.route("**/*", self._hold)

    def _begin(self, source) -> None:
        self.unchecked.add(source["page"])

    def _report(self, source, url, violations, error=None) -> None:
        self.unchecked.discard(source["page"])
        if violations is None:
            self.found[(url, "axe")] = f"{url}: axe-core could not check the page ({error})"
        for violation in violations or []:
            nodes = violation["nodes"]
            self.found.setdefault(
                (url, violation["id"]),
                f"{url} {violation['id']} ({violation['impact']}: {violation['help']}): "
                + "; ".join(nodes[:5])
                + (f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""),
            )

    def _hold(self, route) -> None:
        request = route.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.settle(request.frame.page)
        route.fallback()

    def settle(self, page) -> None:
        """Wait until axe has checked the page open now (if it is one it checks)."""
        waited = 0
        while page in self.unchecked and not page.is_closed() and waited < AXE_TIMEOUT_S * 1000:
            page.wait_for_timeout(50)
            waited += 50

    def violations(self, pages=()) -> list[str]:
        """What axe found so far, once the check of each of `pages` is done."""
        for page in pages:
            self.settle(page)
        return list(self.found.values())


@pytest.fixture
def axe_watch():
    """The axe-core check of the pages `new_page` opens (`axe_watch.violations(pages)`)."""
    return AxeWatch()


@pytest.fixture
def new_page(request, browser, live_server, axe_watch):
    """`new_page()` opens a page in a fresh browser context (its own cookies: one person).

    The test fails if any page or asset the browser loads answers with an error status, if
    the browser reports a Content-Security-Policy violation on any page, or if axe-core finds
    a serious or critical WCAG 2.1 A/AA violation on any page (`AxeWatch`).
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
        axe_watch.watch(context)
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
    inaccessible = axe_watch.violations([page for context in contexts for page in context.pages])
    for context in contexts:
        context.close()
    assert not failures, "The browser got error responses:\n" + "\n".join(failures)
    assert not violations, "Pages broke the Content-Security-Policy:\n" + "\n".join(violations)
    assert not inaccessible, "axe-core found serious or critical violations of WCAG 2.1 AA:\n" + (
        "\n".join(inaccessible)
    )


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
