"""Stage 3 on the reviewers' side: the review page of a request (3.2).

The page is the Marketplace team's; a partner, like anyone who may not see the request, gets
a 404. Its writes are in review_actions.py.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy

from dod.enums import BLOCKING_SEVERITIES, FindingStatus, Reviewer
from dod.forms import CheckForm, FindingForm
from dod.models import (
    Criterion,
    Finding,
    FindingAnswer,
)
from dod.selectors import (
    CriteriaOutcome,
    CriterionRow,
    answers_since,
    findings_of,
    latest_edition,
    pinned_criteria,
    rounds_of,
)

from ..enums import ApplicationKind, ApplicationState, MaterialKind
from ..guidance import next_step
from ..materials import UPDATE_KINDS
from ..selectors import latest_transition, time_in_states
from ..services import actions_for
from ..services import review as flow
from .common import reviewed_application

S = ApplicationState
MATERIAL_ORDER = {kind.value: n for n, kind in enumerate(MaterialKind)}


def checker_permission(criterion: Criterion) -> str:
    """Integration criteria (DoD 9–10) are the R&D experts'; the others the analysts'."""
    if criterion.reviewer == Reviewer.RND:
        return "dod.check_integration"
    return "dod.run_quality_review"


def review_url(application, anchor: str = "") -> str:
    url = reverse("review", kwargs={"pk": application.pk})
    return f"{url}#{anchor}" if anchor else url


# --- The review page ---------------------------------------------------------------------------


@dataclass
class CriterionLine(CriterionRow):
    """A criterion on the page: this round's check, the previous round's, and its form."""

    editable: bool = False
    form: CheckForm | None = None


@dataclass(frozen=True)
class Outcome:
    slug: str
    label: str
    comment_required: bool
    intro: str

    def transition(self, application) -> str:
        if self.slug == "request-changes":
            return "request_changes"
        if self.slug == "decline":
            return "decline_quality"
        return "pass_quality" if application.kind == ApplicationKind.INITIAL else "pass_update"

    def run(self, application, by, comment: str):
        service = {
            "request-changes": flow.review_request_changes,
            "pass": flow.review_pass,
            "decline": flow.review_decline,
        }[self.slug]
        return service(application=application, by=by, comment=comment)


OUTCOMES = {
    outcome.slug: outcome
    for outcome in (
        Outcome(
            "request-changes",
            gettext_lazy("Request changes"),
            False,
            gettext_lazy(
                "The round closes and the partner gets the open findings to answer and fix. "
                "Their rework opens the next round."
            ),
        ),
        Outcome(
            "pass",
            gettext_lazy("Pass"),
            False,
            gettext_lazy(
                "Every DoD criterion passed: a first certification goes on to support "
                "certification (stage 4); an update becomes the certified version."
            ),
        ),
        Outcome(
            "decline",
            gettext_lazy("Decline"),
            True,
            gettext_lazy("The request is closed for good. Say why: the partner reads it."),
        ),
    )
}


def _criterion_lines(request, application, open_round, previous, check_form) -> list[CriterionLine]:
    user = request.user
    this_round = {check.criterion_id: check for check in open_round.checks.all()}
    last_round = {check.criterion_id: check for check in previous.checks.all()} if previous else {}
    lines = []
    for criterion in pinned_criteria(application):
        na_allowed = criterion.allows_not_applicable(application)
        editable = user.has_perm(checker_permission(criterion), application)
        check = this_round.get(criterion.pk)
        form = None
        if check_form is not None and check_form.criterion.pk == criterion.pk:
            form = check_form
        elif editable:
            initial = {"result": check.result, "comment": check.comment} if check else {}
            form = CheckForm(
                initial=initial,
                application=application,
                criterion=criterion,
                na_allowed=na_allowed,
            )
        lines.append(
            CriterionLine(
                criterion=criterion,
                check=check,
                previous=last_round.get(criterion.pk),
                na_allowed=na_allowed,
                editable=editable,
                form=form,
            )
        )
    return lines


def _changes_since(application, since: datetime):
    """Material revisions uploaded, and findings answered, after the previous round closed."""
    materials = sorted(
        application.materials.filter(uploaded_at__gt=since).select_related("uploaded_by"),
        key=lambda material: (MATERIAL_ORDER[material.kind], material.revision),
    )
    answers = answers_since(application, since)
    answered: dict[int, tuple[Finding, list[FindingAnswer]]] = {}
    for answer in answers:
        answered.setdefault(answer.finding_id, (answer.finding, []))[1].append(answer)
    return materials, list(answered.values())


def _external_services(application):
    """Material 6's latest revision, read part by part in the R&D review of DoD 9–10; None
    when the solution uses no external service, as those criteria do not apply (R3.7)."""
    if not application.solution.uses_external_services:
        return None
    return (
        application.materials.filter(kind=MaterialKind.EXTERNAL_SERVICES)
        .select_related("uploaded_by")
        .order_by("-revision")
        .first()
    )


def _durations(application) -> list[tuple[str, str]]:
    now = timezone.now()
    return [
        (S(state).label, timesince(now - spent, now, depth=2))
        for state, spent in time_in_states(application)
    ]


def render_review(request, application, *, check_form=None, finding_form=None):
    user = request.user
    rounds = rounds_of(application)
    current = rounds[-1] if rounds else None
    open_round = (
        current
        if current is not None and current.closed_at is None and application.state == S.IN_REVIEW
        else None
    )
    # The round the partner reworks after: the one before the open round, or the last one
    # while the rework goes on or waits for the next round to start.
    if open_round is not None:
        since_round = rounds[-2] if len(rounds) > 1 else None
    elif (
        application.state in (S.CHANGES_REQUESTED, S.SUBMITTED_FOR_REVIEW)
        and current is not None
        and current.closed_at is not None
    ):
        since_round = current
    else:
        since_round = None

    lines = []
    if open_round is not None:
        lines = _criterion_lines(request, application, open_round, since_round, check_form)
    else:
        # The round closed meanwhile: the form has nowhere to show, its refusal goes on top.
        for form in (check_form, finding_form):
            for error in form.non_field_errors() if form is not None else ():
                messages.error(request, error)
        finding_form = None
    outcome = CriteriaOutcome(rows=lines)

    changed_materials, answered_findings = ([], [])
    if since_round is not None:
        changed_materials, answered_findings = _changes_since(application, since_round.closed_at)

    findings = list(findings_of(application))
    can_raise = open_round is not None and user.has_perm("dod.check_criteria", application)
    if can_raise and finding_form is None:
        finding_form = FindingForm(application=application, criteria=pinned_criteria(application))

    actions, blocked = actions_for(application, user)
    can_review = user.has_perm("dod.run_quality_review", application)
    context = {
        "application": application,
        "edition": application.criteria_version,
        "edition_in_force": None if application.criteria_version_id else latest_edition(),
        "is_update": application.kind in UPDATE_KINDS,
        "overdue": application.review_due_at is not None
        and application.review_due_at < timezone.now()
        and application.state in (S.SUBMITTED_FOR_REVIEW, S.IN_REVIEW),
        "rounds": rounds,
        # Before the first round: when the partner submitted the materials, if they did.
        "materials_submitted": None
        if rounds
        else latest_transition(application, "submit_materials"),
        "current": current,
        "open_round": open_round,
        "since_round": since_round,
        "lines": lines,
        "outcome": outcome,
        "passed_count": sum(1 for line in lines if line.passed),
        "changed_materials": changed_materials,
        "external_services": _external_services(application),
        "answered_findings": answered_findings,
        "findings": findings,
        "open_findings": [f for f in findings if f.status == FindingStatus.OPEN],
        "open_blocking": [
            f
            for f in findings
            if f.status == FindingStatus.OPEN and f.severity in BLOCKING_SEVERITIES
        ],
        "finding_form": finding_form,
        "can_resolve": can_raise,
        "can_verify": open_round is not None
        and can_review
        and application.kind in UPDATE_KINDS
        and not application.compatibility_verified,
        "can_start": "start_review" in actions,
        "outcomes": [
            (
                outcome_,
                outcome_.transition(application) in actions,
                blocked.get(outcome_.transition(application), []),
            )
            for outcome_ in OUTCOMES.values()
            if outcome_.transition(application) in actions
            or outcome_.transition(application) in blocked
        ],
        "blocked_start": blocked.get("start_review", []),
        "durations": _durations(application),
        "awaited": next_step(application, partner_side=False, here="review"),
        "seen_state": application.state,
    }
    return render(request, "dod/review.html", context)


@login_required
def review(request, pk):
    return render_review(request, reviewed_application(request, pk))
