"""The API against its own schema: schemathesis sends generated requests to every operation
of /api/schema/ with a partner's token, and each answer must be no server error, with a
status code, content type and body the schema documents."""

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
from tests.factories.kpi import CustomerFactory
from tests.factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    PartnerFactory,
    SolutionFactory,
)

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
    return PartnerFactory()


@pytest.fixture
def partner_token(partner):
    """A partner with a certified solution and a customer; another partner's solution."""
    solution = SolutionFactory(partner=partner, slug="telephony", is_published=True)
    CertificationFactory(solution=solution)
    CustomerFactory(solution=solution, customer_id="ACME")
    SolutionFactory(slug="other", is_published=True)
    user = UserFactory(role="Partner", partner=partner)
    return ApiTokenFactory(user=user).secret


@pytest.fixture
def own_request(partner):
    """A draft request of the partner's: a request's operations are sent to it, so that they
    reach its data instead of answering 404, and the generated transitions move it on as the
    rules let them."""
    return ApplicationFactory(solution=SolutionFactory(partner=partner, slug="calendar"))


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, partner_token, own_request):
    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = own_request.pk
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters["slug"] = "calendar"
    case.call_and_validate(headers={"Authorization": f"Token {partner_token}"}, checks=CHECKS)
