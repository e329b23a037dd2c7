"""The sweep that completes the KPI runs used to be scheduled here. It is declared in
kpi/jobs.py and its django-celery-beat row kept by certportal.schedules after every migrate;
this migration stays, empty, because later ones depend on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0011_evaluation_runs_keep_a_ledger"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
