"""The daily jobs' default schedule, kept by django-celery-beat in the database so staff can
change it in the admin (Periodic tasks). Times are UTC."""

import json

from django.db import migrations

JOBS = [
    # Every day at 01:30: the current month's KPIs "so far" (provisional, never enforced).
    ("KPIs: the current month so far", "kpi.evaluate_so_far", "30", "1"),
    # Every day at 06:00: reminders of overdue audits, remediation actions and critical fixes.
    ("Reminders: what is due", "support_audit.send_reminders", "0", "6"),
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
        ("kpi", "0003_beat_schedule"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
