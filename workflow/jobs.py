"""The daily reminders and their default schedule (UTC), kept in django-celery-beat by
certportal.schedules; staff change it in the admin (Periodic tasks)."""

from certportal.schedules import Crontab, Job

JOBS = [
    Job(
        "Reminders: what is due",
        "workflow.send_reminders",
        Crontab("0", "6"),
        "Every day at 06:00: reminders of overdue audits, remediation actions and critical fixes.",
    ),
]
