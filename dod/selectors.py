"""Reads of the Definition of Done review of a request."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .enums import CheckResult, FindingStatus
from .models import (
    CheckEvidence,
    CriteriaVersion,
    Criterion,
    CriterionCheck,
    Finding,
    FindingAnswer,
    ReviewRound,
)


def current_round(application) -> ReviewRound | None:
    return application.review_rounds.order_by("-number").first()


def criteria_for(application) -> QuerySet[Criterion]:
    """The criteria the request is checked against: its pinned edition, else the one in force."""
    version = application.criteria_version_id or CriteriaVersion.in_force().pk
    return Criterion.objects.filter(version_id=version).order_by("number")


@dataclass
class CriterionRow:
    criterion: Criterion
    check: CriterionCheck | None
    previous: CriterionCheck | None
    na_allowed: bool

    @property
    def passed(self) -> bool:
        if self.check is None:
            return False
        if self.check.result == CheckResult.PASS:
            return True
        return self.check.result == CheckResult.NOT_APPLICABLE and self.na_allowed


@dataclass
class CriteriaOutcome:
    rows: list[CriterionRow] = field(default_factory=list)

    @property
    def all_passed(self) -> bool:
        return bool(self.rows) and all(row.passed for row in self.rows)

    @property
    def unchecked(self) -> list[Criterion]:
        return [row.criterion for row in self.rows if row.check is None]


def criteria_outcome(application) -> CriteriaOutcome:
    """Each criterion with this round's check and the previous round's, for the reviewer."""
    rounds = list(application.review_rounds.order_by("-number")[:2])
    if not rounds:
        return CriteriaOutcome()
    checks = {
        (check.round_id, check.criterion_id): check
        for check in CriterionCheck.objects.filter(round__in=rounds).select_related("checked_by")
    }
    previous = rounds[1] if len(rounds) > 1 else None
    return CriteriaOutcome(
        rows=[
            CriterionRow(
                criterion=criterion,
                check=checks.get((rounds[0].pk, criterion.pk)),
                previous=checks.get((previous.pk, criterion.pk)) if previous else None,
                na_allowed=criterion.allows_not_applicable(application),
            )
            for criterion in criteria_for(application)
        ]
    )


def findings_of(application) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(application=application)
        .select_related("criterion", "raised_by", "round", "resolved_in")
        .prefetch_related("answers__by")
        .order_by("status", "raised_at")
    )


def unanswered_findings(application) -> QuerySet[Finding]:
    """Open findings the partner has not answered since the last round sent them back.

    A finding left open over two rounds needs a fresh answer each time it comes back.
    """
    last_closed = (
        application.review_rounds.filter(closed_at__isnull=False)
        .order_by("-number")
        .values_list("closed_at", flat=True)
        .first()
    )
    if last_closed is None:
        return Finding.objects.none()
    answered = FindingAnswer.objects.filter(finding=OuterRef("pk"), at__gte=last_closed)
    return Finding.objects.filter(application=application, status=FindingStatus.OPEN).filter(
        ~Exists(answered)
    )


def pinned_criteria(application) -> QuerySet[Criterion]:
    """The criteria of the DoD edition the request is pinned to, by number."""
    return Criterion.objects.filter(version_id=application.criteria_version_id).order_by("number")


def checkable_criteria(application) -> QuerySet[Criterion]:
    """The criteria a check is recorded against: the pinned edition's, else the one in force."""
    return Criterion.objects.filter(
        version_id=application.criteria_version_id or CriteriaVersion.in_force().pk
    )


def latest_edition() -> CriteriaVersion | None:
    return CriteriaVersion.objects.order_by("-number").first()


def rounds_of(application) -> list[ReviewRound]:
    """Every round of the request, oldest first, with its checks and their evidence."""
    checks = CriterionCheck.objects.select_related("criterion", "checked_by").prefetch_related(
        Prefetch("evidence", queryset=CheckEvidence.objects.order_by("uploaded_at", "pk"))
    )
    return list(
        ReviewRound.objects.filter(application=application)
        .select_related("criteria_version", "started_by")
        .prefetch_related(Prefetch("checks", queryset=checks.order_by("criterion__number")))
        .order_by("number")
    )


def answers_since(application, since) -> QuerySet[FindingAnswer]:
    """The partner's answers to the request's findings after `since`, finding by finding."""
    return (
        FindingAnswer.objects.filter(finding__application=application, at__gt=since)
        .select_related("finding__criterion", "by")
        .order_by("finding__raised_at", "finding_id", "at")
    )


def evidence_of(application) -> QuerySet[CheckEvidence]:
    """Every evidence file of the request's checks, oldest first."""
    return (
        CheckEvidence.objects.filter(check_record__round__application=application)
        .select_related("check_record")
        .order_by("uploaded_at", "pk")
    )
