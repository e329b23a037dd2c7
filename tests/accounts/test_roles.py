"""The programme's roles exist after migrate, each with exactly its admin permissions."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.enums import Role
from accounts.permissions import ROLE_PERMISSIONS, grant_role_permissions
from accounts.rules import (
    is_analyst,
    is_auditor,
    is_leader,
    is_marketplace_team,
    is_partner,
    is_rnd_expert,
)
from tests.factories.accounts import UserFactory

from ..factories.workflow import PartnerFactory

pytestmark = pytest.mark.django_db


def permissions_of(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_role_groups_exist_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))

    assert names >= {"Partner", "Analyst", "Leader", "R&D expert", "Auditor", "Sales"}
    assert {role.value for role in Role} == {
        "Partner",
        "Analyst",
        "Leader",
        "R&D expert",
        "Auditor",
        "Sales",
    }


@pytest.mark.parametrize("role", list(Role))
def test_role_group_has_exactly_its_configured_permissions(role):
    group = Group.objects.get(name=role.value)

    # A misspelt permission in accounts/permissions.py would be missing here.
    assert permissions_of(group) == set(ROLE_PERMISSIONS[role])


def test_partners_hold_no_admin_permission():
    assert permissions_of(Group.objects.get(name=Role.PARTNER.value)) == set()


@pytest.mark.parametrize("role", [Role.RND_EXPERT, Role.AUDITOR])
def test_viewing_roles_can_only_view_in_the_admin(role):
    granted = permissions_of(Group.objects.get(name=role.value))

    assert granted
    assert {name.split(".")[1].split("_")[0] for name in granted} == {"view"}


def test_analysts_and_leaders_share_the_team_permissions():
    analyst = permissions_of(Group.objects.get(name=Role.ANALYST.value))
    leader = permissions_of(Group.objects.get(name=Role.LEADER.value))

    assert analyst == leader
    assert "workflow.view_application" in analyst


def test_granting_again_changes_nothing():
    before = {group.name: permissions_of(group) for group in Group.objects.all()}

    grant_role_permissions()
    call_command("migrate", verbosity=0)

    assert {group.name: permissions_of(group) for group in Group.objects.all()} == before


def test_granting_restores_a_permission_removed_by_hand():
    analysts = Group.objects.get(name=Role.ANALYST.value)
    analysts.permissions.clear()

    grant_role_permissions()

    assert permissions_of(analysts) == set(ROLE_PERMISSIONS[Role.ANALYST])


@pytest.mark.parametrize(
    ("trait", "predicate"),
    [
        ("analyst", is_analyst),
        ("leader", is_leader),
        ("rnd_expert", is_rnd_expert),
        ("auditor", is_auditor),
    ],
)
def test_team_role_user_is_staff_of_the_marketplace_team(trait, predicate):
    user = UserFactory(**{trait: True})

    assert (predicate(user), is_marketplace_team(user), is_partner(user)) == (True, True, False)
    assert user.has_perm("workflow.view_application") is True


def test_partner_member_is_a_partner_and_not_team():
    user = UserFactory(partner_member=True)

    assert (is_partner(user), is_marketplace_team(user)) == (True, False)
    assert user.has_perm("workflow.view_application") is False


def test_partner_role_without_an_organisation_is_not_a_partner():
    user = UserFactory(role=Role.PARTNER)

    assert is_partner(user) is False


def test_organisation_member_without_the_partner_role_is_not_a_partner():
    user = UserFactory(partner=PartnerFactory())

    assert is_partner(user) is False


@pytest.mark.parametrize(
    ("trait", "can_change"),
    [("analyst", True), ("leader", True), ("rnd_expert", False), ("auditor", False)],
)
def test_team_admin_permissions_come_from_the_role_group(trait, can_change):
    user = UserFactory(**{trait: True})

    permissions = (
        user.has_perm("workflow.change_approvalfacts"),
        user.has_perm("workflow.view_approvalfacts"),
        user.has_perm("workflow.delete_application"),
    )

    assert permissions == (can_change, True, False)
