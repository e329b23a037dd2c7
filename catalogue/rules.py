"""Who may see and do what with the catalogue's records, and the predicates every app's rules
build on (django-rules).

The permissions that are one action on one model are attached to the model with
`Meta.rules_permissions` (`catalogue.view_solution`, `catalogue.add_solution`,
`catalogue.change_solution`, `catalogue.add_solutionversion`, `catalogue.view_certification`);
the others are registered here.
"""

import rules
from django.core.exceptions import PermissionDenied

from accounts.rules import (
    is_analyst,
    is_marketplace_team,
    is_partner,
    is_superuser,
)


def partner_id_of(obj) -> int | None:
    """The partner organisation that owns a record: its own, its solution's or its request's."""
    if hasattr(obj, "partner_id"):
        return obj.partner_id
    if hasattr(obj, "solution"):
        return obj.solution.partner_id
    if hasattr(obj, "application"):
        return obj.application.solution.partner_id
    return None


@rules.predicate
def is_own(user, obj) -> bool:
    return obj is not None and user.partner_id == partner_id_of(obj)


is_own_partner_record = is_partner & is_own

# The one rule of visibility: the team (and a superuser, who is staff) sees every record,
# a partner its own organisation's, anyone else none. `visible` is the same rule as a query.
sees_every_record = is_marketplace_team | is_superuser
can_view = sees_every_record | is_own_partner_record


def visible(user, queryset, partner_field: str):
    """The records of `queryset` for which `can_view(user, record)` holds, as one query;
    `partner_field` is the lookup of the record's partner organisation."""
    if sees_every_record(user):
        return queryset
    if is_partner(user):
        return queryset.filter(**{partner_field: user.partner_id})
    return queryset.none()


# Analysts revoke or restore a badge.
rules.add_perm("catalogue.manage_badge", is_analyst)
# Held by no person: only the scheduled KPI job (catalogue.badge.SYSTEM) enforces targets.
rules.add_perm("catalogue.enforce_kpis", rules.always_deny)


def require(user, permission: str, obj=None) -> None:
    """Raise PermissionDenied unless `user` holds `permission` (on `obj`)."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied


def can(permission: str):
    """A django-fsm `permission=` callable that asks the same rule as every view."""

    def check(instance, user) -> bool:
        return user.has_perm(permission, instance)

    check.__name__ = f"can_{permission.split('.')[-1]}"
    return check
