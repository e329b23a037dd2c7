from django import template

from ..decision_rules import rules_of

register = template.Library()


@register.filter
def decision_rules(transition: str) -> tuple[str, ...]:
    """The rule IDs that govern a timeline entry's transition (workflow.decision_rules)."""
    return rules_of(transition or "")
