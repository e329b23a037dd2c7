# ruff: noqa: E501
"""Stored cases for the EXPLAIN of a month's counts (docs/performance.md, "A month read without
scanning the history"): in an empty, migrated database of its own, 1,000 certified solutions and
$CASES cases in time order, about 83,000 a month, the newest month 2026-11.

    CASES=1000000 DATABASE_URL=postgres://…/own_db python manage.py shell < scripts/explain_month_counts_setup.py
"""

import os
import time

from django.contrib.auth import get_user_model
from django.db import connection

from catalogue.enums import CertificationStatus, Marketplace
from catalogue.models import Certification, Partner, Solution, SolutionVersion
from workflow.enums import ApplicationState
from workflow.models import Application

total = int(os.environ["CASES"])
if not Solution.objects.exists():
    user = get_user_model().objects.create(username="explain", email="e@example.com")
    partners = Partner.objects.bulk_create(Partner(name=f"P{n}", slug=f"p-{n}") for n in range(100))
    sols = Solution.objects.bulk_create(
        Solution(
            partner=partners[n // 10],
            name=f"S{n}",
            slug=f"s-{n:05d}",
            marketplace=Marketplace.CREATIO,
            category="Telephony",
            is_published=True,
        )
        for n in range(1000)
    )
    vers = SolutionVersion.objects.bulk_create(
        SolutionVersion(solution=s, number="1.0.0") for s in sols
    )
    apps_ = Application.objects.bulk_create(
        Application(
            solution=s, version=v, motivation="x", created_by=user, state=ApplicationState.CERTIFIED
        )
        for s, v in zip(sols, vers, strict=False)
    )
    Certification.objects.bulk_create(
        Certification(solution=s, version=v, application=a, status=CertificationStatus.CERTIFIED)
        for s, v, a in zip(sols, vers, apps_, strict=False)
    )
started = time.perf_counter()
with connection.cursor() as c:
    c.execute("SELECT count(*) FROM kpi_supportcase")
    have = c.fetchone()[0]
    c.execute("SELECT min(id) FROM catalogue_solution")
    first = c.fetchone()[0]
    months = total // 83_000
    # cases in time order: the newest month is 2026-11, going back `months` months
    c.execute(
        """
        INSERT INTO kpi_supportcase (solution_id, case_id, customer, support_package, priority, region,
            registered_at, first_response_at, resolved_at, response_due_at, resolution_due_at,
            escalation_level, csat, presale, imported_at)
        SELECT %(first)s + (g %% 1000), 'X-' || g, 'customer-' || (g %% 50), 'business', 'medium', 'emea',
            t, t + interval '1 hour', t + interval '10 hours', t + interval '4 hours', t + interval '16 hours',
            CASE WHEN g %% 100 = 0 THEN 1 ELSE 0 END, CASE WHEN g %% 10 = 0 THEN 5 END, g %% 33 = 0, now()
        FROM (SELECT g, timestamptz '2026-12-01 00:00+00'
                 - (%(span)s::float8 * (%(total)s - g) / %(total)s) * interval '1 second' AS t
              FROM generate_series(%(start)s, %(total)s - 1) g) s
    """,
        {"first": first, "start": have, "total": total, "span": months * 30.4375 * 86400},
    )

print(f"cases: {total} over {months} months, inserted in {time.perf_counter() - started:.1f} s")
