"""Evaluating a period: counting in SQL, snapshots, breaches and the badge (R5.1–R5.8)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.enums import CertificationStatus
from catalogue.models import Certification, CertificationEvent
from kpi.evaluation import evaluate_period
from kpi.models import Breach, EvaluationRun, KPISnapshot, Threshold
from kpi.tasks import evaluate_chunk, evaluate_month
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory, NPSAnswerFactory, SupportCaseFactory
from tests.factories.support_audit import RemediationPlanFactory

from ..factories.workflow import CertificationFactory, SolutionFactory

pytestmark = pytest.mark.django_db

OCTOBER = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)
AFTER_H2 = datetime(2027, 1, 2, tzinfo=UTC)
AFTER_OCTOBER = datetime(2026, 11, 5, tzinfo=UTC)
CASE_KPIS = {
    "response_overdue_rate",
    "resolution_overdue_rate",
    "csat_response_rate",
    "csat_positive_share",
    "escalations",
}


def cases(solution, count, **traits):
    return SupportCaseFactory.create_batch(
        count, solution=solution, registered_at=OCTOBER, **traits
    )


def october(solution, as_of=AFTER_OCTOBER):
    [result] = evaluate_period("2026-10", solutions=[solution], as_of=as_of)
    return result


def certified():
    return CertificationFactory().solution


def status(solution):
    solution.certification.refresh_from_db()
    return solution.certification.status


def test_one_late_response_of_a_hundred_passes():
    """R5.4: 1 of 100 cases overdue on response is exactly 1 %: it passes."""
    solution = certified()
    cases(solution, 99, csat=5)
    cases(solution, 1, late_response=True, csat=5)
    result = october(solution)
    assert result["kpis"]["response_overdue_rate"] == {
        "value": 0.01,
        "numerator": 1,
        "denominator": 100,
        "target": "at most 1 %",
        "status": "pass",
    }
    assert (result["action"], Breach.objects.count()) == ("none", 0)
    assert status(solution) == CertificationStatus.CERTIFIED


def test_two_late_responses_of_199_fail_and_revoke_the_badge(on_commit):
    """R5.4, R5.8: 2 of 199 is above 1 %: a breach, the badge revoked by the job, people told."""
    UserFactory(analyst=True)
    solution = certified()
    cases(solution, 197, csat=5)
    cases(solution, 2, late_response=True, csat=5)
    [result] = on_commit(evaluate_period, "2026-10", solutions=[solution], as_of=AFTER_OCTOBER)
    assert result["kpis"]["response_overdue_rate"]["status"] == "fail"
    assert result["action"] == "revoked"
    assert status(solution) == CertificationStatus.REVOKED
    event = CertificationEvent.objects.get(action=CertificationEvent.Action.REVOKED)
    assert event.actor is None
    assert "Cases overdue on response" in event.reason_text
    assert "2026-10" in event.reason_text
    assert "2 of 199" in event.reason_text
    breach = Breach.objects.get()
    assert (breach.kpi, breach.action) == ("response_overdue_rate", "revoked")
    assert len(mail.outbox) >= 1


@pytest.mark.parametrize(("late", "expected"), [(5, "pass"), (6, "fail")])
def test_resolution_overdue_at_most_five_percent(late, expected):
    """R5.5: at most 5 % of the month's cases overdue on resolution."""
    solution = SolutionFactory()
    cases(solution, 100 - late, csat=5)
    cases(solution, late, late_resolution=True, csat=5)
    assert october(solution)["kpis"]["resolution_overdue_rate"]["status"] == expected


def test_a_month_without_cases_is_no_data_and_no_breach():
    """R5.2–R5.6: no case in the month gives no data for every case KPI, never a breach."""
    solution = certified()
    result = october(solution)
    assert set(result["kpis"]) == CASE_KPIS
    assert {kpi["status"] for kpi in result["kpis"].values()} == {"no_data"}
    assert {kpi["value"] for kpi in result["kpis"].values()} == {None}
    assert (result["action"], Breach.objects.count()) == ("none", 0)
    assert status(solution) == CertificationStatus.CERTIFIED


def test_no_rating_is_no_data_for_the_share_and_fails_the_response_rate():
    """R5.2, R5.3: without a rating the positive share has no data, the response rate fails."""
    solution = SolutionFactory()
    cases(solution, 10)
    kpis = october(solution)["kpis"]
    assert kpis["csat_positive_share"]["status"] == "no_data"
    assert kpis["csat_positive_share"]["denominator"] == 0
    assert kpis["csat_response_rate"]["status"] == "fail"


@pytest.mark.parametrize(("rated", "expected"), [(7, "pass"), (6, "fail")])
def test_csat_response_rate_at_least_seven_percent(rated, expected):
    """R5.2: rated cases / the month's cases, at least 7 %."""
    solution = SolutionFactory()
    cases(solution, rated, csat=5)
    cases(solution, 100 - rated)
    assert october(solution)["kpis"]["csat_response_rate"]["status"] == expected


@pytest.mark.parametrize(("positive", "expected"), [(4, "pass"), (3, "fail")])
def test_csat_positive_share_at_least_eighty_percent(positive, expected):
    """R5.3: ratings of 4–5 / ratings, at least 80 % (4 of 5 passes)."""
    solution = SolutionFactory()
    cases(solution, positive, csat=4)
    cases(solution, 5 - positive, csat=3)
    kpi = october(solution)["kpis"]["csat_positive_share"]
    assert (kpi["numerator"], kpi["denominator"], kpi["status"]) == (positive, 5, expected)


@pytest.mark.parametrize(("escalated", "expected"), [(2, "pass"), (3, "fail")])
def test_at_most_two_escalations(escalated, expected):
    """R5.6: cases with escalation level 1 or more, at most 2 in the month."""
    solution = SolutionFactory()
    cases(solution, 20, csat=5)
    cases(solution, escalated - 1, csat=5, escalation_level=1)
    cases(solution, 1, csat=5, escalation_level=4)
    kpi = october(solution)["kpis"]["escalations"]
    assert (kpi["value"], kpi["status"]) == (escalated, expected)


def test_an_open_case_is_overdue_once_its_deadline_has_passed_at_evaluation_time():
    """R5.4, R5.5: unanswered and past its deadline at --as-of counts; before it, it does not."""
    solution = SolutionFactory()
    registered = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    SupportCaseFactory(solution=solution, registered_at=registered, open=True)
    before = october(solution, as_of=registered + timedelta(hours=3))["kpis"]
    assert before["response_overdue_rate"]["numerator"] == 0
    assert before["resolution_overdue_rate"]["numerator"] == 0
    between = october(solution, as_of=registered + timedelta(hours=5))["kpis"]
    assert between["response_overdue_rate"]["numerator"] == 1
    assert between["resolution_overdue_rate"]["numerator"] == 0
    after = october(solution, as_of=registered + timedelta(days=2))["kpis"]
    assert after["resolution_overdue_rate"]["numerator"] == 1


def test_presale_questions_are_not_counted():
    """R5.4: pre-sale questions are left out of every case KPI."""
    solution = SolutionFactory()
    cases(solution, 3, presale=True, late_response=True, escalation_level=2)
    result = october(solution, as_of=datetime(2026, 10, 20, tzinfo=UTC))
    assert {kpi["status"] for kpi in result["kpis"].values()} == {"no_data"}
    cases(solution, 1, csat=5)
    kpis = october(solution)["kpis"]
    assert (kpis["response_overdue_rate"]["denominator"], kpis["escalations"]["value"]) == (1, 0)


def test_a_case_belongs_to_the_month_of_the_reporting_time_zone(settings):
    """A case registered 23:30 on 31 October in UTC−8 is in November in UTC."""
    local = datetime(2026, 10, 31, 23, 30, tzinfo=UTC) + timedelta(hours=8)
    in_utc, in_utc_minus_8 = SolutionFactory(), SolutionFactory()
    for solution in (in_utc, in_utc_minus_8):
        SupportCaseFactory(solution=solution, registered_at=local, csat=5)

    def counted(solution, period):
        [result] = evaluate_period(period, solutions=[solution], as_of=AFTER_OCTOBER)
        return result["kpis"]["response_overdue_rate"]["denominator"]

    assert (counted(in_utc, "2026-10"), counted(in_utc, "2026-11")) == (0, 1)
    settings.KPI_REPORTING_TIME_ZONE = "Etc/GMT+8"  # UTC−8
    assert (counted(in_utc_minus_8, "2026-10"), counted(in_utc_minus_8, "2026-11")) == (1, 0)


def test_evaluating_again_changes_nothing(on_commit):
    """R5.8: the same snapshots updated in place, one breach, one revocation, one mailing."""
    UserFactory(analyst=True)
    solution = certified()
    cases(solution, 3, csat=5, escalation_level=1)
    first = on_commit(evaluate_period, "2026-10", solutions=[solution], as_of=AFTER_OCTOBER)
    snapshots = dict(KPISnapshot.objects.values_list("kpi", "pk"))
    sent = len(mail.outbox)
    assert sent >= 1
    second = on_commit(evaluate_period, "2026-10", solutions=[solution], as_of=AFTER_OCTOBER)
    assert second == first
    assert second[0]["action"] == "revoked"
    assert dict(KPISnapshot.objects.values_list("kpi", "pk")) == snapshots
    assert len(snapshots) == 5
    assert Breach.objects.count() == 1
    assert CertificationEvent.objects.filter(action="revoked").count() == 1
    assert len(mail.outbox) == sent


def test_provisional_snapshots_keep_the_counts_and_are_updated_in_place():
    solution = SolutionFactory()
    cases(solution, 10, csat=5)
    october(solution, as_of=datetime(2026, 10, 20, tzinfo=UTC))
    cases(solution, 10, late_response=True)
    october(solution)
    snapshot = KPISnapshot.objects.get(kpi="response_overdue_rate")
    assert (snapshot.numerator, snapshot.denominator, snapshot.value) == (10, 20, Decimal("0.5"))
    assert (snapshot.status, snapshot.provisional) == ("fail", False)
    assert KPISnapshot.objects.count() == 5


def test_a_final_month_is_not_evaluated_again():
    """A final month keeps its figures: cases that appear later do not change them, and the
    evaluation reports the figures the month was judged on."""
    solution = SolutionFactory()
    cases(solution, 10, csat=5)
    october(solution)
    cases(solution, 10, late_response=True)

    result = october(solution, as_of=AFTER_OCTOBER + timedelta(days=3))

    assert result["final"] is True
    assert result["kpis"]["response_overdue_rate"]["numerator"] == 0
    assert result["kpis"]["response_overdue_rate"]["denominator"] == 10
    snapshot = KPISnapshot.objects.get(kpi="response_overdue_rate")
    assert (snapshot.numerator, snapshot.denominator, snapshot.provisional) == (0, 10, False)


def test_a_final_figure_is_never_replaced_by_a_provisional_one():
    """An evaluation "as of" a moment inside the month, run after the month was judged, leaves
    the final snapshots as they are."""
    solution = SolutionFactory()
    cases(solution, 10, csat=5)
    october(solution)
    cases(solution, 10, late_response=True)

    [result] = evaluate_period(
        "2026-10", solutions=[solution], as_of=datetime(2026, 10, 20, tzinfo=UTC)
    )

    assert (result["final"], result["kpis"]["response_overdue_rate"]["numerator"]) == (True, 0)
    snapshot = KPISnapshot.objects.get(kpi="response_overdue_rate")
    assert (snapshot.numerator, snapshot.denominator, snapshot.provisional) == (0, 10, False)


def test_a_remediation_plan_in_force_keeps_the_badge_at_risk(on_commit):
    """R5.8: a failed KPI covered by an agreed plan in force: breach recorded, badge at risk."""
    solution = certified()
    RemediationPlanFactory(audit__solution=solution, covers_kpis=["escalations"])
    cases(solution, 3, csat=5, escalation_level=1)
    for _run in range(2):
        [result] = on_commit(evaluate_period, "2026-10", solutions=[solution], as_of=AFTER_OCTOBER)
        assert result["action"] == "covered_by_remediation"
    assert status(solution) == CertificationStatus.AT_RISK
    assert CertificationEvent.objects.filter(action="at_risk").count() == 1
    assert not CertificationEvent.objects.filter(action="revoked").exists()
    assert Breach.objects.get().action == "covered_by_remediation"


@pytest.mark.parametrize(
    ("covers", "closed"), [(["response_overdue_rate"], False), (["escalations"], True)]
)
def test_a_plan_that_does_not_cover_the_kpi_or_is_closed_does_not_help(covers, closed, on_commit):
    """R5.8: only a plan in force covering the failed KPI keeps the badge."""
    solution = certified()
    RemediationPlanFactory(audit__solution=solution, covers_kpis=covers, closed=closed)
    cases(solution, 3, csat=5, escalation_level=1)
    [result] = on_commit(evaluate_period, "2026-10", solutions=[solution], as_of=AFTER_OCTOBER)
    assert result["action"] == "revoked"
    assert status(solution) == CertificationStatus.REVOKED


def test_a_month_not_over_is_provisional_and_enforces_nothing():
    solution = certified()
    cases(solution, 3, csat=5, escalation_level=1)
    result = october(solution, as_of=datetime(2026, 10, 20, tzinfo=UTC))
    assert result["kpis"]["escalations"]["status"] == "fail"
    assert result["action"] == "none"
    assert KPISnapshot.objects.filter(provisional=True).count() == 5
    assert (Breach.objects.count(), status(solution)) == (0, CertificationStatus.CERTIFIED)


def test_a_solution_not_certified_gets_a_breach_but_no_badge_change():
    solution = CertificationFactory(revoked=True).solution
    cases(solution, 3, csat=5, escalation_level=1)
    assert october(solution)["action"] == "none"
    assert Breach.objects.get().action == "none"
    assert not CertificationEvent.objects.exists()


def test_the_threshold_valid_for_the_period_applies():
    solution = SolutionFactory()
    cases(solution, 3, csat=5, escalation_level=1)
    Threshold.objects.create(
        kpi="escalations",
        comparison="at_most",
        value=3,
        valid_from=datetime(2026, 10, 1, tzinfo=UTC),
    )
    Threshold.objects.create(
        kpi="escalations",
        comparison="at_most",
        value=0,
        valid_from=datetime(2026, 11, 1, tzinfo=UTC),
    )
    kpi = october(solution)["kpis"]["escalations"]
    assert (kpi["target"], kpi["status"]) == ("at most 3", "pass")


@pytest.mark.parametrize(("scores", "expected"), [([10, 5], "pass"), ([10, 4], "fail")])
def test_nps_mean_per_half_year(scores, expected, on_commit):
    """R5.1: the mean score of the half-year's answers, at least 7.5; classic NPS beside it."""
    solution = certified()
    for score in scores:
        NPSAnswerFactory(solution=solution, half_year="2026-H2", score=score)
    NPSAnswerFactory(solution=solution, half_year="2026-H1", score=0)
    [result] = on_commit(
        evaluate_period, "2026-H2", solutions=[solution], as_of=datetime(2027, 1, 2, tzinfo=UTC)
    )
    assert set(result["kpis"]) == {"nps_mean", "nps_classic"}
    assert result["kpis"]["nps_mean"]["status"] == expected
    assert result["kpis"]["nps_mean"]["denominator"] == 2
    assert result["kpis"]["nps_classic"]["value"] == 0.0
    assert result["kpis"]["nps_classic"]["status"] == "pass"
    assert result["action"] == ("none" if expected == "pass" else "revoked")


def test_no_nps_answer_without_active_customers_is_no_data():
    """R5.1: a half-year without an answer and with nobody to survey has no data."""
    solution = certified()
    CustomerFactory(solution=solution, active_until=date(2026, 12, 30))

    [result] = evaluate_period("2026-H2", solutions=[solution], as_of=AFTER_H2)

    assert {kpi["status"] for kpi in result["kpis"].values()} == {"no_data"}
    assert (result["action"], Breach.objects.count()) == ("none", 0)


def test_a_half_year_over_with_active_customers_and_no_answer_is_missing(on_commit):
    """R5.1, R5.8: the survey runs twice a year; a half-year that ended with a customer active
    on its last day and no answer is `missing`, a breach the analysts are e-mailed about (each
    in their language) and decide on: the badge is not revoked."""
    UserFactory(analyst=True, email="anna@marketplace.example", language="en")
    UserFactory(analyst=True, email="igor@marketplace.example", language="ru")
    solution = certified()
    CustomerFactory(solution=solution, active_until=date(2026, 12, 31))
    CustomerFactory(solution=solution)

    [result] = on_commit(evaluate_period, "2026-H2", solutions=[solution], as_of=AFTER_H2)

    assert result["kpis"]["nps_mean"]["status"] == "missing"
    assert result["action"] == "analysts_decide"
    breach = Breach.objects.get()
    assert (breach.period, breach.kpi, breach.action) == ("2026-H2", "nps_mean", "analysts_decide")
    assert breach.detail_text == "no answer from the 2 customers active at the end of the half-year"
    assert status(solution) == CertificationStatus.CERTIFIED
    assert sorted(message.to[0] for message in mail.outbox) == [
        "anna@marketplace.example",
        "igor@marketplace.example",
    ]
    english = next(m for m in mail.outbox if m.to == ["anna@marketplace.example"])
    assert english.subject == (
        f"[Certification] {solution.name}: the NPS survey of 2026-H2 is missing"
    )
    assert "The badge was not revoked automatically" in english.body
    russian = next(m for m in mail.outbox if m.to == ["igor@marketplace.example"])
    assert "Опрос NPS" in russian.subject or "опрос NPS" in russian.subject
    assert KPISnapshot.objects.get(kpi="nps_mean").status == "missing"


def test_a_missing_survey_is_told_once(on_commit):
    """R5.1: evaluating the half-year again records nothing and e-mails nobody."""
    UserFactory(analyst=True)
    solution = certified()
    CustomerFactory(solution=solution)
    on_commit(evaluate_period, "2026-H2", solutions=[solution], as_of=AFTER_H2)
    sent = len(mail.outbox)

    [result] = on_commit(evaluate_period, "2026-H2", solutions=[solution], as_of=AFTER_H2)

    assert (result["action"], len(mail.outbox), Breach.objects.count()) == (
        "analysts_decide",
        sent,
        1,
    )


def test_a_half_year_not_over_is_never_missing():
    """R5.1: until the half-year ends, the survey may still come."""
    solution = certified()
    CustomerFactory(solution=solution)

    [result] = evaluate_period(
        "2026-H2", solutions=[solution], as_of=datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    )

    assert result["kpis"]["nps_mean"]["status"] == "no_data"
    assert Breach.objects.count() == 0


def test_a_half_year_that_ended_before_the_certification_is_not_missing():
    solution = CertificationFactory(since=datetime(2027, 1, 1, tzinfo=UTC)).solution
    CustomerFactory(solution=solution)

    [result] = evaluate_period("2026-H2", solutions=[solution], as_of=AFTER_H2)

    assert result["kpis"]["nps_mean"]["status"] == "no_data"


def test_a_missing_survey_of_a_revoked_solution_asks_nobody_to_decide(on_commit):
    UserFactory(analyst=True)
    solution = CertificationFactory(revoked=True).solution
    CustomerFactory(solution=solution)

    [result] = on_commit(evaluate_period, "2026-H2", solutions=[solution], as_of=AFTER_H2)

    assert (result["kpis"]["nps_mean"]["status"], result["action"]) == ("missing", "none")
    assert mail.outbox == []


def _queries_for(count):
    solutions = [certified() for _n in range(count)]
    for solution in solutions:
        cases(solution, 2, csat=5)
    with CaptureQueriesContext(connection) as context:
        results = evaluate_period("2026-10", solutions=solutions, as_of=AFTER_OCTOBER)
    assert len(results) == count
    return len(context.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_solutions():
    """Counting is a few aggregate queries, whatever the number of solutions."""
    assert _queries_for(1) == _queries_for(5)


def test_the_job_fans_out_over_chunks(on_commit):
    """The monthly job evaluates every certified solution, chunk by chunk, idempotently."""
    solutions = [certified() for _n in range(3)]
    for solution in solutions:
        cases(solution, 3, csat=5, escalation_level=1)
    as_of = AFTER_OCTOBER.isoformat()
    assert on_commit(evaluate_month.delay, period="2026-10", as_of=as_of).get() == 1
    assert KPISnapshot.objects.count() == 15
    assert Breach.objects.count() == 3
    run = EvaluationRun.objects.get()
    assert (run.period, run.completed_at is not None) == ("2026-10", True)
    # The same chunk delivered again: its solutions are done, nothing is evaluated twice.
    assert evaluate_chunk.delay(run_id=run.pk, solution_ids=[s.pk for s in solutions]).get() == 0
    assert (Breach.objects.count(), KPISnapshot.objects.count()) == (3, 15)
    assert CertificationEvent.objects.filter(action="revoked").count() == 3


def _programme(count, *, final=True):
    """`count` certified solutions (a multiple of 3): a third fail escalations and lose the
    badge, a third fail them under a remediation plan (at risk), a third pass. Unless
    `final`, each has a case still open within its deadline (the month over, not final: the
    escalations are enforced as irreversible)."""
    solutions = []
    for n in range(count):
        solution = certified()
        solutions.append(solution)
        if n % 3 == 2:
            cases(solution, 3, csat=5)
        else:
            cases(solution, 3, csat=5, escalation_level=1)
        if n % 3 == 1:
            RemediationPlanFactory(audit__solution=solution, covers_kpis=["escalations"])
        if not final:
            cases(
                solution,
                1,
                csat=5,
                first_response_at=OCTOBER,
                resolved_at=None,
                resolution_due_at=AFTER_OCTOBER + timedelta(days=1),
            )
    return solutions


def _enforcing_queries(count, *, final=True, django_capture_on_commit_callbacks):
    """Queries of the month's evaluation with enforcement, then of the same evaluation again
    (nothing to do), and the after-commit callbacks of each."""
    solutions = _programme(count, final=final)
    figures = []
    for _run in (1, 2):
        with (
            django_capture_on_commit_callbacks() as callbacks,
            CaptureQueriesContext(connection) as context,
        ):
            results = evaluate_period("2026-10", solutions=solutions, as_of=AFTER_OCTOBER)
        assert [r["final"] for r in results] == [final] * count
        figures.append((len(context.captured_queries), len(callbacks)))
    events = CertificationEvent.objects.filter(certification__solution__in=solutions)
    assert events.filter(action="revoked").count() == count // 3
    assert events.filter(action="at_risk").count() == count // 3
    assert Breach.objects.filter(solution__in=solutions).count() == 2 * count // 3
    return figures


@pytest.mark.parametrize("final", [True, False], ids=["final", "over-not-final"])
def test_enforcing_a_month_takes_the_same_queries_for_3_and_12_solutions(
    final, django_capture_on_commit_callbacks
):
    """The month's evaluation with its breaches and badge changes, and the same evaluation run
    again with everything recorded, each run a number of queries that does not grow with the
    solutions (and one after-commit dispatch of the badge e-mails at most)."""
    ContentType.objects.get_for_model(Certification)  # the state log's type: once per process
    small = _enforcing_queries(
        3, final=final, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    large = _enforcing_queries(
        12, final=final, django_capture_on_commit_callbacks=django_capture_on_commit_callbacks
    )
    assert small == large
    (first, first_callbacks), (again, again_callbacks) = small
    assert (first_callbacks, again_callbacks) == (1, 0)
    assert again < first
