"""Security headers on the portal's pages and on the API."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/", "/catalogue/", "/accounts/login/", "/api/v1/solutions/", "/api/docs/"]
)
def test_every_answer_carries_the_policies(client, path):
    response = client.get(path)

    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    assert response.status_code == 200
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_script(client):
    response = client.get(reverse("login"))

    assert "<script>" not in response.text
    assert "onchange=" not in response.text
    assert '<script src="/static/js/portal.js"></script>' in response.text
