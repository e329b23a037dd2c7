"""The KPI jobs' schedule used to be written here. The jobs are declared in kpi/jobs.py and
their django-celery-beat rows kept by certportal.schedules after every migrate; this migration
stays, empty, because later ones depend on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0002_seed_policies_and_thresholds"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
