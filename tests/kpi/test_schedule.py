"""The KPI jobs and the daily reminders are scheduled in the database, where staff can change
them."""

from datetime import UTC, datetime

import pytest
from django_celery_beat.models import PeriodicTask

from certportal.celery import app
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
        for task in PeriodicTask.objects.filter(
            task__startswith="kpi.", crontab__isnull=False
        ).select_related("crontab")
    }

    assert tasks == {
        "kpi.evaluate_month": ("0", "2", "1", "*"),
        "kpi.evaluate_half_year": ("0", "3", "1", "1,7"),
        "kpi.evaluate_so_far": ("30", "1", "*", "*"),
        "kpi.evaluate_open_months": ("45", "1", "*", "*"),
    }


def test_daily_jobs_run_at_their_hours_in_utc():
    """The month so far and the months not final yet are computed every night; reminders go
    every morning."""
    daily = {
        task.task: (
            task.crontab.minute,
            task.crontab.hour,
            task.crontab.day_of_month,
            task.crontab.month_of_year,
            task.crontab.day_of_week,
            str(task.crontab.timezone),
            task.enabled,
        )
        for task in PeriodicTask.objects.filter(
            task__in=[
                "kpi.evaluate_so_far",
                "kpi.evaluate_open_months",
                "workflow.send_reminders",
            ]
        ).select_related("crontab")
    }

    assert daily == {
        "kpi.evaluate_so_far": ("30", "1", "*", "*", "*", "UTC", True),
        "kpi.evaluate_open_months": ("45", "1", "*", "*", "*", "UTC", True),
        "workflow.send_reminders": ("0", "6", "*", "*", "*", "UTC", True),
    }


def test_the_sweeps_run_every_minute_and_every_quarter_of_an_hour():
    """The outbox is delivered every minute; the KPI runs are completed every 15 minutes."""
    sweeps = {
        task.task: (task.interval.every, task.interval.period, task.enabled)
        for task in PeriodicTask.objects.filter(interval__isnull=False).select_related("interval")
    }

    assert sweeps == {
        "outbox.deliver_pending": (1, "minutes", True),
        "kpi.complete_runs": (15, "minutes", True),
    }


def test_every_scheduled_job_names_a_registered_task():
    app.loader.import_default_modules()
    scheduled = set(PeriodicTask.objects.exclude(task="").values_list("task", flat=True))

    assert scheduled - set(app.tasks) == set()


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
