"""Stage 3's own records: rounds, DoD checks, findings and answers (3.2, R3.6–R3.8).

The request's side (its state, transitions, the edition pinned on it) is the workflow's,
in workflow/services/review.py, which calls these inside its transaction.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.rules import require
from certportal.errors import ActionRefused
from certportal.uploads import UploadPolicy, validate_upload

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


def round_open(*, application, by, submitted_at) -> ReviewRound:
    """The request's next review round, against the DoD edition pinned on it."""
    number = (application.review_rounds.aggregate(n=Max("number"))["n"] or 0) + 1
    return ReviewRound.objects.create(
        application=application,
        number=number,
        criteria_version_id=application.criteria_version_id,
        submitted_at=submitted_at,
        started_by=by,
    )


def check_save(
    *,
    application,
    by,
    criterion: Criterion,
    result: CheckResult,
    comment: str,
    evidence=(),
    guard,
) -> CriterionCheck:
    """Record the check of one criterion in the open round (R3.6, R3.7).

    `guard` is called inside the transaction before anything is written: the workflow's
    check that the request is still in review.
    """
    # Integration criteria (DoD 9–10) are the R&D experts'; the others the analysts'.
    if criterion.reviewer == Reviewer.RND:
        require(by, "dod.check_integration", application)
    else:
        require(by, "dod.run_quality_review", application)
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
        guard()
        check, _created = CriterionCheck.objects.update_or_create(
            round=current_round(application),
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


def finding_save(
    *, application, by, severity: Severity, text: str, criterion=None, guard
) -> Finding:
    """A finding or recommendation for the partner in the open round (R3.8); `guard` as for
    check_save."""
    require(by, "dod.check_criteria", application)
    pinned = application.criteria_version_id
    if criterion is not None and pinned and criterion.version_id != pinned:
        raise ValidationError(_("That criterion belongs to another DoD edition."))
    with transaction.atomic():
        guard()
        return Finding.objects.create(
            application=application,
            round=current_round(application),
            criterion=criterion,
            severity=severity,
            text=text,
            raised_by=by,
        )


def finding_close(*, finding: Finding, by, guard) -> Finding:
    """The reviewer accepts the partner's fix; the finding closes in the current round."""
    application = finding.application
    require(by, "dod.check_criteria", application)
    if finding.status != FindingStatus.OPEN:
        raise ActionRefused([_("This finding is resolved already.")])
    with transaction.atomic():
        guard()
        finding.status = FindingStatus.RESOLVED
        finding.resolved_in = current_round(application)
        finding.save(update_fields=["status", "resolved_in"])
    return finding


def answer_save(*, finding: Finding, by, text: str, guard) -> FindingAnswer:
    """The partner's answer to an open finding; `guard` as for check_save."""
    require(by, "dod.answer_finding", finding.application)
    if finding.status != FindingStatus.OPEN:
        raise ActionRefused([_("This finding is resolved already.")])
    with transaction.atomic():
        guard()
        return FindingAnswer.objects.create(finding=finding, text=text, by=by)


def round_close(application, outcome: RoundOutcome) -> None:
    """Close the request's open round, if any, with `outcome`."""
    round_ = current_round(application)
    if round_ is not None and round_.closed_at is None:
        round_.closed_at = timezone.now()
        round_.outcome = outcome
        round_.save(update_fields=["closed_at", "outcome"])


def criteria_revise(*, by, changes: dict[int, dict], note: str) -> CriteriaVersion:
    """A new DoD edition: the one in force copied with `changes` ({number: {field: value}}).

    Editions in use are never edited; requests already in review keep theirs.
    """
    require(by, "dod.add_criteriaversion")
    with transaction.atomic():
        current = CriteriaVersion.objects.select_for_update().latest()
        edition = CriteriaVersion.objects.create(
            number=current.number + 1, note=note, created_by=by
        )
        for criterion in current.criteria.order_by("number"):
            values = {
                "title": criterion.title,
                "how_checked": criterion.how_checked,
                "title_ru": criterion.title_ru,
                "how_checked_ru": criterion.how_checked_ru,
                "external_services_only": criterion.external_services_only,
                "reviewer": criterion.reviewer,
                **changes.get(criterion.number, {}),
            }
            Criterion.objects.create(version=edition, number=criterion.number, **values)
    return edition
