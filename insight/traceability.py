"""The regulation's rules traced to the code that enforces them and the tests that prove them.

Read from the source tree: docs/rules.md declares each rule (its ID, text, stage and a "where"
column naming the code), a test proves a rule when its docstring starts with the rule's ID
("R5.3: ..."), and each code reference is looked up with `ast` in the apps' sources. Pure
Python with no Django import, so `scripts/rules_report.py` (`make rules`) reads the same
parse as the portal's page (`/insight/rules/`).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

RULE_ID = re.compile(r"\*\*(R\d+\.\d+)\*\*")
DOCSTRING_ID = re.compile(r"^\s*(R\d+\.\d+)\b")
# In the "where" column: `name`, optionally after the word saying what it is.
CODE_REF = re.compile(r"(?:\b(condition|rule)\s+)?`([^`]+)`")
RULES_FILE = Path("docs") / "rules.md"
TESTS_DIR = Path("tests")
# Not the apps' own code: their migrations and the caches.
SKIPPED_DIRS = {"migrations", "__pycache__"}


@dataclass(frozen=True)
class Declared:
    """One rule as docs/rules.md declares it."""

    id: str
    text: str
    group: str
    where: str


@dataclass(frozen=True)
class CodeRef:
    """One name of the "where" column, with the file and line that define it when found."""

    name: str
    kind: str  # "condition", "rule" or "" (a function, class or attribute)
    path: str | None = None
    line: int | None = None

    @property
    def location(self) -> str | None:
        return None if self.path is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Proof:
    """A test whose docstring starts with the rule's ID."""

    path: str
    name: str
    line: int
    summary: str  # the docstring's summary (its first paragraph), without the rule's ID

    @property
    def test(self) -> str:
        return f"{self.path}::{self.name}"


@dataclass(frozen=True)
class Rule:
    id: str
    text: str
    group: str
    where: str
    code: tuple[CodeRef, ...]
    proofs: tuple[Proof, ...]

    @property
    def proved(self) -> bool:
        return bool(self.proofs)


@dataclass(frozen=True)
class Traceability:
    rules: tuple[Rule, ...]
    # The tests' directory was read; a deployment without it cannot say what is proved.
    tests_found: bool
    # IDs that tests name but docs/rules.md does not declare.
    unknown: tuple[str, ...]

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(rule.group for rule in self.rules))

    @property
    def unproved(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if not rule.proved)


def declared_rules(path: Path) -> list[Declared]:
    """Every rule ID of the file once, in order, each with its table row's text and "where"
    cell and the heading above it (an ID outside a table keeps its line as its text)."""
    rules: dict[str, Declared] = {}
    group = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            group = line[3:].strip()
            continue
        for rule_id in RULE_ID.findall(line):
            if rule_id in rules:
                continue
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if line.lstrip().startswith("|") and cells[0] == f"**{rule_id}**":
                text = cells[1] if len(cells) > 1 else ""
                where = cells[2] if len(cells) > 2 else ""
            else:
                text, where = line.strip(), ""
            rules[rule_id] = Declared(rule_id, text, group, where)
    return list(rules.values())


def proving_tests(tests_dir: Path, root: Path) -> dict[str, list[Proof]]:
    """The tests under `tests_dir` that prove a rule, by rule ID: files in name order, in each
    file in `ast.walk` order (the order `make rules` has always printed)."""
    proofs: dict[str, list[Proof]] = defaultdict(list)
    for file in sorted(tests_dir.rglob("test_*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                docstring = ast.get_docstring(node) or ""
                match = DOCSTRING_ID.match(docstring)
                if match:
                    # The summary may wrap over several lines: its first paragraph.
                    first = " ".join(docstring.split("\n\n")[0].split())
                    proofs[match.group(1)].append(
                        Proof(
                            path=file.relative_to(root).as_posix(),
                            name=node.name,
                            line=node.lineno,
                            summary=DOCSTRING_ID.sub("", first, count=1).lstrip(" :—-"),
                        )
                    )
    return proofs


def code_refs(where: str) -> list[tuple[str, str]]:
    """The (kind, name) pairs a "where" cell names."""
    return [(kind or "", name.strip()) for kind, name in CODE_REF.findall(where)]


class SourceIndex:
    """Where each name is defined in the apps' sources: functions and classes (also as
    `module.name` and `Class.member`) and the permissions of django-rules."""

    def __init__(self, root: Path):
        self.root = root
        self.names: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.permissions: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for app in sorted(path.parent for path in root.glob("*/apps.py")):
            for file in sorted(app.rglob("*.py")):
                if SKIPPED_DIRS & set(file.relative_to(app).parts):
                    continue
                self._read(app.name, file)

    def _read(self, app: str, file: Path) -> None:
        path = file.relative_to(self.root).as_posix()
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        # services/requests.py is `services`, selectors.py is `selectors`.
        module = file.parent.name if file.parent.name != app else file.stem
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.names[f"{module}.{node.name}"].append((path, node.lineno))
            for name in _assigned(node):
                self.names[f"{module}.{name}"].append((path, node.lineno))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                self.names[node.name].append((path, node.lineno))
            if isinstance(node, ast.ClassDef):
                self._read_class(app, path, node)
            if (
                isinstance(node, ast.Call)
                and _called(node) == "add_perm"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                self.permissions[str(node.args[0].value)].append((path, node.lineno))

    def _read_class(self, app: str, path: str, node: ast.ClassDef) -> None:
        for item in node.body:
            for name in _assigned(item):
                self.names[f"{node.name}.{name}"].append((path, item.lineno))
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                self.names[f"{node.name}.{item.name}"].append((path, item.lineno))
            # Meta.rules_permissions = {"decide": ...} registers `app.decide_model`.
            if isinstance(item, ast.ClassDef) and item.name == "Meta":
                for assignment in item.body:
                    if "rules_permissions" in _assigned(assignment) and isinstance(
                        assignment.value, ast.Dict
                    ):
                        for key in assignment.value.keys:
                            if isinstance(key, ast.Constant):
                                name = f"{app}.{key.value}_{node.name.lower()}"
                                self.permissions[name].append((path, key.lineno))

    def find(self, kind: str, name: str) -> CodeRef:
        """The best definition of `name`: a permission for a rule, a function of a
        conditions module for a condition, else the first definition in path order."""
        found = self.permissions.get(name, []) if kind == "rule" else []
        found = found or self.names.get(name, []) or self.permissions.get(name, [])
        if not found:
            return CodeRef(name=name, kind=kind)
        preferred = f"{kind}s.py" if kind else ""
        path, line = min(found, key=lambda place: (not place[0].endswith(preferred), place))
        return CodeRef(name=name, kind=kind, path=path, line=line)


def _called(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _assigned(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        return [target.id for target in node.targets if isinstance(target, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def trace(root: Path) -> Traceability:
    """Every rule of `root`/docs/rules.md with its code and its proofs (no proofs, and
    `tests_found` false, when `root` has no tests directory)."""
    tests_dir = root / TESTS_DIR
    tests_found = tests_dir.is_dir()
    proofs = proving_tests(tests_dir, root) if tests_found else {}
    declared = declared_rules(root / RULES_FILE)
    index = SourceIndex(root)
    rules = tuple(
        Rule(
            id=rule.id,
            text=rule.text,
            group=rule.group,
            where=rule.where,
            code=tuple(index.find(kind, name) for kind, name in code_refs(rule.where)),
            proofs=tuple(proofs.get(rule.id, [])),
        )
        for rule in declared
    )
    known = {rule.id for rule in rules}
    return Traceability(
        rules=rules,
        tests_found=tests_found,
        unknown=tuple(sorted(set(proofs) - known)),
    )
