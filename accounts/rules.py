"""Role predicates, shared by every app's rules."""

import rules

from .enums import Role


@rules.predicate
def is_partner(user) -> bool:
    return user.is_authenticated and user.partner_id is not None and user.has_role(Role.PARTNER)


@rules.predicate
def is_analyst(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ANALYST)


@rules.predicate
def is_leader(user) -> bool:
    return user.is_authenticated and user.has_role(Role.LEADER)


@rules.predicate
def is_rnd_expert(user) -> bool:
    return user.is_authenticated and user.has_role(Role.RND_EXPERT)


@rules.predicate
def is_auditor(user) -> bool:
    return user.is_authenticated and user.has_role(Role.AUDITOR)


@rules.predicate
def is_sales(user) -> bool:
    """A member of the vendor's sales staff: reads the certified solutions' sales materials
    (R7.2) and nothing of the certification work."""
    return user.is_authenticated and user.has_role(Role.SALES)


is_marketplace_team = is_analyst | is_leader | is_rnd_expert | is_auditor


@rules.predicate
def is_superuser(user) -> bool:
    """An active superuser: staff, who sees every record (Django grants them every permission)."""
    return user.is_authenticated and user.is_active and user.is_superuser
