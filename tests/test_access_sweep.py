"""The access sweeps: every URL pattern of the project, requested by an anonymous visitor, a
member of another partner, the owning partner and each team role, with GET and with an empty
POST, against one partner's records (tests/sweep.py). Each answer must be the one written
below, and a request may write to the database only where the table says so (`w`): a refused
request writes nothing but the session, the log-in counters and the security log. A URL pattern
added without a line here fails the sweep."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.sweep import ROLES, build_world, fill, request, url_patterns

pytestmark = pytest.mark.django_db

# name: (GET, POST), each the answers of: anonymous, other partner, owner, analyst, leader,
# R&D expert, auditor, sales, in that order. The requests run in this order (so a finding resolved
# by the analyst's POST is already resolved for the R&D expert's).
EXPECTED = {
    "programme_overview": ("302 403 403 200 200 403 200 403", "302 405 405 405 405 405 405 405"),
    "favicon.ico": ("301 301 301 301 301 301 301 301", "301 301 301 301 301 301 301 301"),
    "login": ("200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "logout": ("405 405 405 405 405 405 405 405", "302 302 302 302 302 302 302 302"),
    "profile": ("302 200 200 200 200 200 200 200", "302 200 200 200 200 200 200 200"),
    "email_change": ("302 405 405 405 405 405 405 405", "302 400 400 400 400 400 400 400"),
    "notification_settings": ("302 200 200 200 200 200 200 200", "302 400 400 400 400 400 400 400"),
    "token_create": ("302 405 405 405 405 405 405 405", "302 400 400 302 302 302 302 302"),
    "token_revoke": ("302 405 405 405 405 405 405 405", "302 404 302w 404 404 404 404 404"),
    "password_change": ("302 200 200 200 200 200 200 200", "302 200 200 200 200 200 200 200"),
    "password_change_done": ("302 200 200 200 200 200 200 200", "302 405 405 405 405 405 405 405"),
    "password_reset": ("200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "password_reset_done": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "password_reset_confirm": (
        "200 200 200 200 200 200 200 200",
        "200 200 200 200 200 200 200 200",
    ),
    "password_reset_complete": (
        "200 200 200 200 200 200 200 200",
        "405 405 405 405 405 405 405 405",
    ),
    "set_language": ("302 302 302 302 302 302 302 302", "302 302 302 302 302 302 302 302"),
    "review": ("302 404 404 200 200 200 200 404", "302 404 404 200 200 200 200 404"),
    "review_start": ("302 404 404 200 403 403 403 404", "302 404 404 200 403 403 403 404"),
    "review_check": ("302 405 405 405 405 405 405 405", "302 404 404 200 403 403 403 404"),
    "review_finding_raise": ("302 405 405 405 405 405 405 405", "302 404 404 200 403 200 403 404"),
    "review_finding_resolve": (
        "302 405 405 405 405 405 405 405",
        "302 404 404 302w 403 302 403 404",
    ),
    "review_compatibility": ("302 405 405 405 405 405 405 405", "302 404 404 404 403 403 403 404"),
    "review_outcome": ("302 404 404 200 403 403 403 404", "302 404 404 200 403 403 403 404"),
    "review_evidence": ("302 404 404 200 200 200 200 404", "302 404 404 200 200 200 200 404"),
    "support_declaration": ("302 404 200 200 200 200 200 404", "302 404 200 403 403 403 403 404"),
    "support_declaration_submit": (
        "302 404 200 403 403 403 403 404",
        "302 404 200 403 403 403 403 404",
    ),
    "support_audit": ("302 404 404 200 200 200 200 404", "302 404 404 200 200 200 200 404"),
    "support_audit_record": ("302 405 405 405 405 405 405 405", "302 404 404 200 403 403 200 404"),
    "support_plan_agree": ("302 405 405 405 405 405 405 405", "302 404 404 302 403 403 302 404"),
    "support_outcome": ("302 404 404 200 403 403 200 404", "302 404 404 200 403 403 200 404"),
    "support_remediation": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "support_item_done": ("302 404 200 200 403 403 200 404", "302 404 200 200 403 403 200 404"),
    "support_item_evidence": ("302 404 404 404 404 404 404 404", "302 404 404 404 404 404 404 404"),
    "support_reaudit": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "api_cases": ("401 405 405 403 403 403 403 403", "401 400 400 403 403 403 403 403"),
    "api_nps": ("401 405 405 403 403 403 403 403", "401 400 400 403 403 403 403 403"),
    "api_customers": ("401 405 405 403 403 403 403 403", "401 400 400 403 403 403 403 403"),
    "api_solutions": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "api_schema": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "api_docs": ("200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    # A request in review: its partner's empty upload is refused (400), an answer without a
    # JSON body is 415; the team reads everything and writes nothing.
    "api_solution_register": ("401 405 405 405 405 405 405 405", "401 400 400 403 403 403 403 403"),
    "api_solution": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_solution_versions": ("401 404 200 200 200 200 200 404", "401 404 400 403 403 403 403 404"),
    "api_requests": ("401 200 200 200 200 200 200 200", "401 400 400 403 403 403 403 403"),
    "api_request": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_request_timeline": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_request_transitions": (
        "401 404 200 200 200 200 200 404",
        "401 405 405 405 405 405 405 405",
    ),
    "api_request_transition": (
        "401 405 405 405 405 405 405 405",
        "401 404 400 403 403 403 403 404",
    ),
    "api_materials": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_material": ("401 404 200 200 200 200 200 404", "401 404 400 403 403 403 403 404"),
    "api_review": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_finding_answer": ("401 405 405 405 405 405 405 405", "401 404 415 403 403 403 403 404"),
    "api_certificate": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_certificate_history": (
        "401 404 200 200 200 200 200 404",
        "401 405 405 405 405 405 405 405",
    ),
    "api_badge": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_kpi_snapshots": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "api_kpi_breaches": ("401 404 200 200 200 200 200 404", "401 405 405 405 405 405 405 405"),
    "rules_traceability": ("302 403 403 200 200 200 200 403", "302 403 403 200 200 200 200 403"),
    "solution_kpis": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "kpi_upload": ("302 404 302 302 302 302 302 404", "302 404 200 403 403 403 403 404"),
    "kpi_csv_template": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "kpi_upload_errors": ("302 404 404 404 404 404 404 404", "302 405 405 405 405 405 405 405"),
    "home": ("200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "dashboard": ("302 200 200 302 302 302 302 302", "302 200 200 302 302 302 302 302"),
    "catalogue": ("200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "badge_json": ("200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "badge_svg": ("200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "queue": ("302 403 403 200 200 200 200 403", "302 403 403 200 200 200 200 403"),
    "decisions": ("302 403 403 403 200 403 403 403", "302 403 403 403 200 403 403 403"),
    "audits_due": ("302 403 403 200 200 200 200 403", "302 403 403 200 200 200 200 403"),
    "queue_assign": ("302 405 405 405 405 405 405 405", "302 403 403 200 200 403 403 403"),
    "solution_list": ("302 200 200 200 200 200 200 200", "302 200 200 200 200 200 200 200"),
    "solution_create": ("302 200 200 403 403 403 403 403", "302 200 200 403 403 403 403 403"),
    "solution_detail": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "solution_edit": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "version_create": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "application_create": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "application_detail": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "application_assign": ("302 404 404 200 200 403 403 404", "302 404 404 200 200 403 403 404"),
    "application_submit": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "application_edit": ("302 404 409 403 403 403 403 404", "302 404 409 403 403 403 403 404"),
    "application_withdraw": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "meeting_schedule": ("302 404 403 200 403 403 403 404", "302 404 403 200 403 403 403 404"),
    "meeting_record": ("302 404 403 200 403 403 403 404", "302 404 403 200 403 403 403 404"),
    "readiness": ("302 404 403 200 403 403 403 404", "302 404 403 200 403 403 403 404"),
    "readiness_decide": ("302 404 403 200 403 403 403 404", "302 404 403 200 403 403 403 404"),
    "approval_facts": ("302 404 403 200 200 403 403 404", "302 404 403 200 200 403 403 404"),
    "materials": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "materials_submit": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "materials_compatibility": (
        "302 405 405 405 405 405 405 405",
        "302 404 200 403 403 403 403 404",
    ),
    "material_download": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "material_upload": ("302 405 405 405 405 405 405 405", "302 404 200 403 403 403 403 404"),
    "material_carry_over": ("302 405 405 405 405 405 405 405", "302 404 200 403 403 403 403 404"),
    "evidence_download": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "findings": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "finding_answer": ("302 405 405 405 405 405 405 405", "302 404 200 403 403 403 403 404"),
    "update_request_open": ("302 404 200 403 403 403 403 404", "302 404 200 403 403 403 403 404"),
    "certificate": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "badge_revoke": ("302 404 403 200 403 403 403 404", "302 404 403 200 403 403 403 404"),
    "badge_restore": ("302 404 403 200 403 403 403 404", "302 404 403 200 403 403 403 404"),
    "regular_audit": ("302 404 403 200 403 403 200 404", "302 404 403 200 403 403 200 404"),
    "remediation_plan_agree": (
        "302 404 403 200 403 403 200 404",
        "302 404 403 200 403 403 200 404",
    ),
    "remediation_item_done": ("302 404 200 200 403 403 200 404", "302 404 200 200 403 403 200 404"),
    "remediation_item_evidence": (
        "302 404 404 404 404 404 404 404",
        "302 404 404 404 404 404 404 404",
    ),
    "kpi_cases_export": ("302 404 200 200 200 200 200 404", "302 404 200 200 200 200 200 404"),
    "kpi_cases_export_xlsx": ("302 404 200 200 200 200 200 404", "302 405 405 405 405 405 405 405"),
    "kpi_badge_history_csv": ("302 404 200 200 200 200 200 404", "302 405 405 405 405 405 405 405"),
    "kpi_badge_history_xlsx": (
        "302 404 200 200 200 200 200 404",
        "302 405 405 405 405 405 405 405",
    ),
    "kpi_month_reopen": ("302 404 403 404 403 403 403 404", "302 404 403 404 403 403 403 404"),
    "regular_audit_versions_finding": (
        "302 405 405 405 405 405 405 405",
        "302 404 403 302w 403 403 302w 404",
    ),
    "nps_surveys": ("302 403 403 200 403 403 403 403", "302 403 403 200 403 403 403 403"),
    "nps_survey_remind": ("302 405 405 405 405 405 405 405", "302 403 403 404 403 403 403 403"),
    # The sales pages (R7.2): the sales staff, analysts and leaders read them; partners are
    # refused (403), an anonymous visitor is sent to log in.
    "sales_solutions": ("302 403 403 200 200 403 403 200", "405 405 405 405 405 405 405 405"),
    "sales_product_tests_zip": (
        "302 403 403 200 200 403 403 200",
        "405 405 405 405 405 405 405 405",
    ),
    "sales_solution": ("302 403 403 200 200 403 403 200", "405 405 405 405 405 405 405 405"),
    "sales_material_download": (
        "302 403 403 200 200 403 403 200",
        "405 405 405 405 405 405 405 405",
    ),
    "nps_answer": ("410 410 410 410 410 410 410 410", "410 410 410 410 410 410 410 410"),
}


def test_every_url_pattern_has_an_expectation():
    names = [name for _route, name in url_patterns()]

    assert sorted(set(names) - set(EXPECTED)) == []
    assert sorted(set(EXPECTED) - set(names)) == []
    assert len(names) == len(set(names))


def test_every_url_answers_each_role_as_expected_and_writes_only_where_allowed():
    world = build_world()
    differences = []

    for route, name in url_patterns():
        path = fill(route, world, name)
        for method, expected in zip(("get", "post"), EXPECTED[name], strict=True):
            answers = []
            for role in ROLES:
                status, written = request(world["users"][role], method, path)
                answers.append(f"{status}{'w' if written else ''}")
            if " ".join(answers) != expected:
                differences.append(f"{method.upper()} {path} ({name}): {' '.join(answers)}")

    assert differences == [], "Roles: " + " ".join(ROLES) + "\n" + "\n".join(differences)


def test_other_partner_is_never_shown_the_owners_records():
    """No answer of the table gives another partner's member a page about the owner's records."""
    shared = {
        "favicon.ico", "login", "logout", "profile", "email_change", "token_create",
        "notification_settings",
        "password_change", "password_change_done", "password_reset", "password_reset_done",
        "password_reset_confirm", "password_reset_complete", "set_language", "home",
        "dashboard", "catalogue", "badge_json", "badge_svg", "solution_list",
        "solution_create", "api_cases", "api_nps", "api_customers", "api_solutions", "queue",
        "api_schema", "api_docs", "api_solution_register", "api_requests",
        "decisions", "queue_assign", "audits_due", "nps_surveys", "nps_survey_remind", "nps_answer",
        "rules_traceability", "sales_solutions", "sales_product_tests_zip",
        # Refused to every partner (403) before any record is looked up.
        "sales_solution", "sales_material_download",
        "programme_overview",
    }  # fmt: skip

    leaks = {
        name: answers
        for name, answers in EXPECTED.items()
        if name not in shared
        for answer in answers
        if answer.split()[ROLES.index("other_partner")] not in ("404", "405")
    }

    assert leaks == {}


def _admin_urls():
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield model, reverse("admin:{}_{}_changelist".format(*info))


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_list_answers_by_permission_and_writes_nothing(role):
    world = build_world()
    user = world["users"][role]
    wrong = []

    for model, url in _admin_urls():
        status, written = request(user, "get", url)
        if user is None:
            expected = 302  # to the admin's log-in page
        elif not user.is_staff:
            expected = 404  # the admin does not reveal itself to partners
        else:
            opts = model._meta
            may = any(
                user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
                for action in ("view", "change")
            )
            expected = 200 if may else 403
        if status != expected or written:
            wrong.append(f"{url}: {status} (expected {expected}), wrote {written}")

    assert wrong == []
