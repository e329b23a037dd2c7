# ruff: noqa: E501
"""EXPLAIN (ANALYZE, BUFFERS) of the month's counts (kpi.counting.case_counts for 2026-11), with
case_registered_idx and without it (dropped in a transaction rolled back); see
scripts/explain_month_counts_setup.py.
"""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalogue.models import Solution
from kpi.counting import case_counts
from kpi.periods import parse_period

period = parse_period("2026-11")
as_of = period.end
solutions = Solution.objects.filter(certification__isnull=False)
with CaptureQueriesContext(connection) as ctx:
    counts = case_counts(period, solutions, as_of)
sql = ctx.captured_queries[-1]["sql"]
with connection.cursor() as c:
    c.execute(
        "SELECT count(*), pg_size_pretty(pg_total_relation_size('kpi_supportcase')), pg_size_pretty(pg_relation_size('case_registered_idx')) FROM kpi_supportcase"
    )
    print("cases, table+indexes, case_registered_idx:", c.fetchone())
    c.execute(
        "SELECT count(*) FROM kpi_supportcase WHERE registered_at >= %s AND registered_at < %s",
        [period.start, period.end],
    )
    print("cases in 2026-11:", c.fetchone()[0], "solutions counted:", len(counts))
    for label in (
        "with case_registered_idx",
        "without it (the index dropped in a rolled-back transaction)",
    ):
        for _attempt in (1, 2):
            with transaction.atomic():
                if label.startswith("without"):
                    c.execute("DROP INDEX case_registered_idx")
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = [row[0] for row in c.fetchall()]
                transaction.set_rollback(True)
        print(f"--- {label} (second run shown)")
        print("\n".join(plan))
