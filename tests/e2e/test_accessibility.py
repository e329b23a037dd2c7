"""WCAG 2.1 AA in the browser: axe-core finds no serious or critical violation on the main
pages of each role, in English and in Russian; each of them is kept as a full-page screenshot
(the run's artefacts, conftest.ARTEFACTS)."""

from urllib.parse import urljoin

import pytest
from django.urls import reverse

from tests.e2e.conftest import ARTEFACTS, PASSWORD, unavailable
from tests.factories.accounts import UserFactory
from tests.factories.dod import in_review
from tests.factories.workflow import CertificationFactory

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

# Imported only once the package is known to be installed.
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CERTIFIED = "acme-fax"


def person(username: str, first_name: str, last_name: str, **role):
    """Named people, so that the screenshots show the same page at every run."""
    return UserFactory(
        username=username,
        first_name=first_name,
        last_name=last_name,
        password=PASSWORD,
        **role,
    )


@pytest.fixture
def people(edition):
    analyst = person("anna", "Anna", "Analyst", analyst=True)
    partner = person(
        "nina", "Nina", "Partner", partner_member=True, partner__name="Acme Integrations"
    )
    application = in_review(
        analyst, solution__partner=partner.partner, solution__name="Acme Call Recorder"
    )
    CertificationFactory(
        solution__partner=partner.partner, solution__name="Acme Fax", solution__slug=CERTIFIED
    )
    return {
        "analyst": analyst,
        "leader": person("lev", "Lev", "Leader", leader=True),
        "partner": partner,
        "rnd": person("roman", "Roman", "Expert", rnd_expert=True),
        "request": application,
    }


def main_pages(people) -> dict[str, list[tuple[str, str]]]:
    """Each role's main pages, (name, path), the first being where the role lands."""
    pk = people["request"].pk
    request_page = reverse("application_detail", args=[pk])
    return {
        "public": [
            ("home", "/"),
            ("catalogue", reverse("catalogue")),
            ("badge", reverse("badge_svg", args=[CERTIFIED])),
            ("login", reverse("login")),
        ],
        "partner": [
            ("dashboard", reverse("dashboard")),
            ("request", request_page),
            ("solutions", reverse("solution_list")),
            ("notifications", reverse("notification_settings")),
        ],
        "analyst": [
            ("queue", reverse("queue")),
            ("request", request_page),
            ("review", reverse("review", args=[pk])),
            ("overview", reverse("programme_overview")),
        ],
        # Leaders land on the decisions waiting for them, and decide in the admin.
        "leader": [("decisions", reverse("decisions")), ("queue", reverse("queue"))],
        "rnd": [("queue", reverse("queue")), ("review", reverse("review", args=[pk]))],
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_main_page_of_each_role_has_no_serious_violation(
    new_page, log_in, axe_watch, people, language, settings
):
    """Anonymous visitors, partners, analysts, leaders and R&D experts: each main page passes
    axe-core's WCAG 2.1 AA rules with no serious or critical violation, and is kept as a
    screenshot named role-page-language.png."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    written = []
    for role, pages in main_pages(people).items():
        if role == "public":
            page = new_page()
            page.goto("/")
        else:
            page = log_in(people[role])
        site = urljoin(page.url, "/")
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site}]
        )
        for name, path in pages:
            page.goto(path)
            page.wait_for_load_state("load")
            axe_watch.settle(page)
            assert page.url.endswith(path), (role, name, page.url)
            if name != "badge":
                expect(page.locator("html")).to_have_attribute("lang", language)
            shot = ARTEFACTS / f"{role}-{name}-{language}.png"
            # An SVG document has no page height to measure: its viewport is shot.
            page.screenshot(path=str(shot), full_page=name != "badge")
            written.append(shot)

    assert axe_watch.violations() == [], "\n".join(axe_watch.violations())
    assert all(shot.stat().st_size > 0 for shot in written)
