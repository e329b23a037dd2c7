"""The KPI jobs' default schedule, kept by django-celery-beat in the database so staff can
change it in the admin (Periodic tasks). Times are UTC."""

import json

from django.db import migrations

JOBS = [
    # The 1st of every month at 02:00: evaluate the month that ended, enforce the targets.
    ("KPIs: evaluate the previous month", "kpi.evaluate_month", "0", "2", "1", "*"),
    # 1 January and 1 July at 03:00: evaluate the NPS half-year that ended.
    ("KPIs: evaluate the previous NPS half-year", "kpi.evaluate_half_year", "0", "3", "1", "1,7"),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour, day, months in JOBS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=day,
            month_of_year=months,
            day_of_week="*",
            timezone="UTC",
        )
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "kwargs": json.dumps({})}
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0002_seed_policies_and_thresholds"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
