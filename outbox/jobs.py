"""The outbox's sweep and its default schedule, kept in django-celery-beat by
certportal.schedules; staff change it in the admin (Periodic tasks)."""

from certportal.schedules import Every, Job

JOBS = [
    Job(
        "Outbox: deliver what is pending",
        "outbox.deliver_pending",
        Every(1, "minutes"),
        "Every minute: run what the broker never took, what failed and is due again, and what "
        "a lost worker left half-done.",
    ),
]
