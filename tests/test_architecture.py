"""The shape docs/architecture.md describes, checked: the apps import one way, in layers, and
the pages stay thin."""

import ast
import re
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


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _registered_by_rules() -> set[str]:
    from rules.permissions import permissions  # noqa: PLC0415

    return set(permissions)


def _django_model_permissions() -> set[str]:
    from django.apps import apps  # noqa: PLC0415

    names = set()
    for model in apps.get_models():
        meta = model._meta
        names |= {
            f"{meta.app_label}.{action}_{meta.model_name}" for action in meta.default_permissions
        }
        names |= {f"{meta.app_label}.{codename}" for codename, _name in meta.permissions}
    return names


def test_every_rules_add_perm_sits_in_its_apps_rules_module_and_namespace():
    """A permission registered with `rules.add_perm` is in `<app>/rules.py` and named
    `<app>.…`; the models' `Meta.rules_permissions` are named after their app by rules."""
    misplaced = []
    for app, path in _sources():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _called_name(node) == "add_perm"):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            name = (
                node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            )
            if path != ROOT / app / "rules.py" or not str(name).startswith(f"{app}."):
                misplaced.append((where, name))

    assert misplaced == []
    assert {name.split(".")[0] for name in _registered_by_rules()} == {
        "catalogue",
        "workflow",
        "dod",
        "support_audit",
        "kpi",
        "insight",
    }


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


PERMISSION = r"""["']([a-z_]+\.[a-z_]+)["']"""
USES = [
    re.compile(r"has_perm\(\s*" + PERMISSION),
    re.compile(r"require\(\s*[\w.]+\s*,\s*" + PERMISSION),
    re.compile(r"\bcan\(\s*" + PERMISSION),
    re.compile(r"""parent_permission\s*=\s*""" + PERMISSION),
]
IN_TEMPLATES = re.compile(r"\bperms\.([a-z_]+)\.([a-z_]+)")


def _used_permissions() -> dict[str, str]:
    used = {}
    for _app, path in _sources():
        text = path.read_text()
        for pattern in USES:
            for match in pattern.finditer(text):
                used.setdefault(match.group(1), str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for match in IN_TEMPLATES.finditer(path.read_text()):
            used.setdefault(f"{match.group(1)}.{match.group(2)}", str(path.relative_to(ROOT)))
    return used


def test_every_permission_named_in_code_and_templates_is_registered():
    """`has_perm("…")`, `require(user, "…")`, `can("…")` and `perms.app.x` name a rule or a
    Django model permission: a renamed permission leaves no name behind."""
    known = _registered_by_rules() | _django_model_permissions()
    used = _used_permissions()

    dangling = {name: where for name, where in used.items() if name not in known}

    assert "workflow.submit_application" in used
    assert "workflow.run_stage_one" in used
    assert dangling == {}


def test_every_permission_the_roles_get_in_the_admin_exists():
    from accounts.permissions import ROLE_PERMISSIONS  # noqa: PLC0415

    known = _django_model_permissions()
    granted = {name for names in ROLE_PERMISSIONS.values() for name in names}

    assert sorted(granted - known) == []
