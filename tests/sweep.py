"""The world the access sweeps (tests/test_access_sweep.py) request every URL pattern in:
one partner's records at every stage, a member of another partner, and each team role."""

import re

from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from dod.models import CheckEvidence
from tests.factories.accounts import ApiTokenFactory, UserFactory
from tests.factories.certification import RemediationPlanFactory as RegularPlanFactory
from tests.factories.dod import (
    CriterionCheckFactory,
    FindingAnswerFactory,
    FindingFactory,
    in_review,
)
from tests.factories.kpi import CustomerFactory, NPSAnswerFactory, SupportCaseFactory
from tests.factories.support_audit import (
    RemediationItemFactory,
    SupportAuditFactory,
    SupportDeclarationFactory,
)
from workflow.enums import ApplicationState, MaterialKind

from .factories.workflow import (
    CertificationFactory,
    MaterialFactory,
    PartnerFactory,
    SolutionFactory,
)

ROLES = (
    "anonymous", "other_partner", "owner", "analyst", "leader", "rnd_expert", "auditor", "sales",
)  # fmt: skip
# Tables a refused request may still write: the session, the log-in counters, the security log.
BOOKKEEPING = ("django_session", "axes_", "accounts_securityevent")
_WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', re.IGNORECASE)


def url_patterns(resolver=None, prefix="", namespace=""):
    """(route, name) of every URL pattern outside the admin, in the order Django tries them."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue
            yield from url_patterns(pattern, route, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield route, (f"{namespace}:" if namespace else "") + (pattern.name or route)


def build_world() -> dict:
    """One partner's records: a request in review (materials, a check with evidence, a
    finding), one under support audit with a remediation action, a certified solution with
    a regular audit's plan; plus every role's signed-in client."""
    owner_org, other_org = PartnerFactory(), PartnerFactory()
    owner = UserFactory(partner_member=True, partner=owner_org)
    other = UserFactory(partner_member=True, partner=other_org)
    team = {role: UserFactory(**{role: True}) for role in ROLES[3:]}
    application = in_review(team["analyst"], solution__partner=owner_org)
    material = MaterialFactory(application=application, kind=MaterialKind.PACKAGES, with_file=True)
    check = CriterionCheckFactory(round=application.review_rounds.get())
    evidence = CheckEvidence.objects.create(
        check_record=check,
        file=ContentFile(b"%PDF-1.4\n", name="evidence.pdf"),
        original_name="evidence.pdf",
        uploaded_by=team["analyst"],
    )
    finding = FindingFactory(round=check.round)
    FindingAnswerFactory(finding=finding, by=owner)
    audit = SupportAuditFactory(
        failed=True,
        application__solution__partner=owner_org,
        application__state=ApplicationState.SUPPORT_REVIEW,
    )
    support_item = RemediationItemFactory(plan__audit=audit)
    SupportDeclarationFactory(application=audit.application)
    certified = CertificationFactory(solution=SolutionFactory(partner=owner_org, slug="certified"))
    product_test = MaterialFactory(
        application=certified.application, kind=MaterialKind.PRODUCT_TEST, with_file=True
    )
    regular_plan = RegularPlanFactory(audit__solution=certified.solution)
    SupportCaseFactory(solution=certified.solution)
    CustomerFactory(solution=certified.solution)
    NPSAnswerFactory(solution=certified.solution)
    token = ApiTokenFactory(user=owner)
    return {
        "users": {"anonymous": None, "other_partner": other, "owner": owner, **team},
        "kwargs": {
            "pk": application.pk,
            "slug": certified.solution.slug,
            "number": check.criterion.number,
            "finding_pk": finding.pk,
            "finding_id": finding.pk,
            "evidence_pk": evidence.pk,
            "evidence_id": evidence.pk,
            "material_id": material.pk,
            "material_pk": product_test.pk,
            "audit_pk": audit.pk,
            "item_pk": support_item.pk,
            "audit": regular_plan.audit.pk,
            "item": regular_plan.items.get().pk,
            "digest": token.digest,
            "period": "2026-10",
            # A reset link of the owner's that is not valid (a valid one is tested apart).
            "uidb64": "MQ",
            "token": "set-password",
        },
        "support_pk": audit.application.pk,
    }


def fill(route: str, world: dict, name: str) -> str:
    """The route with the world's records in its parameters."""
    kwargs = dict(world["kwargs"])
    if name.startswith("support_"):
        kwargs["pk"] = world["support_pk"]
    kinds = {
        "material_upload": "packages",
        "material_carry_over": "packages",
        "api_material": "packages",
        "kpi_upload": "cases",
        "kpi_csv_template": "cases",
        "kpi_upload_errors": "cases",
        "review_outcome": "pass",
        "support_outcome": "pass",
        "api_request_transition": "withdraw",
    }

    def value(match):
        key = match.group(2)
        if key in ("kind", "outcome", "name"):
            return kinds[name]
        return str(kwargs[key])

    return "/" + re.sub(r"<(\w+:)?(\w+)>", value, route)


def request(user, method: str, path: str) -> tuple[int, list[str]]:
    """The status and the tables written (outside the bookkeeping) by one request of `user`
    (None: anonymous), in a fresh session: a log-out or a language switch does not carry."""
    client = Client()
    if user is not None:
        client.force_login(user)
    # Each request's queries alone: the sweep's thousands of requests would fill the log.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path)
    written = sorted(
        {
            match.group(2)
            for query in queries.captured_queries
            if (match := _WRITE.match(query["sql"])) and not match.group(2).startswith(BOOKKEEPING)
        }
    )
    return response.status_code, written
