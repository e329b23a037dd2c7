"""The daily re-evaluation of the months whose figures are not final yet, kept by
django-celery-beat in the database so staff can change it in the admin (Periodic tasks).
Times are UTC."""

import json

from django.db import migrations

JOBS = [
    # Every day at 01:45: every month over but not final yet, until it is final.
    ("KPIs: months not final yet", "kpi.evaluate_open_months", "45", "1"),
]


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in JOBS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month="*",
            month_of_year="*",
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
        ("kpi", "0009_final_months_late_cases_and_warnings"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
