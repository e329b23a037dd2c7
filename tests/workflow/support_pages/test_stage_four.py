"""Stage 4 pages of a request: the partner's support standards, the team's audit and the"""

from datetime import timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from catalogue.models import Certification
from support_audit.enums import AuditPurpose, AuditType, NonconformitySeverity
from support_audit.models import (
    Nonconformity,
    RemediationItem,
    RemediationPlan,
    SupportAudit,
)
from tests.workflow.markup import (
    alerts,
    by_testid,
    confirming,
    find_all,
    text,
    texts,
)
from tests.workflow.support_pages.helpers import (
    S,
    action_labels,
    audit_data,
    blocked,
    item_rows,
    partner_of,
    plan_data,
    post_declaration,
    quality_passed,
    url,
)

pytestmark = pytest.mark.django_db


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
        confirming({"seen_state": S.QUALITY_PASSED}),
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
            confirming({"seen_state": S.REMEDIATION, "note": "Done as agreed."}),
            follow=True,
        )
        assert alerts(response) == [f"Marked done: {item.description}"]
    done = date_filter(timezone.localdate(), "SHORT_DATE_FORMAT")
    assert [row[3] for row in item_rows(response)] == [f"done on {done}"] * 2
    response = client.post(
        url("support_reaudit", application),
        confirming({"seen_state": S.REMEDIATION}),
        follow=True,
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
