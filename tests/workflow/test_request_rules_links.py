"""The request page links each decision of its timeline to the rules that govern it, on the
rules' traceability page; the mapping (workflow.decision_rules) agrees with the transitions'
conditions and permissions and with docs/rules.md."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from insight.traceability import trace
from workflow import services
from workflow.decision_rules import RULES_OF_TRANSITION
from workflow.enums import Priority
from workflow.models import Application

from ..factories.workflow import (
    ApplicationFactory,
    ApprovalFactsFactory,
    actor,
    score_all_criteria,
)
from .markup import attr, find_all, text

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
# The request page's queries for the team, as before the rules were linked: the links add none.
TEAM_PAGE_QUERIES = 13


def approved_request():
    """A request submitted, its meeting scheduled and held, accepted and approved."""
    application = ApplicationFactory()
    partner = actor("own_partner", application)
    analyst = actor("analyst")
    leader = actor("leader")
    services.application_submit(application=application, by=partner)
    services.meeting_schedule(
        application=application,
        by=analyst,
        scheduled_for=timezone.now() + timedelta(days=1),
        location="Room 4",
    )
    services.meeting_record(
        application=application, by=analyst, held_at=timezone.now(), notes="Went well."
    )
    score_all_criteria(application, by=analyst)
    services.readiness_decide(application=application, by=analyst, accept=True, comment="")
    ApprovalFactsFactory(application=application)
    services.leader_decide(
        application=application, by=leader, decision="approve", comment="", priority=Priority.HIGH
    )
    return Application.objects.get(pk=application.pk), partner


def timeline_rules(response) -> list[list[tuple[str, str | None]]]:
    """Each timeline entry's rule IDs, each with the address it links to (None: plain text)."""
    (timeline,) = find_all(response, data_testid="timeline")
    shown = []
    for entry in find_all(timeline, "li"):
        found = find_all(entry, data_testid="decision-rules")
        if not found:
            shown.append([])
            continue
        links = {text(link): attr(link, "href") for link in find_all(found[0], "a")}
        ids = text(found[0]).removeprefix("Rules:").replace(",", " ").split()
        shown.append([(rule_id, links.get(rule_id)) for rule_id in ids])
    return shown


def linked(*rule_ids):
    return [(rule_id, f"/insight/rules/#{rule_id}") for rule_id in rule_ids]


def test_each_decision_of_the_timeline_links_its_rules_for_the_team(client):
    application, _partner = approved_request()
    client.force_login(actor("analyst"))

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert timeline_rules(response) == [
        linked("R1.1"),  # submitted
        [],  # meeting scheduled
        linked("R1.2"),  # meeting held
        linked("R1.2", "R1.3"),  # accepted
        linked("R2.1", "R2.2", "R2.3", "R2.4", "R2.5"),  # approved
    ]


def test_the_linked_rules_are_anchors_of_the_traceability_page(client):
    application, _partner = approved_request()
    client.force_login(actor("leader"))
    response = client.get(reverse("application_detail", args=[application.pk]))
    targets = {href for entry in timeline_rules(response) for _id, href in entry}

    rules_page = client.get(reverse("rules_traceability"))

    anchors = {f"/insight/rules/#{attr(node, 'id')}" for node in find_all(rules_page, "article")}
    assert targets <= anchors
    assert len(targets) == 8


def test_the_partner_reads_the_rule_ids_without_links(client):
    application, partner = approved_request()
    client.force_login(partner)

    response = client.get(reverse("application_detail", args=[application.pk]))

    assert timeline_rules(response) == [
        [("R1.1", None)],
        [],
        [("R1.2", None)],
        [("R1.2", None), ("R1.3", None)],
        [(rule_id, None) for rule_id in ("R2.1", "R2.2", "R2.3", "R2.4", "R2.5")],
    ]
    assert "/insight/rules/" not in response.content.decode()


def test_the_rule_links_leave_the_query_count_of_the_request_page_as_it_was(client):
    application, _partner = approved_request()
    client.force_login(actor("analyst"))
    url = reverse("application_detail", args=[application.pk])
    client.get(url)  # the session and the content types are cached after the first request

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert len(queries) == TEAM_PAGE_QUERIES


def _transitions():
    return list(Application._meta.get_field("state").get_all_transitions(Application))


def _named_ids(message: str) -> set[str]:
    """The rule IDs a condition's message names, ranges ("R3.3–R3.5") spelled out."""
    ids = set(re.findall(r"R\d+\.\d+", message))
    for group, first, last in re.findall(r"R(\d+)\.(\d+)–R\1\.(\d+)", message):
        ids |= {f"R{group}.{number}" for number in range(int(first), int(last) + 1)}
    return ids


def test_every_transition_named_in_the_mapping_exists():
    names = {transition.name for transition in _transitions()}

    assert set(RULES_OF_TRANSITION) <= names


def test_every_rule_of_the_mapping_is_declared_in_docs_rules_md():
    declared = {rule.id for rule in trace(ROOT).rules}

    assert {rule for ids in RULES_OF_TRANSITION.values() for rule in ids} <= declared


def test_a_transition_lists_every_rule_its_conditions_and_permission_enforce():
    """The rules its conditions' messages name, and the rules whose "where" column in
    docs/rules.md names one of its conditions or its permission."""
    rules = trace(ROOT).rules
    missing = {}
    with translation.override("en"):
        for transition in _transitions():
            names = {condition.__name__ for condition in transition.conditions}
            permission = transition.permission.__name__.removeprefix("can_")
            enforced = set()
            for condition in transition.conditions:
                enforced |= _named_ids(str(condition.message))
            for rule in rules:
                for ref in rule.code:
                    if (ref.kind == "condition" and ref.name in names) or (
                        ref.kind == "rule" and ref.name.endswith(f".{permission}")
                    ):
                        enforced.add(rule.id)
            left_out = enforced - set(RULES_OF_TRANSITION.get(transition.name, ()))
            if left_out:
                missing[transition.name] = sorted(left_out)

    assert missing == {}
