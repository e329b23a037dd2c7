"""The daily job: the current month "so far", shown but never enforced (R5.4–R5.8)."""

from datetime import UTC, datetime

import pytest
from django.core import mail

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi.models import Breach, KPISnapshot
from kpi.periods import month_of
from kpi.tasks import evaluate_month, evaluate_so_far
from tests.factories.accounts import UserFactory
from tests.factories.kpi import SupportCaseFactory

from ..factories.workflow import CertificationFactory, SolutionFactory

pytestmark = pytest.mark.django_db

MID_OCTOBER = datetime(2026, 10, 14, 1, 30, tzinfo=UTC)
EARLY_OCTOBER = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)


def failing_october():
    """A certified solution whose October fails on response: 3 of 10 cases answered late."""
    UserFactory(analyst=True)
    solution = CertificationFactory().solution
    SupportCaseFactory.create_batch(7, solution=solution, registered_at=EARLY_OCTOBER, csat=5)
    SupportCaseFactory.create_batch(
        3, solution=solution, registered_at=EARLY_OCTOBER, csat=5, late_response=True
    )
    return solution


def snapshots(solution):
    return {row.kpi: row for row in KPISnapshot.objects.filter(solution=solution, period="2026-10")}


def test_a_failing_month_so_far_is_shown_but_enforces_nothing(on_commit):
    """R5.8 The month so far is provisional: a failed KPI records no breach, keeps the badge
    and only warns (no revocation is e-mailed)."""
    solution = failing_october()

    on_commit(evaluate_so_far, as_of=MID_OCTOBER.isoformat())

    response = snapshots(solution)["response_overdue_rate"]
    assert (response.status, response.numerator, response.denominator) == ("fail", 3, 10)
    assert {row.provisional for row in snapshots(solution).values()} == {True}
    assert Breach.objects.count() == 0
    solution.certification.refresh_from_db()
    assert solution.certification.status == CertificationStatus.CERTIFIED
    assert CertificationEvent.objects.filter(action=CertificationEvent.Action.REVOKED).count() == 0
    assert {message.subject for message in mail.outbox} == {
        f"{solution.name}: support KPIs of 2026-10 miss their target so far"
    }


def test_the_monthly_job_makes_the_same_snapshots_final_and_enforces(on_commit):
    """R5.4, R5.8 When the month is evaluated after it ends, the provisional rows become final
    (the same rows) and the failed KPI revokes the badge."""
    solution = failing_october()
    on_commit(evaluate_so_far, as_of=MID_OCTOBER.isoformat())
    provisional = {kpi: row.pk for kpi, row in snapshots(solution).items()}

    on_commit(evaluate_month, period="2026-10", as_of="2026-11-01T02:00:00+00:00")

    final = snapshots(solution)
    assert {kpi: row.pk for kpi, row in final.items()} == provisional
    assert {row.provisional for row in final.values()} == {False}
    assert Breach.objects.get().kpi == "response_overdue_rate"
    solution.certification.refresh_from_db()
    assert solution.certification.status == CertificationStatus.REVOKED


def test_so_far_runs_again_each_day_updating_the_same_rows():
    """R5.4 A later day's figures replace the earlier ones in place, still provisional."""
    solution = failing_october()
    evaluate_so_far(as_of=MID_OCTOBER.isoformat())
    SupportCaseFactory.create_batch(10, solution=solution, registered_at=MID_OCTOBER, csat=5)

    evaluate_so_far(as_of=datetime(2026, 10, 15, 1, 30, tzinfo=UTC).isoformat())

    response = snapshots(solution)["response_overdue_rate"]
    assert (response.numerator, response.denominator, response.provisional) == (3, 20, True)
    assert KPISnapshot.objects.filter(solution=solution).count() == 5


def test_so_far_covers_every_certified_solution_and_only_those():
    certified = CertificationFactory().solution
    never_certified = SolutionFactory()

    evaluate_so_far(as_of=MID_OCTOBER.isoformat())

    assert set(KPISnapshot.objects.values_list("solution", "period").distinct()) == {
        (certified.pk, "2026-10")
    }
    assert not KPISnapshot.objects.filter(solution=never_certified).exists()


@pytest.mark.parametrize(
    ("zone", "moment", "month"),
    [
        ("UTC", datetime(2026, 11, 1, 1, 30, tzinfo=UTC), "2026-11"),
        # 1 November 01:30 UTC is still 31 October in California.
        ("America/Los_Angeles", datetime(2026, 11, 1, 1, 30, tzinfo=UTC), "2026-10"),
        ("Europe/Moscow", datetime(2026, 10, 31, 22, 0, tzinfo=UTC), "2026-11"),
    ],
)
def test_the_current_month_is_taken_in_the_reporting_time_zone(settings, zone, moment, month):
    settings.KPI_REPORTING_TIME_ZONE = zone

    assert month_of(moment) == month
