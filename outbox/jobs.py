"""The outbox's sweep and its default schedule, kept in django-celery-beat by
certportal.schedules; staff change it in the admin (Periodic tasks)."""

from certportal.schedules import Crontab, Every, Job

JOBS = [
    Job(
        "Outbox: deliver what is pending",
        "outbox.deliver_pending",
        Every(1, "minutes"),
        "Every minute: run what the broker never took, what failed and is due again, and what "
        "a lost worker left half-done.",
    ),
    Job(
        "Outbox: daily digests",
        "outbox.send_digests",
        Crontab("30", "6"),
        "Every day at 06:30, after the reminders: each person's digest of the messages they "
        "chose to receive once a day.",
    ),
]
