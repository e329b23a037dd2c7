"""The sweep that completes the KPI runs (kpi.runs) every quarter of an hour, kept by
django-celery-beat in the database so staff can change it in the admin (Periodic tasks)."""

import json

from django.db import migrations

NAME = "KPIs: complete the runs"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    quarter_hour, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={"task": "kpi.complete_runs", "interval": quarter_hour, "kwargs": json.dumps({})},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0011_evaluation_runs_keep_a_ledger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
