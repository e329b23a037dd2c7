"""The KPI jobs are scheduled in the database, where staff can change them."""

from datetime import UTC, datetime

import pytest
from django_celery_beat.models import PeriodicTask

from kpi.periods import previous_half_year, previous_month

pytestmark = pytest.mark.django_db


def test_monthly_and_half_yearly_jobs_are_scheduled_by_default():
    tasks = {
        task.task: (
            task.crontab.minute,
            task.crontab.hour,
            task.crontab.day_of_month,
            task.crontab.month_of_year,
        )
        for task in PeriodicTask.objects.filter(task__startswith="kpi.").select_related("crontab")
    }

    assert tasks == {
        "kpi.evaluate_month": ("0", "2", "1", "*"),
        "kpi.evaluate_half_year": ("0", "3", "1", "1,7"),
    }


@pytest.mark.parametrize(
    ("moment", "month", "half_year"),
    [
        (datetime(2026, 11, 1, 2, 0, tzinfo=UTC), "2026-10", "2026-H1"),
        (datetime(2026, 7, 1, 3, 0, tzinfo=UTC), "2026-06", "2026-H1"),
        (datetime(2027, 1, 1, 3, 0, tzinfo=UTC), "2026-12", "2026-H2"),
    ],
)
def test_jobs_evaluate_the_period_that_just_ended(moment, month, half_year):
    assert (previous_month(moment), previous_half_year(moment)) == (month, half_year)
