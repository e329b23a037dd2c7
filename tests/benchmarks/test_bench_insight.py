from io import StringIO

import pytest
from django.core.management import call_command

from catalogue.models import Solution
from workflow.models import Application


@pytest.mark.django_db
def test_bench_insight_reports_each_url_at_each_size_and_leaves_nothing_behind():
    out = StringIO()

    call_command("bench_insight", "--sizes", "7,21", "--rounds", "1", stdout=out)

    lines = out.getvalue().strip().splitlines()
    keys = [pair.split("=")[0] for pair in lines[-1].split()]
    assert keys == [
        "overview_queries",
        "overview_ms",
        "overview_xlsx_queries",
        "overview_xlsx_ms",
        "queue_queries",
        "queue_ms",
        "queue_csv_queries",
        "queue_csv_ms",
        "api_requests_queries",
        "api_requests_ms",
        "api_requests_stage3_queries",
        "api_requests_stage3_ms",
    ]
    figures = dict(pair.split("=") for pair in lines[-1].split())
    for name in ("overview", "queue", "api_requests", "api_requests_stage3"):
        small, large = figures[f"{name}_queries"].split("/")
        assert small == large != "0", name
    assert not Solution.objects.filter(slug__startswith="bench-insight-").exists()
    assert not Application.objects.exists()
