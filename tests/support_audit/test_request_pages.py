"""Stage 4 pages of a request: the partner's support standards, the team's audit and the
remediation (regulation 4.1–4.3)."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from catalogue.enums import Marketplace
from catalogue.models import Certification
from support_audit.enums import AuditOutcome, AuditPurpose, AuditType, NonconformitySeverity
from support_audit.models import (
    Nonconformity,
    RemediationItem,
    RemediationPlan,
    SupportAudit,
    SupportDeclaration,
)
from tests.factories.accounts import UserFactory
from tests.factories.support_audit import (
    NonconformityFactory,
    RemediationItemFactory,
    RemediationPlanFactory,
    SupportAuditFactory,
    SupportDeclarationFactory,
)
from workflow import services as app_services
from workflow.enums import ApplicationState
from workflow.models import Application
from workflow.services import support

from ..factories.workflow import ApplicationFactory, actor
from ..workflow.markup import alerts, attr, by_testid, errors, field_value, find_all, text, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

NOT_FOUND = "Not found There is nothing here, or it is not yours to see."
NOT_ALLOWED = "Not allowed Your role does not allow this action."
STALE = (
    "Someone else changed this request while you were working on it: it is now “%s”. "
    "Nothing was saved; your input is kept below. Check and send again."
)
CREATIO_REGIONS = ["americas_east", "americas_west", "apac", "emea"]
STANDARD_ROWS = [
    "R4.1: every case from every channel is registered in the support system.",
    "R4.2: customers can register cases on the vendor's partner portal.",
    "R4.3: the Basic, Business and Premium packages are served.",
    "R4.4: pre-sale questions are answered within two business days.",
    "R4.5: support works in the region's time zone and language.",
    "R4.6: the first escalation goes to a head of department or the CEO.",
]


@pytest.fixture
def analyst():
    return UserFactory(analyst=True, first_name="Anna", last_name="Analyst")


def partner_of(application):
    return UserFactory(role="Partner", partner=application.solution.partner)


def url(name, application, **kwargs) -> str:
    return reverse(name, kwargs={"pk": application.pk, **kwargs})


def state_now(application) -> str:
    """The request's state as a page loaded now shows it."""
    return Application.objects.get(pk=application.pk).state


def quality_passed(**kwargs) -> Application:
    return ApplicationFactory(state=S.QUALITY_PASSED, **kwargs)


def declaration_data(application, **changes) -> dict:
    """The declaration form filled in to meet 4.1–4.2 for the request's marketplace, with
    `changes` (a value of None leaves the field out, as an unticked box)."""
    marketplace = application.solution.marketplace
    regions = CREATIO_REGIONS if marketplace == Marketplace.CREATIO else ["russia"]
    language = "en" if marketplace == Marketplace.CREATIO else "ru"
    data = {
        "seen_state": state_now(application),
        "system_name": "Northwind Service Desk",
        "system_url": "https://support.northwind.example",
        "channels": ["email", "phone"],
        "all_channels_registered": "on",
        "partner_portal_consent": "on",
        "packages": ["basic", "business", "premium"],
        "presale_business_days": "2",
        "escalation_name": "Olga Head",
        "escalation_role": "head_of_department",
        "escalation_email": "olga.head@northwind.example",
        "escalation_phone": "+1 555 0100",
    }
    for region in regions:
        data[f"{region}-language"] = language
        for day in range(5):
            data[f"{region}-open-{day}"] = "09:00"
            data[f"{region}-close-{day}"] = "18:00"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_error(response, name) -> str:
    """The error shown right under a field of the form."""
    (node,) = find_all(response, id=f"id_{name}_error")
    return text(node)


def post_declaration(client, application, **changes):
    return client.post(
        url("support_declaration", application), declaration_data(application, **changes)
    )


def audit_data(application, *, results=None, nonconformities=(), **changes) -> dict:
    """The audit form: the six standard rows OK unless `results` says otherwise
    ({row: (ok, note)}), and nonconformities as (description, severity)."""
    data = {
        "audit-seen_state": state_now(application),
        "audit-type": AuditType.PAST_CASES,
        "audit-held_on": timezone.localdate().isoformat(),
        "audit-summary": "Thirty past cases analysed; two test calls.",
        "checklist-TOTAL_FORMS": "8",
        "checklist-INITIAL_FORMS": "6",
        "checklist-MIN_NUM_FORMS": "0",
        "checklist-MAX_NUM_FORMS": "1000",
        "nonconformities-TOTAL_FORMS": "3",
        "nonconformities-INITIAL_FORMS": "0",
        "nonconformities-MIN_NUM_FORMS": "0",
        "nonconformities-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(STANDARD_ROWS):
        ok, note = (results or {}).get(index, (True, ""))
        data[f"checklist-{index}-item"] = item
        data[f"checklist-{index}-ok"] = "1" if ok else "0"
        data[f"checklist-{index}-note"] = note
    for index, (description, severity) in enumerate(nonconformities):
        data[f"nonconformities-{index}-description"] = description
        data[f"nonconformities-{index}-severity"] = severity
    data.update(changes)
    # The form's own seen_state field reads the unprefixed name too.
    data["seen_state"] = data["audit-seen_state"]
    return data


def plan_data(application, rows) -> dict:
    data = {
        "seen_state": state_now(application),
        "plan-TOTAL_FORMS": "3",
        "plan-INITIAL_FORMS": "0",
        "plan-MIN_NUM_FORMS": "0",
        "plan-MAX_NUM_FORMS": "1000",
    }
    for index, (description, owner, due_on) in enumerate(rows):
        data[f"plan-{index}-description"] = description
        data[f"plan-{index}-owner"] = owner
        data[f"plan-{index}-due_on"] = due_on.isoformat()
    return data


def blocked(response) -> list[str]:
    return texts(response, data_testid="blocked")


def action_labels(response, testid="audit-actions"):
    (area,) = find_all(response, data_testid=testid)
    return [
        (text(node), "disabled" if any(k == "disabled" for k, _ in node.attributes) else "enabled")
        for node in find_all(area)
        if node.name in ("a", "button")
    ]


def item_rows(response) -> list[list[str]]:
    return [texts(row, "td")[:4] for row in find_all(response, data_testid="plan-item")]


def under_audit(**kwargs) -> Application:
    """A request whose conforming support standards went to the audit."""
    declaration = SupportDeclarationFactory(
        application__state=S.SUPPORT_REVIEW, **{f"application__{k}": v for k, v in kwargs.items()}
    )
    return declaration.application


# --- 1. The declaration: who sees what -----------------------------------------------------------


def test_declaration_page_offers_the_partner_an_empty_form_with_every_marketplace_region(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "state") == "Quality certification passed"
    assert [attr(row, "data-testid") for row in find_all(response, "tr")[1:]] == [
        f"region-{region}" for region in CREATIO_REGIONS
    ]
    assert field_value(response, "system_name") is None
    assert field_value(response, "apac-language") == [""]
    assert blocked(response) == [
        "Not ready to submit: Declare support standards that meet regulation 4.1–4.2 first."
    ]


def test_declaration_page_of_a_terrasoft_solution_asks_for_russia_only(client):
    application = quality_passed(solution__marketplace=Marketplace.TERRASOFT)
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    (grid,) = find_all(response, data_testid="hours-grid")
    assert texts(grid, data_testid="region-label") == ["Russia, MSK (UTC+3)"]


def test_declaration_page_before_quality_certification_says_when_it_opens(client):
    application = ApplicationFactory(state=S.IN_REVIEW)
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "not-yet") == (
        "Support standards are declared once quality certification has passed. They can be "
        "edited in these states: Quality certification passed, Remediating support "
        "nonconformities."
    )
    assert find_all(response, data_testid="declaration-form") == []


def test_declaration_page_without_a_declaration_shows_the_team_an_empty_state(client, analyst):
    application = quality_passed()
    client.force_login(analyst)

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "no-declaration") == "No support standards declared yet."
    assert find_all(response, data_testid="declaration-form") == []
    assert find_all(response, data_testid="submit-area") == []


def test_declaration_page_is_read_only_for_the_team(client, analyst):
    declaration = SupportDeclarationFactory(escalation_name="Ivan Boss", escalation_role="ceo")
    client.force_login(analyst)

    response = client.get(url("support_declaration", declaration.application))

    assert find_all(response, data_testid="declaration-form") == []
    assert by_testid(response, "declaration-conforms") == "Meets regulation 4.1–4.2."
    assert by_testid(response, "packages") == "Basic, Business, Premium"
    assert by_testid(response, "channels") == "E-mail, Customer portal"
    assert by_testid(response, "escalation") == (
        "Ivan Boss, CEO — olga.head@partner.example · +1 555 0100"
    )
    (table,) = find_all(response, "table", data_testid="region-hours")
    week = [*["09:00–18:00"] * 5, "closed", "closed"]
    assert [texts(row, "th") + texts(row, "td") for row in find_all(table, "tr")[1:]] == [
        ["Americas, EST (UTC−5)", "English", *week],
        ["Americas, PST (UTC−8)", "English", *week],
        ["APAC, GST (UTC+4)", "English", *week],
        ["EMEA (UTC+1)", "English", *week],
    ]


def test_declaration_page_is_read_only_for_the_partner_once_submitted(client):
    application = under_audit()
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "read-only") == "Read-only: the support standards went to the audit."
    assert find_all(response, data_testid="declaration-form") == []
    assert find_all(response, data_testid="submit-area") == []


def test_declaration_page_prefills_the_saved_declaration(client):
    declaration = SupportDeclarationFactory()
    client.force_login(partner_of(declaration.application))

    response = client.get(url("support_declaration", declaration.application))

    assert field_value(response, "system_name") == "Service Desk"
    assert field_value(response, "channels") == ["email", "portal"]
    assert field_value(response, "packages") == ["basic", "business", "premium"]
    assert field_value(response, "emea-language") == ["en"]
    assert field_value(response, "emea-open-4") == "09:00"
    assert field_value(response, "emea-close-4") == "18:00"
    assert field_value(response, "emea-open-5") is None
    assert action_labels(response, "submit-area") == [("Submit the support standards", "enabled")]


# --- 1. The declaration: each standard, quoted beside its field ----------------------------------


def assert_kept(response, application, **changes):
    """Everything typed is shown again: the values the form was sent with."""
    data = declaration_data(application, **changes)
    assert field_value(response, "system_name") == data["system_name"]
    assert field_value(response, "system_url") == data["system_url"]
    assert field_value(response, "channels") == data["channels"]
    assert field_value(response, "packages") == data["packages"]
    assert field_value(response, "presale_business_days") == data["presale_business_days"]
    assert field_value(response, "escalation_name") == data["escalation_name"]
    assert field_value(response, "escalation_role") == [data["escalation_role"]]
    assert field_value(response, "emea-open-0") == data.get("emea-open-0")
    assert field_value(response, "all_channels_registered") is ("all_channels_registered" in data)
    assert field_value(response, "partner_portal_consent") is ("partner_portal_consent" in data)


def test_declaration_without_the_premium_package_is_refused_beside_the_packages(client):
    """R4.3: all three packages are served; the form says which is missing."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, packages=["basic", "business"])

    assert field_error(response, "packages") == (
        "R4.3: all three packages are served; missing: Premium."
    )
    assert errors(response) == ["R4.3: all three packages are served; missing: Premium."]
    assert_kept(response, application, packages=["basic", "business"])
    assert SupportDeclaration.objects.count() == 0


def test_declaration_with_presale_answers_in_three_days_is_refused(client):
    """R4.4: pre-sale questions are answered within two business days."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, presale_business_days="3")

    assert field_error(response, "presale_business_days") == (
        "R4.4: pre-sale questions are answered within two business days at most."
    )
    assert_kept(response, application, presale_business_days="3")
    assert SupportDeclaration.objects.count() == 0


def test_declaration_without_a_region_of_the_marketplace_is_refused(client):
    """R4.5: support is given in every region of marketplace.creatio.com; APAC is missing."""
    application = quality_passed()
    client.force_login(partner_of(application))
    without_apac = {"apac-language": ""} | {
        f"apac-{e}-{d}": None for e in ("open", "close") for d in range(5)
    }

    response = post_declaration(client, application, **without_apac)

    assert texts(response, data_testid="regions-error") == [
        "R4.5: support is given in every region of the marketplace; missing: APAC, GST (UTC+4)."
    ]
    assert field_value(response, "apac-language") == [""]
    assert field_value(response, "emea-language") == ["en"]
    assert_kept(response, application, **without_apac)
    assert SupportDeclaration.objects.count() == 0


def test_declaration_in_the_wrong_language_is_refused(client):
    """R4.5: marketplace.terrasoft.ru customers are supported in Russian."""
    application = quality_passed(solution__marketplace=Marketplace.TERRASOFT)
    client.force_login(partner_of(application))

    response = post_declaration(client, application, **{"russia-language": "en"})

    assert texts(response, data_testid="regions-error") == [
        "R4.5: support in Russia, MSK (UTC+3) is given in Russian."
    ]
    assert field_value(response, "russia-language") == ["en"]
    assert field_value(response, "russia-open-2") == "09:00"
    assert SupportDeclaration.objects.count() == 0


def test_declaration_with_a_first_escalation_to_another_role_is_refused(client):
    """R4.6: the first escalation goes to a head of department or the CEO."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, escalation_role="other")

    assert field_error(response, "escalation_role") == (
        "R4.6: the first escalation goes to a head of department or the CEO."
    )
    assert_kept(response, application, escalation_role="other")
    assert SupportDeclaration.objects.count() == 0


def test_declaration_without_registering_every_channel_is_refused(client):
    """R4.1: the support system registers every case from every channel."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, all_channels_registered=None)

    assert field_error(response, "all_channels_registered") == (
        "R4.1: the support system must register every case from every channel."
    )
    assert_kept(response, application, all_channels_registered=None)
    assert SupportDeclaration.objects.count() == 0


def test_declaration_without_the_partner_portal_consent_is_refused(client):
    """R4.2: customers can also register cases on the vendor's partner portal."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, partner_portal_consent=None)

    assert field_error(response, "partner_portal_consent") == (
        "R4.2: customers must be able to register cases on the vendor's partner portal."
    )
    assert_kept(response, application, partner_portal_consent=None)
    assert SupportDeclaration.objects.count() == 0


def test_declaration_with_half_a_day_of_hours_says_which_cell(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(
        client,
        application,
        **{"emea-close-1": None, "emea-open-5": "10:00", "emea-close-5": "09:00"},
    )

    assert texts(response, data_testid="hours-error") == [
        "EMEA (UTC+1), Tue, closes: Give both times, or neither for a closed day.",
        "EMEA (UTC+1), Sat, closes: Closing comes after opening.",
    ]
    assert field_value(response, "emea-open-1") == "09:00"
    assert field_value(response, "emea-open-5") == "10:00"
    assert SupportDeclaration.objects.count() == 0


def test_declaration_that_conforms_is_saved_and_can_be_submitted(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(
        client, application, **{"emea-open-5": "10:00", "emea-close-5": "14:00"}
    )
    page = client.get(response.url)

    declaration = SupportDeclaration.objects.get(application=application)
    assert alerts(page) == ["Support standards saved: they meet regulation 4.1–4.2."]
    assert declaration.regions.get(region="emea").hours == {
        **{str(day): ["09:00", "18:00"] for day in range(5)},
        "5": ["10:00", "14:00"],
    }
    assert field_value(page, "emea-open-5") == "10:00"
    assert action_labels(page, "submit-area") == [("Submit the support standards", "enabled")]


def test_declaration_saved_by_the_team_is_not_allowed(client, analyst):
    application = quality_passed()
    client.force_login(analyst)

    response = post_declaration(client, application)

    assert text(find_all(response, "main")[0]) == NOT_ALLOWED
    assert SupportDeclaration.objects.count() == 0


def test_submit_the_support_standards_sends_them_to_the_audit(client):
    declaration = SupportDeclarationFactory()
    application = declaration.application
    client.force_login(partner_of(application))

    response = client.post(
        url("support_declaration_submit", application),
        {"seen_state": S.QUALITY_PASSED},
        follow=True,
    )

    assert alerts(response) == [
        "Support standards submitted. The Marketplace team will audit your support."
    ]
    assert by_testid(response, "state") == "Support standards under audit"


def test_submit_the_support_standards_from_a_stale_page_changes_nothing(client):
    declaration = SupportDeclarationFactory()
    application = declaration.application
    partner = partner_of(application)
    app_services.application_withdraw(application=application, by=partner, reason="Not now.")
    client.force_login(partner)

    response = client.post(
        url("support_declaration_submit", application),
        {"seen_state": S.QUALITY_PASSED},
        follow=True,
    )

    assert alerts(response) == [STALE % "Withdrawn"]
    assert Application.objects.get(pk=application.pk).state == S.WITHDRAWN


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


# --- 3. The remediation page ----------------------------------------------------------------------


def test_remediation_page_without_a_report_shows_the_partner_an_empty_state(client):
    application = under_audit()
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    assert by_testid(response, "no-reports") == "No nonconformity report has been sent to you."


def test_remediation_page_hides_an_audit_not_yet_reported_from_the_partner(client):
    application = under_audit()
    RemediationItemFactory(plan__audit__application=application)
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    assert find_all(response, data_testid="report") == []


def test_remediation_page_shows_the_team_an_unsent_report_as_such(client, analyst):
    application = under_audit()
    RemediationItemFactory(plan__audit__application=application)
    client.force_login(analyst)

    response = client.get(url("support_remediation", application))

    assert by_testid(response, "not-sent") == "not sent to the partner yet"


def reported(analyst, **item) -> tuple[Application, RemediationItem]:
    """A request whose nonconformity report, with a one-action plan, went to the partner."""
    application = under_audit()
    audit = NonconformityFactory(audit__application=application).audit
    action = RemediationItemFactory(plan=RemediationPlanFactory(audit=audit), **item)
    support.nonconformities_report(application=application, by=analyst, comment="Fix it.")
    return application, action


def test_remediation_page_flags_an_overdue_item_for_the_partner(client, analyst):
    application, late = reported(analyst, overdue=True, description="Hire a night shift.")
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    due = date_filter(late.due_on, "SHORT_DATE_FORMAT")
    assert item_rows(response) == [["Hire a night shift.", "Olga Head", due, "overdue"]]
    assert find_all(response, data_testid="not-sent") == []


def test_mark_done_from_a_stale_page_changes_nothing(client):
    application = ApplicationFactory(state=S.REMEDIATION)
    item = RemediationItemFactory(plan__audit__application=application)
    partner = partner_of(application)
    app_services.application_withdraw(application=application, by=partner, reason="Not now.")
    client.force_login(partner)

    response = client.post(
        url("support_item_done", application, item_pk=item.pk),
        {"seen_state": S.REMEDIATION},
        follow=True,
    )

    assert alerts(response) == [STALE % "Withdrawn"]
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


def test_mark_done_after_the_request_was_declined_is_refused(client, analyst):
    application, item = reported(analyst)
    support.support_decline(application=application, by=analyst, comment="No APAC support.")
    client.force_login(partner_of(application))

    response = client.post(
        url("support_item_done", application, item_pk=item.pk),
        {"seen_state": S.DECLINED},
        follow=True,
    )

    assert alerts(response) == ["Plan items are marked done while the remediation is under way."]
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


def test_reaudit_is_not_possible_with_an_item_still_open(client):
    application = ApplicationFactory(state=S.REMEDIATION)
    SupportDeclarationFactory(application=application)
    RemediationItemFactory(plan__audit__application=application)
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    assert action_labels(response, "reaudit-area") == [("Ask for the re-audit", "disabled")]
    assert blocked(response) == [
        "Ask for the re-audit is not possible yet: Every item of the remediation plan must be "
        "done first."
    ]


# --- Who sees the pages ---------------------------------------------------------------------------

PAGES = ["support_declaration", "support_audit", "support_remediation"]


@pytest.mark.parametrize("name", PAGES)
def test_another_partner_gets_not_found_on_every_stage_four_page(client, name):
    application = ApplicationFactory(state=S.REMEDIATION)
    RemediationItemFactory(plan__audit__application=application)
    SupportDeclarationFactory(application=application)
    client.force_login(actor("other_partner", application))

    response = client.get(url(name, application))

    assert (response.status_code, text(find_all(response, "main")[0])) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("support_declaration", {}),
        ("support_declaration_submit", {}),
        ("support_item_done", {"item_pk": 0}),
        ("support_reaudit", {}),
    ],
)
def test_another_partner_cannot_write_on_the_stage_four_pages(client, name, kwargs):
    application = ApplicationFactory(state=S.REMEDIATION)
    item = RemediationItemFactory(plan__audit__application=application)
    SupportDeclarationFactory(application=application)
    client.force_login(actor("other_partner", application))
    kwargs = dict.fromkeys(kwargs, item.pk)

    response = client.post(url(name, application, **kwargs), declaration_data(application))

    assert (response.status_code, text(find_all(response, "main")[0])) == (404, NOT_FOUND)
    assert RemediationItem.objects.get(pk=item.pk).done_at is None
    assert Application.objects.get(pk=application.pk).state == S.REMEDIATION


@pytest.mark.parametrize(
    ("role", "state", "links"),
    [
        ("own_partner", S.QUALITY_PASSED, ["Support standards", "Remediation"]),
        ("analyst", S.SUPPORT_REVIEW, ["Support standards", "Support audit", "Remediation"]),
        ("auditor", S.CERTIFIED, None),
        ("analyst", S.IN_REVIEW, None),
    ],
)
def test_request_page_links_to_the_stage_four_pages(client, role, state, links):
    application = ApplicationFactory(state=state)
    client.force_login(actor(role, application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    found = find_all(response, data_testid="support-links")
    assert [texts(node, "a") for node in found] == ([links] if links else [])


# --- The whole of stage 4 through the pages -------------------------------------------------------


def test_support_certification_through_the_pages_ends_certified(client, analyst, on_commit, later):
    """R4.7: the declared support is audited; the nonconformities found give a report and an
    agreed plan; once the plan is carried out a passed re-audit closes them, and the request
    is certified."""
    application = quality_passed(solution__name="Northwind Dialer")
    partner = partner_of(application)
    today = timezone.localdate()

    # The partner declares the support standards and submits them.
    client.force_login(partner)
    response = post_declaration(client, application)
    assert response.status_code == 302
    response = client.post(
        url("support_declaration_submit", application),
        {"seen_state": S.QUALITY_PASSED},
        follow=True,
    )
    assert by_testid(response, "state") == "Support standards under audit"
    links = find_all(response, data_testid="support-links")
    assert [texts(node, "a") for node in links] == [["Support standards", "Remediation"]]

    # The analyst audits past cases and finds two nonconformities.
    client.force_login(analyst)
    response = client.post(
        url("support_audit_record", application),
        audit_data(
            application,
            results={0: (False, "Chat cases are not in the desk."), 3: (False, "Four days.")},
            nonconformities=[
                ("Chat cases are not registered.", NonconformitySeverity.MAJOR),
                ("Pre-sale questions waited four days.", NonconformitySeverity.CRITICAL),
            ],
        ),
    )
    page = client.get(response.url)
    audit = SupportAudit.objects.get(application=application)
    assert alerts(page) == [
        "Audit recorded with 2 nonconformities. Agree the remediation plan next."
    ]
    assert texts(page, data_testid="outcome") == ["Nonconformities found"]
    assert blocked(page)[0] == (
        "Send the nonconformity report is not possible yet: Record a support audit with its "
        "nonconformities and an agreed plan first (R4.7)."
    )

    # The plan is agreed with the partner: one action due tomorrow, one in ten days.
    response = client.post(
        url("support_plan_agree", application, audit_pk=audit.pk),
        plan_data(
            application,
            [
                ("Connect the chat to the desk.", "Olga Head", today + timedelta(days=1)),
                ("Hire a pre-sale engineer.", "Ivan CEO", today + timedelta(days=10)),
            ],
        ),
    )
    page = client.get(response.url)
    assert alerts(page) == [
        "Remediation plan agreed. Send the nonconformity report to the partner."
    ]
    assert action_labels(page) == [
        ("Send the nonconformity report", "enabled"),
        ("Pass support certification", "disabled"),
        ("Decline", "enabled"),
    ]

    # The report goes to the partner.
    response = client.post(
        url("support_outcome", application, outcome="report"),
        {"seen_state": S.SUPPORT_REVIEW, "comment": "Please fix these two."},
        follow=True,
    )
    assert alerts(response) == ["Nonconformity report sent; the partner carries out the plan."]
    assert by_testid(response, "state") == "Remediating support nonconformities"

    # Two days on, the partner sees the report, with the late action flagged, and carries out
    # the plan.
    later(timedelta(days=2))
    client.force_login(partner)
    page = client.get(url("support_remediation", application))
    assert texts(page, data_testid="nonconformity") == [
        "Major Chat cases are not registered. open",
        "Critical Pre-sale questions waited four days. open",
    ]
    assert [row[3] for row in item_rows(page)] == ["overdue", "to do"]
    assert by_testid(page, "report-message").endswith("Please fix these two.")
    assert action_labels(page, "reaudit-area") == [("Ask for the re-audit", "disabled")]
    for item in RemediationItem.objects.order_by("due_on"):
        response = client.post(
            url("support_item_done", application, item_pk=item.pk),
            {"seen_state": S.REMEDIATION},
            follow=True,
        )
        assert alerts(response) == [f"Marked done: {item.description}"]
    done = date_filter(timezone.localdate(), "SHORT_DATE_FORMAT")
    assert [row[3] for row in item_rows(response)] == [f"done on {done}"] * 2
    response = client.post(
        url("support_reaudit", application), {"seen_state": S.REMEDIATION}, follow=True
    )
    assert alerts(response) == [
        "Re-audit requested. The Marketplace team will audit your support again."
    ]
    assert by_testid(response, "state") == "Support standards under audit"

    # The re-audit by a mystery shopper passes and closes the nonconformities.
    client.force_login(analyst)
    page = client.get(url("support_audit", application))
    assert by_testid(page, "purpose") == "— Re-audit after remediation"
    response = client.post(
        url("support_audit_record", application),
        audit_data(application, **{"audit-type": AuditType.MYSTERY_SHOPPER}),
    )
    page = client.get(response.url)
    reaudit = SupportAudit.objects.exclude(pk=audit.pk).get()
    assert reaudit.purpose == AuditPurpose.REAUDIT
    assert texts(page, data_testid="outcome") == ["Passed", "Nonconformities found"]
    closed = f"closed by the re-audit of {date_filter(timezone.localdate(), 'SHORT_DATE_FORMAT')}"
    assert [text(node) for node in find_all(page, data_testid="nc-status")] == [closed, closed]
    assert action_labels(page) == [
        ("Send the nonconformity report", "disabled"),
        ("Pass support certification", "enabled"),
        ("Decline", "enabled"),
    ]

    # Pass, then certify.
    response = client.post(
        url("support_outcome", application, outcome="pass"),
        {"seen_state": S.SUPPORT_REVIEW, "comment": ""},
        follow=True,
    )
    assert alerts(response) == ["Support certification passed."]
    assert action_labels(response) == [("Certify", "enabled")]
    response = on_commit(
        client.post,
        url("support_outcome", application, outcome="certify"),
        {"seen_state": S.SUPPORT_PASSED, "comment": "Welcome aboard."},
        follow=True,
    )
    assert alerts(response) == ["Certified: the badge is on and the partner has been told."]
    assert by_testid(response, "state") == "Certified"
    certification = Certification.objects.get(solution=application.solution)
    assert (certification.version, certification.status) == (application.version, "certified")
    assert Nonconformity.objects.filter(closed_by_audit__isnull=True).count() == 0
    assert RemediationPlan.objects.get().closed_at is not None


# --- Query counts ---------------------------------------------------------------------------------


def _audits_of(application, count, analyst):
    """`count` audits, each with two nonconformities and a plan of two actions."""
    for number in range(count):
        audit = SupportAuditFactory(
            application=application,
            auditor=analyst,
            failed=True,
            held_on=timezone.localdate() - timedelta(days=count - number),
        )
        NonconformityFactory.create_batch(2, audit=audit)
        plan = RemediationPlanFactory(audit=audit, agreed_by=analyst)
        RemediationItemFactory.create_batch(2, plan=plan)


AUDIT_PAGE_QUERIES = 18


@pytest.mark.parametrize("count", [1, 3])
def test_audit_page_query_count_does_not_grow(client, django_assert_num_queries, analyst, count):
    application = under_audit()
    _audits_of(application, count, analyst)
    client.force_login(analyst)
    ContentType.objects.clear_cache()

    with django_assert_num_queries(AUDIT_PAGE_QUERIES):
        response = client.get(url("support_audit", application))

    assert len(find_all(response, data_testid="audit")) == count
    assert len(find_all(response, data_testid="plan-item")) == 2 * count
