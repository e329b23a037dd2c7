"""Stage 4: the Marketplace team's audit of a request's support and its outcome (4.3, R4.7).

The audit page is the team's, so a partner gets a 404 there too.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from catalogue.rules import require
from certportal.interaction import (
    FAILED,
    GuardForm,
    OutcomeForm,
    decision_page,
    run,
    state_unchanged,
    succeeded,
)
from support_audit.enums import AuditOutcome, AuditPurpose
from support_audit.forms import (
    PlanFormSet,
    audit_forms,
    audit_is_consistent,
)
from support_audit.models import SupportAudit
from support_audit.selectors import declaration_of, has_audit, request_audits

from ..guidance import next_step
from ..services import actions_for, unmet_conditions
from ..services import support as flow
from .common import team_application
from .support import S, declaration_context, report_errors, support_url

# --- 2. The team's audit ---------------------------------------------------------------------


def _needs_plan(audit: SupportAudit | None) -> bool:
    return (
        audit is not None
        and audit.outcome == AuditOutcome.NONCONFORMITIES
        and not any(plan.in_force for plan in audit.remediation_plans.all())
    )


@dataclass(frozen=True)
class Outcome:
    slug: str
    transition: str
    label: str
    comment_required: bool
    comment_label: str
    intro: str
    success: str

    def run(self, application, by, comment: str):
        service = {
            "report": flow.nonconformities_report,
            "pass": flow.support_pass,
            "certify": flow.certify,
            "decline": flow.support_decline,
        }[self.slug]
        return service(application=application, by=by, comment=comment)


OUTCOMES = {
    outcome.slug: outcome
    for outcome in (
        Outcome(
            "report",
            "report_nonconformities",
            gettext_lazy("Send the nonconformity report"),
            False,
            gettext_lazy("Message to the partner"),
            gettext_lazy(
                "The partner gets the nonconformities and the agreed remediation plan (R4.7), "
                "carries the plan out and then asks for the re-audit."
            ),
            gettext_lazy("Nonconformity report sent; the partner carries out the plan."),
        ),
        Outcome(
            "pass",
            "pass_support",
            gettext_lazy("Pass support certification"),
            False,
            gettext_lazy("Comment for the partner"),
            gettext_lazy(
                "The support processes conform to regulation 4.1–4.2 (R4.7). The request then "
                "waits to be certified."
            ),
            gettext_lazy("Support certification passed."),
        ),
        Outcome(
            "certify",
            "certify",
            gettext_lazy("Certify"),
            False,
            gettext_lazy("Comment for the partner"),
            gettext_lazy(
                "The solution becomes certified: the “Certified” badge goes on its showcase "
                "page (R7.1) and its first regular audit is scheduled."
            ),
            gettext_lazy("Certified: the badge is on and the partner has been told."),
        ),
        Outcome(
            "decline",
            "decline_support",
            gettext_lazy("Decline"),
            True,
            gettext_lazy("Why is the request declined?"),
            gettext_lazy("The request is closed for good. Say why: the partner reads it."),
            gettext_lazy("Request declined; the partner has been told."),
        ),
    )
}


def _render_audit(request, application, *, record=None, plan=None):
    user = request.user
    saved = declaration_of(application)
    audits = request_audits(application)
    latest = audits[0] if audits else None
    can_run = user.has_perm("support_audit.run_support_audit", application)
    under_audit = application.state == S.SUPPORT_REVIEW
    if record is None and can_run and under_audit:
        record = audit_forms(application=application)
    plan_audit = latest if _needs_plan(latest) else None
    if plan is None and can_run and under_audit and plan_audit is not None:
        plan = (GuardForm(application=application), PlanFormSet(prefix="plan"))
    elif plan is not None and plan_audit is None:
        # The plan has nowhere to go any more (another one was agreed meanwhile).
        report_errors(request, plan[0])
        plan = None
    actions, blocked = actions_for(application, user)
    outcomes = [
        (outcome, outcome.transition in actions, blocked.get(outcome.transition, []))
        for outcome in OUTCOMES.values()
        if outcome.transition in actions or outcome.transition in blocked
    ]
    for audit in audits:
        audit.plans = list(audit.remediation_plans.all())
    return render(
        request,
        "support_audit/audit.html",
        {
            "application": application,
            "audits": audits,
            "latest": latest,
            "can_run": can_run,
            "record": record,
            "purpose": AuditPurpose.REAUDIT.label if audits else AuditPurpose.CERTIFICATION.label,
            "plan": plan,
            "plan_audit": plan_audit,
            "outcomes": outcomes,
            "awaited": next_step(application, partner_side=False, here="support_audit"),
            "seen_state": application.state,
            **declaration_context(application, saved),
        },
    )


@login_required
def audit(request, pk):
    return _render_audit(request, team_application(request, pk))


@login_required
@require_POST
def audit_record(request, pk):
    application = team_application(request, pk)
    require(request.user, "support_audit.run_support_audit", application)
    form, checklist, nonconformities = record = audit_forms(request.POST, application=application)
    earlier = has_audit(application)
    if (
        all([form.is_valid(), checklist.is_valid(), nonconformities.is_valid()])
        and audit_is_consistent(form, checklist, nonconformities)
        and state_unchanged(form, application)
    ):
        audit = run(
            form,
            flow.audit_record,
            solution=application.solution,
            application=application,
            by=request.user,
            purpose=AuditPurpose.REAUDIT if earlier else AuditPurpose.CERTIFICATION,
            type=form.cleaned_data["type"],
            held_on=form.cleaned_data["held_on"],
            checklist=checklist.rows(),
            summary=form.cleaned_data["summary"].strip(),
            nonconformities=nonconformities.rows(),
        )
    else:
        audit = FAILED
    if succeeded(audit):
        if audit.outcome == AuditOutcome.PASSED:
            success = _("Audit recorded: passed, with no nonconformity.")
        else:
            count = len(nonconformities.rows())
            success = ngettext(
                "Audit recorded with %(count)s nonconformity. Agree the remediation plan next.",
                "Audit recorded with %(count)s nonconformities. Agree the remediation plan next.",
                count,
            ) % {"count": count}
        messages.success(request, success)
        return redirect(support_url("support_audit", application, f"audit-{audit.pk}"))
    return _render_audit(request, application, record=record)


@login_required
@require_POST
def plan_agree(request, pk, audit_pk):
    application = team_application(request, pk)
    require(request.user, "support_audit.run_support_audit", application)
    audit = get_object_or_404(SupportAudit, pk=audit_pk, application=application)
    latest = request_audits(application)[0]
    if latest.pk != audit.pk or not _needs_plan(latest):
        messages.info(request, _("This audit needs no new remediation plan."))
        return redirect(support_url("support_audit", application))
    guard = GuardForm(request.POST, application=application)
    items = PlanFormSet(request.POST, prefix="plan")
    if (
        all([guard.is_valid(), items.is_valid()])
        and state_unchanged(guard, application)
        and succeeded(run(guard, flow.plan_agree, audit=audit, by=request.user, items=items.rows()))
    ):
        messages.success(
            request, _("Remediation plan agreed. Send the nonconformity report to the partner.")
        )
        return redirect(support_url("support_audit", application, f"audit-{audit.pk}"))
    return _render_audit(request, application, plan=(guard, items))


@login_required
def outcome(request, pk, outcome):
    """The confirmation page of a stage-4 outcome, with why it is not possible yet, if so."""
    application = team_application(request, pk)
    chosen = OUTCOMES.get(outcome)
    if chosen is None:
        raise Http404
    require(request.user, "support_audit.run_support_audit", application)
    form = OutcomeForm(
        request.POST or None,
        application=application,
        submit_label=chosen.label,
        comment_required=chosen.comment_required,
        comment_label=chosen.comment_label,
    )

    def shown() -> dict:
        audits = request_audits(application)
        latest = audits[0] if audits else None
        if latest is not None:
            latest.plans = list(latest.remediation_plans.all())
        return {
            "outcome": chosen,
            "title": _("%(outcome)s: request #%(pk)s") % {"outcome": chosen.label, "pk": pk},
            "reasons": unmet_conditions(application, chosen.transition),
            "latest": latest,
            "audit_months": settings.REGULAR_AUDIT_MONTHS,
        }

    return decision_page(
        request,
        form,
        chosen.run,
        application=application,
        by=request.user,
        success=chosen.success,
        success_url=support_url("support_audit", application),
        template="support_audit/outcome.html",
        context=shown,
    )
