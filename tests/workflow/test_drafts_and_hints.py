"""A draft request edited by its partner; the next-step hints of every state; help texts that
speak the user's language."""

import importlib
import re

import pytest
from django import forms
from django.apps import apps
from django.urls import resolve, reverse
from django_fsm_log.models import StateLog

from workflow.enums import ApplicationState
from workflow.forms import ApprovalFactsForm
from workflow.guidance import FOR_PARTNER, FOR_TEAM, next_step
from workflow.models import Application

from ..factories.dod import submitted
from ..factories.workflow import (
    ApplicationFactory,
    VersionFactory,
    actor,
    score_all_criteria,
    with_state_records,
)
from .markup import alerts, attr, by_testid, field_value, find_all, text

S = ApplicationState
pytestmark = pytest.mark.django_db


def edit_url(application) -> str:
    return reverse("application_edit", args=[application.pk])


def draft_with_two_versions():
    application = ApplicationFactory(version__number="1.0.0", motivation="Customers ask.")
    newer = VersionFactory(solution=application.solution, number="1.1.0")
    return application, newer


# --- The draft, edited ----------------------------------------------------------------------


def test_edit_page_of_a_draft_shows_every_field_as_saved(client):
    application, _newer = draft_with_two_versions()
    client.force_login(actor("own_partner", application))

    page = client.get(edit_url(application))

    assert page.status_code == 200
    assert field_value(page, "version") == [str(application.version_id)]
    assert field_value(page, "motivation") == "Customers ask."
    assert [attr(node, "value") for node in find_all(page, "input", type="submit")] == [
        "Save the draft"
    ]


def test_edited_draft_keeps_its_state_and_the_timeline_says_what_changed(client):
    application, newer = draft_with_two_versions()
    partner = actor("own_partner", application)
    client.force_login(partner)

    response = client.post(
        edit_url(application),
        {"version": newer.pk, "motivation": "Three customers asked.", "seen_state": S.DRAFT},
        follow=True,
    )

    stored = Application.objects.get(pk=application.pk)
    assert (stored.state, stored.version, stored.motivation) == (
        S.DRAFT,
        newer,
        "Three customers asked.",
    )
    assert alerts(response) == ["Draft saved. Check it and submit it."]
    (log,) = StateLog.objects.for_(stored)
    assert (log.transition, log.by, log.source_state, log.state, log.description) == (
        "edit_draft",
        partner,
        S.DRAFT,
        S.DRAFT,
        "Version 1.0.0 changed to 1.1.0. Motivation changed.",
    )
    assert "Version 1.0.0 changed to 1.1.0. Motivation changed." in by_testid(response, "timeline")


def test_draft_saved_unchanged_writes_nothing(client):
    application, _newer = draft_with_two_versions()
    client.force_login(actor("own_partner", application))

    response = client.post(
        edit_url(application),
        {"version": application.version_id, "motivation": "Customers ask.", "seen_state": "draft"},
        follow=True,
    )

    assert alerts(response) == ["Nothing changed: the draft is as it was."]
    assert StateLog.objects.for_(application).count() == 0


def test_edit_with_an_empty_motivation_shows_the_form_again_with_the_input(client):
    application, newer = draft_with_two_versions()
    client.force_login(actor("own_partner", application))

    response = client.post(
        edit_url(application), {"version": newer.pk, "motivation": "", "seen_state": S.DRAFT}
    )

    assert response.status_code == 200
    assert field_value(response, "version") == [str(newer.pk)]
    assert Application.objects.get(pk=application.pk).version_id == application.version_id


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("state", [S.SUBMITTED, S.AWAITING_MATERIALS, S.WITHDRAWN])
def test_a_request_past_its_draft_is_not_edited_and_the_page_says_why(client, state, method):
    application, newer = draft_with_two_versions()
    Application.objects.filter(pk=application.pk).update(state=state)
    client.force_login(actor("own_partner", application))

    response = getattr(client, method)(
        edit_url(application), {"version": newer.pk, "motivation": "Changed.", "seen_state": state}
    )

    assert response.status_code == 409
    assert by_testid(response, "refusal") == (
        f"This request is “{S(state).label}”: only a draft can be edited. What was submitted "
        "stays on the record; withdraw the request and file a new one to change it."
    )
    stored = Application.objects.get(pk=application.pk)
    assert (stored.version_id, stored.motivation) == (application.version_id, "Customers ask.")


@pytest.mark.parametrize(("role", "status"), [("other_partner", 404), ("analyst", 403)])
def test_only_the_owning_partner_edits_a_draft(client, role, status):
    application, newer = draft_with_two_versions()
    client.force_login(actor(role, application))

    response = client.post(
        edit_url(application),
        {"version": newer.pk, "motivation": "Mine now.", "seen_state": "draft"},
    )

    assert response.status_code == status
    assert Application.objects.get(pk=application.pk).motivation == "Customers ask."


def test_request_page_of_a_draft_offers_the_edit(client):
    application = ApplicationFactory()
    client.force_login(actor("own_partner", application))

    page = client.get(reverse("application_detail", args=[application.pk]))

    (link,) = [a for a in find_all(page, "a") if text(a) == "Edit the request"]
    assert attr(link, "href") == edit_url(application)


# --- The next step of every state -------------------------------------------------------------


def _path(url: str) -> str:
    return url.split("#", 1)[0]


@pytest.mark.parametrize("partner_side", [True, False], ids=["partner", "team"])
@pytest.mark.parametrize("state", list(S))
def test_every_state_has_a_hint_for_each_side_and_its_link_resolves(state, partner_side):
    application = ApplicationFactory(state=state)

    hint = next_step(application, partner_side=partner_side)

    table = FOR_PARTNER if partner_side else FOR_TEAM
    assert hint.text == str(table[state])
    if hint.url:
        assert hint.where
        match = resolve(_path(hint.url))
        if "pk" in match.kwargs:
            assert match.kwargs["pk"] == application.pk
        else:
            assert application.solution.slug in hint.url or str(application.pk) in hint.url


def test_every_waiting_state_names_where_the_step_is_taken():
    """A state where a side has something to do links there; "Nothing…" hints need no link."""
    acting = []
    for state in S:
        application = ApplicationFactory(state=state)
        for partner_side in (True, False):
            hint = next_step(application, partner_side=partner_side)
            if not hint.text.startswith("Nothing"):
                acting.append((state, partner_side, bool(hint.url)))

    assert acting and all(linked for _state, _side, linked in acting), acting


def test_request_page_tells_the_team_where_to_certify(client):
    application = with_state_records(ApplicationFactory(state=S.SUPPORT_PASSED))
    client.force_login(actor("analyst"))

    page = client.get(reverse("application_detail", args=[application.pk]))
    (link,) = find_all(page, data_testid="awaited-link")
    audit_page = client.get(_path(attr(link, "href")))

    assert by_testid(page, "awaited") == (
        "Next step: Certify the solution: the badge goes on. "
        "Where: the outcome buttons, on the Support audit page. Go there"
    )
    assert attr(link, "href") == reverse("support_audit", args=[application.pk]) + "#outcomes"
    assert audit_page.status_code == 200
    assert find_all(audit_page, id="outcomes") != []


def test_after_the_readiness_is_scored_the_hint_moves_on_to_the_decision(client):
    application = ApplicationFactory(state=S.READINESS_REVIEW)
    analyst = actor("analyst")
    client.force_login(analyst)
    before = client.get(reverse("application_detail", args=[application.pk]))

    score_all_criteria(application, by=analyst)
    after = client.get(reverse("application_detail", args=[application.pk]))

    assert by_testid(before, "awaited") == (
        "Next step: Score the four readiness criteria and accept or decline. "
        "Where: the four criteria, on the readiness page. Go there"
    )
    assert by_testid(after, "awaited") == (
        "Next step: Readiness is scored: accept the request for approval or decline it. "
        "Where: the stage-1 decision, on the decision page. Go there"
    )
    (link,) = find_all(after, data_testid="awaited-link")
    assert attr(link, "href") == reverse("readiness_decide", args=[application.pk])


def test_queue_says_the_readiness_is_scored(client):
    with_state_records(ApplicationFactory(state=S.READINESS_REVIEW))
    analyst = actor("analyst")
    client.force_login(analyst)

    page = client.get(reverse("queue"))

    assert "Readiness is scored: accept the request for approval or decline it." in page.text


def test_partner_is_sent_to_the_materials_page_for_the_materials(client):
    application = ApplicationFactory(state=S.AWAITING_MATERIALS)
    client.force_login(actor("own_partner", application))

    page = client.get(reverse("application_detail", args=[application.pk]))

    (link,) = find_all(page, data_testid="awaited-link")
    assert by_testid(page, "awaited") == (
        "Awaited from you: Provide the certification materials (stage 3). "
        "Where: the list of materials, on the Materials page. Go there"
    )
    assert attr(link, "href") == reverse("materials", args=[application.pk])


def test_review_page_after_the_materials_were_submitted_says_an_analyst_starts_next(client):
    application = submitted()
    client.force_login(actor("analyst"))

    page = client.get(reverse("review", args=[application.pk]))

    assert by_testid(page, "no-rounds").startswith(
        "No review round yet: the partner submitted the materials on "
    )
    assert by_testid(page, "no-rounds").endswith(
        "and they wait for an analyst to start the review (“Start the review” above)."
    )
    assert by_testid(page, "awaited") == (
        "Next step: Start the quality review: the partner has submitted the materials. "
        "Where: the review's actions, below on this page. Go there"
    )


def test_review_page_before_the_materials_says_they_are_awaited(client):
    application = with_state_records(ApplicationFactory(state=S.AWAITING_MATERIALS))
    client.force_login(actor("analyst"))

    page = client.get(reverse("review", args=[application.pk]))

    assert by_testid(page, "no-rounds") == (
        "No review round yet: the first one starts once the partner has submitted the materials."
    )


# --- Help texts --------------------------------------------------------------------------------

BARE_RULE = re.compile(r"^\W*R\d+\.\d+")


def _project_forms():
    for config in apps.get_app_configs():
        if config.path.find(".venv") != -1 or "site-packages" in config.path:
            continue
        for name in ("forms", "forms_materials", "regular_forms", "remediation_forms"):
            try:
                importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
    found, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {c.name for c in apps.get_app_configs()}:
            found.append(cls)
    return found


def test_no_help_text_or_label_starts_with_a_rule_id():
    """Users read their own words first; a rule ID comes after them, in brackets."""
    classes = _project_forms()
    offending = [
        (cls.__name__, name, str(text_))
        for cls in classes
        for name, field in getattr(cls, "base_fields", {}).items()
        for text_ in (field.help_text, field.label)
        if text_ and BARE_RULE.match(str(text_))
    ]

    assert len(classes) > 20
    assert offending == []


def test_customer_requests_help_text_says_what_to_count():
    help_text = str(ApprovalFactsForm.base_fields["customer_requests"].help_text)

    assert help_text == (
        "How many customers asked for this solution or its functionality: the leaders weigh "
        "customer demand (R2.4)."
    )
