"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalogue.models import SolutionVersion
from tests.factories.workflow import actor
from tests.workflow.markup import errors, find_all
from tests.workflow.material_pages.helpers import (
    awaiting,
    certified_solution,
    materials_url,
    provide_everything,
)
from workflow import services

pytestmark = pytest.mark.django_db


# --- Query counts ------------------------------------------------------------------------


@pytest.mark.parametrize("revisions", [1, 3])
def test_materials_page_query_count_does_not_grow(client, django_assert_num_queries, revisions):
    application = awaiting()
    partner = actor("own_partner", application)
    for _ in range(revisions):
        provide_everything(application, partner)
    client.force_login(partner)

    with django_assert_num_queries(MATERIALS_PAGE_QUERIES):
        response = client.get(materials_url(application))

    assert len(find_all(response, data_testid="download")) == 5 * revisions


# Session, user, roles, the partner of the navigation bar, the request, its materials, then
# the conditions of "submit for review" (materials again, findings).
MATERIALS_PAGE_QUERIES = 8


def test_open_update_with_a_registered_version_number_is_refused(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))
    versions_before = SolutionVersion.objects.count()

    response = client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"new_version": "1.0.0", "motivation": "Again."},
    )

    assert errors(response) == ["Version 1.0.0 is registered already: choose it in the list."]
    assert SolutionVersion.objects.count() == versions_before


def test_first_certification_request_of_a_certified_solution_is_refused():
    """R3.2: a certified solution's new version goes through an update, not a new request."""
    certification, newer = certified_solution()
    partner = actor("own_partner", certification.solution)

    with pytest.raises(ValidationError) as refused:
        services.application_create(
            by=partner, solution=certification.solution, version=newer, motivation="Again."
        )

    assert refused.value.messages == [
        f"{certification.solution.name} is certified: a new version of it is an update (R3.2)."
    ]
