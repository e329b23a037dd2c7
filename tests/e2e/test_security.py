"""Security headers in a real browser: every page of each role satisfies the Content-Security-
Policy (the new_page fixture fails a test on any violation the browser reports), an inline
script is refused, and the admin's material page offers the file through the download view."""

import pytest

from tests.e2e.conftest import PASSWORD, unavailable
from tests.factories.accounts import UserFactory
from workflow.enums import ApplicationState, MaterialKind

from ..factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    MaterialFactory,
    SolutionFactory,
)

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    partner = UserFactory(partner_member=True, username="nina", password=PASSWORD)
    solution = SolutionFactory(partner=partner.partner, slug="recorder", name="Recorder")
    application = ApplicationFactory(
        solution=solution, state=ApplicationState.AWAITING_MATERIALS, created_by=partner
    )
    material = MaterialFactory(application=application, kind=MaterialKind.PACKAGES, with_file=True)
    CertificationFactory(solution=SolutionFactory(partner=partner.partner, slug="certified"))
    analyst = UserFactory(analyst=True, username="anna", password=PASSWORD)
    return {"partner": partner, "analyst": analyst, "application": application, "m": material}


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert (
        "unsafe-inline"
        not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    assert response.headers["permissions-policy"].startswith("accelerometer=()")


def test_public_pages_satisfy_the_policy(new_page, world):
    page = new_page()

    for path in ["/", "/catalogue/", "/accounts/login/", "/accounts/password/reset/"]:
        visit(page, path)


def test_partner_pages_satisfy_the_policy(log_in, world):
    page = log_in(world["partner"])
    pk = world["application"].pk

    for path in [
        "/dashboard/",
        "/solutions/",
        "/solutions/recorder/",
        f"/requests/{pk}/",
        f"/requests/{pk}/materials/",
        "/accounts/profile/",
        "/accounts/password/change/",
    ]:
        visit(page, path)


def test_language_switch_works_without_inline_script(log_in, world):
    page = log_in(world["partner"])

    page.get_by_label("Language").select_option("ru")

    expect(page.get_by_role("button", name="Выйти")).to_be_visible()


def test_team_and_admin_pages_satisfy_the_policy(log_in, world):
    page = log_in(world["analyst"])
    pk, material = world["application"].pk, world["m"]

    for path in [
        "/queue/",
        f"/requests/{pk}/",
        "/admin/",
        "/admin/workflow/application/",
        f"/admin/workflow/application/{pk}/change/",
        "/admin/workflow/material/",
        "/admin/accounts/securityevent/",
        "/admin/accounts/apitoken/",
    ]:
        visit(page, path)
    visit(page, f"/admin/workflow/material/{material.pk}/change/")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download “{material.original_name}”").click()

    assert download.value.suggested_filename == material.original_name


def test_an_inline_script_is_refused_by_the_browser(browser, live_server, world):
    """The check above would catch a violation: the browser does refuse and report one."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    reports = []
    page.on("console", lambda message: reports.append(message.text))
    page.goto("/")

    page.evaluate(
        """() => { const s = document.createElement('script');
        s.textContent = 'window.injected = true'; document.body.appendChild(s); }"""
    )

    assert page.evaluate("() => window.injected === undefined")
    assert any("Content Security Policy" in text for text in reports)
    context.close()
