"""Every one-way step of a request asks for a confirmation that says what will happen: the
button opens the confirmation page (a plain GET, no script needed), only the confirmed POST
acts, and a POST without the confirmation shows the page again and changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from tests.factories.dod import partner_of, provide_materials, submitted
from tests.factories.support_audit import (
    NonconformityFactory,
    RemediationItemFactory,
    RemediationPlanFactory,
    SupportDeclarationFactory,
)
from tests.factories.workflow import ApplicationFactory, actor
from tests.workflow.support_pages.helpers import under_audit
from workflow.enums import ApplicationState
from workflow.models import Application
from workflow.services import support

from .markup import alerts, attr, by_testid, confirming, find_all, text, texts

S = ApplicationState
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Step:
    """A one-way step: where its button is, its confirmation page, what the page says."""

    url_name: str
    label: str  # the button's, on its page and on the confirmation page
    origin: Callable[[Application], str]  # the page the button is on
    before: S
    after: S
    says: str  # the start of what the confirmation says will happen
    title: str


def draft():
    application = ApplicationFactory()
    return application, partner_of(application)


def materials_in():
    application = ApplicationFactory(
        state=S.AWAITING_MATERIALS, solution__uses_external_services=False
    )
    partner = partner_of(application)
    provide_materials(application, partner)
    return application, partner


def materials_submitted():
    return submitted(), actor("analyst")


def declared():
    application = SupportDeclarationFactory().application
    return application, partner_of(application)


def plan_carried_out():
    analyst = actor("analyst")
    application = under_audit()
    audit = NonconformityFactory(audit__application=application).audit
    item = RemediationItemFactory(plan=RemediationPlanFactory(audit=audit))
    support.nonconformities_report(application=application, by=analyst, comment="Fix it.")
    partner = partner_of(application)
    support.plan_item_done(item=item, by=partner, note="Night shift hired.")
    return Application.objects.get(pk=application.pk), partner


def _page(name):
    return lambda application: reverse(name, args=[application.pk])


STEPS = {
    "submit": (
        draft,
        Step(
            "application_submit",
            "Submit the request",
            _page("application_detail"),
            S.DRAFT,
            S.SUBMITTED,
            "After submitting you can no longer edit the request.",
            "Submit request #{pk}?",
        ),
    ),
    "submit_materials": (
        materials_in,
        Step(
            "materials_submit",
            "Submit for review",
            _page("materials"),
            S.AWAITING_MATERIALS,
            S.SUBMITTED_FOR_REVIEW,
            "After submitting you can no longer add or change materials",
            "Submit the materials of request #{pk} for review?",
        ),
    ),
    "start_review": (
        materials_submitted,
        Step(
            "review_start",
            "Start the review",
            _page("review"),
            S.SUBMITTED_FOR_REVIEW,
            S.IN_REVIEW,
            "A review round opens",
            "Start the quality review of request #{pk}?",
        ),
    ),
    "submit_support": (
        declared,
        Step(
            "support_declaration_submit",
            "Submit the support standards",
            _page("support_declaration"),
            S.QUALITY_PASSED,
            S.SUPPORT_REVIEW,
            "After submitting you can no longer change the support standards",
            "Submit the support standards of request #{pk}?",
        ),
    ),
    "request_reaudit": (
        plan_carried_out,
        Step(
            "support_reaudit",
            "Ask for the re-audit",
            _page("support_remediation"),
            S.REMEDIATION,
            S.SUPPORT_REVIEW,
            "The Marketplace team audits your support again",
            "Ask for the re-audit of request #{pk}?",
        ),
    ),
}
CASES = [pytest.param(setup, step, id=name) for name, (setup, step) in STEPS.items()]


def confirm_url(step, application) -> str:
    return reverse(step.url_name, args=[application.pk])


def submit_labels(response) -> list[str]:
    return [attr(node, "value") for node in find_all(response, "input", type="submit")]


def assert_confirmation_shown(response, step, application, steps_before) -> None:
    """The confirmation page, saying what will happen, and the request as it was."""
    assert response.status_code == 200
    assert by_testid(response, "consequence").startswith(step.says)
    assert submit_labels(response) == [step.label]
    assert Application.objects.get(pk=application.pk).state == step.before
    assert steps_taken(application) == steps_before


def steps_taken(application) -> list[str]:
    return list(StateLog.objects.for_(application).values_list("transition", flat=True))


# The declaration's own Submit button saves the form first and then opens the confirmation
# (tests/support_audit/test_declaration_draft.py); the others are plain links to it.
BUTTON_CASES = [case for case in CASES if case.id != "submit_support"]


@pytest.mark.parametrize(("setup", "step"), BUTTON_CASES)
def test_the_button_opens_the_confirmation_page_without_a_script(client, setup, step):
    application, user = setup()
    client.force_login(user)

    origin = client.get(step.origin(application))

    (form,) = [
        form
        for form in find_all(origin, "form")
        if attr(form, "action") == confirm_url(step, application)
    ]
    assert attr(form, "method") == "get"
    assert [text(button) for button in find_all(form, "button")] == [step.label]


@pytest.mark.parametrize(("setup", "step"), CASES)
def test_the_confirmation_page_says_what_will_happen_and_changes_nothing(client, setup, step):
    application, user = setup()
    client.force_login(user)
    before = steps_taken(application)

    page = client.get(confirm_url(step, application))

    assert texts(page, "h1") == [step.title.format(pk=application.pk)]
    assert_confirmation_shown(page, step, application, before)


@pytest.mark.parametrize(("setup", "step"), CASES)
def test_a_post_without_the_confirmation_does_nothing_and_shows_the_page_again(client, setup, step):
    application, user = setup()
    client.force_login(user)
    before = steps_taken(application)

    response = client.post(confirm_url(step, application), {"seen_state": step.before})

    assert alerts(response) == ["Nothing was done yet: check what will happen and confirm."]
    assert_confirmation_shown(response, step, application, before)


@pytest.mark.parametrize(("setup", "step"), CASES)
def test_the_confirmed_post_takes_the_step_with_its_comment(client, setup, step):
    application, user = setup()
    client.force_login(user)

    response = client.post(
        confirm_url(step, application),
        confirming({"seen_state": step.before, "comment": "As discussed."}),
    )

    assert response.status_code == 302
    stored = Application.objects.get(pk=application.pk)
    assert stored.state == step.after
    log = StateLog.objects.for_(stored).order_by("-pk").first()
    assert (log.source_state, log.state, log.by, log.description) == (
        step.before,
        step.after,
        user,
        "As discussed.",
    )


def test_a_step_not_possible_now_says_why_and_offers_no_confirmation(client):
    """R1.1: a draft of a solution no longer published cannot be submitted; the page says so."""
    application = ApplicationFactory(solution__is_published=False)
    client.force_login(partner_of(application))

    page = client.get(reverse("application_submit", args=[application.pk]))

    assert by_testid(page, "blocked") == (
        "Not possible now: The solution must be published on the Marketplace (R1.1)."
    )
    assert submit_labels(page) == []


def test_the_materials_comment_typed_beside_the_button_is_kept_on_the_confirmation(client):
    application, partner = materials_in()
    client.force_login(partner)

    page = client.get(
        reverse("materials_submit", args=[application.pk]), {"comment": "All ten in."}
    )

    (comment,) = find_all(page, "textarea", name="comment")
    assert text(comment) == "All ten in."


# --- The steps that already confirmed on a page of their own ------------------------------------


@pytest.mark.parametrize(
    ("state", "role", "url_name", "kwargs", "label"),
    [
        (S.SUBMITTED, "own_partner", "application_withdraw", {}, "Withdraw the request"),
        (S.IN_REVIEW, "analyst", "review_outcome", {"outcome": "decline"}, "Decline"),
        (S.SUPPORT_PASSED, "analyst", "support_outcome", {"outcome": "certify"}, None),
        (S.SUPPORT_REVIEW, "analyst", "support_outcome", {"outcome": "decline"}, None),
    ],
)
def test_withdraw_decline_and_certify_open_a_confirmation_first(
    client, state, role, url_name, kwargs, label
):
    application = ApplicationFactory(state=state)
    client.force_login(actor(role, application))

    page = client.get(reverse(url_name, kwargs={"pk": application.pk, **kwargs}))

    assert page.status_code == 200
    assert find_all(page, "form", method="post") != []
    if label:
        assert label in submit_labels(page)
    assert Application.objects.get(pk=application.pk).state == state
