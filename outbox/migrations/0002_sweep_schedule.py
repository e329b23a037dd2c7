"""The outbox sweep used to be scheduled here. It is declared in outbox/jobs.py and its
django-celery-beat row kept by certportal.schedules after every migrate; this migration stays,
empty, so that migrations added on other branches after it still apply."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
