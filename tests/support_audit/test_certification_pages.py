"""What the certificate pages show and do: the certificate and its history, the badge
revoked and restored by hand, regular audits and their plans, the queue's "Audits due"."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from catalogue.enums import CertificationStatus
from catalogue.models import Certification, CertificationEvent
from support_audit.enums import AuditOutcome, AuditPurpose
from support_audit.models import RemediationItem, RemediationPlan, SupportAudit
from tests.factories.accounts import UserFactory
from tests.factories.certification import RegularAuditFactory, RemediationPlanFactory
from tests.factories.kpi import CustomerFactory
from workflow.enums import ApplicationState

from ..factories.workflow import (
    ApplicationFactory,
    CertificationEventFactory,
    CertificationFactory,
    actor,
)
from ..workflow.markup import (
    alerts,
    attr,
    by_testid,
    confirming,
    errors,
    field_value,
    find_all,
    text,
    texts,
)

pytestmark = pytest.mark.django_db

SINCE = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
NOT_FOUND = "Not found There is nothing here, or it is not yours to see."
NOT_ALLOWED = "Not allowed Your role does not allow this action."


@pytest.fixture
def certification():
    """Phone Link 2.4.0 of Acme, certified on 20 May 2026 by Anna Analyst."""
    certification = CertificationFactory(
        solution__name="Phone Link",
        solution__slug="phone-link",
        solution__partner__name="Acme",
        application__version__number="2.4.0",
        since=SINCE,
        next_audit_due=date(2030, 11, 20),
    )
    CertificationEventFactory(
        certification=certification,
        at=SINCE,
        reason="Stages 1–4 passed.",
        actor=UserFactory(analyst=True, first_name="Anna", last_name="Analyst"),
    )
    return certification


def url(name, certification, *args):
    return reverse(name, args=[certification.solution.slug, *args])


def certificate(client, certification):
    return client.get(url("certificate", certification))


def facts(response) -> dict[str, str]:
    (box,) = find_all(response, "dl", data_testid="certificate")
    return dict(zip(texts(box, "dt"), texts(box, "dd"), strict=True))


def rows(response, testid) -> list[list[str]]:
    (table,) = find_all(response, "table", data_testid=testid)
    return [texts(row, "td") for row in find_all(table, "tr")[1:]]


def main(response) -> str:
    (node,) = find_all(response, "main")
    return text(node)


# --- The certificate ------------------------------------------------------------------------


def test_certificate_shows_the_partner_its_certification(client, certification):
    client.force_login(actor("own_partner", certification.solution))

    response = certificate(client, certification)

    assert texts(response, "h1") == ["Certificate of Phone Link"]
    assert by_testid(response, "badge") == "✓ Certified"
    assert by_testid(response, "showcase") == "Shown on the Marketplace showcase"
    assert facts(response) == {
        "Certified version": "2.4.0",
        "Certified since": "20 May 2026",
        "Status": "Certified",
        "Next regular audit due": "20 Nov 2030",
    }
    assert rows(response, "history") == [
        [
            "20 May 2026, 10:00 UTC",
            "Granted",
            "Certified",
            "2.4.0",
            "Anna Analyst",
            "Stages 1–4 passed.",
        ]
    ]
    assert texts(response, data_testid="certificate-actions") == [""]


@pytest.mark.parametrize(
    ("role", "actions"),
    [
        ("analyst", ["Record a regular audit", "Revoke the badge"]),
        ("auditor", ["Record a regular audit"]),
        ("leader", []),
        ("rnd_expert", []),
    ],
)
def test_certificate_offers_each_team_role_its_actions(client, certification, role, actions):
    client.force_login(actor(role))

    response = certificate(client, certification)

    (box,) = find_all(response, data_testid="certificate-actions")
    assert texts(box, "a") == actions


def test_certificate_of_another_partners_solution_is_not_found(client, certification):
    client.force_login(actor("other_partner"))

    response = certificate(client, certification)

    assert response.status_code == 404
    assert main(response) == NOT_FOUND
    assert "Phone Link" not in response.content.decode()


def test_certificate_of_a_solution_never_certified_is_not_found(client):
    application = ApplicationFactory(state=ApplicationState.SUPPORT_REVIEW)
    client.force_login(actor("analyst"))

    response = client.get(reverse("certificate", args=[application.solution.slug]))

    assert (response.status_code, main(response)) == (404, NOT_FOUND)


def test_certificate_flags_a_regular_audit_past_its_date(client, certification):
    """R5.7: the team sees at once that the regular audit is late."""
    Certification.objects.filter(pk=certification.pk).update(
        next_audit_due=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(actor("analyst"))

    response = certificate(client, certification)

    (due,) = find_all(response, data_testid="next-audit")
    assert texts(due, "span") == ["overdue"]


def test_certificate_of_a_revoked_badge_draws_it_off_the_showcase(client, certification):
    """R7.1: a revoked certification shows no "Certified" badge on the showcase."""
    Certification.objects.filter(pk=certification.pk).update(status=CertificationStatus.REVOKED)
    client.force_login(actor("analyst"))

    response = certificate(client, certification)

    (badge,) = find_all(response, data_testid="badge")
    assert (text(badge), "text-decoration-line-through" in attr(badge, "class")) == (
        "Certified",
        True,
    )
    assert by_testid(response, "showcase") == "Not shown on the Marketplace showcase"
    assert facts(response)["Status"] == "Revoked"
    assert texts(find_all(response, data_testid="certificate-actions")[0], "a") == [
        "Record a regular audit",
        "Restore the badge",
    ]


def test_certificate_history_names_the_scheduled_job_when_nobody_acted(client, certification):
    """R5.8: a revocation by the KPI job shows who acted: the scheduled job."""
    CertificationEventFactory(
        certification=certification,
        action=CertificationEvent.Action.REVOKED,
        status=CertificationStatus.REVOKED,
        actor=None,
        at=datetime(2026, 9, 1, 3, 0, tzinfo=UTC),
        reason="CSAT positive share 61 % in August.",
    )
    client.force_login(actor("own_partner", certification.solution))

    response = certificate(client, certification)

    assert rows(response, "history")[1] == [
        "1 Sep 2026, 03:00 UTC",
        "Revoked",
        "Revoked",
        "2.4.0",
        "scheduled job",
        "CSAT positive share 61 % in August.",
    ]


def test_certificate_lists_audits_with_outcomes_and_the_plans_in_force(client, certification):
    """R5.7, R5.8: the regular audits, what they found and the plan agreed for it."""
    solution = certification.solution
    RegularAuditFactory(
        solution=solution,
        held_on=date(2026, 8, 10),
        auditor=UserFactory(auditor=True, first_name="Ivan", last_name="Auditor"),
        summary="Thirty past cases read.",
    )
    RemediationPlanFactory(
        audit__solution=solution,
        audit__held_on=date(2026, 11, 2),
        audit__auditor=UserFactory(auditor=True, first_name="Ivan", last_name="Auditor"),
        audit__summary="A chat went unanswered.",
        agreed_by=UserFactory(analyst=True, first_name="Anna", last_name="Analyst"),
        agreed_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
        covers_kpis=["response_overdue_rate"],
        items=[("Register chat cases", date(2030, 1, 31))],
    )
    client.force_login(actor("own_partner", solution))

    response = certificate(client, certification)

    assert [row[:5] for row in rows(response, "audits")] == [
        [
            "2 Nov 2026",
            "Regular audit",
            "Analysis of past cases",
            "Ivan Auditor",
            "Nonconformities found",
        ],
        ["10 Aug 2026", "Regular audit", "Analysis of past cases", "Ivan Auditor", "Passed"],
    ]
    assert rows(response, "audits")[0][5].startswith(
        "A chat went unanswered. Major: Chat cases are lost. Checklist ✓ Every case from every "
        "channel is registered in the support system (R4.1) ✓ "
    )
    (plans,) = find_all(response, data_testid="plans")
    assert texts(plans, "h3") == [
        "Agreed on 3 Nov 2026 by Anna Analyst · after the audit of 2 Nov 2026"
    ]
    assert texts(plans, "p") == ["KPIs covered: Cases overdue on response: at most 1 % (R5.4)"]
    assert texts(plans, "li") == [
        "open Register chat cases — Support lead, due 31 Jan 2030 Mark done"
    ]


def test_certificate_offers_a_plan_for_a_regular_audit_that_found_problems(client, certification):
    """R5.8: an audit with nonconformities and no plan yet asks for one."""
    audit = RegularAuditFactory(solution=certification.solution, nonconformities=["Lost chats."])
    client.force_login(actor("auditor"))

    response = certificate(client, certification)

    (table,) = find_all(response, "table", data_testid="audits")
    assert [(text(a), attr(a, "href")) for a in find_all(table, "a")] == [
        ("Agree a remediation plan", url("remediation_plan_agree", certification, audit.pk))
    ]


@pytest.mark.parametrize("events", [1, 3])
def test_certificate_query_count_does_not_grow(
    client, django_assert_num_queries, certification, events
):
    for n in range(1, events):
        CertificationEventFactory(
            certification=certification,
            action=CertificationEvent.Action.VERSION_UPDATED,
            at=SINCE + timedelta(days=n),
            actor=UserFactory(analyst=True),
        )
    RegularAuditFactory(solution=certification.solution, nonconformities=["Lost chats."])
    RemediationPlanFactory(audit__solution=certification.solution)
    client.force_login(actor("analyst"))

    with django_assert_num_queries(CERTIFICATE_QUERIES):
        response = certificate(client, certification)

    assert len(rows(response, "history")) == events


# Session, user, roles; the certification; history; audits with their findings, plans and
# the plans' actions; the plans in force with their actions.
CERTIFICATE_QUERIES = 11


def test_solution_page_links_to_the_certificate(client, certification):
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("solution_detail", args=["phone-link"]))

    (box,) = find_all(response, data_testid="certificate-link")
    assert [(text(a), attr(a, "href")) for a in find_all(box, "a")] == [
        ("Certificate and history", url("certificate", certification))
    ]


# --- Revoke and restore by hand ---------------------------------------------------------------


def test_revoke_page_says_what_will_happen(client, certification):
    client.force_login(actor("analyst"))

    response = client.get(url("badge_revoke", certification))

    assert texts(response, "h1") == ["Revoke the “Certified” badge of Phone Link?"]
    assert by_testid(response, "consequence") == (
        "The badge goes off the Marketplace showcase at once: Phone Link 2.4.0 is no longer "
        "shown as certified. The partner and the analysts are e-mailed the reason. The badge "
        "can be restored later; both steps stay in the history."
    )
    assert field_value(response, "reason") == ""


def test_revoke_without_a_reason_is_refused(client, certification):
    client.force_login(actor("analyst"))

    response = client.post(url("badge_revoke", certification), {"reason": "  "})

    assert errors(response) == ["This field is required."]
    assert Certification.objects.get(pk=certification.pk).status == CertificationStatus.CERTIFIED


def test_revoke_takes_the_badge_off_and_tells_the_partner(client, certification, on_commit):
    """R5.8, R7.1: revoked by an analyst with a reason; history and partner both know."""
    partner = UserFactory(role="Partner", partner=certification.solution.partner)
    client.force_login(UserFactory(analyst=True, first_name="Lena", last_name="Lebedeva"))

    response = on_commit(
        client.post,
        url("badge_revoke", certification),
        {"reason": "CSAT positive share below 80 % since August."},
        follow=True,
    )

    assert alerts(response) == [
        "Badge revoked: Phone Link is off the showcase. The partner and the analysts are being "
        "e-mailed."
    ]
    assert by_testid(response, "showcase") == "Not shown on the Marketplace showcase"
    assert rows(response, "history")[-1][1:] == [
        "Revoked",
        "Revoked",
        "2.4.0",
        "Lena Lebedeva",
        "CSAT positive share below 80 % since August.",
    ]
    assert [m.subject for m in mail.outbox if m.to == [partner.email]] == [
        "[Certification] Phone Link: Revoked"
    ]


def test_restore_brings_the_badge_back_and_keeps_both_steps(client, certification, on_commit):
    """R5.8, R7.1: restored after the plan; the revocation stays in the history."""
    Certification.objects.filter(pk=certification.pk).update(status=CertificationStatus.REVOKED)
    CertificationEventFactory(
        certification=certification,
        action=CertificationEvent.Action.REVOKED,
        status=CertificationStatus.REVOKED,
        at=SINCE + timedelta(days=100),
        reason="NPS 6.2.",
    )
    partner = UserFactory(role="Partner", partner=certification.solution.partner)
    client.force_login(actor("analyst"))
    page = client.get(url("badge_restore", certification))

    response = on_commit(
        client.post,
        url("badge_restore", certification),
        {"reason": "NPS back at 7.9."},
        follow=True,
    )

    assert by_testid(page, "consequence") == (
        "The badge comes back on the Marketplace showcase for Phone Link 2.4.0. The partner "
        "and the analysts are e-mailed the reason."
    )
    assert alerts(response) == [
        "Badge restored: Phone Link is back on the showcase. The partner and the analysts are "
        "being e-mailed."
    ]
    assert by_testid(response, "badge") == "✓ Certified"
    assert [row[1] for row in rows(response, "history")] == ["Granted", "Revoked", "Restored"]
    assert [m.subject for m in mail.outbox if m.to == [partner.email]] == [
        "[Certification] Phone Link: Restored"
    ]


def test_revoke_of_a_badge_revoked_meanwhile_keeps_the_reason_typed(client, certification):
    """R7.1: someone revoked it first; the second analyst's reason is not lost."""
    client.force_login(actor("analyst"))
    Certification.objects.filter(pk=certification.pk).update(status=CertificationStatus.REVOKED)

    response = client.post(url("badge_revoke", certification), {"reason": "Escalations: 5."})

    assert errors(response) == ["The badge is revoked already."]
    assert field_value(response, "reason") == "Escalations: 5."
    assert certification.events.count() == 1


def test_restore_of_a_badge_that_is_on_is_refused(client, certification):
    client.force_login(actor("analyst"))

    response = client.post(url("badge_restore", certification), {"reason": "Just in case."})

    assert errors(response) == ["Only a revoked badge is restored."]
    assert field_value(response, "reason") == "Just in case."


@pytest.mark.parametrize("name", ["badge_revoke", "badge_restore"])
@pytest.mark.parametrize("role", ["own_partner", "leader", "auditor"])
def test_badge_pages_are_refused_to_all_but_analysts(client, certification, name, role):
    """R5.8: only the Marketplace analysts revoke or restore the badge."""
    client.force_login(actor(role, certification.solution))

    page = client.get(url(name, certification))
    post = client.post(url(name, certification), {"reason": "Mine to decide."})

    assert (page.status_code, main(page)) == (403, NOT_ALLOWED)
    assert (post.status_code, main(post)) == (403, NOT_ALLOWED)
    assert certification.events.count() == 1


@pytest.mark.parametrize(
    "name", ["badge_revoke", "badge_restore", "regular_audit", "regular_audit_versions_finding"]
)
def test_action_pages_of_another_partners_certificate_are_not_found(client, certification, name):
    client.force_login(actor("other_partner"))

    response = client.post(url(name, certification), {"reason": "Theirs."})

    assert (response.status_code, main(response)) == (404, NOT_FOUND)
    assert certification.events.count() == 1


# --- Regular audits and remediation plans ------------------------------------------------------


def audit_data(**changes) -> dict:
    data = {
        "type": "mystery_shopper",
        "held_on": "2026-01-15",
        "conforming": ["R4.1", "R4.2", "R4.3", "R4.4", "R4.5", "R4.6"],
        "summary": "Three test questions by chat and mail, all answered in time.",
        "nc-TOTAL_FORMS": "3",
        "nc-INITIAL_FORMS": "0",
        "nc-MIN_NUM_FORMS": "0",
        "nc-MAX_NUM_FORMS": "1000",
    }
    for n in range(3):
        data[f"nc-{n}-description"] = ""
        data[f"nc-{n}-severity"] = "major"
    data.update(changes)
    return data


def test_regular_audit_passed_moves_the_next_audit_six_months_on(client, certification):
    """R5.7: recorded on the certificate; the next regular audit is due six months later."""
    client.force_login(actor("auditor"))

    response = client.post(url("regular_audit", certification), audit_data(), follow=True)

    assert alerts(response) == ["Regular audit recorded: passed. Next audit due on 15 Jul 2026."]
    assert facts(response)["Next regular audit due"].startswith("15 Jul 2026")
    assert rows(response, "audits")[0][:5] == [
        "15 Jan 2026",
        "Regular audit",
        "Mystery shopper",
        actor_name(SupportAudit.objects.get()),
        "Passed",
    ]


def actor_name(audit) -> str:
    return audit.auditor.get_full_name() or audit.auditor.username


def test_regular_audit_with_nonconformities_leads_to_the_plan(client, certification):
    """R5.7, R5.8: what the audit found goes to a remediation plan next."""
    client.force_login(actor("analyst"))

    response = client.post(
        url("regular_audit", certification),
        audit_data(
            conforming=["R4.1", "R4.2", "R4.3", "R4.5", "R4.6"],
            **{
                "nc-0-description": "A pre-sale question waited four days.",
                "nc-0-severity": "critical",
            },
        ),
        follow=True,
    )

    audit = SupportAudit.objects.get()
    assert (audit.purpose, audit.outcome) == (AuditPurpose.REGULAR, AuditOutcome.NONCONFORMITIES)
    assert [row["ok"] for row in audit.checklist] == [True, True, True, False, True, True]
    assert alerts(response) == [
        "Regular audit recorded with 1 nonconformity; next audit due on 15 Jul 2026. "
        "Agree a remediation plan with the partner."
    ]
    assert by_testid(response, "audit-nonconformities") == (
        "Critical: A pre-sale question waited four days."
    )


def test_regular_audit_with_an_unticked_requirement_needs_its_nonconformity(client, certification):
    client.force_login(actor("auditor"))

    response = client.post(
        url("regular_audit", certification),
        audit_data(conforming=["R4.1", "R4.2", "R4.3", "R4.4", "R4.5"]),
    )

    assert errors(response) == [
        "A requirement is not ticked as conforming: describe what falls short."
    ]
    assert field_value(response, "summary") == (
        "Three test questions by chat and mail, all answered in time."
    )
    assert SupportAudit.objects.count() == 0


def test_regular_audit_dated_in_the_future_is_refused(client, certification):
    client.force_login(actor("auditor"))
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = client.post(
        url("regular_audit", certification), audit_data(held_on=tomorrow.isoformat())
    )

    assert errors(response) == ["An audit is recorded once it has been held."]
    assert SupportAudit.objects.count() == 0


@pytest.mark.parametrize("role", ["own_partner", "leader", "rnd_expert"])
def test_regular_audit_page_is_refused_to_roles_that_do_not_audit(client, certification, role):
    """R5.7: the Marketplace team's analysts and auditors audit."""
    client.force_login(actor(role, certification.solution))

    page = client.get(url("regular_audit", certification))
    post = client.post(url("regular_audit", certification), audit_data())

    assert (page.status_code, post.status_code) == (403, 403)
    assert SupportAudit.objects.count() == 0


def plan_data(**changes) -> dict:
    data = {
        "covers_kpis": ["response_overdue_rate", "escalations"],
        "item-TOTAL_FORMS": "3",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "1",
        "item-MAX_NUM_FORMS": "1000",
        "item-0-description": "Route pre-sale mail to the sales desk",
        "item-0-owner": "Sales lead",
        "item-0-due_on": "2030-01-31",
    }
    data.update(changes)
    return data


def test_plan_agreed_after_a_regular_audit_shows_on_the_certificate(client, certification):
    """R5.8: the plan agreed with the partner is in force and visible on the certificate."""
    audit = RegularAuditFactory(solution=certification.solution, nonconformities=["Slow pre-sale."])
    client.force_login(actor("analyst"))

    response = client.post(
        url("remediation_plan_agree", certification, audit.pk), plan_data(), follow=True
    )

    plan = RemediationPlan.objects.get()
    assert (plan.audit, plan.covers_kpis) == (audit, ["response_overdue_rate", "escalations"])
    assert alerts(response) == ["Remediation plan agreed; it is on the certificate."]
    (plans,) = find_all(response, data_testid="plans")
    assert texts(plans, "li") == [
        "open Route pre-sale mail to the sales desk — Sales lead, due 31 Jan 2030 Mark done"
    ]


def test_plan_without_an_action_is_refused(client, certification):
    audit = RegularAuditFactory(solution=certification.solution, nonconformities=["Slow pre-sale."])
    client.force_login(actor("analyst"))

    response = client.post(
        url("remediation_plan_agree", certification, audit.pk),
        plan_data(**{"item-0-description": "", "item-0-owner": "", "item-0-due_on": ""}),
    )

    assert errors(response) == ["A plan has at least one action."]
    assert RemediationPlan.objects.count() == 0


def test_plan_action_begun_without_a_due_date_is_refused_and_kept(client, certification):
    audit = RegularAuditFactory(solution=certification.solution, nonconformities=["Slow pre-sale."])
    client.force_login(actor("analyst"))

    response = client.post(
        url("remediation_plan_agree", certification, audit.pk), plan_data(**{"item-0-due_on": ""})
    )

    assert errors(response) == ["Give the action, its owner and its due date."]
    assert field_value(response, "item-0-description") == "Route pre-sale mail to the sales desk"
    assert RemediationPlan.objects.count() == 0


def test_plan_page_of_a_passed_audit_is_not_found(client, certification):
    audit = RegularAuditFactory(solution=certification.solution)
    client.force_login(actor("analyst"))

    response = client.get(url("remediation_plan_agree", certification, audit.pk))

    assert (response.status_code, main(response)) == (404, NOT_FOUND)


def test_partner_marks_a_plan_action_done(client, certification):
    """R5.8: the partner reports its progress on the plan."""
    plan = RemediationPlanFactory(audit__solution=certification.solution)
    item = plan.items.get()
    client.force_login(actor("own_partner", certification.solution))

    response = client.post(
        url("remediation_item_done", certification, item.pk),
        confirming({"note": "Chat cases now land in the support system."}),
        follow=True,
    )
    done = RemediationItem.objects.get(pk=item.pk)

    assert alerts(response) == [f"Marked done: {item.description}"]
    assert by_testid(response, "item-done-record").endswith(
        ": Chat cases now land in the support system."
    )
    assert done.done_note == "Chat cases now land in the support system."
    (plans,) = find_all(response, data_testid="plans")
    assert texts(plans, "li")[0].startswith("done Register chat cases")
    assert RemediationItem.objects.get(pk=item.pk).done_at is not None


# --- The queue's "Audits due" -----------------------------------------------------------------


def test_queue_lists_regular_audits_and_plan_actions_past_due(client, certification):
    """R5.7: the team's queue says which audits and remediation actions are late."""
    Certification.objects.filter(pk=certification.pk).update(next_audit_due=date(2026, 1, 10))
    other = CertificationFactory(solution__name="Doc Flow")
    RemediationPlanFactory(
        audit__solution=other.solution,
        items=[("Answer pre-sale mail within two days", date(2026, 2, 1))],
    )
    RemediationPlanFactory(audit__solution=other.solution, items=[("Not yet", date(2030, 1, 1))])
    client.force_login(actor("analyst"))

    response = client.get(reverse("queue"))

    (panel,) = find_all(response, data_testid="audits-due")
    assert texts(panel, "h2") == ["Audits due"]
    assert [(text(a), attr(a, "href")) for a in find_all(panel, "a")] == [
        (
            "Regular audit of Phone Link (Acme) was due on 10 Jan 2026",
            url("certificate", certification),
        ),
        (
            "Remediation of Doc Flow: “Answer pre-sale mail within two days” was due on 1 Feb 2026",
            url("certificate", other),
        ),
    ]


def test_queue_links_a_late_action_of_a_request_to_the_request(client):
    """R4.7: a plan agreed during support certification belongs to its request."""
    application = ApplicationFactory(state=ApplicationState.REMEDIATION)
    RemediationPlanFactory(
        audit__solution=application.solution,
        audit__application=application,
        audit__purpose=AuditPurpose.CERTIFICATION,
        items=[("Register chat cases", date(2026, 2, 1))],
    )
    client.force_login(actor("analyst"))

    response = client.get(reverse("queue"))

    (panel,) = find_all(response, data_testid="audits-due")
    assert [attr(a, "href") for a in find_all(panel, "a")] == [application.get_absolute_url()]


def test_queue_shows_no_audits_panel_when_nothing_is_late(client, certification):
    client.force_login(actor("analyst"))

    response = client.get(reverse("queue"))

    assert find_all(response, data_testid="audits-due") == []


# --- The staff admin ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["supportaudit", "remediationplan", "supportdeclaration", "vendorescalationlevel", "reminder"],
)
@pytest.mark.parametrize("role", ["analyst", "leader"])
def test_admin_lists_of_support_records_open_for_the_team(client, role, model):
    RemediationPlanFactory()
    client.force_login(actor(role))

    response = client.get(reverse(f"admin:support_audit_{model}_changelist"))

    assert response.status_code == 200


def test_admin_keeps_audits_read_only(client):
    """R4.7: an audit is the services' record; staff read it and change nothing."""
    audit = RegularAuditFactory(summary="Thirty cases read.")
    client.force_login(actor("analyst"))

    page = client.get(reverse("admin:support_audit_supportaudit_change", args=[audit.pk]))
    post = client.post(
        reverse("admin:support_audit_supportaudit_change", args=[audit.pk]),
        {"summary": "Rewritten."},
    )

    assert "Thirty cases read." in texts(page, "div", **{"class": "readonly"})
    assert find_all(page, "input", type="submit") == []
    assert post.status_code == 403
    assert SupportAudit.objects.get().summary == "Thirty cases read."


# --- Versions and updates on the regular audit (R6.3, R6.4) ------------------------------------


def _customers(certification):
    solution = certification.solution
    for name, version in [("Alder Bank", "2.4.0"), ("Birch Foods", "2.3.1"), ("Cedar", "2.2.0")]:
        CustomerFactory(solution=solution, customer_id=name, installed_version=version)
    CustomerFactory(solution=solution, customer_id="Lapsed", installed_version="1.0", lapsed=True)


def test_the_regular_audit_shows_the_versions_in_use_and_the_customers_behind(
    client, certification
):
    """R6.3, R6.4: the versions used by customers with active support, and those not on the
    current version; a lapsed customer is neither."""
    _customers(certification)
    client.force_login(actor("auditor"))

    response = client.get(url("regular_audit", certification))

    assert rows(response, "audit-versions-in-use") == [
        ["2.4.0 current", "1"],
        ["2.3.1", "1"],
        ["2.2.0", "1"],
    ]
    assert [row[:2] for row in rows(response, "audit-behind")] == [
        ["Birch Foods", "2.3.1"],
        ["Cedar", "2.2.0"],
    ]


def test_an_analyst_raises_the_customers_behind_as_a_nonconformity_in_one_step(
    client, certification
):
    """R6.4, R5.7: one click records the nonconformity with the customers and versions, then
    the remediation plan is agreed for it; the next full audit stays where it was."""
    _customers(certification)
    client.force_login(actor("analyst"))

    response = client.post(url("regular_audit_versions_finding", certification), follow=True)

    audit = SupportAudit.objects.get()
    assert (audit.purpose, audit.type, audit.outcome) == (
        AuditPurpose.REGULAR,
        "process_review",
        AuditOutcome.NONCONFORMITIES,
    )
    (nonconformity,) = audit.nonconformities.all()
    assert (nonconformity.severity, nonconformity.description) == (
        "major",
        "2 of 3 customers with an active subscription or paid support are not on the current "
        "version 2.4.0 (R6.4): Birch Foods on 2.3.1; Cedar on 2.2.0. Versions in use by "
        "customers with active support, each of which the partner supports (R6.3): "
        "2.4.0 (1), 2.3.1 (1), 2.2.0 (1).",
    )
    assert response.redirect_chain[-1][0] == url("remediation_plan_agree", certification, audit.pk)
    assert alerts(response) == [
        "Nonconformity raised: customers not on the current version. Agree a remediation plan."
    ]
    certification.refresh_from_db()
    assert certification.next_audit_due == date(2030, 11, 20)


def test_nothing_is_raised_when_every_active_customer_is_current(client, certification):
    CustomerFactory(solution=certification.solution, installed_version="2.4.0")
    client.force_login(actor("analyst"))

    response = client.post(url("regular_audit_versions_finding", certification), follow=True)

    assert alerts(response) == ["Every active customer is on the current version."]
    assert SupportAudit.objects.count() == 0


def test_a_partner_cannot_raise_a_nonconformity(client, certification):
    _customers(certification)
    client.force_login(actor("own_partner", certification.solution))

    response = client.post(url("regular_audit_versions_finding", certification))

    assert (response.status_code, main(response)) == (403, NOT_ALLOWED)
    assert SupportAudit.objects.count() == 0
