"""What the reviewers see and do on the review pages, and the DoD administration."""

from datetime import timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from dod.models import CriteriaVersion, ReviewRound
from tests.factories.dod import (
    partner_of,
    submitted,
)
from tests.workflow.markup import (
    alerts,
    by_testid,
    confirming,
    find_all,
    text,
)
from tests.workflow.review_pages.helpers import (
    EDITION_ONE_TITLES,
    S,
    action_labels,
    certified_update,
    review_page,
    review_url,
)
from workflow import services as app_services
from workflow.models import Application

pytestmark = pytest.mark.django_db


# --- The header and the start of a round ------------------------------------------------------


def test_review_page_before_the_review_says_which_edition_will_be_pinned(client, analyst):
    application = submitted()
    client.force_login(analyst)

    response = review_page(client, application)

    assert by_testid(response, "kind") == "First certification"
    assert by_testid(response, "edition") == (
        "Not pinned yet: edition 1, in force now, is pinned when the review starts."
    )
    assert by_testid(response, "round") == "No round yet"
    assert action_labels(response) == [("Start the review", "enabled"), ("Decline", "enabled")]
    assert by_testid(response, "no-rounds") == (
        "No review round yet: the partner submitted the materials on 18 Nov 2026, 10:00 UTC, "
        "and they wait for an analyst to start the review (“Start the review” above)."
    )


def test_review_page_offers_no_start_to_an_rnd_expert(client, rnd_expert):
    application = submitted()
    client.force_login(rnd_expert)

    response = review_page(client, application)

    assert action_labels(response) == []


def test_start_the_review_opens_round_one_on_the_edition_in_force(client, analyst):
    application = submitted()
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_start"), confirming({"seen_state": S.SUBMITTED_FOR_REVIEW})
    )
    page = client.get(response.url)

    edition = CriteriaVersion.objects.get(number=1)
    assert response.url == review_url(application)
    assert alerts(page) == [
        "Review round started; the request is checked against its pinned DoD edition."
    ]
    assert by_testid(page, "state") == "In quality review"
    assert by_testid(page, "edition") == (
        f"Edition 1, in force since {date_filter(edition.created_at, 'SHORT_DATE_FORMAT')}"
    )
    assert by_testid(page, "round").startswith("Round 1, open since ")
    assert [text(node) for node in find_all(page, data_testid="title")] == [
        f"{n}. {title}" for n, title in enumerate(EDITION_ONE_TITLES, start=1)
    ]


def test_start_the_review_from_a_stale_page_changes_nothing(client, analyst):
    application = submitted()
    app_services.application_withdraw(
        application=application, by=partner_of(application), reason="Changed our minds."
    )
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_start"),
        confirming({"seen_state": S.SUBMITTED_FOR_REVIEW}),
        follow=True,
    )

    assert alerts(response) == [
        "Someone else changed this request while you were working on it: it is now "
        "“Withdrawn”. Nothing was saved; your input is kept below. Check and send again."
    ]
    assert ReviewRound.objects.filter(application=application).count() == 0


def test_review_page_header_of_a_critical_fix_shows_its_review_due_time(client, analyst):
    update = certified_update(analyst, critical_fix=True)
    client.force_login(analyst)

    response = review_page(client, update)

    assert by_testid(response, "kind") == (
        f"Critical fix (replaces the certified version {update.previous_version.number})"
    )
    assert by_testid(response, "review-due") == date_filter(
        timezone.localtime(update.review_due_at), "DATETIME_FORMAT"
    )


def test_review_page_marks_an_overdue_critical_fix(client, analyst):
    update = certified_update(analyst, critical_fix=True)
    Application.objects.filter(pk=update.pk).update(
        review_due_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(analyst)

    response = review_page(client, update)

    assert by_testid(response, "review-due").endswith(" overdue")
