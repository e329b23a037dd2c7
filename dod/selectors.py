"""Reads of the Definition of Done review of a request."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from .enums import CheckResult, FindingStatus
from .models import CriteriaVersion, Criterion, CriterionCheck, Finding, FindingAnswer, ReviewRound


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
