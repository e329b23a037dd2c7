"""Stage 3 on the request's side: the review's transitions and the state its writes need.

Each function locks the request in the state the step needs, or fires its transition, and
has dod.services record the review's own facts (rounds, checks, findings, answers) in the
same transaction (3.2, R3.1, R3.2, R3.6–R3.8).
"""

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import badge
from catalogue.rules import require
from dod import services as review
from dod.enums import RoundOutcome
from dod.models import CriteriaVersion, ReviewRound

from ..enums import ApplicationKind
from ..enums import ApplicationState as S
from ..models import Application
from ..selectors import timeline
from .requests import apply_transition, lock_in_states


def _in_review(application: Application) -> partial:
    return partial(lock_in_states, application, [S.IN_REVIEW], _("The request is not in review."))


def _last_submitted_at(application: Application):
    submitted = [e for e in timeline(application) if e.transition == "submit_materials"]
    return submitted[-1].timestamp if submitted else timezone.now()


def review_start(*, application: Application, by, comment: str = "") -> ReviewRound:
    """Open the next review round; the first one pins the DoD edition in force (3.2)."""
    with transaction.atomic():
        if application.criteria_version_id is None:
            application.criteria_version = CriteriaVersion.in_force()
        apply_transition(application, "start_review", by=by, comment=comment)
        return review.round_open(
            application=application, by=by, submitted_at=_last_submitted_at(application)
        )


def check_record(*, application: Application, by, criterion, result, comment: str, evidence=()):
    """Record the check of one criterion in the open round (R3.6, R3.7)."""
    return review.check_save(
        application=application,
        by=by,
        criterion=criterion,
        result=result,
        comment=comment,
        evidence=evidence,
        guard=_in_review(application),
    )


def finding_raise(*, application: Application, by, severity, text: str, criterion=None):
    """A finding or recommendation for the partner (R3.8)."""
    return review.finding_save(
        application=application,
        by=by,
        severity=severity,
        text=text,
        criterion=criterion,
        guard=_in_review(application),
    )


def finding_resolve(*, finding, by):
    """The reviewer accepts the partner's fix; the finding closes in the current round."""
    return review.finding_close(finding=finding, by=by, guard=_in_review(finding.application))


def finding_answer(*, finding, by, text: str):
    """The partner answers a finding while changes are requested."""
    return review.answer_save(
        finding=finding,
        by=by,
        text=text,
        guard=partial(
            lock_in_states,
            finding.application,
            [S.CHANGES_REQUESTED],
            _("Findings are answered while changes are requested."),
        ),
    )


def compatibility_verify(*, application: Application, by) -> Application:
    """The reviewer has checked the update's backward compatibility (R6.2)."""
    require(by, "dod.run_quality_review", application)
    with transaction.atomic():
        _in_review(application)()
        Application.objects.filter(pk=application.pk).update(compatibility_verified=True)
    application.compatibility_verified = True
    return application


def review_request_changes(*, application: Application, by, comment: str):
    """Send the findings to the partner for rework (R3.8)."""
    with transaction.atomic():
        log = apply_transition(application, "request_changes", by=by, comment=comment)
        review.round_close(application, RoundOutcome.CHANGES_REQUESTED)
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
        review.round_close(application, RoundOutcome.PASSED)
    return log


def review_decline(*, application: Application, by, comment: str):
    with transaction.atomic():
        log = apply_transition(application, "decline_quality", by=by, comment=comment)
        review.round_close(application, RoundOutcome.DECLINED)
    return log
