"""The shape docs/architecture.md describes, checked: the apps import one way, in layers, and
the pages stay thin."""

from collections import defaultdict
from pathlib import Path

import grimp
from django.conf import settings
from importlinter.cli import lint_imports

ROOT = Path(settings.BASE_DIR)
APPS = ["certportal", "accounts", "outbox", "catalogue", "dod", "support_audit", "kpi", "workflow"]


def test_the_apps_keep_the_layers_declared_in_pyproject():
    """`lint-imports` (import-linter) passes: the workflow on the stages, the stages on the
    catalogue, nothing importing upwards."""
    assert lint_imports(no_cache=True, no_logo=True) == 0


def test_no_app_imports_an_app_that_imports_it_back():
    graph = grimp.build_graph(*APPS, include_external_packages=False)
    imports = defaultdict(set)
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            source, target = module.split(".")[0], imported.split(".")[0]
            if source != target:
                imports[source].add(target)
    # certportal is the project: its URLconf and settings name every app, its helpers serve all.
    both_ways = sorted(
        (a, b)
        for a in APPS
        for b in imports[a]
        if a in imports[b] and a < b and "certportal" not in (a, b)
    )
    assert both_ways == []


def test_no_view_module_is_longer_than_300_lines():
    modules = [path for app in APPS for path in (ROOT / app).glob("views*.py")]
    modules += [path for app in APPS for path in (ROOT / app).glob("views/*.py")]
    too_long = {
        str(path.relative_to(ROOT)): length
        for path in modules
        if (length := len(path.read_text().splitlines())) > 300
    }
    assert modules
    assert too_long == {}
