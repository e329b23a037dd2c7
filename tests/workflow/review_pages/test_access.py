"""What the reviewers see and do on the review pages, and the DoD administration."""

import pytest
from django.urls import reverse

from tests.factories.dod import (
    in_review,
)
from tests.factories.workflow import ApplicationFactory, actor
from tests.workflow.markup import attr, find_all
from tests.workflow.review_pages.helpers import S, review_page, review_url

pytestmark = pytest.mark.django_db


# --- Who sees the page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["own_partner", "other_partner"])
def test_review_page_is_not_found_for_partners(client, analyst, role):
    application = in_review(analyst)
    client.force_login(actor(role, application))

    response = review_page(client, application)

    assert response.status_code == 404


def test_review_page_of_a_missing_request_is_not_found(client, analyst):
    client.force_login(analyst)

    response = client.get(reverse("review", kwargs={"pk": 9999}))

    assert response.status_code == 404


def test_review_page_sends_a_visitor_to_log_in(client, analyst):
    application = in_review(analyst)

    response = review_page(client, application)

    assert response.url == f"{reverse('login')}?next={review_url(application)}"


@pytest.mark.parametrize(
    ("role", "state", "shown"),
    [
        ("analyst", S.AWAITING_MATERIALS, True),
        ("rnd_expert", S.IN_REVIEW, True),
        ("leader", S.CHANGES_REQUESTED, True),
        ("analyst", S.AWAITING_APPROVAL, False),
        ("own_partner", S.IN_REVIEW, False),
    ],
)
def test_request_page_links_the_team_to_the_review_in_stage_three(client, role, state, shown):
    application = ApplicationFactory(state=state)
    client.force_login(actor(role, application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    links = find_all(response, data_testid="review-link")
    assert [attr(a, "href") for link in links for a in find_all(link, "a")] == (
        [review_url(application)] if shown else []
    )
