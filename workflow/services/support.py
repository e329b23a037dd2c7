"""Stage 4 on the request's side: the support stage's transitions, certification and the
state the support writes need.

Each function locks the request in the state the step needs, or fires its transition, and
has support_audit.services record the stage's own facts (declaration, audits, plans) in
the same transaction (4.1–4.2, R4.7, R5.7, R7.1).
"""

from datetime import date
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import badge
from catalogue.models import Certification
from support_audit import services as support
from support_audit.enums import AuditPurpose
from support_audit.models import RemediationItem, RemediationPlan, SupportAudit

from .. import texts
from ..enums import DECLARATION_OPEN_STATES
from ..enums import ApplicationState as S
from ..models import Application
from .requests import apply_transition, lock_in_states


def declaration_save(
    *, application: Application, by, data: support.DeclarationInput, version: int | None = None
):
    """Save the partner's support standards as they stand, a draft, met or not (4.1–4.2);
    refused on a copy older than the version saved since."""
    return support.declaration_record(
        application=application,
        by=by,
        data=data,
        version=version,
        guard=partial(
            lock_in_states,
            application,
            DECLARATION_OPEN_STATES,
            _("Support standards are declared after quality certification or in remediation."),
        ),
    )


def declaration_save_for_submission(
    *, application: Application, by, data: support.DeclarationInput, version: int | None = None
):
    """Save the support standards as they stand, then check them for submission: the draft
    stays saved when they fall short of 4.1–4.2, and the refusal quotes every rule unmet. The
    submission itself (`support_submit`) follows the partner's confirmation."""
    declaration = declaration_save(application=application, by=by, data=data, version=version)
    support.declaration_check(declaration)
    return declaration


def support_submit(*, application: Application, by, comment: str = ""):
    return apply_transition(application, "submit_support", by=by, comment=comment)


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
    application: Application | None = None,
) -> SupportAudit:
    """Record an audit (R4.7, R5.7); one of a request while its support is under audit."""
    guard = None
    if application is not None:
        guard = partial(
            lock_in_states, application, [S.SUPPORT_REVIEW], _("The support is not under audit.")
        )
    return support.audit_record(
        solution=solution,
        by=by,
        purpose=purpose,
        type=type,
        held_on=held_on,
        checklist=checklist,
        summary=summary,
        nonconformities=nonconformities,
        application=application,
        guard=guard,
    )


def plan_agree(
    *, audit: SupportAudit, by, items: list[tuple[str, str, date]], covers_kpis=()
) -> RemediationPlan:
    """The remediation plan agreed with the partner for an audit's nonconformities; for a
    request's audit, while its support is under audit."""
    guard = None
    if audit.application is not None:
        guard = partial(
            lock_in_states,
            audit.application,
            [S.SUPPORT_REVIEW],
            _("A remediation plan is agreed while the support is under audit."),
        )
    return support.plan_agree(audit=audit, by=by, items=items, covers_kpis=covers_kpis, guard=guard)


def plan_item_done(
    *, item: RemediationItem, by, note: str, evidence=None, link: str = ""
) -> RemediationItem:
    """The partner (or an analyst) marks a plan item done, saying what was done (with an
    optional evidence file or link); for a request's plan, while the remediation is under
    way."""
    guard = None
    if item.plan.audit and item.plan.audit.application is not None:
        guard = partial(
            lock_in_states,
            item.plan.audit.application,
            [S.REMEDIATION],
            _("Plan items are marked done while the remediation is under way."),
        )
    return support.plan_item_done(
        item=item, by=by, note=note, evidence=evidence, link=link, guard=guard
    )


def nonconformities_report(*, application: Application, by, comment: str):
    return apply_transition(application, "report_nonconformities", by=by, comment=comment)


def reaudit_request(*, application: Application, by, comment: str = ""):
    return apply_transition(application, "request_reaudit", by=by, comment=comment)


def support_pass(*, application: Application, by, comment: str = ""):
    return apply_transition(application, "pass_support", by=by, comment=comment)


def support_decline(*, application: Application, by, comment: str):
    return apply_transition(application, "decline_support", by=by, comment=comment)


def certify(*, application: Application, by, comment: str = "") -> Certification:
    """Certified: the badge goes on and the first regular audit is scheduled (R7.1, R5.7)."""
    with transaction.atomic():
        apply_transition(application, "certify", by=by, comment=comment)
        certification = badge.grant(
            application=application, by=by, reason=comment or texts.stages_passed()
        )
        certification.next_audit_due = support.add_months(
            timezone.localdate(), settings.REGULAR_AUDIT_MONTHS
        )
        certification.save(update_fields=["next_audit_due"])
    return certification
