"""Stage 4: the remediation of a request's nonconformities and the re-audit (4.3, R4.7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from catalogue.rules import require
from certportal.interaction import confirmation_data, confirmation_page
from support_audit.enums import AuditOutcome
from support_audit.remediation_forms import MarkDoneForm
from support_audit.selectors import items_of_request, request_audits

from .. import selectors
from ..guidance import next_step
from ..services import actions_for
from ..services import support as flow
from .common import confirmed_step, visible_application
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
            "awaited": next_step(application, partner_side=not team, here="support_remediation"),
            "seen_state": application.state,
        },
    )


@login_required
def remediation(request, pk):
    return _render_remediation(request, visible_application(request, pk))


def mark_done_page(
    request, form, service, *, item, record, success_url: str, template: str, context: dict
):
    """The confirmation of an action marked done, from the request's remediation page or from
    the certificate (a plan in force): the same form, service arguments and message."""
    return confirmation_page(
        request,
        form,
        service,
        record=record,
        upload_field="evidence",
        arguments=lambda: {
            "item": item,
            "by": request.user,
            "note": form.cleaned_data["note"],
            "evidence": form.cleaned_data["evidence"],
            "link": form.cleaned_data["link"],
        },
        success=_("Marked done: %(action)s") % {"action": item.description},
        success_url=success_url,
        template=template,
        context=lambda: {
            "form": form,
            "title": _("Mark the action done?"),
            "intro": mark_done_intro(item),
            **context,
        },
    )


def mark_done_intro(item) -> str:
    """What the confirmation of "Mark done" says will happen."""
    return _(
        "“%(action)s” (%(owner)s, due %(due)s) is marked done for good: it cannot be undone. "
        "What you write, and the evidence you attach, stay on the plan with your name; the "
        "auditors read them at the re-audit."
    ) % {
        "action": item.description,
        "owner": item.owner,
        "due": date_format(item.due_on, "SHORT_DATE_FORMAT"),
    }


@login_required
def item_done(request, pk, item_pk):
    """The confirmation of an action marked done, with what was done and its evidence."""
    application = visible_application(request, pk)
    require(request.user, "support_audit.mark_item_done", application)
    item = get_object_or_404(items_of_request(application), pk=item_pk)
    item.plan.audit.application = application
    back_url = support_url("support_remediation", application, f"item-{item.pk}")
    if item.done_at is not None:
        messages.info(request, _("This action is marked done already."))
        return redirect(back_url)
    form = MarkDoneForm(**confirmation_data(request), record=application)
    return mark_done_page(
        request,
        form,
        flow.plan_item_done,
        item=item,
        record=application,
        success_url=back_url,
        template="workflow/action_page.html",
        context={
            "application": application,
            "confirmation": True,
            "back_url": back_url,
            "back_label": _("Back to the remediation"),
        },
    )


@login_required
def item_evidence(request, pk, item_pk):
    """The evidence file of an action marked done, for whoever may see the request."""
    application = visible_application(request, pk)
    item = get_object_or_404(items_of_request(application).exclude(done_evidence=""), pk=item_pk)
    return FileResponse(
        item.done_evidence.open("rb"), as_attachment=True, filename=item.done_evidence_name
    )


@login_required
def reaudit(request, pk):
    """The confirmation of the re-audit request: the support goes back to the audit."""
    application = visible_application(request, pk)
    require(request.user, "workflow.submit_application", application)
    return confirmed_step(
        request,
        application,
        flow.reaudit_request,
        transition="request_reaudit",
        label=_("Ask for the re-audit"),
        title=_("Ask for the re-audit of request #%s?") % application.pk,
        intro=_(
            "The Marketplace team audits your support again and reads what you wrote for "
            "each action of the plan. Until the audit's outcome you can no longer mark "
            "actions done or change the support standards. The analysts and auditors are told."
        ),
        success=_("Re-audit requested. The Marketplace team will audit your support again."),
        comment_label=_("Comment for the auditors (optional)"),
        back={
            "back_url": support_url("support_remediation", application),
            "back_label": _("Back to the remediation"),
        },
    )
