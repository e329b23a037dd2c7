"""Stage 4 and after in a real browser: the support standards (a draft first), the audit with
nonconformities, the remediation plan carried out, the re-audit, the certificate and the public
badge; then an update of the certified version, which keeps the badge.

Stages 1–3 have journeys of their own (test_journey.py, test_quality_review.py): the request
starts here where they end, made with the factories. Every page these steps load is checked
by axe-core (conftest.AxeWatch).
"""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from catalogue.enums import Marketplace
from tests.e2e.conftest import unavailable
from tests.factories.dod import provide_materials
from tests.factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    SolutionFactory,
    with_state_records,
)
from workflow.enums import ApplicationState

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

# Imported only once the package is known to be installed.
from playwright.sync_api import expect

from . import test_quality_review as stage_3
from .test_quality_review import (
    REQUIRED,
    K,
    alert,
    check,
    confirm_outcome,
    field,
    material,
    upload,
    uploaded,
)

pytestmark = pytest.mark.e2e

# The people and their sign-in are those of the stage-3 journey (its pytest fixtures).
partner, analyst, rnd_expert = stage_3.partner, stage_3.analyst, stage_3.rnd_expert
sign_in = stage_3.sign_in

SOLUTION = "Acme Call Recorder"
SLUG = "acme-call-recorder"
# The labels of the buttons that may ask for a confirmation on a page of their own first.
CONFIRM = re.compile(r"^(Confirm|Yes)\b", re.IGNORECASE)
DRAFT_BUTTON = "Save draft"
# Marketplace.terrasoft.ru: one region, Moscow time, Russian (R4.5).
REGION = "russia"
WEEKDAYS = range(5)
# The audit's checklist: one row per standard of 4.1–4.2 (R4.1–R4.6).
STANDARD_ROWS = 6


@pytest.fixture
def quality_passed(partner):
    """The partner's request of a solution without external services on marketplace.terrasoft.ru,
    through stages 1–3: quality certification passed, support standards awaited."""
    solution = SolutionFactory(
        partner=partner.partner,
        name=SOLUTION,
        slug=SLUG,
        marketplace=Marketplace.TERRASOFT,
        uses_external_services=False,
    )
    return with_state_records(
        ApplicationFactory(
            solution=solution,
            version__number="1.0.0",
            created_by=partner,
            state=ApplicationState.QUALITY_PASSED,
        )
    )


def named(page, name: str):
    return page.locator(f"[name='{name}']")


def open_review(page, version: str) -> None:
    """From the queue, the request and its Review page, as a reviewer finds them."""
    page.get_by_role("link", name="Queue").click()
    page.get_by_role("row").filter(has_text=SOLUTION).get_by_role(
        "link", name=f"{SOLUTION} {version}"
    ).click()
    page.get_by_test_id("review-link").get_by_role("link", name="Review").click()
    expect(
        page.get_by_role("heading", name=f"Quality review: {SOLUTION} {version}")
    ).to_be_visible()


def click_and_confirm(page, label: str, *, done: str, scope=None, fill=None) -> None:
    """Click the button `label` and, if a confirmation page comes first, fill its fields
    (`fill`: label → value) and confirm there; then the page says `done`. Irreversible steps
    may ask first: both ways pass."""
    with page.expect_navigation():
        (scope or page).get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state("load")
    success = alert(page, done)
    if not success.count():
        for name, value in (fill or {}).items():
            field(page.locator("main"), name).fill(value)
        confirm = page.locator("main").get_by_role("button", name=CONFIRM)
        if not confirm.count():
            confirm = page.locator("main").get_by_role("button", name=label, exact=True)
        with page.expect_navigation():
            confirm.first.click()
    expect(success).to_be_visible()
    page.wait_for_load_state("load")


def open_request(page, pk: int, *, team: bool) -> None:
    """The request as its people find it: the queue for the team, the dashboard otherwise."""
    if team:
        page.get_by_role("link", name="Queue").click()
        page.get_by_role("row").filter(has_text=SOLUTION).get_by_role(
            "link", name=re.compile(rf"^{SOLUTION} ")
        ).first.click()
    else:
        page.get_by_role("link", name="My requests").click()
        page.get_by_test_id(f"request-{pk}").get_by_role(
            "link", name=re.compile(rf"^{SOLUTION} ")
        ).click()
    expect(page.get_by_test_id("state")).to_be_visible()


def fill_declaration(page) -> None:
    """The support standards of 4.1–4.2, met, for marketplace.terrasoft.ru."""
    field(page, "Support system").fill("Acme Service Desk")
    field(page, "Support system address").fill("https://support.acme.example")
    for channel in ("E-mail", "Phone"):
        page.get_by_role("checkbox", name=channel, exact=True).check()
    field(page, "Every case from every channel is registered in the support system").check()
    page.get_by_role("checkbox", name=re.compile("^Customers may also register cases")).check()
    for package in ("Basic", "Business", "Premium"):
        page.get_by_role("checkbox", name=package, exact=True).check()
    field(page, "Pre-sale questions answered within (business days)").fill("2")
    named(page, f"{REGION}-language").select_option("ru")
    for day in WEEKDAYS:
        named(page, f"{REGION}-open-{day}").fill("09:00")
        named(page, f"{REGION}-close-{day}").fill("18:00")
    named(page, "escalation_name").fill("Olga Head")
    page.get_by_role("radio", name="Head of department").check()
    named(page, "escalation_email").fill("olga.head@acme.example")
    named(page, "escalation_phone").fill("+7 495 000 00 00")


def expect_declaration_kept(page) -> None:
    expect(field(page, "Support system")).to_have_value("Acme Service Desk")
    expect(field(page, "Support system address")).to_have_value("https://support.acme.example")
    expect(page.get_by_role("checkbox", name="Phone", exact=True)).to_be_checked()
    expect(page.get_by_role("checkbox", name="Premium", exact=True)).to_be_checked()
    expect(field(page, "Pre-sale questions answered within (business days)")).to_have_value("2")
    expect(named(page, f"{REGION}-language")).to_have_value("ru")
    expect(named(page, f"{REGION}-close-4")).to_have_value("18:00")
    expect(named(page, "escalation_name")).to_have_value("Olga Head")
    expect(page.get_by_role("radio", name="Head of department")).to_be_checked()


def submit_declaration(page, *, draft: bool) -> None:
    """Save the declaration form as it is (`draft`: kept, not sent to the audit), or save it
    and submit it to the audit: the form is saved, then the confirmation page asks first."""
    if draft:
        with page.expect_navigation():
            page.get_by_role("button", name=DRAFT_BUTTON, exact=True).click()
        expect(alert(page, "Draft saved")).to_be_visible()
        page.wait_for_load_state("load")
        return
    click_and_confirm(
        page,
        "Submit the support standards",
        done="Support standards submitted. The Marketplace team will audit your support.",
    )


def record_audit(page, kind: str, *, not_ok=(), nonconformities=()) -> None:
    """Record a support audit: the checklist rows in `not_ok` ({row: note}) fail, and the
    nonconformities ((description, severity)) are reported."""
    form = page.get_by_test_id("audit-form")
    form.get_by_role("radio", name=kind).check()
    field(form, "Date").fill(timezone.localdate().isoformat())
    for row in range(STANDARD_ROWS):
        named(form, f"checklist-{row}-ok").select_option("0" if row in not_ok else "1")
        named(form, f"checklist-{row}-note").fill(dict(not_ok).get(row, ""))
    field(form, "Summary").fill(f"{kind}: thirty past cases and two test calls.")
    for row, (description, severity) in enumerate(nonconformities):
        named(form, f"nonconformities-{row}-description").fill(description)
        named(form, f"nonconformities-{row}-severity").select_option(label=severity)
    form.get_by_role("button", name="Record the audit").click()
    page.wait_for_load_state("load")


def take_outcome(page, outcome: str, comment: str, done: str) -> None:
    """An outcome of the support audit, through its page."""
    page.get_by_test_id("audit-actions").get_by_role("link", name=outcome, exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile(rf"^{outcome}: request #\d+$"))
    ).to_be_visible()
    expect(page.get_by_test_id("blocked")).to_have_count(0)
    if comment:
        page.locator("main textarea").first.fill(comment)
    page.locator("main form").get_by_role("button", name=outcome, exact=True).click()
    expect(alert(page, done)).to_be_visible()
    page.wait_for_load_state("load")


def test_support_certification_to_the_public_badge(
    sign_in, new_page, quality_passed, partner, analyst, later
):
    """R4.7: the declared support is audited; its nonconformities give a report and an agreed
    plan; the plan carried out, a re-audit passes, the request is certified and the badge is
    public (R7.1)."""
    pk = quality_passed.pk
    today = timezone.localdate()

    # --- The partner declares the support standards: saved first, submitted later.
    nina = sign_in(partner)
    open_request(nina, pk, team=False)
    expect(nina.get_by_test_id("state")).to_have_text("Quality certification passed")
    nina.get_by_test_id("support-links").get_by_role("link", name="Support standards").click()
    expect(nina.get_by_role("heading", name=f"Support standards: {SOLUTION} 1.0.0")).to_be_visible()
    fill_declaration(nina)
    submit_declaration(nina, draft=True)
    expect(nina.get_by_test_id("state")).to_have_text("Quality certification passed")

    # The partner leaves, comes back: everything saved is there, and submits.
    nina.get_by_role("link", name="My requests").click()
    open_request(nina, pk, team=False)
    nina.get_by_test_id("support-links").get_by_role("link", name="Support standards").click()
    expect_declaration_kept(nina)
    submit_declaration(nina, draft=False)
    expect(nina.get_by_test_id("state")).to_have_text("Support standards under audit")

    # --- The analyst audits past cases and finds two nonconformities.
    anna = sign_in(analyst)
    open_request(anna, pk, team=True)
    anna.get_by_test_id("support-links").get_by_role("link", name="Support audit").click()
    expect(anna.get_by_test_id("purpose")).to_have_text("— Support certification")
    record_audit(
        anna,
        "Analysis of past cases",
        not_ok={0: "Chat cases are not in the desk.", 3: "Four days."},
        nonconformities=[
            ("Chat cases are not registered.", "Major"),
            ("Pre-sale questions waited four days.", "Critical"),
        ],
    )
    expect(
        alert(anna, "Audit recorded with 2 nonconformities. Agree the remediation plan next.")
    ).to_be_visible()
    expect(anna.get_by_test_id("outcome")).to_have_text(["Nonconformities found"])

    # The plan is agreed with the partner: one action due tomorrow, one in ten days.
    plan = anna.get_by_test_id("plan-form")
    rows = [
        ("Connect the chat to the desk.", "Olga Head", today + timedelta(days=1)),
        ("Hire a pre-sale engineer.", "Ivan CEO", today + timedelta(days=10)),
    ]
    for row, (action, owner, due) in enumerate(rows):
        named(plan, f"plan-{row}-description").fill(action)
        named(plan, f"plan-{row}-owner").fill(owner)
        named(plan, f"plan-{row}-due_on").fill(due.isoformat())
    plan.get_by_role("button", name="Agree the plan").click()
    expect(
        alert(anna, "Remediation plan agreed. Send the nonconformity report to the partner.")
    ).to_be_visible()
    take_outcome(
        anna,
        "Send the nonconformity report",
        "Please fix these two.",
        "Nonconformity report sent; the partner carries out the plan.",
    )
    expect(anna.get_by_test_id("state")).to_have_text("Remediating support nonconformities")

    # --- Two days on (a new session), the partner reads the report and carries out the plan.
    later(timedelta(days=2))
    nina = sign_in(partner)
    open_request(nina, pk, team=False)
    nina.get_by_test_id("support-links").get_by_role("link", name="Remediation").click()
    expect(nina.get_by_test_id("report-message")).to_contain_text("Please fix these two.")
    expect(nina.get_by_test_id("nonconformity")).to_have_count(2)
    expect(nina.get_by_test_id("item-status")).to_have_text(["overdue", "to do"])
    expect(nina.get_by_test_id("reaudit-area").get_by_role("button")).to_be_disabled()
    for action, _owner, _due in rows:
        item = nina.get_by_test_id("plan-item").filter(has_text=action)
        click_and_confirm(
            nina,
            "Mark done",
            scope=item,
            done=f"Marked done: {action}",
            fill={"What was done": f"Done: {action}."},
        )
    done_on = nina.get_by_test_id("item-status")
    expect(done_on).to_have_text([re.compile(r"^done on "), re.compile(r"^done on ")])
    click_and_confirm(
        nina,
        "Ask for the re-audit",
        done="Re-audit requested. The Marketplace team will audit your support again.",
    )
    expect(nina.get_by_test_id("state")).to_have_text("Support standards under audit")

    # --- The re-audit by a mystery shopper passes; the analyst passes and certifies.
    anna = sign_in(analyst)
    open_request(anna, pk, team=True)
    anna.get_by_test_id("support-links").get_by_role("link", name="Support audit").click()
    expect(anna.get_by_test_id("purpose")).to_have_text("— Re-audit after remediation")
    record_audit(anna, "Mystery shopper")
    expect(anna.get_by_test_id("outcome")).to_have_text(["Passed", "Nonconformities found"])
    expect(anna.get_by_test_id("nc-status")).to_have_text(
        [re.compile("^closed by the re-audit of ")] * 2
    )
    take_outcome(anna, "Pass support certification", "", "Support certification passed.")
    take_outcome(
        anna,
        "Certify",
        "Welcome aboard.",
        "Certified: the badge is on and the partner has been told.",
    )
    expect(anna.get_by_test_id("state")).to_have_text("Certified")

    # --- Anyone sees the badge: in the catalogue, as an image and as data.
    visitor = new_page()
    visitor.goto("/catalogue/")
    card = visitor.get_by_test_id("certified-solution").filter(has_text=SOLUTION)
    expect(card).to_contain_text("Acme Integrations")
    expect(card.get_by_role("img", name="Certified, version 1.0.0")).to_be_visible()
    badge = visitor.request.get(f"/badges/{SLUG}.json")
    assert json.loads(badge.body())["certified"] is True
    assert json.loads(badge.body())["certified_version"] == "1.0.0"


def test_a_declaration_half_done_saved_as_a_draft_is_kept(sign_in, quality_passed, partner):
    """A partner who saves an unfinished declaration as a draft finds it as left, later."""
    nina = sign_in(partner)
    nina.goto(f"/support/{quality_passed.pk}/declaration/")
    field(nina, "Support system").fill("Acme Service Desk")
    nina.get_by_role("checkbox", name="Phone", exact=True).check()
    named(nina, f"{REGION}-open-0").fill("09:00")

    submit_declaration(nina, draft=True)
    nina.get_by_role("link", name="My requests").click()
    open_request(nina, quality_passed.pk, team=False)
    nina.get_by_test_id("support-links").get_by_role("link", name="Support standards").click()

    expect(field(nina, "Support system")).to_have_value("Acme Service Desk")
    expect(nina.get_by_role("checkbox", name="Phone", exact=True)).to_be_checked()
    expect(nina.get_by_role("checkbox", name="E-mail", exact=True)).not_to_be_checked()
    expect(named(nina, f"{REGION}-open-0")).to_have_value("09:00")
    expect(nina.get_by_test_id("state")).to_have_text("Quality certification passed")


@pytest.fixture
def certified(partner):
    """The partner's solution, certified with version 1.0.0 and its accepted materials."""
    certification = CertificationFactory(
        solution=SolutionFactory(
            partner=partner.partner, name=SOLUTION, slug=SLUG, uses_external_services=False
        ),
        application__version__number="1.0.0",
        application__created_by=partner,
    )
    provide_materials(certification.application, partner)
    return certification


def test_update_of_a_certified_version_keeps_the_badge(
    sign_in, new_page, tmp_path, edition, certified, partner, analyst, rnd_expert
):
    """R3.2, R6.1, R6.2: a new version of the certified solution passes stage 3 again with the
    accepted materials re-confirmed, What's new and backward compatibility; the badge stays on
    all along and moves to the new version (R7.1)."""

    # --- The partner opens the update with a new version and re-confirms the materials.
    nina = sign_in(partner)
    nina.get_by_role("link", name="My solutions").click()
    nina.get_by_role("link", name=SOLUTION, exact=True).click()
    nina.get_by_role("link", name="Open an update").click()
    expect(nina.get_by_test_id("update-intro")).to_contain_text("Certified version: 1.0.0")
    field(nina, "or register a new version").fill("1.1.0")
    field(nina, "What changed and why").fill("Faster dialling; a new call list.")
    nina.get_by_role("button", name="Open the request").click()
    expect(alert(nina, "for version 1.1.0 is open")).to_be_visible()
    expect(nina.get_by_role("heading", name=f"Materials of {SOLUTION} 1.1.0")).to_be_visible()
    for kind in REQUIRED:
        form = material(nina, kind).get_by_test_id("reconfirm-form")
        form.get_by_role("checkbox").check()
        form.get_by_role("button", name="Re-confirm the certified version's material").click()
        expect(
            alert(nina, f"{kind.label}: the certified version's material is re-confirmed")
        ).to_be_visible()
    whats_new = tmp_path / "whats-new.txt"
    whats_new.write_text("1.1.0: faster dialling; a new call list.\n")
    upload(nina, K.WHATS_NEW, file=whats_new)
    uploaded(nina, K.WHATS_NEW, 1)
    compatibility = nina.get_by_test_id("compatibility")
    compatibility.get_by_role("checkbox").check()
    field(compatibility, "How you checked it").fill("Upgrade tested on a copy with data.")
    compatibility.get_by_role("button", name="Confirm backward compatibility").click()
    expect(alert(nina, "Backward compatibility confirmed.")).to_be_visible()
    click_and_confirm(nina, "Submit for review", done="Materials submitted for review.")
    expect(nina.get_by_test_id("state")).to_have_text("Materials submitted for review")

    # The badge stays on while the update is reviewed.
    visitor = new_page()
    visitor.goto("/catalogue/")
    card = visitor.get_by_test_id("certified-solution").filter(has_text=SOLUTION)
    expect(card.get_by_role("img", name="Certified, version 1.0.0")).to_be_visible()

    # --- The analyst and the R&D expert review it; it passes.
    anna = sign_in(analyst)
    open_review(anna, "1.1.0")
    click_and_confirm(anna, "Start the review", done="Review round started")
    for number in range(1, 9):
        check(anna, number, "Pass", "Holds in 1.1.0.")
    anna.get_by_test_id("compatibility").get_by_role(
        "button", name="Backward compatibility verified"
    ).click()
    expect(anna.get_by_test_id("compatibility-verified")).to_have_text("yes")
    roman = sign_in(rnd_expert)
    open_review(roman, "1.1.0")
    for number in (9, 10):
        check(roman, number, "Not applicable", "No external service.")
    anna.reload()
    expect(anna.get_by_test_id("criteria-summary")).to_have_text("10 of 10 criteria passed.")
    confirm_outcome(anna, "Pass", "Version 1.1.0 meets the DoD.", "Certified", screenshot="update")

    # --- The badge is kept, now for version 1.1.0.
    visitor.reload()
    card = visitor.get_by_test_id("certified-solution").filter(has_text=SOLUTION)
    expect(card.get_by_role("img", name="Certified, version 1.1.0")).to_be_visible()
    badge = json.loads(visitor.request.get(f"/badges/{SLUG}.json").body())
    assert (badge["certified"], badge["certified_version"]) == (True, "1.1.0")
