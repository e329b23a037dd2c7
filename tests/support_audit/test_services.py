"""Stage 4 and the certified solution's later life through the services: the support
standards, audits and remediation plans, certification, and the badge by hand."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalogue import badge
from catalogue.enums import CertificationStatus, Marketplace
from catalogue.models import Certification, CertificationEvent
from certportal.errors import ActionRefused
from support_audit import services
from support_audit.enums import AuditOutcome, AuditPurpose, AuditType, NonconformitySeverity
from support_audit.models import Nonconformity, RemediationPlan
from support_audit.selectors import overdue_audits
from support_audit.standards import check_declaration
from support_audit.tasks import notify_certification_event
from tests.factories.accounts import UserFactory
from tests.factories.certification import (
    ALL_CONFORMING,
    RemediationPlanFactory,
    conforming_declaration,
    declare_conforming_support,
)
from workflow.enums import ApplicationState
from workflow.services import support

from ..factories.workflow import (
    ApplicationFactory,
    CertificationEventFactory,
    CertificationFactory,
    actor,
)

S = ApplicationState
pytestmark = pytest.mark.django_db


def problems(**declaration) -> list[tuple[str, str]]:
    return [(p.field, str(p.message)) for p in check_declaration(**declaration)]


# --- The support standards of 4.1–4.2 -------------------------------------------------------


@pytest.mark.parametrize("marketplace", [Marketplace.CREATIO, Marketplace.TERRASOFT])
def test_check_declaration_of_a_conforming_declaration_finds_nothing(marketplace):
    """R4.5: every rule met, on either marketplace, leaves nothing to fix."""
    declaration = conforming_declaration(marketplace)

    found = problems(**declaration)

    assert found == []


def test_check_declaration_without_every_channel_registered_refuses():
    """R4.1: every case from every channel must reach the support system."""
    declaration = conforming_declaration(all_channels_registered=False)

    found = problems(**declaration)

    assert found == [
        (
            "all_channels_registered",
            "The support system must register every case from every channel (R4.1).",
        )
    ]


def test_check_declaration_without_partner_portal_consent_refuses():
    """R4.2: customers may also register cases on the vendor's partner portal."""
    declaration = conforming_declaration(partner_portal_consent=False)

    found = problems(**declaration)

    assert found == [
        (
            "partner_portal_consent",
            "Customers must be able to register cases on the vendor's partner portal (R4.2).",
        )
    ]


def test_check_declaration_with_a_package_missing_names_it():
    """R4.3: Basic, Business and Premium are all served."""
    declaration = conforming_declaration(packages=["basic", "business"])

    found = problems(**declaration)

    assert found == [("packages", "All three packages are served; missing: Premium (R4.3).")]


@pytest.mark.parametrize("days", [3, 5, None])
def test_check_declaration_with_presale_over_two_business_days_refuses(days):
    """R4.4: pre-sale questions are answered within two business days."""
    declaration = conforming_declaration(presale_business_days=days)

    found = problems(**declaration)

    assert found == [
        (
            "presale_business_days",
            "Pre-sale questions are answered within two business days at most (R4.4).",
        )
    ]


@pytest.mark.parametrize("days", [0, 1, 2])
def test_check_declaration_with_presale_within_two_business_days_accepts(days):
    """R4.4: two business days or less is on time."""
    declaration = conforming_declaration(presale_business_days=days)

    found = problems(**declaration)

    assert found == []


@pytest.mark.parametrize(
    ("marketplace", "region", "label"),
    [
        (Marketplace.CREATIO, "americas_east", "Americas, EST (UTC−5)"),
        (Marketplace.CREATIO, "americas_west", "Americas, PST (UTC−8)"),
        (Marketplace.CREATIO, "apac", "APAC, GST (UTC+4)"),
        (Marketplace.CREATIO, "emea", "EMEA (UTC+1)"),
        (Marketplace.TERRASOFT, "russia", "Russia, MSK (UTC+3)"),
    ],
)
def test_check_declaration_with_a_region_of_the_marketplace_missing_names_it(
    marketplace, region, label
):
    """R4.5: support works in every region of the marketplace, in its time zone."""
    declaration = conforming_declaration(marketplace)
    del declaration["regions"][region]

    found = problems(**declaration)

    assert found == [
        (
            "regions",
            f"Support is given in every region of the marketplace; missing: {label} (R4.5).",
        )
    ]


@pytest.mark.parametrize(
    ("marketplace", "region", "wrong", "label", "language"),
    [
        (Marketplace.CREATIO, "emea", "de", "EMEA (UTC+1)", "English"),
        (Marketplace.TERRASOFT, "russia", "en", "Russia, MSK (UTC+3)", "Russian"),
    ],
)
def test_check_declaration_in_the_wrong_language_refuses(
    marketplace, region, wrong, label, language
):
    """R4.5: marketplace.creatio.com is served in English, marketplace.terrasoft.ru in Russian."""
    declaration = conforming_declaration(marketplace)
    declaration["regions"][region]["language"] = wrong

    found = problems(**declaration)

    assert found == [("regions", f"Support in {label} is given in {language} (R4.5).")]


@pytest.mark.parametrize("role", ["head_of_department", "ceo"])
def test_check_declaration_with_head_or_ceo_as_first_escalation_accepts(role):
    """R4.6: the partner's first escalation is a department head or the CEO."""
    declaration = conforming_declaration(escalation_role=role)

    found = problems(**declaration)

    assert found == []


def test_check_declaration_with_first_escalation_of_another_role_refuses():
    """R4.6: the first escalation contact of another role does not do."""
    declaration = conforming_declaration(escalation_role="other")

    found = problems(**declaration)

    assert found == [
        (
            "escalation_role",
            "The first escalation goes to a head of department or the CEO (R4.6).",
        )
    ]


# --- The audit loop of 4.3 ------------------------------------------------------------------


def test_support_certification_audit_loop_goes_through_remediation_to_a_pass():
    """R4.7: an audit finds nonconformities, a plan is agreed and done, the re-audit passes."""
    application = ApplicationFactory(state=S.QUALITY_PASSED)
    partner = application.created_by
    analyst = UserFactory(analyst=True)
    today = timezone.localdate()
    declare_conforming_support(application, by=partner)
    support.support_submit(application=application, by=partner)
    states = [application.state]

    first = support.audit_record(
        solution=application.solution,
        application=application,
        by=analyst,
        purpose=AuditPurpose.CERTIFICATION,
        type=AuditType.MYSTERY_SHOPPER,
        held_on=today,
        checklist=ALL_CONFORMING,
        summary="A chat question went unregistered.",
        nonconformities=[("Chat cases are not registered.", NonconformitySeverity.MAJOR)],
    )
    plan = support.plan_agree(
        audit=first,
        by=analyst,
        items=[("Connect the chat to the help desk", "Support lead", today + timedelta(14))],
    )
    support.nonconformities_report(application=application, by=analyst, comment="Report sent.")
    states.append(application.state)
    support.plan_item_done(item=plan.items.get(), by=partner, note="Done.")
    support.reaudit_request(application=application, by=partner)
    states.append(application.state)
    second = support.audit_record(
        solution=application.solution,
        application=application,
        by=analyst,
        purpose=AuditPurpose.REAUDIT,
        type=AuditType.MYSTERY_SHOPPER,
        held_on=today,
        checklist=ALL_CONFORMING,
        summary="The chat question was registered and answered.",
    )
    support.support_pass(application=application, by=analyst)
    states.append(application.state)

    assert states == [S.SUPPORT_REVIEW, S.REMEDIATION, S.SUPPORT_REVIEW, S.SUPPORT_PASSED]
    assert (first.outcome, second.outcome) == (AuditOutcome.NONCONFORMITIES, AuditOutcome.PASSED)
    assert list(Nonconformity.objects.values_list("description", "closed_by_audit")) == [
        ("Chat cases are not registered.", second.pk)
    ]
    assert RemediationPlan.objects.get(pk=plan.pk).in_force is False


def test_nonconformity_report_without_an_agreed_plan_is_refused():
    """R4.7: nonconformities go to the partner with an agreed remediation plan."""
    application = ApplicationFactory(state=S.SUPPORT_REVIEW)
    analyst = UserFactory(analyst=True)
    support.audit_record(
        solution=application.solution,
        application=application,
        by=analyst,
        purpose=AuditPurpose.CERTIFICATION,
        type=AuditType.PAST_CASES,
        held_on=timezone.localdate(),
        checklist=ALL_CONFORMING,
        summary="Escalations skip the CEO.",
        nonconformities=[("Escalations skip the CEO.", NonconformitySeverity.CRITICAL)],
    )

    with pytest.raises(ActionRefused) as refused:
        support.nonconformities_report(application=application, by=analyst, comment="Report.")

    application.refresh_from_db()
    assert refused.value.reasons == [
        "Record a support audit with its nonconformities and an agreed plan first (R4.7)."
    ]
    assert application.state == S.SUPPORT_REVIEW


# --- Certification and the badge -------------------------------------------------------------


def partner_mail(partner) -> list[str]:
    return [
        message.subject
        for message in mail.outbox
        if message.to == [partner.email] and message.subject.startswith("[Certification]")
    ]


def test_certify_grants_the_badge_and_schedules_the_first_regular_audit(on_commit):
    """R7.1, R5.7: certified, with a GRANTED event and the next audit six months on."""
    application = ApplicationFactory(state=S.SUPPORT_PASSED, solution__name="Phone Link")
    analyst = UserFactory(analyst=True)

    certification = on_commit(support.certify, application=application, by=analyst)

    certification.refresh_from_db()
    assert (certification.status, certification.badge_on) == (CertificationStatus.CERTIFIED, True)
    assert certification.version == application.version
    assert certification.next_audit_due == services.add_months(timezone.localdate(), 6)
    assert list(certification.events.values_list("action", "status", "actor")) == [
        (CertificationEvent.Action.GRANTED, CertificationStatus.CERTIFIED, analyst.pk)
    ]
    assert partner_mail(application.created_by) == ["[Certification] Phone Link: Granted"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 25), 6, date(2027, 5, 25)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 6, 30), 6, date(2026, 12, 30)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    """R5.7: six months on from the 31st of August is the last day of February."""
    moved = services.add_months(day, months)

    assert moved == expected


@pytest.fixture
def certified():
    certification = CertificationFactory(solution__name="Phone Link")
    CertificationEventFactory(certification=certification, reason="Stages 1–4 passed.")
    partner = UserFactory(role="Partner", partner=certification.solution.partner)
    return certification, partner


def test_badge_revoke_then_restore_keeps_both_events_in_order(certified, on_commit):
    """R5.8, R7.1: the history keeps the grant, the revocation and the restoration."""
    certification, _partner = certified
    analyst = UserFactory(analyst=True)

    on_commit(
        badge.revoke,
        certification=certification,
        by=analyst,
        reason="CSAT below 80 % for three months.",
    )
    badge_after_revoke = Certification.objects.get(pk=certification.pk).badge_on
    on_commit(
        badge.restore,
        certification=certification,
        by=analyst,
        reason="Remediation plan agreed; CSAT back on target.",
    )

    assert badge_after_revoke is False
    assert Certification.objects.get(pk=certification.pk).badge_on is True
    assert list(
        certification.events.order_by("at", "pk").values_list("action", "status", "actor", "reason")
    ) == [
        ("granted", "certified", certification.events.first().actor_id, "Stages 1–4 passed."),
        ("revoked", "revoked", analyst.pk, "CSAT below 80 % for three months."),
        ("restored", "certified", analyst.pk, "Remediation plan agreed; CSAT back on target."),
    ]


def test_badge_revoke_and_restore_mail_the_partner_once_per_event(certified, on_commit):
    """R5.8: the partner hears of each change once, however often the task runs."""
    certification, partner = certified
    analyst = UserFactory(analyst=True)
    revoked = on_commit(badge.revoke, certification=certification, by=analyst, reason="NPS 6.1.")
    restored = on_commit(badge.restore, certification=certification, by=analyst, reason="NPS 7.9.")
    sent = len(mail.outbox)

    again = [
        notify_certification_event(event_id=revoked.pk),
        notify_certification_event(event_id=restored.pk),
    ]

    assert again == [0, 0]
    assert len(mail.outbox) == sent
    assert partner_mail(partner) == [
        "[Certification] Phone Link: Revoked",
        "[Certification] Phone Link: Restored",
    ]
    revoked_mail = next(m for m in mail.outbox if m.subject.endswith("Revoked"))
    assert "Reason: NPS 6.1." in revoked_mail.body


def test_badge_revoke_by_the_scheduled_job_records_no_actor(certified):
    """R5.8: the KPI job revokes as the system actor, with no person behind it."""
    certification, _partner = certified

    event = badge.revoke(certification=certification, by=badge.SYSTEM, reason="CSAT 61 %.")

    assert (event.actor, event.status) == (None, CertificationStatus.REVOKED)


def test_nobody_skips_the_permission_check_of_a_badge_change(certified):
    """No actor is no permission: only the system actor of the KPI job, or an analyst,
    changes a badge; the job may not restore one, nor may a person mark it at risk."""
    certification, _partner = certified
    analyst = UserFactory(analyst=True)

    with pytest.raises(PermissionDenied):
        badge.revoke(certification=certification, by=None, reason="No one.")
    with pytest.raises(PermissionDenied):
        badge.mark_at_risk(certification=certification, by=analyst, reason="By hand.")
    badge.revoke(certification=certification, by=badge.SYSTEM, reason="CSAT 61 %.")
    with pytest.raises(PermissionDenied):
        badge.restore(certification=certification, by=badge.SYSTEM, reason="Job.")

    certification.refresh_from_db()
    assert certification.status == CertificationStatus.REVOKED
    assert list(certification.events.values_list("action", flat=True)) == ["granted", "revoked"]


def test_the_badge_status_changes_only_through_its_transitions(certified):
    """The status is a protected state machine field: no code sets it directly."""
    certification, _partner = certified

    with pytest.raises(AttributeError):
        certification.status = CertificationStatus.REVOKED


def test_badge_revoke_of_a_revoked_badge_is_refused():
    """R7.1: a badge already off cannot be taken off again; nothing is recorded."""
    certification = CertificationFactory(revoked=True)

    with pytest.raises(ValidationError) as refused:
        badge.revoke(certification=certification, by=UserFactory(analyst=True), reason="Again.")

    assert refused.value.messages == ["The badge is revoked already."]
    assert certification.events.count() == 0


def test_badge_revoke_from_a_stale_copy_is_refused(certified):
    """R7.1: two analysts on the same old page revoke once, not twice."""
    certification, _partner = certified
    stale = Certification.objects.get(pk=certification.pk)
    badge.revoke(certification=certification, by=UserFactory(analyst=True), reason="First.")

    with pytest.raises(ValidationError) as refused:
        badge.revoke(certification=stale, by=UserFactory(analyst=True), reason="Second.")

    assert refused.value.messages == ["The badge is revoked already."]
    assert list(certification.events.values_list("action", flat=True)) == ["granted", "revoked"]


def test_badge_restore_of_a_badge_on_is_refused(certified):
    """R7.1: only a revoked badge is restored."""
    certification, _partner = certified

    with pytest.raises(ValidationError) as refused:
        badge.restore(certification=certification, by=UserFactory(analyst=True), reason="Why not.")

    assert refused.value.messages == ["Only a revoked badge is restored."]


@pytest.mark.parametrize("role", ["leader", "auditor", "rnd_expert"])
def test_badge_revoke_by_another_team_role_is_denied(certified, role):
    """R5.8: the Marketplace analysts revoke the badge."""
    certification, _partner = certified

    with pytest.raises(PermissionDenied):
        badge.revoke(certification=certification, by=UserFactory(**{role: True}), reason="No.")

    assert Certification.objects.get(pk=certification.pk).status == CertificationStatus.CERTIFIED


def test_badge_revoke_by_the_partner_is_denied(certified):
    """R5.8: the partner cannot take its own badge off, nor put it back."""
    certification, partner = certified

    with pytest.raises(PermissionDenied):
        badge.revoke(certification=certification, by=partner, reason="Mine.")

    assert certification.events.count() == 1


# --- Regular audits (stage 5) ------------------------------------------------------------------


def test_regular_audit_reschedules_the_next_one_six_months_on():
    """R5.7: a regular audit held on 20 November is followed by one due on 20 May."""
    certification = CertificationFactory(next_audit_due=date(2026, 11, 1))

    audit = support.audit_record(
        solution=certification.solution,
        by=UserFactory(auditor=True),
        purpose=AuditPurpose.REGULAR,
        type=AuditType.PAST_CASES,
        held_on=date(2026, 11, 20),
        checklist=ALL_CONFORMING,
        summary="Forty past cases read.",
    )

    certification.refresh_from_db()
    assert (audit.outcome, audit.application) == (AuditOutcome.PASSED, None)
    assert certification.next_audit_due == date(2027, 5, 20)


def test_regular_audit_with_nonconformities_takes_a_plan_covering_kpis():
    """R5.8: a failed regular audit leads to a remediation plan agreed with the partner."""
    certification = CertificationFactory()
    auditor = UserFactory(auditor=True)
    audit = support.audit_record(
        solution=certification.solution,
        by=auditor,
        purpose=AuditPurpose.REGULAR,
        type=AuditType.MYSTERY_SHOPPER,
        held_on=timezone.localdate(),
        checklist=ALL_CONFORMING,
        summary="A pre-sale question waited four days.",
        nonconformities=[("Pre-sale answered in 4 days.", NonconformitySeverity.MAJOR)],
    )

    plan = support.plan_agree(
        audit=audit,
        by=auditor,
        items=[("Route pre-sale mail to sales", "Sales lead", date(2030, 1, 15))],
        covers_kpis=["response_overdue_rate"],
    )

    assert audit.outcome == AuditOutcome.NONCONFORMITIES
    assert (plan.solution, plan.covers_kpis, plan.in_force) == (
        certification.solution,
        ["response_overdue_rate"],
        True,
    )
    assert list(plan.items.values_list("description", "owner", "due_on")) == [
        ("Route pre-sale mail to sales", "Sales lead", date(2030, 1, 15))
    ]


def test_passed_regular_audit_closes_earlier_regular_findings_and_plans():
    """R5.7: once a regular audit passes, what the earlier one found is closed."""
    certification = CertificationFactory()
    plan = RemediationPlanFactory(audit__solution=certification.solution)

    passed = support.audit_record(
        solution=certification.solution,
        by=UserFactory(auditor=True),
        purpose=AuditPurpose.REGULAR,
        type=AuditType.PAST_CASES,
        held_on=timezone.localdate(),
        checklist=ALL_CONFORMING,
        summary="Chat cases are registered now.",
    )

    assert RemediationPlan.objects.get(pk=plan.pk).in_force is False
    assert list(Nonconformity.objects.values_list("closed_by_audit", flat=True)) == [passed.pk]


def test_failed_regular_audit_leaves_the_plans_in_force():
    """R5.7: a plan stays in force while the audits keep finding problems."""
    certification = CertificationFactory()
    plan = RemediationPlanFactory(audit__solution=certification.solution)

    support.audit_record(
        solution=certification.solution,
        by=UserFactory(auditor=True),
        purpose=AuditPurpose.REGULAR,
        type=AuditType.PAST_CASES,
        held_on=timezone.localdate(),
        checklist=ALL_CONFORMING,
        summary="Still losing chat cases.",
        nonconformities=[("Chat cases still lost.", NonconformitySeverity.CRITICAL)],
    )

    assert RemediationPlan.objects.get(pk=plan.pk).in_force is True
    assert Nonconformity.objects.filter(closed_by_audit__isnull=False).count() == 0


@pytest.mark.parametrize("role", ["leader", "rnd_expert", "other_partner"])
def test_regular_audit_by_a_role_that_does_not_audit_is_denied(role):
    """R5.7: analysts and auditors audit support."""
    certification = CertificationFactory(next_audit_due=date(2026, 11, 1))
    user = actor(role)

    with pytest.raises(PermissionDenied):
        support.audit_record(
            solution=certification.solution,
            by=user,
            purpose=AuditPurpose.REGULAR,
            type=AuditType.PAST_CASES,
            held_on=date(2026, 11, 20),
            checklist=ALL_CONFORMING,
            summary="Not mine to audit.",
        )

    certification.refresh_from_db()
    assert certification.next_audit_due == date(2026, 11, 1)


def test_overdue_audits_lists_a_certification_whose_audit_date_has_passed():
    """R5.7: a regular audit past its date shows in the team's queue."""
    today = date(2026, 11, 25)
    late = CertificationFactory(next_audit_due=date(2026, 11, 24))
    CertificationFactory(next_audit_due=today)
    CertificationFactory(next_audit_due=date(2027, 5, 1))
    CertificationFactory(next_audit_due=date(2026, 1, 1), revoked=True)
    at_risk = CertificationFactory(next_audit_due=date(2026, 10, 1), at_risk=True)

    overdue = overdue_audits(today=today)

    assert set(overdue) == {late, at_risk}


def test_plan_item_of_a_regular_audit_is_marked_done_by_its_partner():
    """R5.8: the partner reports progress on a plan agreed after a regular audit."""
    plan = RemediationPlanFactory()
    item = plan.items.get()
    partner = actor("own_partner", plan.solution)

    support.plan_item_done(item=item, by=partner, note="Done.")

    item.refresh_from_db()
    assert item.done_at is not None


def test_plan_item_of_a_regular_audit_is_refused_to_another_partner():
    """R5.8: another partner cannot tick off someone else's plan."""
    plan = RemediationPlanFactory()
    item = plan.items.get()

    with pytest.raises(PermissionDenied):
        support.plan_item_done(item=item, by=actor("other_partner"), note="Done.")

    item.refresh_from_db()
    assert item.done_at is None
