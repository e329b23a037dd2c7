"""Who may read and write what through the request, certificate and KPI endpoints of the API,
role by endpoint; and what each list costs in queries, whatever its length."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.accounts import UserFactory
from tests.factories.dod import (
    CriterionCheckFactory,
    FindingAnswerFactory,
    FindingFactory,
    ReviewRoundFactory,
)
from tests.factories.kpi import BreachFactory, KPISnapshotFactory
from tests.factories.workflow import (
    CertificationEventFactory,
    CertificationFactory,
    MaterialFactory,
    SolutionFactory,
)
from workflow.enums import ApplicationState, MaterialKind

from .test_review_api import PDF, client_for, upload

pytestmark = pytest.mark.django_db

ROLES = ["own partner", "other partner", "analyst", "leader", "rnd expert", "auditor", "nobody"]
TEAM = {"analyst", "leader", "rnd expert", "auditor"}
READS = [
    "materials",
    "material",
    "review",
    "certificate",
    "history",
    "badge",
    "snapshots",
    "breaches",
]
WRITES = ["upload", "answer"]


@pytest.fixture
def world():
    """A certified solution with a request sent back for changes (an open finding), its KPI
    snapshot and breach."""
    solution = SolutionFactory(slug="telephony")
    certification = CertificationFactory(solution=solution)
    CertificationEventFactory(certification=certification)
    round_ = ReviewRoundFactory(
        application__solution=solution,
        application__state=ApplicationState.CHANGES_REQUESTED,
        closed=True,
    )
    finding = FindingFactory(round=round_)
    KPISnapshotFactory(solution=solution)
    BreachFactory(solution=solution)
    return round_.application, finding


def user_of(role: str, application):
    if role == "anonymous":
        return None
    if role == "own partner":
        return UserFactory(role="Partner", partner=application.solution.partner)
    if role == "other partner":
        return UserFactory(partner_member=True)
    if role == "nobody":
        return UserFactory()
    return UserFactory(**{role.replace(" ", "_"): True})


def call(client, endpoint: str, application, finding):
    request = f"/api/v1/requests/{application.pk}"
    solution = f"/api/v1/solutions/{application.solution.slug}"
    if endpoint == "upload":
        return client.post(
            f"{request}/materials/user_guide/",
            {"file": upload("guide.pdf", PDF)},
            format="multipart",
        )
    if endpoint == "answer":
        return client.post(
            f"{request}/findings/{finding.pk}/answer/", {"text": "Fixed."}, format="json"
        )
    return client.get(
        {
            "materials": f"{request}/materials/",
            "material": f"{request}/materials/user_guide/",
            "review": f"{request}/review/",
            "certificate": f"{solution}/certificate/",
            "history": f"{solution}/certificate/history/",
            "badge": f"{solution}/badge/",
            "snapshots": f"{solution}/kpi/snapshots/",
            "breaches": f"{solution}/kpi/breaches/",
        }[endpoint]
    )


def expected(role: str, endpoint: str) -> int:
    if role == "anonymous":
        return 401
    if role in ("other partner", "nobody"):
        return 404
    if endpoint in WRITES:
        return 403 if role in TEAM else 201
    return 200


@pytest.mark.parametrize("endpoint", READS + WRITES)
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_permission_matrix(world, role, endpoint):
    application, finding = world

    answer = call(client_for(user_of(role, application)), endpoint, application, finding)

    assert answer.status_code == expected(role, endpoint)
    assert answer["Content-Type"] == "application/json"
    if answer.status_code >= 400:
        assert set(answer.json()) == {"detail"}


# --- Flat query counts -----------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(captured)


def test_the_materials_cost_the_same_queries_at_5_and_50_revisions(world):
    application, _finding = world
    client = client_for(UserFactory(analyst=True))
    url = f"/api/v1/requests/{application.pk}/materials/"
    kinds = list(MaterialKind)

    def queries(revisions: int) -> int:
        while application.materials.count() < revisions:
            kind = kinds[application.materials.count() % len(kinds)]
            MaterialFactory(application=application, kind=kind, with_file=True)
        return count_queries(client, url)

    assert queries(5) == queries(50)


def test_the_review_costs_the_same_queries_at_5_and_50_findings(world):
    application, finding = world
    round_ = finding.round
    criteria = list(round_.criteria_version.criteria.order_by("number"))
    client = client_for(UserFactory(analyst=True))
    url = f"/api/v1/requests/{application.pk}/review/"

    def queries(findings: int) -> int:
        while application.findings.count() < findings:
            number = application.findings.count()
            criterion = criteria[number % len(criteria)]
            if number < len(criteria):
                CriterionCheckFactory(round=round_, criterion=criterion, failed=True)
            FindingAnswerFactory(finding=FindingFactory(round=round_, criterion=criterion))
        return count_queries(client, url)

    assert queries(5) == queries(50)


@pytest.mark.parametrize("path", ["certificate/", "certificate/history/"])
def test_the_certificate_costs_the_same_queries_at_5_and_50_events(world, path):
    application, _finding = world
    certification = application.solution.certification
    client = client_for(UserFactory(analyst=True))
    url = f"/api/v1/solutions/{application.solution.slug}/{path}"

    def queries(events: int) -> int:
        while certification.events.count() < events:
            CertificationEventFactory(certification=certification)
        return count_queries(client, url)

    assert queries(5) == queries(50)
