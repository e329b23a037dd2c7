"""Reads of people: who can be reached, and in which language."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import F

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


def people_in_role(role: Role, *, free_of_partner: int | None = None):
    """The active holders of `role`, by name; with `free_of_partner`, those with no conflict of
    interest with that partner organisation."""
    people = get_user_model().objects.filter(is_active=True, groups__name=role.value)
    if free_of_partner is not None:
        people = people.exclude(conflicted_partners=free_of_partner)
    return people.order_by("last_name", "first_name", "username")


def people_by_role(roles: Iterable[Role]) -> dict[Role, list]:
    """The active holders of each of `roles`, by name, in one query."""
    found: dict[Role, list] = {role: [] for role in roles}
    people = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role.value for role in found])
        .annotate(role_name=F("groups__name"))
        .order_by("last_name", "first_name", "username")
    )
    for member in people:
        found[Role(member.role_name)].append(member)
    return found
