from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    """The benchmark commands (`manage.py bench_uploads`, `manage.py bench_kpis`; see
    docs/performance.md), kept out of the domain apps they measure."""

    name = "benchmarks"
    verbose_name = _("Benchmarks")
