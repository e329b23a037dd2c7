"""The daily re-evaluation of the months not final yet used to be scheduled here. It is
declared in kpi/jobs.py and its django-celery-beat row kept by certportal.schedules after every
migrate; this migration stays, empty, because later ones depend on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0009_final_months_late_cases_and_warnings"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
