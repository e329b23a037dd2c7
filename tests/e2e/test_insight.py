"""The programme overview in the browser: its charts and tables, a filter applied, and no
sideways scrolling on a phone (axe checks the page, as every page a browser test loads)."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import PASSWORD, unavailable
from tests.factories.accounts import UserFactory
from tests.insight import world

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def programme(transactional_db):
    world.build()
    return UserFactory(leader=True, username="lena", password=PASSWORD)


def test_the_overview_shows_its_charts_and_filters_by_marketplace(log_in, programme):
    page = log_in(programme)

    page.goto(reverse("programme_overview"))
    expect(page.locator("#chart-funnel svg")).to_be_visible()
    expect(page.get_by_test_id("oldest").locator("tbody tr")).to_have_count(3)
    page.get_by_label("Marketplace", exact=True).select_option("terrasoft")
    page.get_by_role("button", name="Show").click()

    expect(page.get_by_test_id("oldest").locator("tbody tr")).to_have_count(2)


def test_the_overview_does_not_scroll_sideways_at_390_px(log_in, programme):
    page = log_in(programme)
    page.set_viewport_size(PHONE)

    page.goto(reverse("programme_overview"))
    page.wait_for_load_state("load")

    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the overview is {width} px wide"
