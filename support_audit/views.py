"""Pages of certified solutions' support that no request is keyed by: the audits due, a
solution's regular audits and the remediation plans agreed after them (R5.7, R5.8).

Thin: who may look or act, a form, one service call, a redirect. The certificate the pages
lead back to is the partner's and the Marketplace team's; anyone else gets 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from catalogue.rules import require
from catalogue.selectors import visible_certification
from certportal.interaction import run, succeeded
from certportal.paging import query_without

from . import audit_facts, services
from .enums import NonconformitySeverity
from .regular_forms import (
    CHECKLIST,
    NonconformityFormSet,
    PlanForm,
    PlanItemFormSet,
    RegularAuditForm,
)
from .selectors import actions_due_listed, audits_due_listed, regular_audits_with_nonconformities


@login_required
def audits_due(request):
    """Every regular audit and remediation action past due, a page of each at a time."""
    require(request.user, "support_audit.view_audits_due")
    size = settings.QUEUE_PAGE_SIZE
    audits = Paginator(audits_due_listed(), size).get_page(request.GET.get("page"))
    actions = Paginator(actions_due_listed(), size).get_page(request.GET.get("actions"))
    return render(
        request,
        "workflow/audits_due.html",
        {
            "page": audits,
            "query": query_without(request),
            "actions_page": actions,
            "actions_query": query_without(request, "actions"),
        },
    )


def _audited(request, slug):
    """The certification of the solution, for whoever may audit it."""
    certification = visible_certification(request.user, slug)
    require(request.user, "support_audit.run_support_audit", certification.solution)
    return certification


def _certificate_url(certification) -> str:
    return reverse("certificate", args=[certification.solution.slug])


def _recorded_message(certification, found: int) -> str:
    certification.refresh_from_db(fields=["next_audit_due"])
    due = date_format(certification.next_audit_due, "DATE_FORMAT")
    if not found:
        return _("Regular audit recorded: passed. Next audit due on %(due)s.") % {"due": due}
    return ngettext(
        "Regular audit recorded with %(count)s nonconformity; next audit "
        "due on %(due)s. Agree a remediation plan with the partner.",
        "Regular audit recorded with %(count)s nonconformities; next audit "
        "due on %(due)s. Agree a remediation plan with the partner.",
        found,
    ) % {"count": found, "due": due}


@login_required
def regular_audit(request, slug):
    certification = _audited(request, slug)
    solution = certification.solution
    data = request.POST or None
    form = RegularAuditForm(
        data,
        initial={"held_on": timezone.localdate(), "conforming": [code for code, _ in CHECKLIST]},
    )
    nonconformities = NonconformityFormSet(data, prefix="nc")
    if request.method == "POST" and form.is_valid() and nonconformities.is_valid():
        found = nonconformities.rows()
        audit = run(
            form,
            services.regular_audit_record,
            solution=solution,
            by=request.user,
            type=form.cleaned_data["type"],
            held_on=form.cleaned_data["held_on"],
            checklist=form.checklist(),
            summary=form.cleaned_data["summary"],
            nonconformities=found,
        )
        if succeeded(audit):
            messages.success(request, _recorded_message(certification, len(found)))
            if found:
                return redirect("remediation_plan_agree", slug=solution.slug, audit=audit.pk)
            return redirect(_certificate_url(certification))
    return render(
        request,
        "support_audit/regular_audit.html",
        {
            "certification": certification,
            "solution": solution,
            "form": form,
            "nonconformities": nonconformities,
            "months": settings.REGULAR_AUDIT_MONTHS,
            **audit_facts.facts(solution),
        },
    )


@login_required
@require_POST
def regular_audit_versions_finding(request, slug):
    """R6.3, R6.4: the active customers not on the current version raised as a nonconformity in
    one step, then the remediation plan to agree."""
    solution = _audited(request, slug).solution
    description = audit_facts.finding(solution, "R6.4")
    if description is None:
        messages.info(request, _("Every active customer is on the current version."))
        return redirect("regular_audit", slug=solution.slug)
    audit = services.finding_raise(
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
    certification = _audited(request, slug)
    solution = certification.solution
    audit = get_object_or_404(regular_audits_with_nonconformities(solution), pk=audit)
    data = request.POST or None
    form = PlanForm(data)
    items = PlanItemFormSet(data, prefix="item")
    if (
        request.method == "POST"
        and form.is_valid()
        and items.is_valid()
        and succeeded(
            run(
                form,
                services.regular_plan_agree,
                audit=audit,
                by=request.user,
                items=items.rows(),
                covers_kpis=form.cleaned_data["covers_kpis"],
            )
        )
    ):
        messages.success(request, _("Remediation plan agreed; it is on the certificate."))
        return redirect(_certificate_url(certification))
    return render(
        request,
        "support_audit/plan_agree.html",
        {
            "certification": certification,
            "solution": solution,
            "audit": audit,
            "form": form,
            "items": items,
        },
    )
