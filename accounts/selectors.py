"""Reads of people: who can be reached, and in which language."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from .enums import Role


def reachable(*, partner_id: int | None = None, roles: Iterable[Role] = ()) -> dict[str, str]:
    """E-mail → language of the active people with an address among the members of
    `partner_id` and the holders of `roles` (one query), by e-mail."""
    active = get_user_model().objects.filter(is_active=True).exclude(email="")
    people = active.none()
    if partner_id is not None:
        people |= active.filter(partner_id=partner_id)
    if roles:
        people |= active.filter(groups__name__in=[role.value for role in roles])
    return dict(people.order_by("email").values_list("email", "language").distinct())
