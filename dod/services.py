"""Stage 3 on the reviewers' side: rounds, DoD checks, findings, outcomes (3.2, R3.6–R3.8)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import badge
from applications.enums import ApplicationKind
from applications.enums import ApplicationState as S
from applications.models import Application
from applications.rules import require as _require
from applications.services.requests import apply_transition, lock_in_states
from applications.uploads import UploadPolicy, validate_upload
from certportal.errors import ActionRefused

from .enums import CheckResult, FindingStatus, Reviewer, RoundOutcome, Severity
from .models import (
    CheckEvidence,
    CriteriaVersion,
    Criterion,
    CriterionCheck,
    Finding,
    FindingAnswer,
    ReviewRound,
)
from .selectors import current_round

EVIDENCE_POLICY = UploadPolicy(
    max_bytes=50 * 1024**2,
    allowed_kinds=frozenset({"pdf", "docx", "xlsx", "text", "image", "zip", "video"}),
    max_bytes_setting="UPLOAD_MAX_BYTES_EVIDENCE",
)


def _last_submitted_at(application: Application):
    from applications.selectors import timeline

    submitted = [e for e in timeline(application) if e.transition == "submit_materials"]
    return submitted[-1].timestamp if submitted else timezone.now()


def review_start(*, application: Application, by) -> ReviewRound:
    """Open the next review round; the first one pins the DoD edition in force (3.2)."""
    with transaction.atomic():
        if application.criteria_version_id is None:
            application.criteria_version = CriteriaVersion.in_force()
        apply_transition(application, "start_review", by=by)
        number = (application.review_rounds.aggregate(n=Max("number"))["n"] or 0) + 1
        return ReviewRound.objects.create(
            application=application,
            number=number,
            criteria_version_id=application.criteria_version_id,
            submitted_at=_last_submitted_at(application),
            started_by=by,
        )


def _open_round(application: Application) -> ReviewRound:
    lock_in_states(application, [S.IN_REVIEW], _("The request is not in review."))
    return current_round(application)


def check_record(
    *,
    application: Application,
    by,
    criterion: Criterion,
    result: CheckResult,
    comment: str,
    evidence=(),
) -> CriterionCheck:
    """Record the check of one criterion in the open round (R3.6, R3.7)."""
    # Integration criteria (DoD 9–10) are the R&D experts'; the others the analysts'.
    if criterion.reviewer == Reviewer.RND:
        _require(by, "applications.check_integration", application)
    else:
        _require(by, "applications.run_quality_review", application)
    if criterion.version_id != (application.criteria_version_id or CriteriaVersion.in_force().pk):
        raise ValidationError(_("That criterion belongs to another DoD edition."))
    if result == CheckResult.NOT_APPLICABLE and not criterion.allows_not_applicable(application):
        raise ValidationError(
            _(
                "“Not applicable” is allowed only for criteria 9–10 of a solution without "
                "external services (R3.7)."
            )
        )
    reports = [(f, validate_upload(f, name=f.name, policy=EVIDENCE_POLICY)) for f in evidence]
    with transaction.atomic():
        round_ = _open_round(application)
        check, _created = CriterionCheck.objects.update_or_create(
            round=round_,
            criterion=criterion,
            defaults={
                "result": result,
                "comment": comment,
                "checked_by": by,
                "checked_at": timezone.now(),
            },
        )
        for upload, _report in reports:
            item = CheckEvidence(
                check_record=check, original_name=upload.name[-255:], uploaded_by=by
            )
            item.file.save(upload.name, upload, save=False)
            item.save()
    return check


def finding_raise(
    *, application: Application, by, severity: Severity, text: str, criterion=None
) -> Finding:
    """A finding or recommendation for the partner (R3.8)."""
    _require(by, "applications.check_criteria", application)
    pinned = application.criteria_version_id
    if criterion is not None and pinned and criterion.version_id != pinned:
        raise ValidationError(_("That criterion belongs to another DoD edition."))
    with transaction.atomic():
        round_ = _open_round(application)
        return Finding.objects.create(
            application=application,
            round=round_,
            criterion=criterion,
            severity=severity,
            text=text,
            raised_by=by,
        )


def finding_resolve(*, finding: Finding, by) -> Finding:
    """The reviewer accepts the partner's fix; the finding closes in the current round."""
    application = finding.application
    _require(by, "applications.check_criteria", application)
    if finding.status != FindingStatus.OPEN:
        raise ActionRefused([_("This finding is resolved already.")])
    with transaction.atomic():
        round_ = _open_round(application)
        finding.status = FindingStatus.RESOLVED
        finding.resolved_in = round_
        finding.save(update_fields=["status", "resolved_in"])
    return finding


def finding_answer(*, finding: Finding, by, text: str) -> FindingAnswer:
    """The partner answers a finding while changes are requested."""
    _require(by, "applications.upload_material", finding.application)
    if finding.status != FindingStatus.OPEN:
        raise ActionRefused([_("This finding is resolved already.")])
    with transaction.atomic():
        lock_in_states(
            finding.application,
            [S.CHANGES_REQUESTED],
            _("Findings are answered while changes are requested."),
        )
        return FindingAnswer.objects.create(finding=finding, text=text, by=by)


def compatibility_verify(*, application: Application, by) -> Application:
    """The reviewer has checked the update's backward compatibility (R6.2)."""
    _require(by, "applications.run_quality_review", application)
    with transaction.atomic():
        _open_round(application)
        Application.objects.filter(pk=application.pk).update(compatibility_verified=True)
    application.compatibility_verified = True
    return application


def _close_round(application: Application, outcome: RoundOutcome) -> None:
    round_ = current_round(application)
    if round_ is not None and round_.closed_at is None:
        round_.closed_at = timezone.now()
        round_.outcome = outcome
        round_.save(update_fields=["closed_at", "outcome"])


def review_request_changes(*, application: Application, by, comment: str):
    """Send the findings to the partner for rework (R3.8)."""
    with transaction.atomic():
        log = apply_transition(application, "request_changes", by=by, comment=comment)
        _close_round(application, RoundOutcome.CHANGES_REQUESTED)
    return log


def review_pass(*, application: Application, by, comment: str):
    """Every criterion passed: stage 4 for a first certification; for an update, the
    certified version moves on to this one (R3.1, R3.2)."""
    with transaction.atomic():
        if application.kind == ApplicationKind.INITIAL:
            log = apply_transition(application, "pass_quality", by=by, comment=comment)
        else:
            log = apply_transition(application, "pass_update", by=by, comment=comment)
            badge.grant(application=application, by=by, reason=comment)
        _close_round(application, RoundOutcome.PASSED)
    return log


def review_decline(*, application: Application, by, comment: str):
    with transaction.atomic():
        log = apply_transition(application, "decline_quality", by=by, comment=comment)
        _close_round(application, RoundOutcome.DECLINED)
    return log


def criteria_revise(*, by, changes: dict[int, dict], note: str) -> CriteriaVersion:
    """A new DoD edition: the one in force copied with `changes` ({number: {field: value}}).

    Editions in use are never edited; requests already in review keep theirs.
    """
    _require(by, "dod.add_criteriaversion")
    with transaction.atomic():
        current = CriteriaVersion.objects.select_for_update().latest()
        edition = CriteriaVersion.objects.create(
            number=current.number + 1, note=note, created_by=by
        )
        for criterion in current.criteria.order_by("number"):
            values = {
                "title": criterion.title,
                "how_checked": criterion.how_checked,
                "external_services_only": criterion.external_services_only,
                "reviewer": criterion.reviewer,
                **changes.get(criterion.number, {}),
            }
            Criterion.objects.create(version=edition, number=criterion.number, **values)
    return edition
