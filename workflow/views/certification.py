"""A solution's certification: the certificate and its history, the badge revoked or restored
by hand, regular audits and the remediation plans agreed after them (R5.7, R5.8, R7.1).

Thin: who may look or act, a form, one service call, a redirect. The certificate is the
partner's and the Marketplace team's; anyone else, like a solution never certified, gets 404.
"""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from catalogue import badge
from catalogue.enums import CertificationStatus
from catalogue.models import Certification
from catalogue.rules import require as _require
from catalogue.selectors import solutions_visible_to
from certportal.forms import CrispyMixin
from kpi.customers import customer_overview, versions_finding
from support_audit import services as audit_services
from support_audit.enums import AuditOutcome, AuditPurpose, AuditType, NonconformitySeverity
from support_audit.models import RemediationItem, RemediationPlan, SupportAudit
from support_audit.selectors import audits_of

from ..services import support

# What a support audit looks at (regulation 4.1–4.2); stored in the checklist by rule ID.
CHECKLIST = [
    ("R4.1", gettext_lazy("Every case from every channel is registered in the support system")),
    ("R4.2", gettext_lazy("Customers can register cases on the vendor's partner portal")),
    ("R4.3", gettext_lazy("The Basic, Business and Premium packages are served")),
    ("R4.4", gettext_lazy("Pre-sale questions are answered within two business days")),
    ("R4.5", gettext_lazy("Support works in each region's time zone and language")),
    ("R4.6", gettext_lazy("The first escalation goes to a head of department or the CEO")),
]
CHECKLIST_LABELS = {
    **dict(CHECKLIST),
    # Raised from the customers' versions on the regular audit page.
    "R6.4": gettext_lazy("Every customer is updated to the current version"),
}

# The KPIs of stage 5 a remediation plan may cover (the KPI engine's names).
REMEDIATION_KPIS = [
    ("response_overdue_rate", gettext_lazy("Cases overdue on response: at most 1 % (R5.4)")),
    ("resolution_overdue_rate", gettext_lazy("Cases overdue on resolution: at most 5 % (R5.5)")),
    ("csat_response_rate", gettext_lazy("Cases rated by CSAT: at least 7 % (R5.2)")),
    ("csat_positive_share", gettext_lazy("Positive CSAT ratings: at least 80 % (R5.3)")),
    ("escalations", gettext_lazy("Escalated cases: at most 2 a month (R5.6)")),
    ("nps_mean", gettext_lazy("NPS: 7.5 of 10 or higher (R5.1)")),
]
KPI_LABELS = dict(REMEDIATION_KPIS)
VERSIONS_BEHIND_SHOWN = 50  # customers behind listed on the regular audit page

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


def _fields_only(form):
    """A crispy helper that draws the fields only: the page holds several forms in one."""
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.disable_csrf = True
    return form


class RegularAuditForm(forms.Form):
    type = forms.ChoiceField(
        label=gettext_lazy("Type of audit"), choices=AuditType.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    conforming = forms.MultipleChoiceField(
        label=gettext_lazy("Requirements found conforming"),
        choices=CHECKLIST,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Untick what falls short and describe it below."),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What was looked at and found: the report the partner reads."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fields_only(self)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("An audit is recorded once it has been held."))
        return held_on

    def checklist(self) -> list[dict]:
        conforming = set(self.cleaned_data["conforming"])
        return [{"item": code, "ok": code in conforming} for code, _label in CHECKLIST]


class NonconformityForm(forms.Form):
    """One row of what the audit found; a row left without a description is skipped."""

    description = forms.CharField(
        label=gettext_lazy("Nonconformity"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        choices=NonconformitySeverity.choices,
        initial=NonconformitySeverity.MAJOR,
    )


NonconformityFormSet = forms.formset_factory(NonconformityForm, extra=3)


class PlanForm(forms.Form):
    covers_kpis = forms.MultipleChoiceField(
        label=gettext_lazy("KPIs the plan covers"),
        choices=REMEDIATION_KPIS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("While the plan is in force, a miss of these keeps the badge on."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fields_only(self)


class PlanItemForm(forms.Form):
    """One action of the plan; a row left empty is skipped, a row begun needs all three."""

    description = forms.CharField(
        label=gettext_lazy("Action"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner = forms.CharField(label=gettext_lazy("Owner"), max_length=200, required=False)
    due_on = forms.DateField(
        label=gettext_lazy("Due"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on and due_on < timezone.localdate():
            raise ValidationError(_("An action is due today or later."))
        return due_on

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("description", "owner", "due_on") if cleaned.get(name)]
        if given:
            for name in ("description", "owner", "due_on"):
                if name not in given and name not in self.errors:
                    self.add_error(name, _("Give the action, its owner and its due date."))
        return cleaned


PlanItemFormSet = forms.formset_factory(PlanItemForm, extra=3)


# --- Lookups ---------------------------------------------------------------------------------


def _certification(request, slug) -> Certification:
    """The solution's certification, for its partner and the team; 404 otherwise."""
    return get_object_or_404(
        Certification.objects.select_related("solution__partner", "version", "application"),
        solution__in=solutions_visible_to(request.user),
        solution__slug=slug,
    )


def _certificate_url(certification: Certification) -> str:
    return reverse("certificate", args=[certification.solution.slug])


def _checklist_row(row: dict) -> tuple[str, bool | None, str]:
    """(what was checked, whether it conformed, note) of a checklist row, in the reader's
    language when the row names one of the standard checks by its rule."""
    item = row.get("item", "")
    if item in CHECKLIST_LABELS:
        item = f"{item}: {CHECKLIST_LABELS[item]}"
    return item, row.get("ok"), row.get("note", "")


def _plans_in_force(solution):
    return (
        RemediationPlan.objects.filter(solution=solution, closed_at__isnull=True)
        .select_related("audit", "agreed_by")
        .prefetch_related("items")
        .order_by("-agreed_at", "-pk")
    )


# --- The certificate -------------------------------------------------------------------------


@login_required
def certificate(request, slug):
    certification = _certification(request, slug)
    solution = certification.solution
    user = request.user
    today = timezone.localdate()
    audits = list(audits_of(solution))
    for audit in audits:
        audit.checklist_rows = [_checklist_row(row) for row in audit.checklist]
        audit.has_plan_in_force = any(plan.in_force for plan in audit.remediation_plans.all())
    plans = list(_plans_in_force(solution))
    for plan in plans:
        plan.kpi_labels = [KPI_LABELS.get(name, name) for name in plan.covers_kpis]
    return render(
        request,
        "workflow/certification/certificate.html",
        {
            "certification": certification,
            "solution": solution,
            "events": certification.events.select_related("actor", "version").order_by("at", "pk"),
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
    certification = _certification(request, slug)
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
        try:
            service(
                certification=certification,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
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


# --- Regular audits and remediation plans ------------------------------------------------------


@login_required
def regular_audit(request, slug):
    certification = _certification(request, slug)
    solution = certification.solution
    _require(request.user, "support_audit.run_support_audit", solution)
    data = request.POST or None
    form = RegularAuditForm(
        data,
        initial={"held_on": timezone.localdate(), "conforming": [code for code, _ in CHECKLIST]},
    )
    nonconformities = NonconformityFormSet(data, prefix="nc")
    if request.method == "POST" and form.is_valid() and nonconformities.is_valid():
        found = [
            (f.cleaned_data["description"], f.cleaned_data["severity"])
            for f in nonconformities.forms
            if f.cleaned_data.get("description")  # skips a row left empty
        ]
        checklist = form.checklist()
        if not found and not all(row["ok"] for row in checklist):
            form.add_error(
                None,
                _("A requirement is not ticked as conforming: describe what falls short."),
            )
        else:
            try:
                audit = audit_services.audit_record(
                    solution=solution,
                    by=request.user,
                    purpose=AuditPurpose.REGULAR,
                    type=form.cleaned_data["type"],
                    held_on=form.cleaned_data["held_on"],
                    checklist=checklist,
                    summary=form.cleaned_data["summary"],
                    nonconformities=found,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                certification.refresh_from_db(fields=["next_audit_due"])
                due = date_format(certification.next_audit_due, "DATE_FORMAT")
                if found:
                    messages.success(
                        request,
                        ngettext(
                            "Regular audit recorded with %(count)s nonconformity; next audit "
                            "due on %(due)s. Agree a remediation plan with the partner.",
                            "Regular audit recorded with %(count)s nonconformities; next audit "
                            "due on %(due)s. Agree a remediation plan with the partner.",
                            len(found),
                        )
                        % {"count": len(found), "due": due},
                    )
                    return redirect("remediation_plan_agree", slug=solution.slug, audit=audit.pk)
                messages.success(
                    request,
                    _("Regular audit recorded: passed. Next audit due on %(due)s.") % {"due": due},
                )
                return redirect(_certificate_url(certification))
    customers = customer_overview(solution)
    return render(
        request,
        "workflow/certification/regular_audit.html",
        {
            "certification": certification,
            "solution": solution,
            "form": form,
            "nonconformities": nonconformities,
            "months": settings.REGULAR_AUDIT_MONTHS,
            "customers": customers,
            "behind": list(customers.behind[:VERSIONS_BEHIND_SHOWN]),
        },
    )


@login_required
@require_POST
def regular_audit_versions_finding(request, slug):
    """R6.3, R6.4: the active customers not on the current version raised as a nonconformity in
    one step, then the remediation plan to agree."""
    certification = _certification(request, slug)
    solution = certification.solution
    _require(request.user, "support_audit.run_support_audit", solution)
    description = versions_finding(customer_overview(solution))
    if description is None:
        messages.info(request, _("Every active customer is on the current version."))
        return redirect("regular_audit", slug=solution.slug)
    audit = audit_services.finding_raise(
        solution=solution,
        by=request.user,
        checked="R6.4",
        description=description,
        severity=NonconformitySeverity.MAJOR,
    )
    messages.success(
        request,
        _("Nonconformity raised: customers not on the current version. Agree a remediation plan."),
    )
    return redirect("remediation_plan_agree", slug=solution.slug, audit=audit.pk)


@login_required
def remediation_plan_agree(request, slug, audit):
    certification = _certification(request, slug)
    solution = certification.solution
    _require(request.user, "support_audit.run_support_audit", solution)
    audit = get_object_or_404(
        SupportAudit.objects.select_related("auditor").prefetch_related("nonconformities"),
        pk=audit,
        solution=solution,
        purpose=AuditPurpose.REGULAR,
        outcome=AuditOutcome.NONCONFORMITIES,
    )
    data = request.POST or None
    form = PlanForm(data)
    items = PlanItemFormSet(data, prefix="item")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        if audit.remediation_plans.filter(closed_at__isnull=True).exists():
            form.add_error(None, _("A plan for this audit is in force already."))
        else:
            try:
                audit_services.plan_agree(
                    audit=audit,
                    by=request.user,
                    items=[
                        (
                            f.cleaned_data["description"],
                            f.cleaned_data["owner"],
                            f.cleaned_data["due_on"],
                        )
                        for f in items.forms
                        if f.cleaned_data.get("description")  # skips a row left empty
                    ],
                    covers_kpis=form.cleaned_data["covers_kpis"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Remediation plan agreed; it is on the certificate."))
                return redirect(_certificate_url(certification))
    return render(
        request,
        "workflow/certification/plan_agree.html",
        {
            "certification": certification,
            "solution": solution,
            "audit": audit,
            "form": form,
            "items": items,
        },
    )


@login_required
@require_POST
def remediation_item_done(request, slug, item):
    certification = _certification(request, slug)
    item = get_object_or_404(
        RemediationItem.objects.select_related("plan__audit__application", "plan__solution"),
        pk=item,
        plan__solution=certification.solution,
        plan__closed_at__isnull=True,
    )
    support.plan_item_done(item=item, by=request.user)
    messages.success(request, _("Action marked done."))
    return redirect(_certificate_url(certification))
