"""Stage 4's own records: declarations, audits and remediation plans.

The request's side (its state, transitions, certification and the badge) is the
workflow's, in workflow/services/support.py, which calls these inside its transaction;
a `guard` it passes is called there before anything is written, to lock the request in the
state the write needs.
"""

import calendar as std_calendar
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

import outbox.services as outbox
from catalogue.models.certification import Certification
from catalogue.rules import require
from certportal.errors import ActionRefused
from certportal.uploads import UploadPolicy, validate_upload

from .enums import AuditOutcome, AuditPurpose, AuditType
from .models import (
    Nonconformity,
    RegionSupport,
    RemediationItem,
    RemediationPlan,
    SupportAudit,
    SupportDeclaration,
    VendorEscalationLevel,
)
from .standards import declaration_problems


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, std_calendar.monthrange(year, month)[1])
    )


@dataclass
class DeclarationInput:
    """A declaration as the partner left it: a draft may leave anything empty."""

    system_name: str
    system_url: str
    channels: list[str]
    all_channels_registered: bool
    partner_portal_consent: bool
    packages: list[str]
    presale_business_days: int | None
    escalation_name: str
    escalation_role: str
    escalation_email: str
    escalation_phone: str
    # region → {"language": "en", "hours": {"0": ["09:00", "18:00"], ...}}
    regions: dict[str, dict] = field(default_factory=dict)


def declaration_record(*, application, by, data: DeclarationInput, guard, version=None):
    """Save the partner's support standards as they stand, met or not: a draft, checked
    against regulation 4.1–4.2 when it is submitted (conditions.support_declared).

    `version` is the declaration's version the partner edited (0: none saved yet; None: not
    checked). A newer one saved meanwhile, in another tab or by a colleague, is not
    overwritten: the save is refused and says who saved when."""
    require(by, "support_audit.declare_support", application)
    with transaction.atomic():
        guard()
        declaration = (
            SupportDeclaration.objects.select_for_update()
            .select_related("updated_by")
            .filter(application=application)
            .first()
        )
        current = declaration.version if declaration else 0
        # Declarations are never deleted: a stale copy is one of an older version.
        if declaration is not None and version is not None and version != current:
            raise ActionRefused(
                [
                    _(
                        "These support standards were saved meanwhile, at %(when)s by "
                        "%(who)s (in another tab or by a colleague). Nothing was saved, so "
                        "as not to lose that version; your input is kept below. Open the "
                        "page again to see it, or save again to replace it with yours."
                    )
                    % {
                        "when": formats.localize(timezone.localtime(declaration.updated_at)),
                        "who": declaration.updated_by.get_full_name()
                        or declaration.updated_by.get_username(),
                    }
                ]
            )
        values = {k: v for k, v in vars(data).items() if k != "regions"}
        declaration, _created = SupportDeclaration.objects.update_or_create(
            application=application,
            defaults={**values, "updated_by": by, "version": current + 1},
        )
        declaration.regions.exclude(region__in=list(data.regions)).delete()
        for region, support in data.regions.items():
            RegionSupport.objects.update_or_create(
                declaration=declaration,
                region=region,
                defaults={"language": support["language"], "hours": support["hours"]},
            )
    return declaration


def declaration_check(declaration) -> None:
    """Refuse, with every rule quoted beside its field, a declaration short of 4.1–4.2."""
    problems = declaration_problems(declaration)
    if problems:
        errors: dict[str, list[str]] = {
            NON_FIELD_ERRORS: [
                _("Not submitted: meet the standards marked below first. Your draft is saved.")
            ]
        }
        for problem in problems:
            errors.setdefault(problem.field, []).append(str(problem.message))
        raise ValidationError(errors)


def audit_record(
    *,
    solution,
    by,
    purpose: AuditPurpose,
    type: str,
    held_on: date,
    checklist: list[dict],
    summary: str,
    nonconformities: list[tuple[str, str]] = (),
    application=None,
    guard=None,
) -> SupportAudit:
    """Record an audit (R4.7, R5.7). Nonconformities make its outcome; a passed re-audit closes
    the open nonconformities and plans of the request, a passed regular audit those of earlier
    regular audits; a regular audit reschedules the next."""
    require(by, "support_audit.run_support_audit", application or solution)
    if purpose != AuditPurpose.REGULAR and application is None:
        raise ValidationError(_("A certification audit belongs to a request."))
    with transaction.atomic():
        if guard is not None:
            guard()
        audit = SupportAudit.objects.create(
            solution=solution,
            application=application,
            purpose=purpose,
            type=type,
            held_on=held_on,
            auditor=by,
            checklist=checklist,
            summary=summary,
            outcome=AuditOutcome.NONCONFORMITIES if nonconformities else AuditOutcome.PASSED,
        )
        Nonconformity.objects.bulk_create(
            Nonconformity(audit=audit, description=text, severity=severity)
            for text, severity in nonconformities
        )
        if application is not None and not nonconformities:
            Nonconformity.objects.filter(
                audit__application=application, closed_by_audit__isnull=True
            ).exclude(audit=audit).update(closed_by_audit=audit)
            RemediationPlan.objects.filter(
                audit__application=application, closed_at__isnull=True
            ).update(closed_at=timezone.now())
        if purpose == AuditPurpose.REGULAR and not nonconformities:
            # A passed regular audit closes what earlier regular audits found.
            Nonconformity.objects.filter(
                audit__solution=solution,
                audit__purpose=AuditPurpose.REGULAR,
                closed_by_audit__isnull=True,
            ).exclude(audit=audit).update(closed_by_audit=audit)
            RemediationPlan.objects.filter(
                audit__solution=solution,
                audit__purpose=AuditPurpose.REGULAR,
                closed_at__isnull=True,
            ).update(closed_at=timezone.now())
        if purpose == AuditPurpose.REGULAR:
            Certification.objects.filter(solution=solution).update(
                next_audit_due=add_months(held_on, settings.REGULAR_AUDIT_MONTHS)
            )
    return audit


def finding_raise(*, solution, by, checked: str, description: str, severity: str) -> SupportAudit:
    """Raise one nonconformity of a certified solution in one step (R5.7, R6.3, R6.4): a regular
    process review held today that found it, checked against the rule `checked`, ready for a
    remediation plan. It does not reschedule the next full regular audit."""
    require(by, "support_audit.run_support_audit", solution)
    with transaction.atomic():
        audit = SupportAudit.objects.create(
            solution=solution,
            purpose=AuditPurpose.REGULAR,
            type=AuditType.PROCESS_REVIEW,
            held_on=timezone.localdate(),
            auditor=by,
            checklist=[{"item": checked, "ok": False}],
            summary=description,
            outcome=AuditOutcome.NONCONFORMITIES,
        )
        Nonconformity.objects.create(audit=audit, description=description, severity=severity)
    return audit


def plan_agree(
    *, audit: SupportAudit, by, items: list[tuple[str, str, date]], covers_kpis=(), guard=None
) -> RemediationPlan:
    """The remediation plan agreed with the partner for an audit's nonconformities."""
    require(by, "support_audit.agree_plan", audit.application or audit.solution)
    if not items:
        raise ValidationError(_("A plan has at least one action."))
    with transaction.atomic():
        if guard is not None:
            guard()
        plan = RemediationPlan.objects.create(
            solution=audit.solution, audit=audit, agreed_by=by, covers_kpis=list(covers_kpis)
        )
        RemediationItem.objects.bulk_create(
            RemediationItem(plan=plan, description=d, owner=o, due_on=due) for d, o, due in items
        )
    return plan


# What a partner attaches to show an action of a remediation plan is done.
REMEDIATION_EVIDENCE_POLICY = UploadPolicy(
    max_bytes=50 * 1024**2,
    allowed_kinds=frozenset({"pdf", "docx", "xlsx", "pptx", "text", "image", "zip"}),
    max_bytes_setting="UPLOAD_MAX_BYTES_EVIDENCE",
)


DONE_FIELDS = [
    "done_at",
    "done_by",
    "done_note",
    "done_link",
    "done_evidence",
    "done_evidence_name",
]


def plan_item_done(
    *, item: RemediationItem, by, note: str, evidence=None, link: str = "", guard=None
) -> RemediationItem:
    """The partner (or an analyst) marks a plan item done, saying what was done, with an
    optional evidence file or link. Recorded once: an action done already stays as it was."""
    # A regular audit's plan belongs to no request: the solution is what the partner owns.
    audit = item.plan.audit
    target = audit.application if audit and audit.application_id else item.plan.solution
    if not by.has_perm("support_audit.mark_item_done", target):
        raise PermissionDenied
    note = note.strip()
    if not note:
        raise ValidationError(_("Say what was done."))
    # An unsafe file is refused before anything is stored.
    if evidence is not None:
        validate_upload(evidence, name=evidence.name, policy=REMEDIATION_EVIDENCE_POLICY)
    with transaction.atomic():
        if guard is not None:
            guard()
        locked = RemediationItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
        if locked.plan.closed_at is not None:
            raise ActionRefused([_("This remediation plan is closed.")])
        if locked.done_at is None:
            locked.done_at = timezone.now()
            locked.done_by = by
            locked.done_note = note
            locked.done_link = link
            if evidence is not None:
                locked.done_evidence_name = evidence.name[-255:]
                locked.done_evidence.save(evidence.name, evidence, save=False)
            locked.save(update_fields=DONE_FIELDS)
    for name in DONE_FIELDS:
        setattr(item, name, getattr(locked, name))
    return item


def escalation_recipients() -> dict[int, list[str]]:
    """E-mail addresses per escalation level: everyone of the levels 1..N for N (one query)."""
    steps = VendorEscalationLevel.objects.order_by("level").prefetch_related("people")
    reached, recipients = set(), {}
    for step in steps:
        reached |= {
            person.email for person in step.people.all() if person.email and person.is_active
        }
        recipients[step.level] = sorted(reached)
    return recipients


def escalations_notify(escalations, *, recipients: dict[int, list[str]] | None = None) -> int:
    """Tell the vendor's people of levels 1..N about each escalated case (R4.6, R7.4), after
    commit: `escalations` are (solution id, level, reference) triples. A case reaching a
    level is told once, however often it is imported. How many cases reach somebody."""
    escalations = list(escalations)
    if not escalations:
        return 0
    if recipients is None:
        recipients = escalation_recipients()
    top = max(recipients, default=0)
    messages = [
        {
            "solution_id": solution_id,
            "level": level,
            "reference": reference,
            "recipients": recipients.get(min(level, top), []),
        }
        for solution_id, level, reference in escalations
    ]
    messages = [message for message in messages if message["recipients"]]
    for message in messages:
        outbox.enqueue(
            "support_audit.notify_escalation",
            key="escalation:{solution_id}:{level}:{reference}".format(**message),
            **message,
        )
    return len(messages)


def regular_audit_record(
    *,
    solution,
    by,
    type: str,
    held_on: date,
    checklist: list[dict],
    summary: str,
    nonconformities: list[tuple[str, str]],
) -> SupportAudit:
    """Record a certified solution's regular audit (R5.7): a requirement found short of
    conformity is described as a nonconformity."""
    if not nonconformities and not all(row["ok"] for row in checklist):
        raise ValidationError(
            _("A requirement is not ticked as conforming: describe what falls short.")
        )
    return audit_record(
        solution=solution,
        by=by,
        purpose=AuditPurpose.REGULAR,
        type=type,
        held_on=held_on,
        checklist=checklist,
        summary=summary,
        nonconformities=nonconformities,
    )


def regular_plan_agree(
    *, audit: SupportAudit, by, items: list[tuple[str, str, date]], covers_kpis=()
) -> RemediationPlan:
    """The remediation plan agreed after a regular audit (R5.8): one in force per audit."""
    if audit.remediation_plans.filter(closed_at__isnull=True).exists():
        raise ValidationError(_("A plan for this audit is in force already."))
    return plan_agree(audit=audit, by=by, items=items, covers_kpis=covers_kpis)
