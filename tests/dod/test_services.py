"""Stage 3 through the services: rounds, checks, findings, outcomes, DoD editions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.badge import grant as certification_grant
from catalogue.models import Certification, CertificationEvent
from certportal.errors import ActionRefused
from certportal.uploads import UploadRejected
from dod import services
from dod.enums import CheckResult, FindingStatus, Reviewer, RoundOutcome, Severity
from dod.models import CheckEvidence, CriteriaVersion, Criterion, ReviewRound
from dod.selectors import criteria_outcome, findings_of
from tests.factories.accounts import UserFactory
from tests.factories.dod import in_review, partner_of, provide_materials, submitted
from workflow import services as app_services
from workflow.enums import ApplicationKind, ApplicationState, MaterialKind
from workflow.models import Application
from workflow.services import review
from workflow.services.materials import compatibility_confirm

from ..factories.workflow import VersionFactory

S = ApplicationState
pytestmark = pytest.mark.django_db

CRITERIA_UNMET = "Every DoD criterion must be checked and passed in this round (R3.6, R3.7)."
NEEDS_FINDING = "Write at least one finding or recommendation for the partner first (R3.8)."
NA_REFUSED = (
    "“Not applicable” is allowed only for criteria 9–10 of a solution without external "
    "services (R3.7)."
)


def criterion(application, number) -> Criterion:
    return Criterion.objects.get(version=application.criteria_version, number=number)


def check(application, number, result, *, analyst, rnd_expert, comment="Checked.", **kwargs):
    item = criterion(application, number)
    by = rnd_expert if item.reviewer == Reviewer.RND else analyst
    return review.check_record(
        application=application, by=by, criterion=item, result=result, comment=comment, **kwargs
    )


def check_all(application, *, analyst, rnd_expert, results=None):
    """Pass every criterion, except as `results` ({number: result, or None: unchecked}) says."""
    results = results or {}
    for number in range(1, 11):
        result = results.get(number, CheckResult.PASS)
        if result is not None:
            check(application, number, result, analyst=analyst, rnd_expert=rnd_expert)


def certified_solution(analyst):
    """A solution certified through a first request; returns that request."""
    first = in_review(analyst)
    Application.objects.filter(pk=first.pk).update(state=S.QUALITY_PASSED)
    first.refresh_from_db()
    certification_grant(application=first, by=analyst, reason="Stages 3 and 4 passed.")
    return first


def open_update(first, *, critical_fix=False) -> Application:
    partner = partner_of(first)
    return app_services.update_request_open(
        by=partner,
        solution=first.solution,
        version=VersionFactory(solution=first.solution, number="2.0.0"),
        motivation="New features.",
        critical_fix=critical_fix,
    )


def submit_update(update) -> Application:
    partner = partner_of(update)
    provide_materials(update, partner)
    compatibility_confirm(
        application=update, by=partner, note="Same API; old settings are migrated."
    )
    app_services.materials_submit(application=update, by=partner)
    return update


# --- The rework loop ------------------------------------------------------------------------


def test_rework_loop_passes_a_first_certification_in_round_two(analyst, rnd_expert):
    application = submitted()
    partner = partner_of(application)

    review.review_start(application=application, by=analyst)
    check_all(
        application,
        analyst=analyst,
        rnd_expert=rnd_expert,
        results={
            4: CheckResult.FAIL,
            9: CheckResult.NOT_APPLICABLE,
            10: CheckResult.NOT_APPLICABLE,
        },
    )
    blocker = review.finding_raise(
        application=application,
        by=analyst,
        severity=Severity.BLOCKER,
        text="The set-up guide skips the licence step.",
        criterion=criterion(application, 4),
    )
    review.review_request_changes(application=application, by=analyst, comment="See findings.")
    review.finding_answer(finding=blocker, by=partner, text="Added the licence step.")
    app_services.material_upload(
        application=application,
        by=partner,
        kind=MaterialKind.SETUP_GUIDE,
        upload=SimpleUploadedFile("setup.txt", b"1. Install.\n2. Enter the licence.\n"),
    )
    app_services.materials_submit(application=application, by=partner)
    review.review_start(application=application, by=analyst)
    round_two_start = criteria_outcome(application)
    check_all(
        application,
        analyst=analyst,
        rnd_expert=rnd_expert,
        results={9: CheckResult.NOT_APPLICABLE, 10: CheckResult.NOT_APPLICABLE},
    )
    review.finding_resolve(finding=blocker, by=analyst)
    review.review_pass(application=application, by=analyst, comment="All criteria met.")

    application.refresh_from_db()
    assert application.state == S.QUALITY_PASSED
    assert application.criteria_version == CriteriaVersion.objects.get(number=1)
    assert [
        (r.number, r.criteria_version.number, r.outcome, r.closed_at is not None)
        for r in ReviewRound.objects.filter(application=application)
    ] == [
        (1, 1, RoundOutcome.CHANGES_REQUESTED, True),
        (2, 1, RoundOutcome.PASSED, True),
    ]
    assert [(row.check, row.previous.result) for row in round_two_start.rows][3] == (
        None,
        CheckResult.FAIL,
    )
    round_one = ReviewRound.objects.get(application=application, number=1)
    assert [c.result for c in round_one.checks.order_by("criterion__number")] == [
        "pass", "pass", "pass", "fail", "pass", "pass", "pass", "pass", "na", "na",
    ]  # fmt: skip
    blocker.refresh_from_db()
    assert (blocker.status, blocker.resolved_in.number) == (FindingStatus.RESOLVED, 2)


def test_review_start_pins_the_edition_in_force_and_numbers_the_round(analyst):
    application = submitted()

    round_ = review.review_start(application=application, by=analyst)

    application.refresh_from_db()
    assert (round_.number, round_.criteria_version.number, round_.started_by) == (1, 1, analyst)
    assert application.criteria_version.number == 1
    assert application.state == S.IN_REVIEW


def test_review_start_is_refused_to_an_rnd_expert(rnd_expert):
    application = submitted()

    with pytest.raises(PermissionDenied):
        review.review_start(application=application, by=rnd_expert)

    assert ReviewRound.objects.filter(application=application).count() == 0


# --- R3.1, R3.6: every criterion must pass --------------------------------------------------


@pytest.mark.parametrize("result", [None, CheckResult.FAIL])
def test_pass_is_refused_while_a_criterion_fails_or_is_unchecked(analyst, rnd_expert, result):
    """R3.1: a request that did not pass stage 3 cannot reach stage 4."""
    application = in_review(analyst)
    check_all(application, analyst=analyst, rnd_expert=rnd_expert, results={7: result})

    with pytest.raises(ActionRefused) as refused:
        review.review_pass(application=application, by=analyst, comment="Done.")

    application.refresh_from_db()
    assert refused.value.reasons == [CRITERIA_UNMET]
    assert application.state == S.IN_REVIEW
    assert application.stage == 3


@pytest.mark.parametrize("failing", range(1, 11))
def test_pass_needs_each_criterion_passed(analyst, rnd_expert, failing):
    """R3.6: each DoD criterion is checked, and all must pass."""
    application = in_review(analyst)
    check_all(application, analyst=analyst, rnd_expert=rnd_expert, results={failing: "fail"})

    with pytest.raises(ActionRefused) as refused:
        review.review_pass(application=application, by=analyst, comment="Done.")

    assert refused.value.reasons == [CRITERIA_UNMET]


def test_pass_with_every_criterion_passed_reaches_stage_four(analyst, rnd_expert):
    """R3.6: once every criterion passed, the request goes on to support certification."""
    application = in_review(analyst)
    check_all(application, analyst=analyst, rnd_expert=rnd_expert)

    review.review_pass(application=application, by=analyst, comment="Done.")

    application.refresh_from_db()
    assert (application.state, application.stage) == (S.QUALITY_PASSED, 4)


def test_pass_is_refused_while_a_blocker_is_open(analyst, rnd_expert):
    application = in_review(analyst)
    check_all(application, analyst=analyst, rnd_expert=rnd_expert)
    review.finding_raise(
        application=application, by=analyst, severity=Severity.MAJOR, text="Crashes on save."
    )

    with pytest.raises(ActionRefused) as refused:
        review.review_pass(application=application, by=analyst, comment="Done.")

    assert refused.value.reasons == ["Blocker and major findings must be resolved first."]


# --- R3.7: "not applicable" ----------------------------------------------------------------


@pytest.mark.parametrize("number", range(1, 9))
def test_not_applicable_is_refused_for_criteria_one_to_eight(analyst, number):
    """R3.7: only DoD 9–10 may be "not applicable"."""
    application = in_review(analyst)

    with pytest.raises(ValidationError) as refused:
        check(application, number, CheckResult.NOT_APPLICABLE, analyst=analyst, rnd_expert=None)

    assert refused.value.messages == [NA_REFUSED]
    assert application.review_rounds.get().checks.count() == 0


@pytest.mark.parametrize("number", [9, 10])
def test_not_applicable_is_refused_for_integration_criteria_with_external_services(
    analyst, rnd_expert, number
):
    """R3.7: DoD 9–10 apply when the solution uses external services."""
    application = in_review(analyst, external=True)

    with pytest.raises(ValidationError) as refused:
        check(application, number, "na", analyst=analyst, rnd_expert=rnd_expert)

    assert refused.value.messages == [NA_REFUSED]


def test_not_applicable_counts_as_passed_for_integration_criteria_without_external_services(
    analyst, rnd_expert
):
    """R3.7: without external services DoD 9–10 are "not applicable" and do not block."""
    application = in_review(analyst, external=False)
    check_all(
        application,
        analyst=analyst,
        rnd_expert=rnd_expert,
        results={9: CheckResult.NOT_APPLICABLE, 10: CheckResult.NOT_APPLICABLE},
    )

    review.review_pass(application=application, by=analyst, comment="Done.")

    application.refresh_from_db()
    assert application.state == S.QUALITY_PASSED
    assert [row.passed for row in criteria_outcome(application).rows] == [True] * 10


# --- R3.8, R7.3: findings and recommendations ------------------------------------------------


def test_request_changes_is_refused_without_a_finding(analyst, rnd_expert):
    """R3.8: the partner is sent back only with findings or recommendations to act on."""
    application = in_review(analyst)
    check(application, 1, CheckResult.FAIL, analyst=analyst, rnd_expert=rnd_expert)

    with pytest.raises(ActionRefused) as refused:
        review.review_request_changes(application=application, by=analyst, comment="Fix it.")

    application.refresh_from_db()
    assert refused.value.reasons == [NEEDS_FINDING]
    assert application.state == S.IN_REVIEW


def test_request_changes_sends_the_findings_to_the_partner_to_answer(analyst):
    """R3.8: the review gives the partner its findings, which the partner answers."""
    application = in_review(analyst)
    finding = review.finding_raise(
        application=application, by=analyst, severity=Severity.MAJOR, text="No demo data."
    )
    partner = partner_of(application)

    review.review_request_changes(application=application, by=analyst, comment="See findings.")
    review.finding_answer(finding=finding, by=partner, text="Demo package added.")

    application.refresh_from_db()
    assert application.state == S.CHANGES_REQUESTED
    assert [
        (f.severity, f.text, [a.text for a in f.answers.all()]) for f in findings_of(application)
    ] == [(Severity.MAJOR, "No demo data.", ["Demo package added."])]


def test_recommendation_reaches_the_partner_without_blocking_the_pass(analyst, rnd_expert):
    """R7.3: the expert review gives recommendations; they do not hold the request back."""
    application = in_review(analyst)
    check_all(application, analyst=analyst, rnd_expert=rnd_expert)
    review.finding_raise(
        application=application,
        by=analyst,
        severity=Severity.RECOMMENDATION,
        text="Consider a setup wizard.",
    )

    review.review_pass(application=application, by=analyst, comment="Passed.")

    application.refresh_from_db()
    assert application.state == S.QUALITY_PASSED
    assert [(f.severity, f.text, f.status) for f in findings_of(application)] == [
        (Severity.RECOMMENDATION, "Consider a setup wizard.", FindingStatus.OPEN)
    ]


def test_finding_is_raised_only_while_in_review(analyst):
    application = submitted()

    with pytest.raises(ActionRefused) as refused:
        review.finding_raise(
            application=application, by=analyst, severity=Severity.MINOR, text="Typo."
        )

    assert refused.value.reasons == ["The request is not in review."]


def test_finding_on_a_criterion_of_another_edition_is_refused(analyst):
    application = in_review(analyst)
    services.criteria_revise(by=analyst, changes={4: {"title": "Docs."}}, note="Shorter.")

    with pytest.raises(ValidationError) as refused:
        review.finding_raise(
            application=application,
            by=analyst,
            severity=Severity.MINOR,
            text="Typo.",
            criterion=Criterion.objects.get(version__number=2, number=4),
        )

    assert refused.value.messages == ["That criterion belongs to another DoD edition."]
    assert application.findings.count() == 0


def test_resolving_a_resolved_finding_keeps_the_round_it_was_resolved_in(analyst):
    application = in_review(analyst)
    finding = review.finding_raise(
        application=application, by=analyst, severity=Severity.MINOR, text="Typo."
    )
    review.finding_resolve(finding=finding, by=analyst)

    with pytest.raises(ActionRefused) as refused:
        review.finding_resolve(finding=finding, by=analyst)

    finding.refresh_from_db()
    assert refused.value.reasons == ["This finding is resolved already."]
    assert (finding.status, finding.resolved_in.number) == (FindingStatus.RESOLVED, 1)


def test_decline_closes_the_round_with_its_outcome(analyst):
    application = in_review(analyst)

    review.review_decline(application=application, by=analyst, comment="Not fit.")

    application.refresh_from_db()
    assert application.state == S.DECLINED
    assert list(application.review_rounds.values_list("number", "outcome")) == [
        (1, RoundOutcome.DECLINED)
    ]


def test_withdrawing_during_the_review_closes_the_round_as_withdrawn(analyst):
    application = in_review(analyst)

    app_services.application_withdraw(
        application=application, by=partner_of(application), reason="Sold the product."
    )

    round_ = application.review_rounds.get()
    assert (round_.outcome, round_.closed_at is not None) == (RoundOutcome.WITHDRAWN, True)


# --- Who checks what ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", [9, 10])
def test_analyst_cannot_check_integration_criteria(analyst, number):
    application = in_review(analyst)

    with pytest.raises(PermissionDenied):
        review.check_record(
            application=application,
            by=analyst,
            criterion=criterion(application, number),
            result=CheckResult.PASS,
            comment="Looks fine.",
        )

    assert application.review_rounds.get().checks.count() == 0


@pytest.mark.parametrize("number", range(1, 9))
def test_rnd_expert_cannot_check_analyst_criteria(analyst, rnd_expert, number):
    application = in_review(analyst)

    with pytest.raises(PermissionDenied):
        review.check_record(
            application=application,
            by=rnd_expert,
            criterion=criterion(application, number),
            result=CheckResult.PASS,
            comment="Looks fine.",
        )

    assert application.review_rounds.get().checks.count() == 0


def test_check_keeps_every_evidence_file(analyst, rnd_expert, tmp_path):
    application = in_review(analyst)

    record = check(
        application,
        1,
        CheckResult.FAIL,
        analyst=analyst,
        rnd_expert=rnd_expert,
        evidence=[
            SimpleUploadedFile("steps.txt", b"Open the form; press Save.\n"),
            SimpleUploadedFile("error.log", b"Traceback: NullReference\n"),
        ],
    )

    stored = list(CheckEvidence.objects.filter(check_record=record).order_by("pk"))
    assert [(e.original_name, e.uploaded_by) for e in stored] == [
        ("steps.txt", analyst),
        ("error.log", analyst),
    ]
    assert stored[0].file.read() == b"Open the form; press Save.\n"
    assert stored[0].file.path.startswith(str(tmp_path))


def test_check_with_a_disguised_evidence_file_is_refused_and_stores_nothing(analyst, tmp_path):
    application = in_review(analyst)

    with pytest.raises(UploadRejected):
        check(
            application,
            1,
            CheckResult.PASS,
            analyst=analyst,
            rnd_expert=None,
            evidence=[SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")],
        )

    assert application.review_rounds.get().checks.count() == 0
    assert list(tmp_path.rglob("*.pdf")) == []


def test_check_again_replaces_the_result_of_this_round(analyst, rnd_expert):
    application = in_review(analyst)
    check(application, 2, CheckResult.FAIL, analyst=analyst, rnd_expert=rnd_expert)

    check(application, 2, CheckResult.PASS, analyst=analyst, rnd_expert=rnd_expert, comment="OK.")

    assert list(application.review_rounds.get().checks.values_list("result", "comment")) == [
        (CheckResult.PASS, "OK.")
    ]


# --- Updates (R3.2, R6.1, R6.2) ----------------------------------------------------------------


def test_update_passes_stage_three_again_and_moves_the_certified_version(analyst, rnd_expert):
    """R3.2: an update of a certified solution goes through every step of stage 3 again."""
    first = certified_solution(analyst)
    update = submit_update(open_update(first))

    round_ = review.review_start(application=update, by=analyst)
    check_all(update, analyst=analyst, rnd_expert=rnd_expert, results={9: "na", 10: "na"})
    review.finding_raise(
        application=update, by=analyst, severity=Severity.RECOMMENDATION, text="Add a changelog."
    )
    review.compatibility_verify(application=update, by=analyst)
    review.review_pass(application=update, by=analyst, comment="Update accepted.")

    update.refresh_from_db()
    certification = Certification.objects.get(solution=first.solution)
    round_.refresh_from_db()
    assert update.state == S.CERTIFIED
    assert (certification.version.number, certification.application) == ("2.0.0", update)
    assert list(
        CertificationEvent.objects.filter(certification=certification).values_list(
            "action", "version__number", "actor"
        )
    ) == [
        (CertificationEvent.Action.GRANTED, first.version.number, analyst.pk),
        (CertificationEvent.Action.VERSION_UPDATED, "2.0.0", analyst.pk),
    ]
    assert (round_.number, round_.outcome) == (1, RoundOutcome.PASSED)


def test_update_is_checked_against_the_current_dod_edition(analyst):
    """R6.1: an update meets the DoD in force, not the edition of the first certification."""
    first = certified_solution(analyst)
    services.criteria_revise(
        by=analyst, changes={7: {"title": "UX follows the Freedom UI guidelines."}}, note="UX."
    )
    update = submit_update(open_update(first))

    review.review_start(application=update, by=analyst)

    update.refresh_from_db()
    assert (first.criteria_version.number, update.criteria_version.number) == (1, 2)
    assert [row.criterion.title for row in criteria_outcome(update).rows][6] == (
        "UX follows the Freedom UI guidelines."
    )


@pytest.mark.parametrize(
    "missing",
    [MaterialKind.PACKAGES, MaterialKind.USER_GUIDE, MaterialKind.VIDEO, MaterialKind.WHATS_NEW],
)
def test_update_needs_the_same_materials_as_a_first_certification(analyst, missing):
    """R6.1: an update provides every material of the first certification, and What's new."""
    update = open_update(certified_solution(analyst))
    partner = partner_of(update)
    provide_materials(update, partner)
    update.materials.filter(kind=missing).delete()
    compatibility_confirm(application=update, by=partner, note="Compatible.")

    with pytest.raises(ActionRefused) as refused:
        app_services.materials_submit(application=update, by=partner)

    assert refused.value.reasons == ["Every required material must be provided first (R3.3–R3.5)."]


def test_update_pass_is_refused_until_compatibility_is_verified(analyst, rnd_expert):
    """R6.2: an update passes only once the reviewer verified backward compatibility."""
    update = submit_update(open_update(certified_solution(analyst)))
    review.review_start(application=update, by=analyst)
    check_all(update, analyst=analyst, rnd_expert=rnd_expert, results={9: "na", 10: "na"})

    with pytest.raises(ActionRefused) as refused:
        review.review_pass(application=update, by=analyst, comment="Fine.")
    review.compatibility_verify(application=update, by=analyst)
    review.review_pass(application=update, by=analyst, comment="Fine.")

    update.refresh_from_db()
    assert refused.value.reasons == [
        "The reviewer must verify backward compatibility first (R6.2)."
    ]
    assert (update.state, update.compatibility_verified) == (S.CERTIFIED, True)


def test_critical_fix_gets_a_review_due_time_and_the_same_review(analyst, rnd_expert):
    update = submit_update(open_update(certified_solution(analyst), critical_fix=True))

    review.review_start(application=update, by=analyst)
    check_all(update, analyst=analyst, rnd_expert=rnd_expert, results={9: "na", 10: "na"})
    review.compatibility_verify(application=update, by=analyst)
    review.review_pass(application=update, by=analyst, comment="Hotfix accepted.")

    update.refresh_from_db()
    assert update.kind == ApplicationKind.CRITICAL_FIX
    assert update.review_due_at is not None
    assert update.state == S.CERTIFIED


# --- DoD editions ----------------------------------------------------------------------------


def test_criteria_revise_makes_the_next_edition_with_the_change(analyst):
    services.criteria_revise(
        by=analyst,
        changes={3: {"how_checked": "Package review with the publication checklist."}},
        note="Checklist for 3.",
    )

    edition = CriteriaVersion.in_force()
    assert (edition.number, edition.note, edition.created_by) == (2, "Checklist for 3.", analyst)
    assert [c.how_checked for c in edition.criteria.order_by("number")][1:4] == [
        "Review with R&D.",
        "Package review with the publication checklist.",
        "Review of the materials.",
    ]
    assert edition.criteria.count() == 10
    assert Criterion.objects.get(version__number=1, number=3).how_checked == "Package review."


def test_request_pinned_to_an_edition_keeps_checking_against_it(analyst, rnd_expert):
    application = in_review(analyst)
    services.criteria_revise(by=analyst, changes={1: {"title": "Reworded."}}, note="Wording.")

    with pytest.raises(ValidationError) as refused:
        review.check_record(
            application=application,
            by=analyst,
            criterion=Criterion.objects.get(version__number=2, number=1),
            result=CheckResult.PASS,
            comment="OK.",
        )
    check(application, 1, CheckResult.FAIL, analyst=analyst, rnd_expert=rnd_expert)
    review.finding_raise(application=application, by=analyst, severity="minor", text="Typo.")
    review.review_request_changes(application=application, by=analyst, comment="Rework.")
    partner = partner_of(application)
    review.finding_answer(finding=application.findings.get(), by=partner, text="Fixed.")
    app_services.materials_submit(application=application, by=partner)
    second = review.review_start(application=application, by=analyst)

    assert refused.value.messages == ["That criterion belongs to another DoD edition."]
    assert second.criteria_version.number == 1
    assert {row.criterion.version.number for row in criteria_outcome(application).rows} == {1}
    assert criteria_outcome(application).rows[0].criterion.title == (
        "Functionality works as described, with no blocking defects."
    )


def test_request_starting_review_after_a_revision_pins_the_new_edition(analyst):
    services.criteria_revise(by=analyst, changes={8: {"title": "Demo data."}}, note="Shorter.")
    application = submitted()

    round_ = review.review_start(application=application, by=analyst)

    assert (round_.criteria_version.number, round_.criteria_version.note) == (2, "Shorter.")


@pytest.mark.parametrize("role", ["rnd_expert", "auditor"])
def test_criteria_revise_is_refused_without_the_permission(role):
    with pytest.raises(PermissionDenied):
        services.criteria_revise(by=UserFactory(**{role: True}), changes={}, note="No.")

    assert CriteriaVersion.objects.count() == 1


def test_finding_left_open_over_two_rounds_needs_a_fresh_answer(analyst):
    application = in_review(analyst)
    partner = partner_of(application)
    finding = review.finding_raise(
        application=application, by=analyst, severity=Severity.MAJOR, text="Slow import."
    )
    review.review_request_changes(application=application, by=analyst, comment="See findings.")
    review.finding_answer(finding=finding, by=partner, text="Batched the import.")
    app_services.materials_submit(application=application, by=partner)
    review.review_start(application=application, by=analyst)
    review.review_request_changes(application=application, by=analyst, comment="Still slow.")

    with pytest.raises(ActionRefused) as refused:
        app_services.materials_submit(application=application, by=partner)

    assert refused.value.reasons == ["Every open finding must be answered before resubmitting."]
