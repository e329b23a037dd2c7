"""Reads of support declarations, audits and remediation plans."""

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from catalogue.models.certification import Certification

from .enums import AuditOutcome, AuditPurpose
from .models import (
    Nonconformity,
    RemediationItem,
    RemediationPlan,
    SupportAudit,
    SupportDeclaration,
    VendorEscalationLevel,
)


def items_with_done_record() -> Prefetch:
    """A plan's actions with who marked each done (the plan shows it)."""
    return Prefetch("items", queryset=RemediationItem.objects.select_related("done_by"))


def latest_audit(application) -> SupportAudit | None:
    return (
        SupportAudit.objects.filter(application=application)
        .prefetch_related("nonconformities", "remediation_plans")
        .order_by("-recorded_at", "-pk")
        .first()
    )


def audits_of(solution) -> QuerySet[SupportAudit]:
    return (
        SupportAudit.objects.filter(solution=solution)
        .select_related("auditor", "application")
        .prefetch_related("nonconformities", "remediation_plans__items")
        .order_by("-held_on", "-pk")
    )


def open_nonconformities(application) -> QuerySet[Nonconformity]:
    return Nonconformity.objects.filter(
        audit__application=application, closed_by_audit__isnull=True
    )


def open_plan_items(application) -> QuerySet[RemediationItem]:
    return RemediationItem.objects.filter(
        plan__audit__application=application, plan__closed_at__isnull=True, done_at__isnull=True
    )


def overdue_plan_items(today=None) -> QuerySet[RemediationItem]:
    return RemediationItem.objects.filter(
        plan__closed_at__isnull=True,
        done_at__isnull=True,
        due_on__lt=today or timezone.localdate(),
    ).select_related("plan__solution")


def overdue_audits(today=None) -> QuerySet[Certification]:
    """Certified solutions whose regular audit is past due (shown in the analyst queue)."""
    return Certification.objects.filter(
        status__in=["certified", "at_risk"], next_audit_due__lt=today or timezone.localdate()
    ).select_related("solution__partner", "version")


def audits_due_listed() -> QuerySet[Certification]:
    """Regular audits past due, in the order the queue lists them."""
    return overdue_audits().order_by("next_audit_due", "pk")


def actions_due_listed() -> QuerySet[RemediationItem]:
    """Remediation actions past due, in the order the queue lists them."""
    return overdue_plan_items().select_related("plan__audit").order_by("due_on", "pk")


def due_panel(size: int) -> dict:
    """The queue's "Audits due" panel: the first `size` regular audits and remediation actions
    past due, and whether the whole list (the audits_due page) has more."""
    audits = list(audits_due_listed()[: size + 1])
    actions = list(actions_due_listed()[: size + 1])
    return {
        "audits_due": audits[:size],
        "actions_due": actions[:size],
        "more_due": len(audits) > size or len(actions) > size,
    }


def plans_in_force(solution) -> QuerySet[RemediationPlan]:
    """The solution's remediation plans still in force, newest first, with their actions."""
    return (
        RemediationPlan.objects.filter(solution=solution, closed_at__isnull=True)
        .select_related("audit", "agreed_by")
        .prefetch_related(items_with_done_record())
        .order_by("-agreed_at", "-pk")
    )


def regular_audits_with_nonconformities(solution) -> QuerySet[SupportAudit]:
    """The solution's regular audits that found nonconformities: those a plan is agreed for."""
    return (
        SupportAudit.objects.select_related("auditor")
        .prefetch_related("nonconformities")
        .filter(
            solution=solution,
            purpose=AuditPurpose.REGULAR,
            outcome=AuditOutcome.NONCONFORMITIES,
        )
    )


def open_items_of(solution) -> QuerySet[RemediationItem]:
    """The actions of the solution's plans in force, with what marking one done reads."""
    return RemediationItem.objects.select_related(
        "plan__audit__application", "plan__solution"
    ).filter(plan__solution=solution, plan__closed_at__isnull=True)


def has_audit(application) -> bool:
    """Whether the request was audited before (a new audit is then a re-audit)."""
    return SupportAudit.objects.filter(application=application).exists()


def declaration_of(application) -> SupportDeclaration | None:
    """The request's declaration with its regions; read through the request, so the
    transitions' conditions asked on this page reuse it."""
    declaration = getattr(application, "support_declaration", None)
    if declaration is not None:
        prefetch_related_objects([declaration], "regions")
    return declaration


def request_audits(application) -> list[SupportAudit]:
    """The request's audits, newest first, with nonconformities, plans and plan items."""
    return list(
        SupportAudit.objects.filter(application=application)
        .select_related("auditor")
        .prefetch_related(
            Prefetch(
                "nonconformities",
                queryset=Nonconformity.objects.select_related("closed_by_audit").order_by("pk"),
            ),
            Prefetch(
                "remediation_plans",
                queryset=RemediationPlan.objects.select_related("agreed_by")
                .prefetch_related(items_with_done_record())
                .order_by("agreed_at", "pk"),
            ),
        )
        .order_by("-recorded_at", "-pk")
    )


def vendor_levels() -> QuerySet[VendorEscalationLevel]:
    """The vendor's escalation levels a declaration names (R4.6)."""
    return VendorEscalationLevel.objects.all()


def items_of_request(application) -> QuerySet[RemediationItem]:
    """The actions of the remediation plans agreed for the request's audits."""
    return RemediationItem.objects.select_related("plan__audit").filter(
        plan__audit__application=application
    )
