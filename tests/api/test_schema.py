"""The API's OpenAPI schema and its docs page: complete, valid, and served without a CDN."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_is_written_without_a_warning(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["info"]["version"] == "1"
    assert set(schema["paths"]) == {
        "/api/v1/cases/",
        "/api/v1/nps/",
        "/api/v1/customers/",
        "/api/v1/solutions/",
        "/api/v1/requests/{id}/materials/",
        "/api/v1/requests/{id}/materials/{kind}/",
        "/api/v1/requests/{id}/review/",
        "/api/v1/requests/{id}/findings/{finding_id}/answer/",
        "/api/v1/solutions/{slug}/certificate/",
        "/api/v1/solutions/{slug}/certificate/history/",
        "/api/v1/solutions/{slug}/badge/",
        "/api/v1/solutions/{slug}/kpi/snapshots/",
        "/api/v1/solutions/{slug}/kpi/breaches/",
        "/api/v1/solution-registrations/",
        "/api/v1/solutions/{slug}/",
        "/api/v1/solutions/{slug}/versions/",
        "/api/v1/requests/",
        "/api/v1/requests/{id}/",
        "/api/v1/requests/{id}/timeline/",
        "/api/v1/requests/{id}/transitions/",
        "/api/v1/requests/{id}/transitions/{name}/",
    }
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_every_operation_has_a_summary_and_describes_its_errors(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["summary"], (method, path)
            assert operation["description"], (method, path)
            assert "429" in operation["responses"], (method, path)
            # A 400 where there is something to get wrong: a body or a query parameter.
            if "requestBody" in operation or any(
                parameter["in"] == "query" for parameter in operation.get("parameters", [])
            ):
                assert "400" in operation["responses"], (method, path)
    imports = schema["paths"]["/api/v1/cases/"]["post"]
    assert {"201", "400", "401", "403", "413"} <= set(imports["responses"])
    assert imports["security"][0] == {"tokenAuth": []}
    row_error = schema["components"]["schemas"]["RowError"]
    assert set(row_error["properties"]) == {"line", "column", "reason"}


def test_the_request_and_solution_endpoints_describe_their_errors(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]

    upload = paths["/api/v1/requests/{id}/materials/{kind}/"]["post"]
    answer = paths["/api/v1/requests/{id}/findings/{finding_id}/answer/"]["post"]
    reads = [
        operations["get"]
        for path, operations in paths.items()
        if path.startswith(("/api/v1/requests/", "/api/v1/solutions/{slug}/"))
        and "get" in operations
    ]

    assert set(upload["requestBody"]["content"]) == {"multipart/form-data"}
    assert {"201", "400", "401", "403", "404", "409", "413", "415", "429"} <= set(
        upload["responses"]
    )
    assert {"201", "400", "401", "403", "404", "409", "415", "429"} <= set(answer["responses"])
    assert len(reads) == 14
    for operation in reads:
        assert {"200", "401", "404", "429"} <= set(operation["responses"])
        if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
            assert "400" in operation["responses"]
        assert operation["security"][0] == {"tokenAuth": []}
    upload_errors = schema["components"]["schemas"]["MaterialUploadErrors"]["properties"]
    assert {"file", "url", "note", "answers", "non_field_errors"} <= set(upload_errors)


def test_the_schema_and_docs_are_public(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_the_docs_page_loads_everything_from_the_portal_itself(client):
    page = client.get("/api/docs/")
    script = client.get(re.search(r'<script src="([^"]*script=[^"]*)"', page.text)[1])

    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    assert "<script>" not in page.text  # the policy allows no inline script
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page.text
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.text
    assert "validator.swagger.io" not in script.text


def test_every_answer_to_a_bad_token_is_documented(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    answer = client.get("/api/v1/solutions/", HTTP_AUTHORIZATION="Token cp_unknown")

    assert answer.status_code == 401
    assert "detail" in answer.json()
    assert "401" in schema["paths"]["/api/v1/solutions/"]["get"]["responses"]
