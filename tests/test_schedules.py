"""The periodic jobs are declared by their apps (jobs.py); after every migrate the
django-celery-beat rows follow the declarations, and keep what an operator changed."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from certportal.schedules import Crontab, Every, declared_jobs, parse_schedule, sync_schedules

pytestmark = pytest.mark.django_db

FIELDS = ("name", "task", "description", "enabled", "interval_id", "crontab_id", "kwargs")


def rows() -> list[dict]:
    return list(PeriodicTask.objects.order_by("name").values(*FIELDS))


def schedule_of(row: PeriodicTask) -> Crontab | Every:
    if row.interval_id:
        return Every(row.interval.every, row.interval.period)
    crontab = row.crontab
    assert str(crontab.timezone) == "UTC"
    return Crontab(
        crontab.minute,
        crontab.hour,
        crontab.day_of_month,
        crontab.month_of_year,
        crontab.day_of_week,
    )


def test_every_app_declares_its_jobs():
    assert {job.name: (job.task, str(job.schedule)) for job in declared_jobs()} == {
        "KPIs: evaluate the previous month": ("kpi.evaluate_month", "0 2 1 * *"),
        "KPIs: evaluate the previous NPS half-year": ("kpi.evaluate_half_year", "0 3 1 1,7 *"),
        "KPIs: the current month so far": ("kpi.evaluate_so_far", "30 1 * * *"),
        "KPIs: months not final yet": ("kpi.evaluate_open_months", "45 1 * * *"),
        "KPIs: complete the runs": ("kpi.complete_runs", "every 15 minutes"),
        "Reminders: what is due": ("workflow.send_reminders", "0 6 * * *"),
        "Outbox: deliver what is pending": ("outbox.deliver_pending", "every 1 minutes"),
        "Outbox: daily digests": ("outbox.send_digests", "30 6 * * *"),
    }


def test_after_migrate_each_declared_job_has_its_row_with_the_declared_schedule():
    tasks = {row.name: row for row in PeriodicTask.objects.select_related("crontab", "interval")}

    for job in declared_jobs():
        row = tasks[job.name]
        assert (row.task, schedule_of(row), row.description, row.enabled) == (
            job.task,
            job.schedule,
            job.description,
            True,
        )


def test_a_second_sync_changes_nothing():
    before = rows()
    crontabs, intervals = CrontabSchedule.objects.count(), IntervalSchedule.objects.count()

    assert sync_schedules() == {"created": [], "updated": []}
    assert sync_schedules() == {"created": [], "updated": []}

    assert rows() == before
    assert (CrontabSchedule.objects.count(), IntervalSchedule.objects.count()) == (
        crontabs,
        intervals,
    )


def test_an_operators_edit_survives_a_migrate():
    """The schedule and the enabled flag changed in the admin are kept; a row deleted there
    comes back with its default."""
    monthly = PeriodicTask.objects.get(name="KPIs: evaluate the previous month")
    monthly.crontab = CrontabSchedule.objects.create(
        minute="15", hour="4", day_of_month="2", timezone="UTC"
    )
    monthly.save()
    sweep = PeriodicTask.objects.get(name="Outbox: deliver what is pending")
    sweep.enabled = False
    sweep.save()
    PeriodicTask.objects.filter(name="Reminders: what is due").delete()

    call_command("migrate", interactive=False, verbosity=0)

    monthly.refresh_from_db()
    sweep.refresh_from_db()
    assert schedule_of(monthly) == Crontab("15", "4", "2")
    assert (sweep.enabled, schedule_of(sweep)) == (False, Every(1, "minutes"))
    reminders = PeriodicTask.objects.get(name="Reminders: what is due")
    assert (reminders.task, schedule_of(reminders), reminders.enabled) == (
        "workflow.send_reminders",
        Crontab("0", "6"),
        True,
    )


def test_the_task_and_description_follow_the_declaration():
    PeriodicTask.objects.filter(name="KPIs: complete the runs").update(
        task="kpi.old_name", description="edited"
    )

    assert sync_schedules() == {"created": [], "updated": ["KPIs: complete the runs"]}

    row = PeriodicTask.objects.get(name="KPIs: complete the runs")
    assert (row.task, row.description.startswith("Every 15 minutes")) == (
        "kpi.complete_runs",
        True,
    )


def test_a_schedule_from_settings_replaces_the_default_and_an_admin_edit(settings):
    settings.PERIODIC_JOB_SCHEDULES = {
        "KPIs: complete the runs": "every 5 minutes",
        "KPIs: the current month so far": "0 23 * * 1-5",
    }
    so_far = PeriodicTask.objects.get(name="KPIs: the current month so far")
    so_far.crontab = CrontabSchedule.objects.create(minute="0", hour="12", timezone="UTC")
    so_far.save()

    done = sync_schedules()

    assert sorted(done["updated"]) == [
        "KPIs: complete the runs",
        "KPIs: the current month so far",
    ]
    runs = PeriodicTask.objects.get(name="KPIs: complete the runs")
    so_far.refresh_from_db()
    assert (schedule_of(runs), schedule_of(so_far)) == (
        Every(5, "minutes"),
        Crontab("0", "23", day_of_week="1-5"),
    )
    assert sync_schedules() == {"created": [], "updated": []}


@pytest.mark.parametrize("text", ["every minute", "0 2 1 *", "every 5 fortnights"])
def test_a_schedule_that_is_neither_crontab_nor_interval_is_refused(text):
    with pytest.raises(ImproperlyConfigured):
        parse_schedule(text)


def test_a_settings_schedule_for_no_declared_job_is_refused(settings):
    settings.PERIODIC_JOB_SCHEDULES = {"KPIs: a job nobody declared": "0 1 * * *"}

    with pytest.raises(ImproperlyConfigured, match="a job nobody declared"):
        sync_schedules()
