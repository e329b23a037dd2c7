"""The layout in a real browser: the top navigation on one line at 1280 px, the selects wide
enough for their labels, the dashboards usable on a 390 px phone without scrolling sideways."""

import pytest
from django.urls import reverse

from catalogue import badge
from tests.e2e.conftest import PASSWORD, unavailable
from tests.factories.accounts import UserFactory
from tests.factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    PartnerFactory,
    with_state_records,
)
from workflow.enums import ApplicationState

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

pytestmark = pytest.mark.e2e

S = ApplicationState

# The boxes of the navigation's items: the brand, each link, the language select, the user's
# name and the log-out button.
NAV_ITEMS = """() => {
  const nav = document.querySelector("nav.navbar");
  const items = nav.querySelectorAll(
    ".navbar-brand, .nav-link, select, .navbar-text, button[type=submit]");
  const right = nav.querySelector(".container, .container-fluid").getBoundingClientRect().right;
  return {
    overflow: [...items].filter(e => e.getBoundingClientRect().right > right + 0.5)
      .map(e => e.textContent.trim()),
    height: nav.getBoundingClientRect().height,
    brand: nav.querySelector(".navbar-brand").getBoundingClientRect().height,
    tops: [...items].filter(e => e.offsetParent !== null)
      .map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)),
  };
}"""

# Every option of a select, measured in the select's font, against the room the select gives
# its label (its inner width less the padding, the arrow's room included).
SELECT_ROOM = """(select) => {
  const style = getComputedStyle(select);
  const context = document.createElement("canvas").getContext("2d");
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return [...select.options].filter(o => context.measureText(o.text).width > room + 0.5)
    .map(o => o.text);
}"""


@pytest.fixture
def people(edition):
    partner = PartnerFactory(name="Northwind Traders International")
    nina = UserFactory(
        role="Partner",
        partner=partner,
        username="nina",
        first_name="Nina",
        last_name="Partnerova-Longname",
        password=PASSWORD,
    )
    lev = UserFactory(
        leader=True, username="lev", first_name="Lev", last_name="Leader", password=PASSWORD
    )
    anna = UserFactory(
        analyst=True, username="anna", first_name="Anna", last_name="Analyst", password=PASSWORD
    )
    for n, state in enumerate((S.SUBMITTED, S.AWAITING_MATERIALS, S.DECLINED)):
        with_state_records(
            ApplicationFactory(
                state=state,
                solution__partner=partner,
                solution__name=f"Northwind Telephony Connector for Contact Centres {n}",
            )
        )
    revoked = CertificationFactory(
        solution__partner=partner, solution__name="Northwind Inventory Synchronisation"
    )
    badge.revoke(
        certification=revoked,
        by=badge.SYSTEM,
        reason="Cases overdue on response in 2026-10: 3 of 40 = 7.5 % (target: at most 1 %).",
    )
    CertificationFactory(solution__partner=partner, solution__name="Northwind Quotes")
    for n in range(2):
        with_state_records(
            ApplicationFactory(
                state=S.AWAITING_APPROVAL,
                solution__name=f"Contoso e-Signature Enterprise Edition {n}",
            )
        )
    return {"partner": nina, "leader": lev, "analyst": anna}


def in_language(page, language, settings):
    """The page's person reads the portal in `language` (the cookie on every path)."""
    site = "/".join(page.url.split("/")[:3]) + "/"
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site}]
    )
    return page


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize("role", ["partner", "leader", "analyst"])
def test_navigation_is_one_line_at_1280_px(log_in, people, settings, role, language):
    page = in_language(log_in(people[role]), language, settings)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(reverse("solution_list"))

    nav = page.evaluate(NAV_ITEMS)

    assert page.locator("html").get_attribute("lang") == language
    assert nav["overflow"] == [], nav
    assert max(nav["tops"]) - min(nav["tops"]) <= 4, nav
    # One line: the bar is the brand's line and the bar's padding, nothing more.
    assert nav["height"] <= nav["brand"] + 20, nav


@pytest.mark.parametrize("language", ["en", "ru"])
def test_language_and_state_selects_show_their_whole_labels(log_in, people, settings, language):
    page = in_language(log_in(people["analyst"]), language, settings)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(reverse("queue"))

    assert page.locator("html").get_attribute("lang") == language
    cut = {
        name: page.locator(f"select[name={name}]").first.evaluate(SELECT_ROOM)
        for name in ("language", "state", "stage", "marketplace", "priority")
    }

    assert cut == {name: [] for name in cut}


@pytest.mark.parametrize(
    ("role", "url_name"), [("partner", "dashboard"), ("leader", "decisions"), ("analyst", "queue")]
)
def test_pages_fit_a_390_px_phone(log_in, people, role, url_name):
    page = log_in(people[role])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse(url_name))

    width = page.evaluate("() => document.documentElement.scrollWidth")

    assert width <= 390
