"""Stages 1–2 in a real browser: partner, analyst and leader, each in their own session."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from tests.e2e.conftest import PASSWORD, assert_styled, request_pk, shot, unavailable
from tests.factories.accounts import UserFactory
from workflow.enums import ApplicationState, ReadinessCriterion

from ..factories.workflow import (
    ApplicationFactory,
    SolutionFactory,
    ready_for_approval,
    ready_for_decision,
)

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

# Imported only once the package is known to be installed.
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SOLUTION = "Acme Call Recorder"


@pytest.fixture
def partner():
    return UserFactory(
        partner_member=True,
        username="nina",
        first_name="Nina",
        last_name="Partner",
        password=PASSWORD,
        partner__name="Acme Integrations",
    )


@pytest.fixture
def analyst():
    return UserFactory(
        analyst=True, username="anna", first_name="Anna", last_name="Analyst", password=PASSWORD
    )


@pytest.fixture
def leader():
    return UserFactory(
        leader=True, username="lev", first_name="Lev", last_name="Leader", password=PASSWORD
    )


def field(page, label: str):
    """The form field labelled exactly `label` (crispy marks required ones with "*")."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?:?\s*$"))


def admin_change_url(pk: int) -> str:
    return f"/admin/workflow/application/{pk}/change/"


def test_request_travels_from_partner_to_leaders_approval(log_in, partner, analyst, leader, later):
    # --- The partner registers a published solution, adds a version, requests certification.
    nina = log_in(partner)
    nina.get_by_role("link", name="My solutions").click()
    expect(nina.get_by_role("heading", name="Solutions")).to_be_visible()
    nina.get_by_role("link", name="Register a solution").click()
    field(nina, "Name").fill(SOLUTION)
    field(nina, "Slug").fill("acme-call-recorder")
    field(nina, "Marketplace").select_option("creatio")
    field(nina, "Business area").fill("Telephony")
    field(nina, "Description").fill("Records calls and attaches them to contacts.")
    field(nina, "Published on the Marketplace").check()
    field(nina, "Marketplace page").fill("https://marketplace.example/acme-call-recorder")
    field(nina, "Uses external services").check()
    nina.get_by_role("button", name="Save the solution").click()

    expect(nina.get_by_text("Solution registered. Add its first version.")).to_be_visible()
    field(nina, "Version").fill("1.0.0")
    field(nina, "Released on").fill("2025-09-01")
    field(nina, "Notes").fill("First public release.")
    nina.get_by_role("button", name="Add the version").click()

    expect(nina.get_by_text("Version 1.0.0 added.")).to_be_visible()
    expect(nina.get_by_role("heading", name=SOLUTION)).to_be_visible()
    nina.get_by_role("link", name="Request certification").click()
    expect(field(nina, "Version")).to_have_value(re.compile(r"\d+"))
    field(nina, "Why certify").fill("Call centres of our customers ask for it.")
    nina.get_by_role("button", name="Create the request").click()

    expect(nina.get_by_test_id("state")).to_have_text("Draft")
    pk = request_pk(nina)
    nina.get_by_role("button", name="Submit the request").click()
    expect(nina.get_by_test_id("consequence")).to_contain_text(
        "After submitting you can no longer edit the request."
    )
    nina.get_by_role("button", name="Submit the request").click()
    expect(nina.get_by_text("Request submitted.")).to_be_visible()
    expect(nina.get_by_test_id("state")).to_have_text("Submitted")

    nina.get_by_role("link", name="My requests").click()
    card = nina.get_by_test_id(f"request-{pk}")
    expect(card.get_by_role("link", name=f"{SOLUTION} 1.0.0")).to_be_visible()
    current = card.locator(".stage-bar li[aria-current=step]")
    expect(current).to_have_text("1. Partner request")
    expect(current).to_have_class("current")
    expect(card.locator(".stage-bar li")).to_have_count(5)
    expect(card).to_contain_text(
        "Awaited from you: Nothing yet: an analyst will propose the set-up meeting."
    )
    shot(nina, "dashboard")

    # --- The analyst finds it in the queue and takes it through stage 1.
    anna = log_in(analyst)
    anna.get_by_role("link", name="Queue").click()
    expect(anna.get_by_role("heading", name="Request queue")).to_be_visible()
    field(anna, "Search").fill("Acme")
    anna.get_by_role("button", name="Filter").click()
    row = anna.get_by_role("row").filter(has_text=SOLUTION)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Acme Integrations")
    expect(row).to_contain_text("Schedule the set-up meeting with the partner.")
    shot(anna, "queue")
    row.get_by_role("link", name=f"{SOLUTION} 1.0.0").click()
    expect(anna.get_by_test_id("state")).to_have_text("Submitted")

    anna.get_by_role("link", name="Schedule the set-up meeting").click()
    # A few minutes ahead of the pinned clock (18 November 2026, 10:00 UTC).
    field(anna, "Date and time").fill("2026-11-18T10:05")
    field(anna, "Where").fill("https://meet.example/acme")
    field(anna, "Agenda").fill("Programme overview; support resources.")
    anna.get_by_role("button", name="Schedule the meeting").click()
    expect(anna.get_by_text("Meeting scheduled; the partner has been told.")).to_be_visible()
    expect(anna.get_by_test_id("state")).to_have_text("Set-up meeting scheduled")

    # Ten minutes later the meeting has taken place.
    later(timedelta(minutes=10))
    anna.get_by_role("link", name="Record the meeting").click()
    field(anna, "Held at").fill("2026-11-18T10:05")
    field(anna, "Meeting notes").fill("Support team of three; public roadmap.")
    anna.get_by_role("button", name="Record the meeting").click()
    expect(anna.get_by_text("Meeting recorded.")).to_be_visible()
    expect(anna.get_by_test_id("state")).to_have_text("Readiness assessment")

    anna.get_by_role("link", name="Score readiness").click()
    for score, criterion in enumerate(ReadinessCriterion, start=2):
        anna.locator(f"input[name='{criterion.value}_score'][value='{score}']").check()
        field(anna, f"Comment on “{criterion.label}”").fill(f"Scored {score}.")
    shot(anna, "readiness-form")
    anna.get_by_role("button", name="Save the scores").click()
    expect(anna.get_by_text("Scores saved.")).to_be_visible()
    readiness = anna.get_by_test_id("readiness")
    for score, criterion in enumerate(ReadinessCriterion, start=2):
        expect(readiness.get_by_role("row").filter(has_text=str(criterion.label))).to_contain_text(
            f"{score}/5 — Scored {score}."
        )

    anna.get_by_role("link", name="Stage-2 facts").click()
    field(anna, "Portfolio overlap").fill("No certified call recorder on the Marketplace.")
    field(anna, "Customer requests").fill("14")
    anna.get_by_role("button", name="Save the facts").click()
    expect(anna.get_by_text("Facts saved.")).to_be_visible()

    anna.get_by_role("link", name="Accept or decline").click()
    field(anna, "Accept for approval").check()
    field(anna, "Reason, as the partner will read it").fill("Ready for certification.")
    anna.get_by_role("button", name="Record the decision").click()
    expect(anna.get_by_text("Decision recorded; the partner has been told.")).to_be_visible()
    expect(anna.get_by_test_id("state")).to_have_text("Awaiting leaders' decision")

    # --- A leader approves it in the admin, with a priority.
    lev = log_in(leader)
    lev.get_by_role("link", name="Admin").click()
    lev.get_by_role("rowheader", name="Certification requests").get_by_role("link").click()
    lev.get_by_role("link", name=SOLUTION).click()
    expect(lev).to_have_url(re.compile(re.escape(admin_change_url(pk)) + "$"))
    decisions = lev.locator("#decisions")
    expect(decisions.get_by_role("link")).to_have_text(["Approve", "Defer", "Decline"])
    shot(lev, "admin-change")
    decisions.get_by_role("link", name="Approve").click()
    expect(lev.get_by_role("heading", name=re.compile("^Approve: "))).to_be_visible()
    expect(lev.get_by_text("Customer requests: 14")).to_be_visible()
    field(lev, "Priority").select_option(label="Medium")
    field(lev, "Comment").fill("Broad need, nothing similar planned.")
    shot(lev, "admin-decision")
    lev.get_by_role("button", name="Confirm").click()
    expect(lev.get_by_text("Decision recorded: Approve.")).to_be_visible()
    expect(lev.locator("div.field-state")).to_contain_text("Approved, awaiting materials")
    expect(lev.locator("#decisions")).to_contain_text("No decision is yours to take")

    # --- The partner sees the outcome and every step on the timeline.
    nina.get_by_role("link", name=f"{SOLUTION} 1.0.0").click()
    expect(nina.get_by_test_id("state")).to_have_text("Approved, awaiting materials")
    expect(nina.get_by_test_id("awaited")).to_contain_text(
        "Provide the certification materials (stage 3)."
    )
    expect(nina.locator(".stage-bar li.done")).to_have_count(2)
    steps = nina.get_by_test_id("timeline").get_by_role("listitem")
    expect(steps).to_have_count(5)
    expected = [
        ("Submitted", "Draft", "Nina Partner"),
        ("Set-up meeting scheduled", "Submitted", "Anna Analyst"),
        ("Readiness assessment", "Set-up meeting scheduled", "Anna Analyst"),
        ("Awaiting leaders' decision", "Readiness assessment", "Anna Analyst"),
        ("Approved, awaiting materials", "Awaiting leaders' decision", "Lev Leader"),
    ]
    for step, (to_state, from_state, who) in zip(steps.all(), expected, strict=True):
        expect(step.locator("strong")).to_have_text(to_state)
        expect(step).to_contain_text(f"from {from_state}")
        expect(step).to_contain_text(who)
    expect(steps.last).to_contain_text("Priority: Medium. Broad need, nothing similar planned.")
    shot(nina, "request-detail")

    assert any(
        partner.email in message.to and "Approved, awaiting materials" in message.subject
        for message in mail.outbox
    )


def test_roadmap_conflict_leaves_only_decline(log_in, leader):
    application = ready_for_approval(
        ready_for_decision(ApplicationFactory(state=ApplicationState.AWAITING_APPROVAL)),
        conflict=True,
    )

    lev = log_in(leader)
    lev.goto(admin_change_url(application.pk))
    decisions = lev.locator("#decisions")
    expect(decisions.get_by_role("link")).to_have_text(["Decline"])
    expect(lev.locator(".errornote").first).to_contain_text(
        "R&D plans similar functionality within a year"
    )

    decisions.get_by_role("link", name="Decline").click()
    expect(lev.get_by_text("Roadmap conflict: yes — R&D ships it in Q3.")).to_be_visible()
    expect(field(lev, "Priority")).to_have_count(0)
    field(lev, "Comment").fill("R&D builds it into the product.")
    lev.get_by_role("button", name="Confirm").click()
    expect(lev.get_by_text("Decision recorded: Decline.")).to_be_visible()
    expect(lev.locator("div.field-state")).to_contain_text("Declined")


def test_partner_withdraws_a_request(log_in, partner):
    solution = SolutionFactory(partner=partner.partner, name="Acme Fax")
    application = ApplicationFactory(
        solution=solution, created_by=partner, state=ApplicationState.SUBMITTED
    )

    nina = log_in(partner)
    card = nina.get_by_test_id(f"request-{application.pk}")
    card.get_by_role("link", name=re.compile("^Acme Fax ")).click()
    nina.get_by_role("link", name="Withdraw").click()

    expect(nina.get_by_role("heading", name=f"Withdraw request #{application.pk}?")).to_be_visible()
    expect(nina.get_by_text("A withdrawn request is closed for good")).to_be_visible()
    field(nina, "Why do you withdraw it?").fill("We will apply with version 2.")
    nina.get_by_role("button", name="Withdraw the request").click()
    expect(nina.get_by_text("Request withdrawn.")).to_be_visible()
    expect(nina.get_by_test_id("state")).to_have_text("Withdrawn")

    nina.get_by_role("link", name="My requests").click()
    expect(nina.get_by_test_id(f"request-{application.pk}")).to_have_count(0)
    expect(nina.get_by_text("You have no open certification request.")).to_be_visible()
    closed = nina.get_by_role("table").get_by_role("row").filter(has_text="Acme Fax")
    expect(closed).to_contain_text("Withdrawn")


RUSSIAN_CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.mo"


def test_language_switcher_shows_the_portal_in_russian(log_in, partner):
    if not RUSSIAN_CATALOGUE.exists():
        pytest.skip(f"{RUSSIAN_CATALOGUE} is not compiled yet (make messages)")
    nina = log_in(partner)
    expect(nina.locator("html")).to_have_attribute("lang", "en")
    english = nina.get_by_role("heading", level=1).inner_text()

    field(nina, "Language").select_option("ru")
    expect(nina.locator("html")).to_have_attribute("lang", "ru")
    expect(nina).to_have_url(re.compile(r"/dashboard/$"))
    heading = nina.get_by_role("heading", level=1).inner_text()
    assert heading != english
    assert re.search("[А-Яа-яЁё]", heading), heading
    assert re.search("[А-Яа-яЁё]", nina.locator("nav.navbar").inner_text())
    assert_styled(nina)
    shot(nina, "dashboard-ru")
