"""The Django model permissions each staff role holds in the admin.

Object-level rules (who may act on which record) live in each app's rules.py; these are
only the admin's coarse switches. Kept in code and re-applied after every migrate, so a
new model's permissions reach the roles without a hand-written data migration.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from .enums import Role

TEAM_ADMIN = [
    "catalogue.view_partner",
    "catalogue.view_solution",
    "catalogue.view_solutionversion",
    "workflow.view_application",
    "workflow.change_application",
    "workflow.view_setupmeeting",
    "workflow.view_readinessscore",
    "workflow.view_approvalfacts",
    "workflow.add_approvalfacts",
    "workflow.change_approvalfacts",
    "django_fsm_log.view_statelog",
    "dod.view_criteriaversion",
    "dod.add_criteriaversion",
    "dod.view_criterion",
    "dod.view_reviewround",
    "dod.view_criterioncheck",
    "dod.view_finding",
    "workflow.view_material",
    "catalogue.view_certification",
    "catalogue.view_certificationevent",
    "support_audit.view_vendorescalationlevel",
    "support_audit.change_vendorescalationlevel",
    "support_audit.view_supportdeclaration",
    "support_audit.view_regionsupport",
    "support_audit.view_supportaudit",
    "support_audit.view_nonconformity",
    "support_audit.view_remediationplan",
    "support_audit.view_remediationitem",
    "support_audit.view_reminder",
    "kpi.view_slapolicy",
    "kpi.add_slapolicy",
    "kpi.view_threshold",
    "kpi.add_threshold",
    "kpi.view_supportcase",
    "kpi.view_kpisnapshot",
    "kpi.view_breach",
    "kpi.view_customer",
    "kpi.view_npsanswer",
    "kpi.view_kpiwarning",
    "kpi.view_monthreopening",
    "kpi.view_npssurvey",
    "kpi.view_npsinvitation",
    # What the jobs and the steps left to do: KPI runs not complete, e-mails not delivered.
    "kpi.view_evaluationrun",
    "kpi.view_runitem",
    "outbox.view_message",
    # Security: the log, partners' API tokens (revoke = delete), locked log-ins (unlock = delete).
    "accounts.view_securityevent",
    "accounts.view_apitoken",
    "accounts.delete_apitoken",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "axes.view_accesslog",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.PARTNER: [],
    Role.ANALYST: TEAM_ADMIN,
    Role.LEADER: TEAM_ADMIN,
    Role.RND_EXPERT: [p for p in TEAM_ADMIN if ".view_" in p],
    Role.AUDITOR: [p for p in TEAM_ADMIN if ".view_" in p],
    # The sales staff never see the admin: they read the sales pages only (sales.rules).
    Role.SALES: [],
}


def grant_role_permissions(**kwargs) -> None:
    """Give each role group exactly its permissions (post_migrate handler; idempotent)."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        query = Q(pk__in=[])
        for name in names:
            app_label, codename = name.split(".")
            query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))
