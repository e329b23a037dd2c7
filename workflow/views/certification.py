"""A solution's certification: the certificate and its history, the badge revoked or restored
by hand, an action of a remediation plan marked done (R5.7, R5.8, R7.1). The certificate
combines every stage; the regular audits' pages are support_audit's.

Thin: who may look or act, a form, one service call, a redirect. The certificate is the
partner's and the Marketplace team's; anyone else, like a solution never certified, gets 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue import badge
from catalogue.enums import CertificationStatus
from catalogue.models import Certification
from catalogue.rules import require as _require
from catalogue.selectors import certification_history, visible_certification
from certportal.forms import CrispyMixin
from certportal.interaction import confirmation_data, run, succeeded
from support_audit.enums import AuditOutcome, AuditPurpose
from support_audit.regular_forms import CHECKLIST_LABELS, KPI_LABELS
from support_audit.remediation_forms import MarkDoneForm
from support_audit.selectors import audits_of, open_items_of, plans_in_force

from ..services import support
from .support_remediation import mark_done_page

# The badge as the certificate draws it, by status: its Bootstrap colour.
BADGE_COLOURS = {
    CertificationStatus.CERTIFIED: "success",
    CertificationStatus.AT_RISK: "warning",
    CertificationStatus.REVOKED: "secondary",
}


# --- Forms ---------------------------------------------------------------------------------


class ReasonForm(CrispyMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "The partner and the analysts read it in the e-mail; it stays in the history."
        ),
    )

    def __init__(self, *args, submit_label, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


def _certificate_url(certification: Certification) -> str:
    return reverse("certificate", args=[certification.solution.slug])


def _checklist_row(row: dict) -> tuple[str, bool | None, str]:
    """(what was checked, whether it conformed, note) of a checklist row, in the reader's
    language when the row names one of the standard checks by its rule."""
    item = row.get("item", "")
    if item in CHECKLIST_LABELS:
        # The reader's wording first, the rule in brackets.
        item = f"{CHECKLIST_LABELS[item]} ({item})"
    return item, row.get("ok"), row.get("note", "")


# --- The certificate -------------------------------------------------------------------------


@login_required
def certificate(request, slug):
    certification = visible_certification(request.user, slug)
    solution = certification.solution
    user = request.user
    today = timezone.localdate()
    audits = list(audits_of(solution))
    for audit in audits:
        audit.checklist_rows = [_checklist_row(row) for row in audit.checklist]
        audit.has_plan_in_force = any(plan.in_force for plan in audit.remediation_plans.all())
    plans = list(plans_in_force(solution))
    for plan in plans:
        plan.kpi_labels = [KPI_LABELS.get(name, name) for name in plan.covers_kpis]
    return render(
        request,
        "workflow/certification/certificate.html",
        {
            "certification": certification,
            "solution": solution,
            "events": certification_history(certification),
            "audits": audits,
            "plans": plans,
            "today": today,
            "badge_colour": BADGE_COLOURS[certification.status],
            "audit_overdue": (
                certification.badge_on
                and certification.next_audit_due is not None
                and certification.next_audit_due < today
            ),
            "can_manage_badge": user.has_perm("catalogue.manage_badge", solution),
            "can_audit": user.has_perm("support_audit.run_support_audit", solution),
            "can_mark_done": user.has_perm("support_audit.mark_item_done", solution),
            "regular": AuditPurpose.REGULAR,
            "with_nonconformities": AuditOutcome.NONCONFORMITIES,
        },
    )


# --- The badge by hand ------------------------------------------------------------------------


def _badge_page(request, slug, *, revoke: bool):
    certification = visible_certification(request.user, slug)
    _require(request.user, "catalogue.manage_badge", certification.solution)
    name, version = certification.solution.name, certification.version.number
    if revoke:
        title = _("Revoke the “Certified” badge of %(name)s?") % {"name": name}
        intro = _(
            "The badge goes off the Marketplace showcase at once: %(name)s %(version)s is no "
            "longer shown as certified. The partner and the analysts are e-mailed the reason. "
            "The badge can be restored later; both steps stay in the history."
        ) % {"name": name, "version": version}
        submit_label = _("Revoke the badge")
        service = badge.revoke
        success = _(
            "Badge revoked: %(name)s is off the showcase. The partner and the analysts are "
            "being e-mailed."
        ) % {"name": name}
    else:
        title = _("Restore the “Certified” badge of %(name)s?") % {"name": name}
        intro = _(
            "The badge comes back on the Marketplace showcase for %(name)s %(version)s. "
            "The partner and the analysts are e-mailed the reason."
        ) % {"name": name, "version": version}
        submit_label = _("Restore the badge")
        service = badge.restore
        success = _(
            "Badge restored: %(name)s is back on the showcase. The partner and the analysts "
            "are being e-mailed."
        ) % {"name": name}
    form = ReasonForm(request.POST or None, submit_label=submit_label)
    if request.method == "POST" and form.is_valid():
        changed = run(
            form,
            service,
            certification=certification,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        if succeeded(changed):
            messages.success(request, success)
            return redirect(_certificate_url(certification))
    return render(
        request,
        "workflow/certification/badge_change.html",
        {
            "certification": certification,
            "solution": certification.solution,
            "form": form,
            "title": title,
            "intro": intro,
            "revoke": revoke,
        },
    )


@login_required
def badge_revoke(request, slug):
    return _badge_page(request, slug, revoke=True)


@login_required
def badge_restore(request, slug):
    return _badge_page(request, slug, revoke=False)


@login_required
def remediation_item_done(request, slug, item):
    """The confirmation of an action of a plan in force marked done, with what was done."""
    certification = visible_certification(request.user, slug)
    solution = certification.solution
    _require(request.user, "support_audit.mark_item_done", solution)
    item = get_object_or_404(open_items_of(solution), pk=item)
    if item.done_at is not None:
        messages.info(request, _("This action is marked done already."))
        return redirect(_certificate_url(certification))
    form = MarkDoneForm(**confirmation_data(request))
    return mark_done_page(
        request,
        form,
        support.plan_item_done,
        item=item,
        record=item,
        success_url=_certificate_url(certification),
        template="workflow/certification/item_done.html",
        context={"certification": certification, "solution": solution},
    )


@login_required
def remediation_item_evidence(request, slug, item):
    """The evidence file of an action marked done, for the partner and the team."""
    certification = visible_certification(request.user, slug)
    item = get_object_or_404(
        open_items_of(certification.solution).exclude(done_evidence=""), pk=item
    )
    return FileResponse(
        item.done_evidence.open("rb"), as_attachment=True, filename=item.done_evidence_name
    )
