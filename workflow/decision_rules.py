"""The rules of docs/rules.md that govern each transition of a request (its decisions).

The request's page shows them beside each step of its timeline, linked to the rules'
traceability page for the team. Kept by hand beside the transitions of
workflow/models/requests.py: tests/workflow/test_request_rules_links.py holds it to them, so
every rule a transition's conditions or permission enforce (their messages and the "where"
column of docs/rules.md) is listed here.
"""

# By transition name, as django-fsm-log records it on the timeline entry.
RULES_OF_TRANSITION: dict[str, tuple[str, ...]] = {
    # Stage 1
    "submit": ("R1.1",),
    "hold_meeting": ("R1.2",),
    "accept": ("R1.2", "R1.3"),
    "decline_readiness": ("R1.2", "R1.3"),
    # Stage 2: only the leaders decide, weighing the portfolio, roadmap and demand.
    "approve": ("R2.1", "R2.2", "R2.3", "R2.4", "R2.5"),
    "defer": ("R2.1", "R2.3"),
    "resume": ("R2.1",),
    "decline_approval": ("R2.1",),
    # Stage 3
    "open_update": ("R3.2", "R6.1"),
    "submit_materials": ("R3.3", "R3.4", "R3.5", "R6.1", "R6.2", "R7.2"),
    "request_changes": ("R3.8",),
    "pass_quality": ("R3.1", "R3.6", "R3.7"),
    "pass_update": ("R3.2", "R3.6", "R3.7", "R6.1", "R6.2"),
    "decline_quality": ("R3.1", "R3.6"),
    # Stage 4: the declared support standards, then the audit.
    "submit_support": ("R4.1", "R4.2", "R4.3", "R4.4", "R4.5", "R4.6"),
    "report_nonconformities": ("R4.7",),
    "request_reaudit": ("R4.1", "R4.2", "R4.3", "R4.4", "R4.5", "R4.6", "R4.7"),
    "pass_support": ("R4.1", "R4.2", "R4.3", "R4.4", "R4.5", "R4.6", "R4.7"),
    "decline_support": ("R4.7",),
    "certify": ("R7.1",),
}


def rules_of(transition: str) -> tuple[str, ...]:
    """The rule IDs that govern a transition (none for a step no rule decides, e.g. an edit)."""
    return RULES_OF_TRANSITION.get(transition, ())
