"""The API against its own schema: schemathesis sends generated requests to every operation
of /api/schema/ with a partner's token, and each answer must be no server error, with a
status code, content type and body the schema documents. The operations under a request or a
solution are sent to the partner's own request and solution (the permission tests cover the
others), so that their bodies and filters reach the code behind the look-up."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories.accounts import ApiTokenFactory, UserFactory
from tests.factories.dod import FindingFactory, ReviewRoundFactory
from tests.factories.kpi import BreachFactory, CustomerFactory, KPISnapshotFactory
from tests.factories.workflow import (
    CertificationEventFactory,
    CertificationFactory,
    PartnerFactory,
    SolutionFactory,
)
from workflow.enums import ApplicationState

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


DJANGO = get_wsgi_application()


def over_https(environ, start_response):
    """The portal as served behind TLS (it redirects plain HTTP outside DEBUG), keeping the
    test's database connection open as Django's test client does."""
    environ["wsgi.url_scheme"] = "https"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = DJANGO(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The schema as the running app serves it (reading it touches no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", over_https)


@pytest.fixture(autouse=True)
def generous_rates(settings):
    """The throttles are not what this test is about (tests/kpi/test_api_limits.py)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("token", "user", "anon"), "100000/min"),
    }


@pytest.fixture
def partner(db):
    """A partner with a certified solution, its customer, KPI snapshot and breach, and a
    request of it sent back for changes with an open finding; another partner's solution.
    Its token and the path parameters of its own records."""
    partner = PartnerFactory()
    solution = SolutionFactory(partner=partner, slug="telephony", is_published=True)
    CertificationEventFactory(certification=CertificationFactory(solution=solution))
    CustomerFactory(solution=solution, customer_id="ACME")
    KPISnapshotFactory(solution=solution)
    BreachFactory(solution=solution)
    round_ = ReviewRoundFactory(
        application__solution=solution,
        application__state=ApplicationState.CHANGES_REQUESTED,
        closed=True,
    )
    finding = FindingFactory(round=round_)
    SolutionFactory(slug="other", is_published=True)
    user = UserFactory(role="Partner", partner=partner)
    own = {"id": round_.application_id, "finding_id": finding.pk, "slug": solution.slug}
    return ApiTokenFactory(user=user).secret, own


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, partner):
    token, own = partner
    for name in set(case.path_parameters) & set(own):
        case.path_parameters[name] = own[name]
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
