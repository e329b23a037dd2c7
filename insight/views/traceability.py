"""The rules' traceability page: each rule of docs/rules.md with the code that enforces it,
the tests that prove it and the request decisions it governs, read from the source tree."""

import functools
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from catalogue.rules import require as _require
from workflow.decision_rules import RULES_OF_TRANSITION
from workflow.models import Application

from ..forms_traceability import RuleFilterForm
from ..traceability import RULES_FILE, Rule, Traceability, trace


@functools.cache
def traceability_of(root: Path) -> Traceability | None:
    """The rules read from `root`, once per process: the source files do not change while it
    runs (a deployment starts new processes). None when `root` has no docs/rules.md."""
    if not (root / RULES_FILE).is_file():
        return None
    return trace(root)


@functools.cache
def _transition_labels() -> dict:
    """Each request transition's label, lazy: shown in the reader's language."""
    return {
        transition.name: transition.custom.get("label", transition.name)
        for transition in Application._meta.get_field("state").get_all_transitions(Application)
    }


def decisions_of(rule_id: str) -> list[str]:
    """The labels of the request transitions a rule governs (workflow.decision_rules)."""
    labels = _transition_labels()
    shown = (
        str(labels.get(name, name)) for name, ids in RULES_OF_TRANSITION.items() if rule_id in ids
    )
    return list(dict.fromkeys(shown))


def _shown(rules: tuple[Rule, ...], groups: tuple[str, ...], data: dict, proofs_known: bool):
    """The rules the filters keep: the words or ID asked, the stage, unproved only."""
    words = (data.get("q") or "").casefold().split()
    stage = data.get("stage")
    group = groups[stage - 1] if stage and stage <= len(groups) else None
    return [
        rule
        for rule in rules
        if (group is None or rule.group == group)
        and not (data.get("unproved") and proofs_known and rule.proved)
        and all(word in f"{rule.id} {rule.text} {rule.where}".casefold() for word in words)
    ]


@login_required
def rules_traceability(request):
    _require(request.user, "insight.view_traceability")
    traced = traceability_of(Path(settings.BASE_DIR))
    if traced is None:
        return render(request, "insight/rules_traceability.html", {"missing": RULES_FILE})
    form = RuleFilterForm(request.GET or None, groups=traced.groups)
    data = form.cleaned_data if form.is_valid() else {}
    shown = _shown(traced.rules, traced.groups, data, traced.tests_found)
    rows = [(rule, decisions_of(rule.id)) for rule in shown]
    return render(
        request,
        "insight/rules_traceability.html",
        {
            "form": form,
            "traced": traced,
            "rows": rows,
            "filtered": len(shown) != len(traced.rules),
            "proved_count": len(traced.rules) - len(traced.unproved),
        },
    )
