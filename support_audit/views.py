"""Stage 4 pages: the partner's support standards, the team's audit, the remediation (4.1–4.3).

Thin: who may look or act, a form, one service call, a redirect. A request the user may not
see answers 404; the audit page is the Marketplace team's, so a partner gets a 404 there too.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_fsm_log.models import StateLog

from applications.enums import DECLARATION_OPEN_STATES, ApplicationState, Stage
from applications.guidance import awaited
from applications.models import Application
from applications.services import actions_for, unmet_conditions
from applications.services import support as flow
from applications.views.requests import _application, _require, _run
from certportal.forms import state_unchanged

from .calendar import Region
from .enums import AuditOutcome, AuditPurpose, Channel, SupportPackage
from .forms import (
    LANGUAGE_NAMES,
    WEEKDAYS,
    DeclarationForm,
    GuardForm,
    OutcomeForm,
    PlanFormSet,
    audit_forms,
    audit_is_consistent,
)
from .models import (
    Nonconformity,
    RemediationItem,
    RemediationPlan,
    SupportAudit,
    SupportDeclaration,
    VendorEscalationLevel,
)
from .standards import declaration_problems

S = ApplicationState


def _team_application(request, pk) -> Application:
    """The request, for a member of the Marketplace team; 404 for anyone else."""
    application = _application(request, pk)
    if not request.user.has_perm("applications.view_internal_notes", application):
        raise Http404
    return application


def _url(name: str, application, anchor: str = "") -> str:
    url = reverse(name, kwargs={"pk": application.pk})
    return f"{url}#{anchor}" if anchor else url


def _declaration(application) -> SupportDeclaration | None:
    """The request's declaration with its regions; read through the request, so the
    transitions' conditions asked on this page reuse it."""
    declaration = getattr(application, "support_declaration", None)
    if declaration is not None:
        prefetch_related_objects([declaration], "regions")
    return declaration


@dataclass(frozen=True)
class RegionHours:
    """One region of a declaration as the pages show it."""

    label: str
    language: str
    days: list[tuple[str, str]]  # (weekday, "09:00–18:00" or "")

    @property
    def week(self) -> str:
        """The week in short: "Mon–Fri 09:00–18:00; Sat 10:00–14:00"."""
        spans: list[list] = []  # [first day, last day, hours]
        for name, hours in self.days:
            if spans and spans[-1][2] == hours:
                spans[-1][1] = name
            else:
                spans.append([name, name, hours])
        parts = [
            f"{first}–{last} {hours}" if first != last else f"{first} {hours}"
            for first, last, hours in spans
            if hours
        ]
        return "; ".join(parts) or _("closed every day")


def _region_rows(declaration) -> list[RegionHours]:
    if declaration is None:
        return []
    rows = []
    for support in declaration.regions.all():
        days = []
        for day, name in WEEKDAYS:
            hours = support.hours.get(str(day))
            days.append((name, f"{hours[0]}–{hours[1]}" if hours else ""))
        rows.append(
            RegionHours(
                label=Region(support.region).label,
                language=str(LANGUAGE_NAMES.get(support.language, support.language)),
                days=days,
            )
        )
    return rows


def _labels(choices, values) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values]


def _declaration_context(application, declaration) -> dict:
    return {
        "declaration": declaration,
        "channel_labels": _labels(Channel, declaration.channels if declaration else []),
        "package_labels": _labels(SupportPackage, declaration.packages if declaration else []),
        "region_rows": _region_rows(declaration),
        "weekdays": [name for _day, name in WEEKDAYS],
        "problems": declaration_problems(declaration) if declaration else [],
    }


def _report_errors(request, form) -> None:
    for error in form.non_field_errors():
        messages.error(request, error)


# --- 1. The partner's declaration ------------------------------------------------------------


@login_required
def declaration(request, pk):
    application = _application(request, pk)
    user = request.user
    saved = _declaration(application)
    team = user.has_perm("applications.view_internal_notes", application)
    may_edit = user.has_perm("applications.upload_material", application)
    form = None
    if request.method == "POST":
        _require(user, "applications.upload_material", application)
        form = DeclarationForm(request.POST, application=application)
        if (
            form.is_valid()
            and state_unchanged(form, application)
            and _run(
                form,
                lambda: flow.declaration_save(
                    application=application, by=user, data=form.declaration()
                ),
            )
        ):
            messages.success(request, _("Support standards saved: they meet regulation 4.1–4.2."))
            return redirect(_url("support_declaration", application))
    elif may_edit and application.state in DECLARATION_OPEN_STATES:
        form = DeclarationForm(initial=DeclarationForm.initial_from(saved), application=application)
    actions, blocked = actions_for(application, user)
    return render(
        request,
        "support_audit/declaration.html",
        {
            "application": application,
            "form": form,
            "may_edit": may_edit,
            "open_states": [S(state).label for state in DECLARATION_OPEN_STATES],
            "too_early": application.is_active and (application.stage or 0) < Stage.SUPPORT,
            "can_submit": "submit_support" in actions,
            "submit_offered": "submit_support" in actions or "submit_support" in blocked,
            "in_remediation": may_edit and application.state == S.REMEDIATION,
            "read_only_reason": _("Read-only: the support standards went to the audit.")
            if application.is_active
            else _("Read-only: the request is closed."),
            "vendor_levels": VendorEscalationLevel.objects.all() if form else [],
            "submit_reasons": blocked.get("submit_support", []),
            "team": team,
            "awaited": awaited(application, partner_side=not team),
            **_declaration_context(application, saved),
        },
    )


@login_required
@require_POST
def declaration_submit(request, pk):
    application = _application(request, pk)
    form = GuardForm(request.POST, application=application)
    if (
        form.is_valid()
        and state_unchanged(form, application)
        and _run(form, lambda: flow.support_submit(application=application, by=request.user))
    ):
        messages.success(
            request,
            _("Support standards submitted. The Marketplace team will audit your support."),
        )
        return redirect(application)
    _report_errors(request, form)
    return redirect(_url("support_declaration", application))


# --- 2. The team's audit ---------------------------------------------------------------------


def _audits(application) -> list[SupportAudit]:
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
                .prefetch_related("items")
                .order_by("agreed_at", "pk"),
            ),
        )
        .order_by("-recorded_at", "-pk")
    )


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
    saved = _declaration(application)
    audits = _audits(application)
    latest = audits[0] if audits else None
    can_run = user.has_perm("applications.run_support_audit", application)
    under_audit = application.state == S.SUPPORT_REVIEW
    if record is None and can_run and under_audit:
        record = audit_forms(application=application)
    plan_audit = latest if _needs_plan(latest) else None
    if plan is None and can_run and under_audit and plan_audit is not None:
        plan = (GuardForm(application=application), PlanFormSet(prefix="plan"))
    elif plan is not None and plan_audit is None:
        # The plan has nowhere to go any more (another one was agreed meanwhile).
        _report_errors(request, plan[0])
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
            "awaited": awaited(application, partner_side=False),
            "seen_state": application.state,
            **_declaration_context(application, saved),
        },
    )


@login_required
def audit(request, pk):
    return _render_audit(request, _team_application(request, pk))


@login_required
@require_POST
def audit_record(request, pk):
    application = _team_application(request, pk)
    _require(request.user, "applications.run_support_audit", application)
    form, checklist, nonconformities = record = audit_forms(request.POST, application=application)
    earlier = SupportAudit.objects.filter(application=application).exists()
    recorded = []
    if (
        all([form.is_valid(), checklist.is_valid(), nonconformities.is_valid()])
        and audit_is_consistent(form, checklist, nonconformities)
        and state_unchanged(form, application)
        and _run(
            form,
            lambda: recorded.append(
                flow.audit_record(
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
            ),
        )
    ):
        audit = recorded[0]
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
        return redirect(_url("support_audit", application, f"audit-{audit.pk}"))
    return _render_audit(request, application, record=record)


@login_required
@require_POST
def plan_agree(request, pk, audit_pk):
    application = _team_application(request, pk)
    _require(request.user, "applications.run_support_audit", application)
    audit = get_object_or_404(SupportAudit, pk=audit_pk, application=application)
    latest = _audits(application)[0]
    if latest.pk != audit.pk or not _needs_plan(latest):
        messages.info(request, _("This audit needs no new remediation plan."))
        return redirect(_url("support_audit", application))
    guard = GuardForm(request.POST, application=application)
    items = PlanFormSet(request.POST, prefix="plan")
    if (
        all([guard.is_valid(), items.is_valid()])
        and state_unchanged(guard, application)
        and _run(
            guard,
            lambda: flow.plan_agree(audit=audit, by=request.user, items=items.rows()),
        )
    ):
        messages.success(
            request, _("Remediation plan agreed. Send the nonconformity report to the partner.")
        )
        return redirect(_url("support_audit", application, f"audit-{audit.pk}"))
    return _render_audit(request, application, plan=(guard, items))


@login_required
def outcome(request, pk, outcome):
    """The confirmation page of a stage-4 outcome, with why it is not possible yet, if so."""
    application = _team_application(request, pk)
    chosen = OUTCOMES.get(outcome)
    if chosen is None:
        raise Http404
    _require(request.user, "applications.run_support_audit", application)
    form = OutcomeForm(
        request.POST or None,
        application=application,
        submit_label=chosen.label,
        comment_required=chosen.comment_required,
        comment_label=chosen.comment_label,
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and state_unchanged(form, application)
        and _run(
            form,
            lambda: chosen.run(application, request.user, form.cleaned_data["comment"].strip()),
        )
    ):
        messages.success(request, chosen.success)
        return redirect(_url("support_audit", application))
    audits = _audits(application)
    latest = audits[0] if audits else None
    if latest is not None:
        latest.plans = list(latest.remediation_plans.all())
    return render(
        request,
        "support_audit/outcome.html",
        {
            "application": application,
            "form": form,
            "outcome": chosen,
            "title": _("%(outcome)s: request #%(pk)s") % {"outcome": chosen.label, "pk": pk},
            "reasons": unmet_conditions(application, chosen.transition),
            "latest": latest,
            "audit_months": settings.REGULAR_AUDIT_MONTHS,
        },
    )


# --- 3. The remediation ----------------------------------------------------------------------


def _latest_report(application) -> StateLog | None:
    """The timeline entry of the latest nonconformity report sent to the partner."""
    return (
        StateLog.objects.for_(application)
        .filter(transition="report_nonconformities")
        .select_related("by")
        .order_by("-timestamp", "-pk")
        .first()
    )


def _render_remediation(request, application):
    user = request.user
    team = user.has_perm("applications.view_internal_notes", application)
    audits = [
        audit
        for audit in reversed(_audits(application))
        if audit.outcome == AuditOutcome.NONCONFORMITIES
    ]
    report = _latest_report(application)
    for audit in audits:
        audit.reported = report is not None and audit.recorded_at <= report.timestamp
        audit.plans = list(audit.remediation_plans.all())
    if not team:
        # The partner reads what was reported to them, not the audit still being written.
        audits = [audit for audit in audits if audit.reported]
    may_mark = application.state == S.REMEDIATION and (
        user.has_perm("applications.upload_material", application)
        or user.has_perm("applications.run_support_audit", application)
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
    return _render_remediation(request, _application(request, pk))


@login_required
@require_POST
def item_done(request, pk, item_pk):
    application = _application(request, pk)
    item = get_object_or_404(
        RemediationItem.objects.select_related("plan__audit"),
        pk=item_pk,
        plan__audit__application=application,
    )
    item.plan.audit.application = application
    form = GuardForm(request.POST, application=application)
    if (
        form.is_valid()
        and state_unchanged(form, application)
        and _run(form, lambda: flow.plan_item_done(item=item, by=request.user))
    ):
        messages.success(request, _("Marked done: %(action)s") % {"action": item.description})
    else:
        _report_errors(request, form)
    return redirect(_url("support_remediation", application, f"item-{item.pk}"))


@login_required
@require_POST
def reaudit(request, pk):
    application = _application(request, pk)
    form = GuardForm(request.POST, application=application)
    if (
        form.is_valid()
        and state_unchanged(form, application)
        and _run(form, lambda: flow.reaudit_request(application=application, by=request.user))
    ):
        messages.success(
            request, _("Re-audit requested. The Marketplace team will audit your support again.")
        )
        return redirect(application)
    _report_errors(request, form)
    return redirect(_url("support_remediation", application))
