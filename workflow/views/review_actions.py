"""Stage 3 writes from the review page: start a round, check criteria, raise and resolve
findings, verify compatibility, decide the outcome (3.2, R3.6–R3.8).

Thin: who may look or act, a form, one service call, a redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.rules import require as _require
from certportal.interaction import OutcomeForm, decision_page, fresh, run, succeeded
from dod.enums import FindingStatus
from dod.forms import CheckForm, FindingForm
from dod.models import CheckEvidence, Finding
from dod.selectors import checkable_criteria, findings_of, pinned_criteria

from ..materials import UPDATE_KINDS
from ..services import review as flow
from ..services import unmet_conditions
from .common import button, confirmed_step, reviewed_application
from .review import OUTCOMES, checker_permission, render_review, review_url


@login_required
def review_start(request, pk):
    """The confirmation of a review round's start: the materials are locked while it runs."""
    application = reviewed_application(request, pk)
    _require(request.user, "dod.run_quality_review", application)
    return confirmed_step(
        request,
        application,
        flow.review_start,
        transition="start_review",
        label=_("Start the review"),
        title=_("Start the quality review of request #%s?") % application.pk,
        intro=_(
            "A review round opens: the request is checked against the DoD edition pinned on "
            "it (the edition in force now, if this is the first round). The partner can no "
            "longer change the materials until the round ends with a pass, a request for "
            "changes or a decline; the partner is told the review started."
        ),
        success=_("Review round started; the request is checked against its pinned DoD edition."),
        success_url=review_url(application),
        back={"back_url": review_url(application), "back_label": _("Back to the review")},
    )


@login_required
@require_POST
def review_check(request, pk, number):
    application = reviewed_application(request, pk)
    criterion = get_object_or_404(checkable_criteria(application), number=number)
    _require(request.user, checker_permission(criterion), application)
    form = CheckForm(
        request.POST,
        request.FILES,
        application=application,
        criterion=criterion,
        na_allowed=criterion.allows_not_applicable(application),
    )
    if fresh(form, application) and succeeded(
        run(
            form,
            flow.check_record,
            upload_field="evidence",
            application=application,
            by=request.user,
            criterion=criterion,
            result=form.cleaned_data["result"],
            comment=form.cleaned_data["comment"].strip(),
            evidence=form.cleaned_data["evidence"],
        )
    ):
        messages.success(
            request, _("Criterion %(number)s: check saved.") % {"number": criterion.number}
        )
        return redirect(review_url(application, f"criterion-{criterion.number}"))
    return render_review(request, application, check_form=form)


@login_required
@require_POST
def review_finding_raise(request, pk):
    application = reviewed_application(request, pk)
    _require(request.user, "dod.check_criteria", application)
    form = FindingForm(request.POST, application=application, criteria=pinned_criteria(application))
    if fresh(form, application) and succeeded(
        run(
            form,
            flow.finding_raise,
            application=application,
            by=request.user,
            severity=form.cleaned_data["severity"],
            text=form.cleaned_data["text"].strip(),
            criterion=form.cleaned_data["criterion"],
        )
    ):
        messages.success(request, _("Finding raised; the partner will see it."))
        return redirect(review_url(application, "findings"))
    return render_review(request, application, finding_form=form)


@login_required
@require_POST
def review_finding_resolve(request, pk, finding_pk):
    application = reviewed_application(request, pk)
    _require(request.user, "dod.check_criteria", application)
    finding = get_object_or_404(Finding, pk=finding_pk, application=application)
    finding.application = application
    if finding.status != FindingStatus.OPEN:
        messages.info(request, _("This finding is resolved already."))
        return redirect(review_url(application, "findings"))
    return button(
        request,
        application,
        flow.finding_resolve,
        finding=finding,
        by=request.user,
        success=_("Finding resolved."),
        done_url=review_url(application, "findings"),
    )


@login_required
@require_POST
def review_compatibility(request, pk):
    application = reviewed_application(request, pk)
    _require(request.user, "dod.run_quality_review", application)
    if application.kind not in UPDATE_KINDS:
        raise Http404
    return button(
        request,
        application,
        flow.compatibility_verify,
        application=application,
        by=request.user,
        success=_("Backward compatibility with the previous version verified (R6.2)."),
        done_url=review_url(application, "compatibility"),
    )


@login_required
def review_outcome(request, pk, outcome):
    """The confirmation page of an outcome, with why it cannot be taken yet, if so."""
    application = reviewed_application(request, pk)
    chosen = OUTCOMES.get(outcome)
    if chosen is None:
        raise Http404
    _require(request.user, "dod.run_quality_review", application)
    form = OutcomeForm(
        request.POST or None,
        application=application,
        submit_label=chosen.label,
        comment_required=chosen.comment_required,
    )

    def said() -> str:
        return _(
            "%(outcome)s: done. The request is now “%(state)s”; the partner has been told."
        ) % {"outcome": chosen.label, "state": application.get_state_display()}

    def shown() -> dict:
        return {
            "title": _("%(outcome)s: request #%(pk)s") % {"outcome": chosen.label, "pk": pk},
            "intro": chosen.intro,
            "reasons": unmet_conditions(application, chosen.transition(application)),
            "open_findings": list(findings_of(application).filter(status=FindingStatus.OPEN)),
        }

    return decision_page(
        request,
        form,
        chosen.run,
        application=application,
        by=request.user,
        success=said,
        success_url=review_url(application),
        template="dod/outcome.html",
        context=shown,
    )


@login_required
def review_evidence(request, pk, evidence_pk):
    """An evidence file, for the team only: stored privately, never served by a public URL."""
    application = reviewed_application(request, pk)
    item = get_object_or_404(
        CheckEvidence, pk=evidence_pk, check_record__round__application=application
    )
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name)
