"""Stage 3 on the partner's side: the review's findings of a request and the answers to them
(R3.8)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.rules import require as _require
from certportal.interaction import run, succeeded
from dod.enums import FindingStatus
from dod.models import CheckEvidence, Finding
from dod.selectors import evidence_of, findings_of, unanswered_findings

from ..enums import ApplicationState
from ..forms_materials import FindingAnswerForm
from ..models import Application
from ..services import review
from .common import visible_application


def _render_findings(request, application: Application, *, answer_forms=None):
    user = request.user
    answer_forms = answer_forms or {}
    can_answer = (
        user.has_perm("workflow.upload_material", application)
        and application.state == ApplicationState.CHANGES_REQUESTED
    )
    awaiting = (
        set(unanswered_findings(application).values_list("pk", flat=True)) if can_answer else set()
    )
    evidence: dict[tuple[int, int | None], list[CheckEvidence]] = {}
    for item in evidence_of(application):
        key = (item.check_record.round_id, item.check_record.criterion_id)
        evidence.setdefault(key, []).append(item)
    findings = list(findings_of(application))
    for finding in findings:
        finding.evidence = evidence.get((finding.round_id, finding.criterion_id), [])
        finding.awaiting_answer = finding.pk in awaiting
        finding.answer_form = None
        if can_answer and finding.status == FindingStatus.OPEN:
            finding.answer_form = answer_forms.get(finding.pk) or FindingAnswerForm(
                prefix=f"finding-{finding.pk}"
            )
    return render(
        request,
        "workflow/materials/findings.html",
        {
            "application": application,
            "findings": findings,
            "open_count": sum(1 for f in findings if f.status == FindingStatus.OPEN),
            "awaiting_count": len(awaiting),
            "can_answer": can_answer,
        },
    )


@login_required
def findings(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.view_material", application)
    return _render_findings(request, application)


@login_required
@require_POST
def finding_answer(request, pk, finding_id):
    application = visible_application(request, pk)
    finding = get_object_or_404(Finding, pk=finding_id, application=application)
    finding.application = application
    _require(request.user, "workflow.upload_material", application)
    form = FindingAnswerForm(request.POST, prefix=f"finding-{finding.pk}")
    if form.is_valid() and succeeded(
        run(
            form,
            review.finding_answer,
            finding=finding,
            by=request.user,
            text=form.cleaned_data["text"].strip(),
        )
    ):
        messages.success(request, _("Answer sent."))
        return redirect(f"{reverse('findings', args=[application.pk])}#finding-{finding.pk}")
    return _render_findings(request, application, answer_forms={finding.pk: form})
