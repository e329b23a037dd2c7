"""The team's queue in the browser: usable on a 390 px phone without scrolling sideways, and
a batch of requests assigned after a confirmation."""

import pytest
from django.urls import reverse

from tests.e2e.conftest import PASSWORD, unavailable
from tests.factories.accounts import UserFactory
from tests.factories.workflow import ApplicationFactory
from workflow.enums import ApplicationState
from workflow.models import Application

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def busy_queue(transactional_db):
    """An analyst, a colleague, and requests with long names in several states."""
    analyst = UserFactory(analyst=True, username="anna", first_name="Anna", password=PASSWORD)
    colleague = UserFactory(analyst=True, username="boris", first_name="Boris", last_name="Kay")
    requests = [
        ApplicationFactory(
            state=state,
            solution__name=f"Omnichannel contact-centre integration suite {n}",
            solution__partner__name=f"Northern Lights Software Development Partners {n}",
            solution__uses_external_services=True,
        )
        for n, state in enumerate(
            [ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.DEFERRED]
        )
    ]
    return {"analyst": analyst, "colleague": colleague, "requests": requests}


def test_queue_does_not_scroll_sideways_at_390_px(log_in, busy_queue):
    page = log_in(busy_queue["analyst"])
    page.set_viewport_size(PHONE)

    page.goto(reverse("queue"))
    expect(page.get_by_test_id("queue")).to_be_visible()

    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the queue is {width} px wide"
    # Sorting stays at hand on the phone: the headers are links.
    page.get_by_role("link", name="Partner", exact=True).click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text("Partner ▲")
    page.wait_for_load_state("load")  # the style sheet too, before measuring
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_batch_assignment_asks_then_assigns_the_ticked_requests(log_in, busy_queue):
    first, second, untouched = busy_queue["requests"]
    page = log_in(busy_queue["analyst"])
    page.goto(reverse("queue"))

    page.get_by_label(f"Select request #{first.pk}").check()
    page.get_by_label(f"Select request #{second.pk}").check()
    page.get_by_label("Assign selected to").select_option(label="Boris Kay")
    page.get_by_role("button", name="Assign selected…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Assign 2 requests to Boris Kay as analyst?"
    )
    page.get_by_role("button", name="Yes, assign them").click()

    expect(page.get_by_role("alert")).to_have_text("2 requests assigned to Boris Kay as analyst.")
    assigned = dict(Application.objects.values_list("pk", "assigned_analyst__username"))
    assert assigned == {first.pk: "boris", second.pk: "boris", untouched.pk: None}
