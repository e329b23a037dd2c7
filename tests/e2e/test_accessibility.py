"""WCAG 2.1 AA in the browser: axe-core finds no serious or critical violation on the main
page of each role, in English and in Russian."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import PASSWORD, unavailable
from tests.factories.accounts import UserFactory
from tests.factories.dod import in_review

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.e2e

AXE = Axe()
# WCAG 2.1 A and AA, the level the portal promises.
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def serious_violations(page) -> list[str]:
    results = AXE.run(page, options=OPTIONS)
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def people(edition):
    analyst = UserFactory(analyst=True, username="anna", password=PASSWORD)
    leader = UserFactory(leader=True, username="lev", password=PASSWORD)
    partner = UserFactory(partner_member=True, username="nina", password=PASSWORD)
    application = in_review(analyst, solution__partner=partner.partner)
    return {"analyst": analyst, "leader": leader, "partner": partner, "request": application}


def visit_all(page, paths) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)
        page.wait_for_load_state("load")
        found += serious_violations(page)
    return found


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_main_page_of_each_role_has_no_serious_violation(
    new_page, log_in, people, language, settings
):
    """Anonymous visitors, partners, analysts and leaders: each main page passes axe-core's
    WCAG 2.1 AA rules with no serious or critical violation."""
    request_page = reverse("application_detail", args=[people["request"].pk])

    def in_language(page):
        page.context.add_cookies(
            [
                {
                    "name": settings.LANGUAGE_COOKIE_NAME,
                    "value": language,
                    "url": page.url or "http://localhost",
                }
            ]
        )
        return page

    anonymous = new_page()
    anonymous.goto("/")
    found = visit_all(in_language(anonymous), ["/", reverse("catalogue"), reverse("login")])
    partner = in_language(log_in(people["partner"]))
    found += visit_all(
        partner,
        [
            reverse("dashboard"),
            request_page,
            reverse("solution_list"),
            reverse("notification_settings"),
        ],
    )
    analyst = in_language(log_in(people["analyst"]))
    found += visit_all(
        analyst, [reverse("queue"), request_page, reverse("review", args=[people["request"].pk])]
    )
    leader = in_language(log_in(people["leader"]))
    found += visit_all(leader, [reverse("decisions"), reverse("queue")])
    assert found == [], "\n".join(found)
