"""The rules' traceability page (/insight/rules/): every rule of docs/rules.md with the code
that enforces it and the tests that prove it, the same as `make rules` prints."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from insight.traceability import trace
from tests.factories.workflow import SolutionFactory, actor
from tests.workflow.markup import attr, find_all, text, texts

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
URL = "/insight/rules/"


@pytest.fixture
def analyst_client(client):
    client.force_login(actor("analyst"))
    return client


def shown_rules(response) -> dict[str, list[str]]:
    """Each rule on the page, by ID, with its proving tests (file::test)."""
    return {
        attr(article, "data-rule"): [
            text(code) for code in find_all(article, "code") if "::" in text(code)
        ]
        for article in find_all(response, "article", data_testid="rule")
    }


def rule_card(response, rule_id: str):
    (article,) = find_all(response, "article", id=rule_id)
    return article


def a_source_tree(root: Path, *, with_tests: bool = True) -> Path:
    """A portal's sources in small: two rules, one condition, one proving test."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "rules.md").write_text(
        "# Rules\n\n## Stage 1 — requests\n\n| ID | rule | where |\n|---|---|---|\n"
        "| **R1.1** | A request is filed by its developer. | condition `is_developer` |\n\n"
        "## Stage 2 — approval\n\n| ID | rule |\n|---|---|\n"
        "| **R2.1** | Leaders decide. |\n",
        encoding="utf-8",
    )
    (root / "requests").mkdir()
    (root / "requests" / "apps.py").write_text("", encoding="utf-8")
    (root / "requests" / "conditions.py").write_text(
        '"""Conditions."""\n\n\ndef is_developer(application):\n    return True\n',
        encoding="utf-8",
    )
    if with_tests:
        (root / "tests").mkdir()
        (root / "tests" / "test_requests.py").write_text(
            'def test_developer_files():\n    """R1.1: the developer files the request."""\n',
            encoding="utf-8",
        )
    return root


def test_the_page_lists_every_rule_of_docs_rules_md_with_its_proving_tests(analyst_client):
    traced = trace(ROOT)

    response = analyst_client.get(reverse("rules_traceability"))

    assert response.status_code == 200
    assert shown_rules(response) == {
        rule.id: [proof.test for proof in rule.proofs] for rule in traced.rules
    }
    assert len(traced.rules) == len(
        set(re.findall(r"\*\*(R\d+\.\d+)\*\*", (ROOT / "docs" / "rules.md").read_text()))
    )
    assert texts(response, data_testid="stage") == list(traced.groups)


def test_the_page_agrees_with_make_rules(analyst_client):
    result = subprocess.run(
        [sys.executable, "scripts/rules_report.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    printed: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        if match := re.match(r"^(R\d+\.\d+)\s+\d+ test\(s\)$", line):
            current = printed.setdefault(match.group(1), [])
        elif line.startswith("         tests/"):
            current.append(line.strip())

    response = analyst_client.get(URL)

    assert shown_rules(response) == printed
    summary = [line for line in result.stdout.splitlines() if line.endswith("rules proved.")]
    assert [
        text(node).split(" rules proved.")[0] + " rules proved."
        for node in find_all(response, data_testid="proved-count")
    ] == summary


def test_a_known_rule_shows_where_its_code_is_and_a_test_that_proves_it(analyst_client):
    lines = (ROOT / "workflow" / "conditions.py").read_text().splitlines()
    line = next(n for n, code in enumerate(lines, 1) if code.startswith("def meeting_was_held("))

    response = analyst_client.get(URL + "#R1.2")

    card = rule_card(response, "R1.2")
    assert texts(card, "li")[0] == f"workflow/conditions.py:{line} meeting_was_held"
    assert (
        "tests/workflow/test_rules.py::test_r12_readiness_decision_refused_until_the_meeting_is_held"
        " — the readiness decision is refused until the set-up meeting is held."
    ) in texts(card, "li")
    assert texts(card, "p")[0] == "The set-up meeting is held before the readiness decision."
    assert texts(card, data_testid="decisions") == [
        "Decisions on a request: Record the meeting, Accept, Decline"
    ]


def test_the_leaders_rule_names_the_permission_on_the_model(analyst_client):
    lines = (ROOT / "workflow" / "models" / "requests.py").read_text().splitlines()
    line = next(n for n, code in enumerate(lines, 1) if code.strip().startswith('"decide":'))

    response = analyst_client.get(URL)

    assert texts(rule_card(response, "R2.1"), data_testid="code") == [
        f"workflow/models/requests.py:{line} workflow.decide_application"
    ]


def test_a_rule_without_a_where_column_says_so(analyst_client):
    response = analyst_client.get(URL)

    assert texts(rule_card(response, "R5.1"), data_testid="no-code") == [
        "docs/rules.md names no code for this rule."
    ]


def test_an_unproved_rule_is_flagged_and_can_be_listed_alone(analyst_client, settings, tmp_path):
    settings.BASE_DIR = a_source_tree(tmp_path / "portal")

    every = analyst_client.get(URL)
    unproved = analyst_client.get(URL, {"unproved": "on"})

    assert texts(every, data_testid="proved-count") == ["1 of 2 rules proved. Not proved yet: R2.1"]
    assert texts(rule_card(every, "R2.1"), data_testid="unproved") == ["not proved"]
    assert find_all(rule_card(every, "R1.1"), data_testid="unproved") == []
    assert texts(rule_card(every, "R1.1"), "li") == [
        "requests/conditions.py:4 is_developer",
        "tests/test_requests.py::test_developer_files — the developer files the request.",
    ]
    assert list(shown_rules(unproved)) == ["R2.1"]
    assert texts(unproved, data_testid="shown-count") == ["1 rule of 2."]


def test_the_rules_are_read_once_and_kept(analyst_client, settings, tmp_path):
    settings.BASE_DIR = a_source_tree(tmp_path / "portal")
    analyst_client.get(URL)
    (tmp_path / "portal" / "docs" / "rules.md").write_text("| **R9.9** | New. |\n")

    response = analyst_client.get(URL)

    assert list(shown_rules(response)) == ["R1.1", "R2.1"]


def test_without_the_tests_directory_the_page_says_so_and_lists_the_rules(
    analyst_client, settings, tmp_path
):
    settings.BASE_DIR = a_source_tree(tmp_path / "portal", with_tests=False)

    response = analyst_client.get(URL, {"unproved": "on"})

    assert response.status_code == 200
    assert texts(response, data_testid="no-tests") == [
        "This installation has no tests directory: the code of each rule is shown, but not the "
        "tests that prove it."
    ]
    assert list(shown_rules(response)) == ["R1.1", "R2.1"]
    assert find_all(response, data_testid="unproved") == []


def test_without_docs_rules_md_the_page_says_so(analyst_client, settings, tmp_path):
    settings.BASE_DIR = tmp_path

    response = analyst_client.get(URL)

    assert response.status_code == 200
    assert texts(response, data_testid="no-rules") == [
        "This installation has no docs/rules.md: the rules cannot be listed."
    ]


def test_the_stage_filter_keeps_that_stages_rules(analyst_client):
    response = analyst_client.get(URL, {"stage": "2"})

    assert list(shown_rules(response)) == ["R2.1", "R2.2", "R2.3", "R2.4", "R2.5"]
    assert texts(response, data_testid="stage") == ["Stage 2 — approval (2, 2.1)"]


def test_the_search_finds_words_of_the_rule_or_its_id(analyst_client):
    by_words = analyst_client.get(URL, {"q": "Mystery shopper"})
    by_id = analyst_client.get(URL, {"q": "r6.5"})

    assert list(shown_rules(by_words)) == ["R4.7", "R5.7"]
    assert list(shown_rules(by_id)) == ["R6.5"]


def test_an_unknown_stage_is_refused_and_every_rule_shown(analyst_client):
    response = analyst_client.get(URL, {"stage": "99"})

    assert texts(response, data_testid="filter-error") == [
        "Stage: Select a valid choice. 99 is not one of the available choices."
    ]
    assert len(shown_rules(response)) == len(trace(ROOT).rules)


def test_filters_that_match_nothing_say_so(analyst_client):
    response = analyst_client.get(URL, {"q": "no such words anywhere"})

    assert texts(response, data_testid="no-match") == ["No rule matches these filters."]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("own_partner", 403),
        ("other_partner", 403),
        ("analyst", 200),
        ("leader", 200),
        ("rnd_expert", 200),
        ("auditor", 200),
        ("superuser", 200),
    ],
)
def test_the_page_is_for_the_team_and_superusers_only(client, role, status):
    user = actor(role, SolutionFactory())
    if role != "anonymous":
        client.force_login(user)

    response = client.get(URL)

    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))
    if status == 200:
        assert len(shown_rules(response)) == len(trace(ROOT).rules)


def test_the_decisions_read_in_the_readers_language_after_an_english_reader(analyst_client):
    analyst_client.get(URL)  # the rules and the transitions are read once, in English
    with translation.override("ru"):
        expected = [str(_(label)) for label in ("Record the meeting", "Accept", "Decline")]

    response = analyst_client.get(URL, HTTP_ACCEPT_LANGUAGE="ru")

    assert expected != ["Record the meeting", "Accept", "Decline"]
    assert texts(rule_card(response, "R1.2"), data_testid="decisions")[0].split(": ", 1)[1] == (
        ", ".join(expected)
    )
