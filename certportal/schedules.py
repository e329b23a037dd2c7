"""The periodic jobs: each app declares its own in `<app>/jobs.py` (a list `JOBS` of `Job`),
and after every `migrate` the django-celery-beat rows are brought in step with them.

The rules (docs/reliability.md, "Periodic jobs"):

- a declared job without a row gets one, with the declared schedule, enabled;
- a row that exists keeps its schedule and its enabled flag: what an operator changed in the
  admin (*Periodic tasks*) survives every migrate. The declaration's task and description are
  the code's and are written again when they differ;
- `settings.PERIODIC_JOB_SCHEDULES` maps a job's name to a schedule ("30 1 * * *" or
  "every 5 minutes") that replaces the declared default. A schedule set there is the
  deployment's own decision and is applied to the row at every migrate, over an admin edit;
- rows no declaration names (made by hand in the admin) are left alone.

Running the sync again changes nothing. Crontab times are UTC.
"""

import json
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps as global_apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.module_loading import module_has_submodule
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

PERIODS = ("days", "hours", "minutes", "seconds")


@dataclass(frozen=True)
class Crontab:
    """Five crontab fields in UTC: minute, hour, day of month, month, day of week."""

    minute: str
    hour: str
    day_of_month: str = "*"
    month_of_year: str = "*"
    day_of_week: str = "*"

    def __str__(self) -> str:
        return " ".join(
            (self.minute, self.hour, self.day_of_month, self.month_of_year, self.day_of_week)
        )


@dataclass(frozen=True)
class Every:
    """A fixed interval: every `every` `period` (days, hours, minutes or seconds)."""

    every: int
    period: str = "minutes"

    def __post_init__(self):
        if self.every < 1 or self.period not in PERIODS:
            raise ImproperlyConfigured(f"Not an interval: every {self.every} {self.period}.")

    def __str__(self) -> str:
        return f"every {self.every} {self.period}"


@dataclass(frozen=True)
class Job:
    """A periodic job: its row's unique name, the Celery task, its default schedule."""

    name: str
    task: str
    schedule: Crontab | Every
    description: str = ""


def parse_schedule(text: str) -> Crontab | Every:
    """'every 15 minutes' or five crontab fields such as '0 2 1 * *'."""
    words = text.split()
    if len(words) == 3 and words[0] == "every" and words[1].isdigit():
        return Every(int(words[1]), words[2])
    if len(words) == 5:
        return Crontab(*words)
    raise ImproperlyConfigured(
        f"PERIODIC_JOB_SCHEDULES: {text!r} is neither five crontab fields nor 'every N minutes'."
    )


def declared_jobs() -> list[Job]:
    """Every installed app's `jobs.JOBS`, with the schedules settings override."""
    jobs: dict[str, Job] = {}
    for app_config in global_apps.get_app_configs():
        if not module_has_submodule(app_config.module, "jobs"):
            continue
        for job in getattr(import_module(f"{app_config.name}.jobs"), "JOBS", ()):
            if job.name in jobs:
                raise ImproperlyConfigured(f"Two periodic jobs are named {job.name!r}.")
            jobs[job.name] = job
    overrides = getattr(settings, "PERIODIC_JOB_SCHEDULES", {})
    unknown = set(overrides) - set(jobs)
    if unknown:
        raise ImproperlyConfigured(
            f"PERIODIC_JOB_SCHEDULES names no declared job: {', '.join(sorted(unknown))}."
        )
    return [
        Job(job.name, job.task, parse_schedule(overrides[job.name]), job.description)
        if job.name in overrides
        else job
        for job in jobs.values()
    ]


def _schedule_fields(schedule: Crontab | Every, using: str) -> dict:
    """The PeriodicTask fields that give it this schedule (one kind set, the others cleared)."""
    if isinstance(schedule, Every):
        interval = IntervalSchedule.objects.using(using).filter(
            every=schedule.every, period=schedule.period
        ).first() or IntervalSchedule.objects.using(using).create(
            every=schedule.every, period=schedule.period
        )
        return {"interval": interval, "crontab": None, "solar": None, "clocked": None}
    fields = {
        "minute": schedule.minute,
        "hour": schedule.hour,
        "day_of_month": schedule.day_of_month,
        "month_of_year": schedule.month_of_year,
        "day_of_week": schedule.day_of_week,
        "timezone": "UTC",
    }
    crontab = CrontabSchedule.objects.using(using).filter(
        **fields
    ).first() or CrontabSchedule.objects.using(using).create(**fields)
    return {"interval": None, "crontab": crontab, "solar": None, "clocked": None}


def _has_schedule(row: PeriodicTask, schedule: Crontab | Every) -> bool:
    if isinstance(schedule, Every):
        return (
            row.interval_id is not None
            and row.crontab_id is None
            and (row.interval.every, row.interval.period) == (schedule.every, schedule.period)
        )
    return (
        row.crontab_id is not None
        and row.interval_id is None
        and str(row.crontab.timezone) == "UTC"
        and (
            row.crontab.minute,
            row.crontab.hour,
            row.crontab.day_of_month,
            row.crontab.month_of_year,
            row.crontab.day_of_week,
        )
        == (
            schedule.minute,
            schedule.hour,
            schedule.day_of_month,
            schedule.month_of_year,
            schedule.day_of_week,
        )
    )


def sync_schedules(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """Bring the django-celery-beat rows in step with the declared jobs; the names of the rows
    created and updated."""
    overridden = set(getattr(settings, "PERIODIC_JOB_SCHEDULES", {}))
    done: dict[str, list[str]] = {"created": [], "updated": []}
    with transaction.atomic(using=using):
        rows = {
            row.name: row
            for row in PeriodicTask.objects.using(using).select_related("interval", "crontab")
        }
        for job in declared_jobs():
            row = rows.get(job.name)
            if row is None:
                PeriodicTask.objects.using(using).create(
                    name=job.name,
                    task=job.task,
                    description=job.description,
                    kwargs=json.dumps({}),
                    **_schedule_fields(job.schedule, using),
                )
                done["created"].append(job.name)
                continue
            changes = {
                field: value
                for field, value in (("task", job.task), ("description", job.description))
                if getattr(row, field) != value
            }
            if job.name in overridden and not _has_schedule(row, job.schedule):
                changes.update(_schedule_fields(job.schedule, using))
            if changes:
                for field, value in changes.items():
                    setattr(row, field, value)
                row.save(using=using)
                done["updated"].append(job.name)
    return done


def sync_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate of django_celery_beat: sync once its tables exist (not after a migrate
    that unapplied them)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if {PeriodicTask._meta.db_table, CrontabSchedule._meta.db_table} <= tables:
        sync_schedules(using)
