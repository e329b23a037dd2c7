"""The KPI jobs and their default schedules (UTC), kept in django-celery-beat by
certportal.schedules; staff change them in the admin (Periodic tasks)."""

from certportal.schedules import Crontab, Every, Job

JOBS = [
    Job(
        "KPIs: evaluate the previous month",
        "kpi.evaluate_month",
        Crontab("0", "2", day_of_month="1"),
        "The 1st of every month at 02:00: evaluate the month that ended, enforce the targets.",
    ),
    Job(
        "KPIs: evaluate the previous NPS half-year",
        "kpi.evaluate_half_year",
        Crontab("0", "3", day_of_month="1", month_of_year="1,7"),
        "1 January and 1 July at 03:00: evaluate the NPS half-year that ended.",
    ),
    Job(
        "KPIs: the current month so far",
        "kpi.evaluate_so_far",
        Crontab("30", "1"),
        "Every day at 01:30: the current month's KPIs so far (provisional, never enforced).",
    ),
    Job(
        "KPIs: months not final yet",
        "kpi.evaluate_open_months",
        Crontab("45", "1"),
        "Every day at 01:45: every month over but not final yet, until it is final.",
    ),
    Job(
        "KPIs: complete the runs",
        "kpi.complete_runs",
        Every(15, "minutes"),
        "Every 15 minutes: hand on what the KPI runs left pending or failed and is due again, "
        "and start a run the scheduler missed.",
    ),
]
