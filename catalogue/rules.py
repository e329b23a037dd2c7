import rules
from django.core.exceptions import PermissionDenied

from accounts.rules import (
    is_marketplace_team,
    is_partner,
)


def partner_id_of(obj) -> int | None:
    """The partner organisation that owns a record of this app."""
    if hasattr(obj, "partner_id"):
        return obj.partner_id
    if hasattr(obj, "solution"):
        return obj.solution.partner_id
    return None


@rules.predicate
def is_own(user, obj) -> bool:
    return obj is not None and user.partner_id == partner_id_of(obj)


is_own_partner_record = is_partner & is_own


can_view = is_marketplace_team | is_own_partner_record


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
