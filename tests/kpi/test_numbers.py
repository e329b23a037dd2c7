"""Every number of the verdict, held at its edge: the seeded targets, the counting rules and
the month's bounds. Each test fails when its number moves by the smallest step."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kpi.evaluation import evaluate_period
from kpi.models import Threshold
from tests.factories.kpi import NPSAnswerFactory, SupportCaseFactory

from ..factories.workflow import SolutionFactory

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)
MID_OCTOBER = datetime(2026, 10, 14, 10, 0, tzinfo=UTC)
AFTER_OCTOBER = datetime(2026, 11, 20, tzinfo=UTC)


def october(solution, as_of=AFTER_OCTOBER) -> dict:
    [result] = evaluate_period("2026-10", solutions=[solution], as_of=as_of)
    return result["kpis"]


def half_year(solution) -> dict:
    [result] = evaluate_period(
        "2026-H2", solutions=[solution], as_of=datetime(2027, 1, 5, tzinfo=UTC)
    )
    return result["kpis"]


def test_the_seeded_targets_are_the_regulations():
    """R5.1–R5.6 The targets in force are exactly those of stage 5 of the regulation."""
    assert sorted(Threshold.objects.values_list("kpi", "comparison", "value", "valid_from")) == [
        ("csat_positive_share", "at_least", Decimal("0.80"), datetime(2000, 1, 1, tzinfo=UTC)),
        ("csat_response_rate", "at_least", Decimal("0.07"), datetime(2000, 1, 1, tzinfo=UTC)),
        ("escalations", "at_most", Decimal("2"), datetime(2000, 1, 1, tzinfo=UTC)),
        ("nps_mean", "at_least", Decimal("7.5"), datetime(2000, 1, 1, tzinfo=UTC)),
        ("resolution_overdue_rate", "at_most", Decimal("0.05"), datetime(2000, 1, 1, tzinfo=UTC)),
        ("response_overdue_rate", "at_most", Decimal("0.01"), datetime(2000, 1, 1, tzinfo=UTC)),
    ]


# --- Targets at their edges, through the evaluation and the seeded rows ---


@pytest.mark.parametrize(("positive", "status"), [(80, "pass"), (79, "fail")])
def test_csat_positive_share_passes_at_80_percent_and_fails_just_below(positive, status):
    """R5.3 80 positive ratings of 100 pass; 79 fail (a target of 79 % would pass them)."""
    solution = SolutionFactory()
    SupportCaseFactory.create_batch(positive, solution=solution, registered_at=MID_OCTOBER, csat=4)
    SupportCaseFactory.create_batch(
        100 - positive, solution=solution, registered_at=MID_OCTOBER, csat=3
    )

    assert october(solution)["csat_positive_share"]["status"] == status


@pytest.mark.parametrize(("rated", "status"), [(7, "pass"), (6, "fail")])
def test_csat_response_rate_passes_at_7_percent(rated, status):
    """R5.2 7 rated cases of 100 pass; 6 fail."""
    solution = SolutionFactory()
    SupportCaseFactory.create_batch(rated, solution=solution, registered_at=MID_OCTOBER, csat=1)
    SupportCaseFactory.create_batch(100 - rated, solution=solution, registered_at=MID_OCTOBER)

    assert october(solution)["csat_response_rate"]["status"] == status


@pytest.mark.parametrize(("late", "cases", "status"), [(1, 100, "pass"), (2, 199, "fail")])
def test_response_overdue_passes_at_1_percent(late, cases, status):
    """R5.4 1 late first response of 100 passes; 2 of 199 (1.005 %) fail."""
    solution = SolutionFactory()
    SupportCaseFactory.create_batch(
        late, solution=solution, registered_at=MID_OCTOBER, late_response=True, csat=5
    )
    SupportCaseFactory.create_batch(
        cases - late, solution=solution, registered_at=MID_OCTOBER, csat=5
    )

    assert october(solution)["response_overdue_rate"]["status"] == status


@pytest.mark.parametrize(("late", "cases", "status"), [(10, 200, "pass"), (21, 400, "fail")])
def test_resolution_overdue_passes_at_5_percent(late, cases, status):
    """R5.5 10 late resolutions of 200 pass; 21 of 400 (5.25 %) fail."""
    solution = SolutionFactory()
    SupportCaseFactory.create_batch(
        late, solution=solution, registered_at=MID_OCTOBER, late_resolution=True, csat=5
    )
    SupportCaseFactory.create_batch(
        cases - late, solution=solution, registered_at=MID_OCTOBER, csat=5
    )

    assert october(solution)["resolution_overdue_rate"]["status"] == status


@pytest.mark.parametrize(("escalated", "status"), [(2, "pass"), (3, "fail")])
def test_two_escalations_pass_three_fail(escalated, status):
    """R5.6 Level 1 counts as escalated, level 0 does not; at most 2."""
    solution = SolutionFactory()
    SupportCaseFactory.create_batch(
        escalated, solution=solution, registered_at=MID_OCTOBER, escalation_level=1
    )
    SupportCaseFactory.create_batch(10, solution=solution, registered_at=MID_OCTOBER)

    kpi = october(solution)["escalations"]
    assert (kpi["value"], kpi["status"]) == (escalated, status)


@pytest.mark.parametrize(("total", "status"), [(150, "pass"), (149, "fail")])
def test_nps_mean_passes_at_7_5_and_fails_at_7_45(total, status):
    """R5.1 Twenty answers with a mean of exactly 7.5 pass; a mean of 7.45 fails (a target of
    7.4 would pass it)."""
    solution = SolutionFactory()
    scores = [8] * 10 + [7] * 10  # 150
    if total == 149:
        scores[-1] = 6
    for score in scores:
        NPSAnswerFactory(solution=solution, half_year="2026-H2", score=score)

    kpi = half_year(solution)["nps_mean"]
    assert (kpi["numerator"], kpi["denominator"], kpi["status"]) == (total, 20, status)


# --- What is counted ---


@pytest.mark.parametrize(
    ("score", "classic"), [(10, 100), (9, 100), (8, 0), (7, 0), (6, -100), (0, -100)]
)
def test_promoters_answer_9_or_10_and_detractors_6_or_less(score, classic):
    """R5.1 The classic NPS shown beside the mean: 9–10 promote, 7–8 are passive, 0–6
    detract."""
    solution = SolutionFactory()
    NPSAnswerFactory(solution=solution, half_year="2026-H2", score=score)

    assert half_year(solution)["nps_classic"]["value"] == classic


@pytest.mark.parametrize(("csat", "positive"), [(5, 1), (4, 1), (3, 0), (1, 0)])
def test_a_rating_of_4_or_5_is_positive(csat, positive):
    """R5.3 Ratings of 4 and 5 are positive; 3 and below are not; every rating is rated."""
    solution = SolutionFactory()
    SupportCaseFactory(solution=solution, registered_at=MID_OCTOBER, csat=csat)

    kpi = october(solution)["csat_positive_share"]
    assert (kpi["numerator"], kpi["denominator"]) == (positive, 1)


@pytest.mark.parametrize(
    ("step", "done", "due"),
    [
        ("response_overdue_rate", "first_response_at", "response_due_at"),
        ("resolution_overdue_rate", "resolved_at", "resolution_due_at"),
    ],
)
@pytest.mark.parametrize(("after", "overdue"), [(timedelta(0), 0), (TICK, 1)])
def test_a_step_done_exactly_at_its_deadline_is_in_time(step, done, due, after, overdue):
    """R5.4, R5.5 Done at the deadline's very instant is in time; a microsecond later is late."""
    solution = SolutionFactory()
    deadline = MID_OCTOBER + timedelta(hours=4)
    in_time = {
        "response_due_at": deadline,
        "resolution_due_at": deadline,
        "first_response_at": MID_OCTOBER + timedelta(hours=1),
        "resolved_at": MID_OCTOBER + timedelta(hours=2),
    }
    SupportCaseFactory(
        solution=solution, registered_at=MID_OCTOBER, **{**in_time, done: deadline + after}
    )

    assert october(solution)[step]["numerator"] == overdue


@pytest.mark.parametrize(
    ("step", "due"),
    [
        ("response_overdue_rate", "response_due_at"),
        ("resolution_overdue_rate", "resolution_due_at"),
    ],
)
@pytest.mark.parametrize(("before", "overdue"), [(timedelta(0), 0), (TICK, 1)])
def test_an_open_step_is_late_once_its_deadline_has_passed(step, due, before, overdue):
    """R5.4, R5.5 Not done and due exactly at the evaluation time: not late yet; due a
    microsecond before it: late."""
    solution = SolutionFactory()
    as_of = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
    open_in_time = {
        "response_due_at": as_of + timedelta(days=1),
        "resolution_due_at": as_of + timedelta(days=1),
        "first_response_at": None,
        "resolved_at": None,
    }
    SupportCaseFactory(
        solution=solution, registered_at=MID_OCTOBER, **{**open_in_time, due: as_of - before}
    )

    assert october(solution, as_of=as_of)[step]["numerator"] == overdue


@pytest.mark.parametrize(
    ("registered", "counted"),
    [
        (datetime(2026, 10, 1, tzinfo=ZoneInfo("Europe/Moscow")), 1),
        (datetime(2026, 10, 1, tzinfo=ZoneInfo("Europe/Moscow")) - TICK, 0),
        (datetime(2026, 11, 1, tzinfo=ZoneInfo("Europe/Moscow")) - TICK, 1),
        (datetime(2026, 11, 1, tzinfo=ZoneInfo("Europe/Moscow")), 0),
    ],
)
def test_a_month_holds_its_first_instant_and_not_the_next_months(settings, registered, counted):
    """R5.2 In the reporting time zone, October runs from 1 October 00:00 to the last
    microsecond before 1 November."""
    settings.KPI_REPORTING_TIME_ZONE = "Europe/Moscow"
    solution = SolutionFactory()
    SupportCaseFactory(solution=solution, registered_at=registered)

    assert october(solution)["response_overdue_rate"]["denominator"] == counted


def test_presale_questions_are_not_counted_in_the_month():
    """R4.4 Pre-sale questions are reported apart, never in the month's KPIs."""
    solution = SolutionFactory()
    SupportCaseFactory(solution=solution, registered_at=MID_OCTOBER, presale=True, csat=1)
    SupportCaseFactory(solution=solution, registered_at=MID_OCTOBER, csat=5)

    kpis = october(solution)
    assert kpis["response_overdue_rate"]["denominator"] == 1
    assert kpis["csat_positive_share"]["denominator"] == 1


def test_a_half_year_without_answers_counts_nothing():
    """R5.1 No answer is no data: nothing counted, not a score of one."""
    kpis = half_year(SolutionFactory())

    assert (kpis["nps_mean"]["numerator"], kpis["nps_mean"]["denominator"]) == (0, 0)
    assert (kpis["nps_classic"]["numerator"], kpis["nps_classic"]["denominator"]) == (0, 0)


def test_each_solution_counts_only_its_own_answers():
    one, other = SolutionFactory(), SolutionFactory()
    NPSAnswerFactory(solution=one, half_year="2026-H2", score=10)
    NPSAnswerFactory.create_batch(2, solution=other, half_year="2026-H2", score=0)

    kpi = half_year(one)["nps_mean"]

    assert (kpi["numerator"], kpi["denominator"], kpi["status"]) == (10, 1, "pass")
