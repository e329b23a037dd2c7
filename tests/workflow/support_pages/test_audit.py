"""Stage 4 pages of a request: the partner's support standards, the team's audit and the"""

from datetime import timedelta

import pytest
from django.utils import timezone

from support_audit.enums import AuditOutcome, AuditPurpose
from support_audit.models import (
    RemediationPlan,
    SupportAudit,
)
from tests.factories.support_audit import (
    NonconformityFactory,
    SupportDeclarationFactory,
)
from tests.factories.workflow import actor
from tests.workflow.markup import (
    alerts,
    by_testid,
    errors,
    field_value,
    find_all,
    text,
    texts,
)
from tests.workflow.support_pages.helpers import (
    NOT_ALLOWED,
    NOT_FOUND,
    STALE,
    STANDARD_ROWS,
    S,
    action_labels,
    audit_data,
    blocked,
    partner_of,
    plan_data,
    under_audit,
    url,
)
from workflow import services as app_services
from workflow.models import Application

pytestmark = pytest.mark.django_db


# --- 2. The audit page ----------------------------------------------------------------------------


def test_audit_page_sums_up_a_terrasoft_declaration_beside_the_audit(client, analyst):
    declaration = SupportDeclarationFactory(terrasoft=True, application__state=S.SUPPORT_REVIEW)
    client.force_login(analyst)

    response = client.get(url("support_audit", declaration.application))

    assert texts(response, data_testid="region-week") == [
        "Russia, MSK (UTC+3) · Russian Mon–Fri 09:00–18:00"
    ]
    assert by_testid(response, "presale") == "within 2 business days"


@pytest.mark.parametrize("role", ["own_partner", "other_partner"])
def test_audit_page_is_not_found_for_partners(client, role):
    application = under_audit()
    client.force_login(actor(role, application))

    response = client.get(url("support_audit", application))

    assert (response.status_code, text(find_all(response, "main")[0])) == (404, NOT_FOUND)


def test_audit_page_before_any_audit_shows_empty_states_and_why_nothing_passes(client, analyst):
    application = under_audit()
    client.force_login(analyst)

    response = client.get(url("support_audit", application))

    assert by_testid(response, "no-audits") == "No audit recorded yet."
    assert by_testid(response, "purpose") == "— Support certification"
    assert action_labels(response) == [
        ("Send the nonconformity report", "disabled"),
        ("Pass support certification", "disabled"),
        ("Decline", "enabled"),
    ]
    assert blocked(response) == [
        "Send the nonconformity report is not possible yet: Record a support audit with its "
        "nonconformities and an agreed plan first (R4.7).",
        "Pass support certification is not possible yet: The latest support audit must have "
        "passed, with no nonconformity open (R4.7).",
    ]
    (form,) = find_all(response, data_testid="checklist-form")
    assert [text(row.children[0]) for row in find_all(form, "tr")[1:7]] == STANDARD_ROWS


def test_audit_page_shows_the_leader_the_audit_read_only(client):
    application = under_audit()
    client.force_login(actor("leader", application))

    response = client.get(url("support_audit", application))

    assert by_testid(response, "read-only") == (
        "Read-only for you: analysts and auditors run the support audit."
    )
    assert find_all(response, data_testid="audit-form") == []
    assert action_labels(response) == []


@pytest.mark.parametrize("role", ["analyst", "auditor"])
def test_audit_is_recorded_by_analysts_and_auditors(client, role):
    application = under_audit()
    user = actor(role, application)
    client.force_login(user)

    response = client.post(url("support_audit_record", application), audit_data(application))
    page = client.get(response.url)

    audit = SupportAudit.objects.get(application=application)
    assert alerts(page) == ["Audit recorded: passed, with no nonconformity."]
    assert (audit.auditor, audit.purpose, audit.outcome) == (
        user,
        AuditPurpose.CERTIFICATION,
        AuditOutcome.PASSED,
    )
    assert [row["item"] for row in audit.checklist] == STANDARD_ROWS
    assert texts(page, data_testid="outcome") == ["Passed"]


@pytest.mark.parametrize(
    ("role", "seen"),
    [("leader", NOT_ALLOWED), ("own_partner", NOT_FOUND), ("rnd_expert", NOT_ALLOWED)],
)
def test_audit_is_refused_to_other_roles(client, role, seen):
    application = under_audit()
    client.force_login(actor(role, application))

    response = client.post(url("support_audit_record", application), audit_data(application))

    assert text(find_all(response, "main")[0]) == seen
    assert SupportAudit.objects.count() == 0


def test_audit_with_an_item_not_ok_needs_its_nonconformity(client, analyst):
    application = under_audit()
    client.force_login(analyst)

    response = client.post(
        url("support_audit_record", application),
        audit_data(application, results={3: (False, "Two questions waited four days.")}),
    )

    assert errors(response) == [
        "Items are not OK (R4.4: pre-sale questions are answered within two business days.): "
        "describe the nonconformities they make."
    ]
    assert field_value(response, "checklist-3-note") == "Two questions waited four days."
    assert field_value(response, "checklist-3-ok") == ["0"]
    assert SupportAudit.objects.count() == 0


def test_audit_with_an_unanswered_standard_row_is_refused(client, analyst):
    application = under_audit()
    client.force_login(analyst)

    response = client.post(
        url("support_audit_record", application), audit_data(application, **{"checklist-2-ok": ""})
    )

    assert errors(response) == ["Say whether it is OK."]
    assert SupportAudit.objects.count() == 0


def test_audit_held_in_the_future_is_refused(client, analyst):
    application = under_audit()
    client.force_login(analyst)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = client.post(
        url("support_audit_record", application),
        audit_data(application, **{"audit-held_on": tomorrow}),
    )

    assert errors(response) == ["An audit is recorded once it has been held."]
    assert field_value(response, "audit-summary") == "Thirty past cases analysed; two test calls."


def test_audit_from_a_stale_page_keeps_the_input(client, analyst):
    application = under_audit()
    app_services.application_withdraw(
        application=application, by=partner_of(application), reason="Not now."
    )
    client.force_login(analyst)

    response = client.post(
        url("support_audit_record", application),
        audit_data(application, **{"audit-seen_state": S.SUPPORT_REVIEW}),
    )

    assert errors(response) == [STALE % "Withdrawn"]
    assert field_value(response, "audit-summary") == "Thirty past cases analysed; two test calls."
    assert SupportAudit.objects.count() == 0


def test_plan_needs_at_least_one_action(client, analyst):
    application = under_audit()
    audit = NonconformityFactory(audit__application=application).audit
    client.force_login(analyst)

    response = client.post(
        url("support_plan_agree", application, audit_pk=audit.pk), plan_data(application, [])
    )

    assert texts(response, data_testid="plan-error") == ["A plan has at least one action."]
    assert RemediationPlan.objects.count() == 0


def test_plan_row_without_its_owner_is_refused(client, analyst):
    application = under_audit()
    audit = NonconformityFactory(audit__application=application).audit
    client.force_login(analyst)
    data = plan_data(application, [("Connect the chat.", "", timezone.localdate())])

    response = client.post(url("support_plan_agree", application, audit_pk=audit.pk), data)

    assert errors(response) == ["Give the action, its owner and its due date."]
    assert field_value(response, "plan-0-description") == "Connect the chat."


def test_plan_for_a_withdrawn_request_is_refused(client, analyst):
    application = under_audit()
    audit = NonconformityFactory(audit__application=application).audit
    app_services.application_withdraw(
        application=application, by=partner_of(application), reason="Not now."
    )
    client.force_login(analyst)
    data = plan_data(application, [("Connect the chat.", "Olga Head", timezone.localdate())])

    response = client.post(url("support_plan_agree", application, audit_pk=audit.pk), data)

    assert errors(response) == ["A remediation plan is agreed while the support is under audit."]
    assert RemediationPlan.objects.count() == 0


def test_decline_needs_a_reason(client, analyst):
    application = under_audit()
    client.force_login(analyst)

    response = client.post(
        url("support_outcome", application, outcome="decline"),
        {"seen_state": S.SUPPORT_REVIEW, "comment": ""},
    )

    assert errors(response) == ["This field is required."]
    assert Application.objects.get(pk=application.pk).state == S.SUPPORT_REVIEW


def test_decline_closes_the_request_with_the_reason(client, analyst):
    application = under_audit()
    client.force_login(analyst)

    response = client.post(
        url("support_outcome", application, outcome="decline"),
        {"seen_state": S.SUPPORT_REVIEW, "comment": "No support team in APAC."},
        follow=True,
    )

    assert alerts(response) == ["Request declined; the partner has been told."]
    assert by_testid(response, "state") == "Declined"


def test_pass_with_open_nonconformities_is_refused_on_its_page(client, analyst):
    application = under_audit()
    NonconformityFactory(audit__application=application)
    client.force_login(analyst)

    response = client.post(
        url("support_outcome", application, outcome="pass"), {"seen_state": S.SUPPORT_REVIEW}
    )

    reason = "The latest support audit must have passed, with no nonconformity open (R4.7)."
    assert blocked(response) == [f"Not possible yet: {reason}"]
    assert errors(response) == [reason]
    assert Application.objects.get(pk=application.pk).state == S.SUPPORT_REVIEW


def test_outcome_page_of_an_unknown_outcome_is_not_found(client, analyst):
    application = under_audit()
    client.force_login(analyst)

    response = client.get(url("support_outcome", application, outcome="revoke"))

    assert text(find_all(response, "main")[0]) == NOT_FOUND


def test_certify_page_says_what_happens(client, analyst, settings):
    settings.REGULAR_AUDIT_MONTHS = 6
    application = under_audit()
    Application.objects.filter(pk=application.pk).update(state=S.SUPPORT_PASSED)
    client.force_login(analyst)

    response = client.get(url("support_outcome", application, outcome="certify"))

    assert by_testid(response, "intro") == (
        "The solution becomes certified: the “Certified” badge goes on its showcase page (R7.1) "
        "and its first regular audit is scheduled. The first regular audit falls due in 6 months."
    )
    assert blocked(response) == []
