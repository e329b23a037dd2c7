"""support_audit.audit_facts: the hook through which an app above stage 4 tells the regular
audit page what it knows of a solution."""

import pytest

from kpi.customers import regular_audit_facts, versions_behind_finding
from support_audit import audit_facts


@pytest.fixture
def empty_hook(monkeypatch):
    monkeypatch.setattr(audit_facts, "_facts", [])
    monkeypatch.setattr(audit_facts, "_findings", {})


def test_with_nothing_registered_the_page_shows_no_facts_and_raises_no_finding(empty_hook):
    assert audit_facts.facts("solution") == {}
    assert audit_facts.finding("solution", "R6.4") is None


def test_the_facts_of_every_provider_are_merged_and_a_provider_counts_once(empty_hook):
    def customers(solution):
        return {"customers": f"customers of {solution}"}

    audit_facts.provide_facts(customers)
    audit_facts.provide_facts(customers)
    audit_facts.provide_facts(lambda solution: {"behind": [solution]})
    assert audit_facts.facts("crm") == {"customers": "customers of crm", "behind": ["crm"]}


def test_a_finding_is_asked_of_the_provider_of_its_rule(empty_hook):
    audit_facts.provide_finding("R6.4", lambda solution: f"{solution} is behind")
    assert audit_facts.finding("crm", "R6.4") == "crm is behind"
    assert audit_facts.finding("crm", "R6.3") is None


def test_the_kpi_app_registers_the_customers_versions():
    assert regular_audit_facts in audit_facts._facts
    assert audit_facts._findings["R6.4"] is versions_behind_finding
