"""The daily jobs' schedule used to be written here. They are declared in kpi/jobs.py and
support_audit/jobs.py and their django-celery-beat rows kept by certportal.schedules after
every migrate; this migration stays, empty, because later ones depend on it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0003_beat_schedule"),
    ]

    operations = []
