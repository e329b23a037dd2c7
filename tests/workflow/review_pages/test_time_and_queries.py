"""What the reviewers see and do on the review pages, and the DoD administration."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from dod.models import CheckEvidence, Criterion
from tests.factories.dod import (
    CriterionCheckFactory,
    FindingAnswerFactory,
    FindingFactory,
    ReviewRoundFactory,
    in_review,
    provide_materials,
)
from tests.factories.workflow import ApplicationFactory
from tests.workflow.markup import (
    by_testid,
    find_all,
    texts,
)
from tests.workflow.review_pages.helpers import S, findings_rows, review_page

pytestmark = pytest.mark.django_db


# --- Time in states, query counts -------------------------------------------------------------


def test_review_page_shows_the_time_spent_in_each_state(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    (table,) = find_all(response, "table", data_testid="time-in-states")
    assert [texts(row, "td") for row in find_all(table, "tr")] == [
        ["Materials submitted for review", "0 minutes"],
        ["In quality review", "0 minutes"],
    ]


def test_review_page_without_a_timeline_says_not_submitted(client, analyst):
    application = ApplicationFactory(state=S.AWAITING_MATERIALS)
    client.force_login(analyst)

    response = review_page(client, application)

    assert by_testid(response, "time-in-states") == "Not submitted yet."


# Session, user, roles, the request; rounds with checks, evidence and criteria; findings with
# answers; what changed since the previous round; the actions' conditions; the timeline.
REVIEW_PAGE_QUERIES = 22


def _rounds_of(application, count, analyst, rnd_expert):
    """`count` rounds, the earlier ones closed; each has ten checks with evidence, a finding
    answered by the partner, and material revisions uploaded after it."""
    for number in range(1, count + 1):
        last = number == count
        round_ = ReviewRoundFactory(application=application, number=number, closed=not last)
        for criterion in Criterion.objects.filter(version=round_.criteria_version):
            check = CriterionCheckFactory(
                round=round_,
                criterion=criterion,
                checked_by=rnd_expert if criterion.reviewer == "rnd" else analyst,
            )
            CheckEvidence.objects.create(
                check_record=check,
                file=f"evidence/{number}-{criterion.number}.txt",
                original_name=f"{number}-{criterion.number}.txt",
                uploaded_by=analyst,
            )
        finding = FindingFactory(round=round_, criterion=criterion, raised_by=analyst)
        FindingAnswerFactory(finding=finding)
        if not last:
            provide_materials(application, at=timezone.now() + timedelta(seconds=number))


@pytest.mark.parametrize("count", [2, 4])
def test_review_page_query_count_does_not_grow(
    client, django_assert_num_queries, analyst, rnd_expert, count
):
    application = ApplicationFactory(state=S.IN_REVIEW)
    _rounds_of(application, count, analyst, rnd_expert)
    client.force_login(analyst)
    ContentType.objects.clear_cache()  # counted the same whichever test ran before

    with django_assert_num_queries(REVIEW_PAGE_QUERIES):
        response = review_page(client, application)

    assert len(findings_rows(response)) == count
    assert len(find_all(response, data_testid="checks")) == count
    assert len(find_all(response, data_testid="evidence")) == 20  # this round and the one before
