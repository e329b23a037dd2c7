"""When a month's figures are final, what is enforced before, the daily re-evaluation, the
cases that arrive late and re-opening a month (R5.4–R5.8)."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi.evaluation import evaluate_period
from kpi.finality import month_reopen, open_months
from kpi.importing import import_cases
from kpi.models import Breach, KPISnapshot, MonthReopening, SupportCase
from kpi.periods import parse_period
from kpi.tasks import evaluate_open_months
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory, SupportCaseFactory

from ..factories.workflow import CertificationFactory, SolutionFactory, actor

pytestmark = pytest.mark.django_db

OCTOBER = parse_period("2026-10")
EARLY_OCTOBER = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
AFTER_OCTOBER = datetime(2026, 11, 5, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def certified():
    return CertificationFactory().solution


def judged(solution, as_of=AFTER_OCTOBER, period="2026-10"):
    [result] = evaluate_period(period, solutions=[solution], as_of=as_of)
    return result


def in_time(solution, count, **values):
    """Cases answered and resolved in time, rated happily."""
    values.setdefault("registered_at", EARLY_OCTOBER)
    return SupportCaseFactory.create_batch(count, solution=solution, csat=5, **values)


def open_case(solution, *, resolution_due_at, registered_at=EARLY_OCTOBER, **values):
    """A case answered in time, not resolved yet, due for resolution at `resolution_due_at`."""
    return SupportCaseFactory(
        solution=solution,
        registered_at=registered_at,
        resolution_due_at=resolution_due_at,
        resolved_at=None,
        csat=5,
        **values,
    )


def status(solution):
    solution.certification.refresh_from_db()
    return solution.certification.status


# --- When a month is final ------------------------------------------------------------


def test_a_month_with_every_case_resolved_is_final_once_it_is_over():
    """R5.5 The figures of a month are final from its end on, when every case is resolved."""
    solution = certified()
    in_time(solution, 5)

    assert judged(solution, as_of=OCTOBER.end - MICROSECOND)["final"] is False
    assert judged(solution, as_of=OCTOBER.end)["final"] is True
    assert set(KPISnapshot.objects.values_list("provisional", flat=True)) == {False}


def test_a_case_open_until_its_deadline_keeps_the_month_provisional():
    """R5.5 An open case due exactly at the evaluation time can still be resolved in time: the
    month is provisional; a microsecond after its deadline it is final."""
    solution = certified()
    in_time(solution, 5)
    due = AFTER_OCTOBER
    open_case(solution, resolution_due_at=due)

    at_deadline = judged(solution, as_of=due)
    assert at_deadline["final"] is False
    assert at_deadline["kpis"]["resolution_overdue_rate"]["numerator"] == 0
    assert set(KPISnapshot.objects.values_list("provisional", flat=True)) == {True}

    after = judged(solution, as_of=due + MICROSECOND)
    assert after["final"] is True
    assert after["kpis"]["resolution_overdue_rate"]["numerator"] == 1


def test_a_case_resolved_exactly_at_the_evaluation_time_is_resolved():
    """A case resolved at the very instant of the evaluation no longer holds the month; one
    resolved a microsecond later still does."""
    solution, other = certified(), certified()
    due = AFTER_OCTOBER + timedelta(days=3)
    for owner, resolved_at in ((solution, AFTER_OCTOBER), (other, AFTER_OCTOBER + MICROSECOND)):
        case = open_case(owner, resolution_due_at=due)
        SupportCase.objects.filter(pk=case.pk).update(resolved_at=resolved_at)

    assert judged(solution)["final"] is True
    assert judged(other)["final"] is False


def test_a_case_resolved_exactly_at_its_deadline_is_in_time_and_final():
    """R5.5 Resolved at its deadline: not overdue, and the month is final."""
    solution = certified()
    SupportCaseFactory(
        solution=solution,
        registered_at=EARLY_OCTOBER,
        resolution_due_at=EARLY_OCTOBER + timedelta(hours=16),
        resolved_at=EARLY_OCTOBER + timedelta(hours=16),
        csat=5,
    )

    result = judged(solution)

    assert result["final"] is True
    assert result["kpis"]["resolution_overdue_rate"]["numerator"] == 0


@pytest.mark.parametrize(
    ("zone", "last_instant"),
    [
        ("UTC", datetime(2026, 10, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        # 31 October 23:59:59.999999 in Moscow (UTC+3) is 20:59:59.999999 UTC.
        ("Europe/Moscow", datetime(2026, 10, 31, 20, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_an_open_case_of_the_last_instant_holds_its_month_only(settings, zone, last_instant):
    """A case registered at the last instant of the month (reporting time zone) keeps that
    month provisional; one registered at the next instant belongs to the next month."""
    settings.KPI_REPORTING_TIME_ZONE = zone
    october, november = certified(), certified()
    for solution in (october, november):
        in_time(solution, 3)
    due = AFTER_OCTOBER + timedelta(days=3)
    open_case(october, registered_at=last_instant, resolution_due_at=due)
    open_case(november, registered_at=last_instant + MICROSECOND, resolution_due_at=due)

    assert judged(october)["final"] is False
    assert judged(november)["final"] is True


def test_an_open_presale_question_does_not_hold_the_month():
    solution = certified()
    in_time(solution, 3)
    open_case(solution, resolution_due_at=AFTER_OCTOBER + timedelta(days=3), presale=True)

    assert judged(solution)["final"] is True


def test_the_json_report_says_whether_the_figures_are_final():
    solution = CertificationFactory(solution__slug="telephony").solution
    in_time(solution, 3)
    open_case(solution, resolution_due_at=AFTER_OCTOBER + timedelta(days=3))
    out = StringIO()

    call_command(
        "recompute_kpis", "--period", "2026-10", "--as-of", AFTER_OCTOBER.isoformat(), "--json",
        stdout=out,
    )  # fmt: skip

    [result] = json.loads(out.getvalue())
    assert (result["solution"], result["final"], result["action"]) == ("telephony", False, "none")


# --- Enforced on final figures, or as soon as no later data can undo a failure ---------


def test_a_late_count_over_its_target_in_a_month_over_is_enforced_before_final(on_commit):
    """R5.4, R5.8 2 of 100 cases late on response in a month that is over cannot get better:
    the breach is recorded and the badge revoked while the month is still provisional, and
    the history says so."""
    UserFactory(analyst=True)
    solution = certified()
    in_time(solution, 97)
    SupportCaseFactory.create_batch(
        2, solution=solution, registered_at=EARLY_OCTOBER, late_response=True, csat=5
    )
    open_case(solution, resolution_due_at=AFTER_OCTOBER + timedelta(days=3))

    result = on_commit(judged, solution)

    assert (result["final"], result["action"]) == (False, "revoked")
    breach = Breach.objects.get()
    assert (breach.kpi, breach.basis, breach.action) == (
        "response_overdue_rate",
        Breach.Basis.IRREVERSIBLE,
        Breach.Action.REVOKED,
    )
    assert status(solution) == CertificationStatus.REVOKED
    event = CertificationEvent.objects.get(action="revoked")
    assert "before the month's figures were final: no later data can undo it" in event.reason_text


def test_a_late_count_at_its_target_is_not_enforced_early():
    """R5.4 1 of 100 is exactly the 1 % target: nothing to enforce, before or after final."""
    solution = certified()
    in_time(solution, 98)
    SupportCaseFactory(solution=solution, registered_at=EARLY_OCTOBER, late_response=True)
    open_case(solution, resolution_due_at=AFTER_OCTOBER + timedelta(days=3))

    assert judged(solution)["action"] == "none"
    assert Breach.objects.count() == 0


@pytest.mark.parametrize(("escalated", "breaches"), [(2, 0), (3, 1)])
def test_escalations_over_the_limit_are_enforced_before_final(escalated, breaches):
    """R5.6 A third escalated case in a month that is over is a breach at once."""
    solution = certified()
    in_time(solution, 10)
    in_time(solution, escalated, escalation_level=1)
    open_case(solution, resolution_due_at=AFTER_OCTOBER + timedelta(days=3))

    judged(solution)

    assert Breach.objects.filter(basis=Breach.Basis.IRREVERSIBLE).count() == breaches


def test_a_running_month_enforces_nothing_even_past_a_limit():
    """R5.8 While the month runs, even a third escalation only warns; at its end it is enforced."""
    solution = certified()
    in_time(solution, 3, escalation_level=1)

    judged(solution, as_of=OCTOBER.end - MICROSECOND)
    assert Breach.objects.count() == 0

    judged(solution, as_of=OCTOBER.end)
    assert Breach.objects.get().basis == Breach.Basis.FINAL


def test_a_failure_that_later_data_can_undo_waits_for_final_figures(on_commit):
    """R5.3, R5.8 Unhappy ratings of a provisional month may still be outweighed: no breach
    until the month is final; then it is enforced on the final figures."""
    solution = certified()
    SupportCaseFactory.create_batch(5, solution=solution, registered_at=EARLY_OCTOBER, csat=1)
    due = AFTER_OCTOBER + timedelta(days=3)
    open_case(solution, resolution_due_at=due)

    assert on_commit(judged, solution)["action"] == "none"
    assert Breach.objects.count() == 0
    assert status(solution) == CertificationStatus.CERTIFIED

    result = on_commit(judged, solution, as_of=due + MICROSECOND)
    assert (result["final"], result["action"]) == (True, "revoked")
    breach = Breach.objects.get(kpi="csat_positive_share")
    assert breach.basis == Breach.Basis.FINAL
    event = CertificationEvent.objects.get(action="revoked")
    assert "on the month's final figures" in event.reason_text


def test_an_early_breach_keeps_its_basis_when_the_month_becomes_final():
    solution = certified()
    in_time(solution, 10)
    in_time(solution, 3, escalation_level=1)
    due = AFTER_OCTOBER + timedelta(days=3)
    open_case(solution, resolution_due_at=due)
    judged(solution)

    judged(solution, as_of=due + MICROSECOND)

    # The open case is overdue now: 1 of 14 resolved late (7 %) fails on the final figures.
    assert list(Breach.objects.values_list("kpi", "basis")) == [
        ("escalations", Breach.Basis.IRREVERSIBLE),
        ("resolution_overdue_rate", Breach.Basis.FINAL),
    ]


# --- Evaluated again daily until final ----------------------------------------------------


def test_a_case_resolved_late_after_the_first_evaluation_counts_in_its_month(on_commit):
    """R5.5 The case registered on the 31st, still open at the monthly run and resolved late
    afterwards, is counted: the daily job evaluates the month until it is final."""
    solution = certified()
    in_time(solution, 9)
    registered = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    due = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    case = open_case(solution, registered_at=registered, resolution_due_at=due)
    assert judged(solution, as_of=datetime(2026, 11, 1, 2, 0, tzinfo=UTC))["final"] is False
    SupportCase.objects.filter(pk=case.pk).update(resolved_at=due + timedelta(hours=5))

    on_commit(evaluate_open_months, as_of=datetime(2026, 11, 3, 1, 45, tzinfo=UTC).isoformat())

    snapshot = KPISnapshot.objects.get(solution=solution, kpi="resolution_overdue_rate")
    assert (snapshot.numerator, snapshot.denominator, snapshot.provisional) == (1, 10, False)
    assert Breach.objects.get().kpi == "resolution_overdue_rate"
    assert open_months(datetime(2026, 11, 4, tzinfo=UTC)) == {}


def test_the_daily_job_takes_only_the_months_over_and_not_final():
    provisional, final, running = certified(), certified(), certified()
    in_time(final, 2)
    open_case(provisional, resolution_due_at=AFTER_OCTOBER + timedelta(days=3))
    judged(provisional)
    judged(final)
    SupportCaseFactory(solution=running, registered_at=datetime(2026, 11, 2, tzinfo=UTC))
    judged(running, as_of=AFTER_OCTOBER, period="2026-11")
    never_certified = SolutionFactory()
    open_case(never_certified, resolution_due_at=AFTER_OCTOBER + timedelta(days=3))
    judged(never_certified)

    assert open_months(AFTER_OCTOBER) == {"2026-10": [provisional.pk]}


# --- Cases that arrive after their month is final ---------------------------------------


def case_row(solution, case_id, registered_at, **values):
    return {
        "solution": solution.slug,
        "case_id": case_id,
        "customer": "acme",
        "support_package": "business",
        "region": "emea",
        "registered_at": registered_at.isoformat(),
        "first_response_at": (registered_at + timedelta(minutes=5)).isoformat(),
        "resolved_at": (registered_at + timedelta(minutes=30)).isoformat(),
        **values,
    }


def final_october_with_escalations():
    """A certified solution whose October was judged final with 2 escalated cases of 10."""
    solution = certified()
    CustomerFactory(solution=solution, customer_id="acme")
    in_time(solution, 8)
    in_time(solution, 2, escalation_level=1)
    assert judged(solution)["final"] is True
    return solution


def test_a_case_of_a_final_month_arriving_later_is_marked_late_and_changes_nothing():
    """R5.8 A third escalated case sent after October was final is stored and marked late; the
    month's verdict stays as it was judged."""
    solution = final_october_with_escalations()

    import_cases([case_row(solution, "LATE-1", EARLY_OCTOBER, escalation_level="1")])

    late = SupportCase.objects.get(case_id="LATE-1")
    assert late.arrived_late_at is not None
    result = judged(solution, as_of=AFTER_OCTOBER + timedelta(days=1))
    assert result["kpis"]["escalations"] == {
        "value": 2,
        "numerator": 2,
        "denominator": 10,
        "target": "at most 2",
        "status": "pass",
    }
    assert Breach.objects.count() == 0
    assert status(solution) == CertificationStatus.CERTIFIED


def test_cases_of_provisional_months_and_updates_are_not_late():
    solution = final_october_with_escalations()
    existing = SupportCase.objects.filter(solution=solution).first()

    import_cases(
        [
            case_row(solution, existing.case_id, existing.registered_at, csat="4"),
            case_row(solution, "NOVEMBER-1", datetime(2026, 11, 3, tzinfo=UTC)),
        ]
    )

    assert list(SupportCase.objects.filter(arrived_late_at__isnull=False)) == []


def test_an_analyst_reopens_a_final_month_and_the_late_case_counts(on_commit):
    """R5.6, R5.8 Re-opened by an analyst with a reason, the month is evaluated again with the
    late case: its third escalation is now a breach, and the re-opening is recorded."""
    analyst = UserFactory(analyst=True)
    solution = final_october_with_escalations()
    import_cases([case_row(solution, "LATE-1", EARLY_OCTOBER, escalation_level="1")])

    reopening, result = on_commit(
        month_reopen, solution=solution, period="2026-10", by=analyst, reason="Late export."
    )

    assert (result["final"], result["action"]) == (True, "revoked")
    assert result["kpis"]["escalations"]["numerator"] == 3
    assert MonthReopening.objects.get() == reopening
    assert (reopening.by, reopening.reason) == (analyst, "Late export.")
    assert reopening.figures_before["escalations"] == [2, 10, "pass"]
    assert status(solution) == CertificationStatus.REVOKED


def test_only_an_analyst_reopens_and_only_a_final_month():
    solution = final_october_with_escalations()
    partner = actor("own_partner", solution)
    analyst = UserFactory(analyst=True)

    with pytest.raises(PermissionDenied):
        month_reopen(solution=solution, period="2026-10", by=partner, reason="Please.")
    with pytest.raises(ValidationError):
        month_reopen(solution=solution, period="2026-11", by=analyst, reason="Not final.")
    with pytest.raises(ValidationError):
        month_reopen(solution=solution, period="2026-10", by=analyst, reason="  ")
    assert MonthReopening.objects.count() == 0
