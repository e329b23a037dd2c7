"""The permission matrices of tests/<app>/test_rules.py: who holds each permission of an app,
written out as a table and checked against `user.has_perm`."""

import pytest

from .factories.workflow import actor

# The columns of every table, in this order.
ROLES = (
    "own_partner",  # a member of the partner organisation owning the record
    "other_partner",  # a member of another partner organisation
    "analyst",
    "leader",
    "rnd_expert",
    "auditor",
    "anonymous",
    "superuser",
    "sales",  # the vendor's sales staff (R7.2): the sales pages only
)


def matrix(table: dict[str, str]):
    """pytest parameters (permission, role, expected) from rows "Y N ..." in ROLES' order."""
    params = []
    for permission, row in table.items():
        answers = row.split()
        assert len(answers) == len(ROLES), permission
        for role, answer in zip(ROLES, answers, strict=True):
            assert answer in ("Y", "N"), permission
            params.append(pytest.param(permission, role, answer == "Y", id=f"{permission}-{role}"))
    return pytest.mark.parametrize(("permission", "role", "expected"), params)


def holds(role: str, permission: str, record, owner=None) -> bool:
    """Whether a user in `role` holds `permission` on `record`; "own_partner" is a member of
    the partner owning `owner` (a solution or a request; `record` when not given)."""
    user = actor(role, owner if owner is not None else record)
    return user.has_perm(permission, record)
