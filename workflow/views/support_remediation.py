"""Stage 4: the remediation of a request's nonconformities and the re-audit (4.3, R4.7)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from support_audit.enums import AuditOutcome
from support_audit.selectors import items_of_request, request_audits

from .. import selectors
from ..guidance import awaited
from ..services import actions_for
from ..services import support as flow
from .common import button, visible_application
from .support import S, support_url

# --- 3. The remediation ----------------------------------------------------------------------


def _render_remediation(request, application):
    user = request.user
    team = user.has_perm("workflow.view_internal_notes", application)
    audits = [
        audit
        for audit in reversed(request_audits(application))
        if audit.outcome == AuditOutcome.NONCONFORMITIES
    ]
    report = selectors.latest_transition(application, "report_nonconformities")
    for audit in audits:
        audit.reported = report is not None and audit.recorded_at <= report.timestamp
        audit.plans = list(audit.remediation_plans.all())
    if not team:
        # The partner reads what was reported to them, not the audit still being written.
        audits = [audit for audit in audits if audit.reported]
    may_mark = application.state == S.REMEDIATION and user.has_perm(
        "support_audit.mark_item_done", application
    )
    actions, blocked = actions_for(application, user)
    return render(
        request,
        "support_audit/remediation.html",
        {
            "application": application,
            "audits": audits,
            "report": report,
            "team": team,
            "may_mark": may_mark,
            "can_reaudit": "request_reaudit" in actions,
            "reaudit_offered": "request_reaudit" in actions or "request_reaudit" in blocked,
            "reaudit_reasons": blocked.get("request_reaudit", []),
            "awaited": awaited(application, partner_side=not team),
            "seen_state": application.state,
        },
    )


@login_required
def remediation(request, pk):
    return _render_remediation(request, visible_application(request, pk))


@login_required
@require_POST
def item_done(request, pk, item_pk):
    application = visible_application(request, pk)
    item = get_object_or_404(items_of_request(application), pk=item_pk)
    item.plan.audit.application = application
    return button(
        request,
        application,
        flow.plan_item_done,
        item=item,
        by=request.user,
        success=_("Marked done: %(action)s") % {"action": item.description},
        done_url=support_url("support_remediation", application, f"item-{item.pk}"),
    )


@login_required
@require_POST
def reaudit(request, pk):
    application = visible_application(request, pk)
    return button(
        request,
        application,
        flow.reaudit_request,
        application=application,
        by=request.user,
        success=_("Re-audit requested. The Marketplace team will audit your support again."),
        done_url=application.get_absolute_url(),
        refused_url=support_url("support_remediation", application),
    )
