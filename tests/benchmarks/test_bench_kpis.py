from io import StringIO

import pytest
from django.core.management import call_command

from catalogue.models import Solution


@pytest.mark.django_db
def test_bench_kpis_reports_and_leaves_nothing_behind():
    out = StringIO()
    call_command(
        "bench_kpis",
        "--solutions",
        "3",
        "--cases",
        "60",
        "--nps",
        "10",
        "--import-rows",
        "20",
        "--final-sizes",
        "3,5",
        stdout=out,
    )
    last = out.getvalue().strip().splitlines()[-1]
    keys = [pair.split("=")[0] for pair in last.split()]
    assert keys == [
        "import_rate",
        "copy_ratio",
        "ratio",
        "queries",
        "final_ratio",
        "final_queries",
        "rerun_queries",
    ]
    assert not Solution.objects.filter(slug__startswith="bench-").exists()
