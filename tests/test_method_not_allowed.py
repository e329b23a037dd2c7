"""A GET on an address that only takes a form's POST gets a page saying so, not a blank 405."""

import pytest
from django.urls import reverse

from tests.factories.workflow import ApplicationFactory, actor
from tests.workflow.markup import texts

pytestmark = pytest.mark.django_db


def test_a_visit_to_a_form_address_gets_a_page_that_says_what_to_do(client):
    application = ApplicationFactory()
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("materials_compatibility", args=[application.pk]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert texts(response, "h1") == ["Not a page"]
    assert texts(response, "main")[0].startswith("Not a page This address takes the submission")


def test_the_page_is_in_the_readers_language(client):
    application = ApplicationFactory()
    client.force_login(actor("own_partner", application))
    client.cookies["django_language"] = "ru"

    response = client.get(reverse("materials_compatibility", args=[application.pk]))

    assert response.status_code == 405
    assert texts(response, "h1") == ["Это не страница"]
