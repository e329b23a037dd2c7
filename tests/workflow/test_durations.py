"""The request page keeps the time spent in every state (stage-3 dashboards)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django_fsm_log.models import StateLog

from tests.factories.accounts import UserFactory
from workflow import selectors
from workflow.enums import ApplicationState as S
from workflow.templatetags.portal import duration_short

from ..factories.workflow import ApplicationFactory, SolutionFactory, VersionFactory
from .markup import find_all, texts

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_time_in_states_adds_up_each_state_from_the_timeline(on_commit):
    solution = SolutionFactory()
    partner = UserFactory(role="Partner", partner=solution.partner)
    analyst = UserFactory(analyst=True)
    application = ApplicationFactory(solution=solution, version=VersionFactory(solution=solution))
    steps = [
        ("submit", S.DRAFT, S.SUBMITTED, partner, T0),
        ("schedule_meeting", S.SUBMITTED, S.MEETING_SCHEDULED, analyst, T0 + timedelta(hours=5)),
        ("reschedule_meeting", S.MEETING_SCHEDULED, S.MEETING_SCHEDULED, analyst,
         T0 + timedelta(days=1)),
        ("hold_meeting", S.MEETING_SCHEDULED, S.READINESS_REVIEW, analyst, T0 + timedelta(days=3)),
    ]  # fmt: skip
    for transition, source, target, by, at in steps:
        StateLog.objects.create(
            content_object=application,
            transition=transition,
            source_state=source,
            state=target,
            by=by,
            timestamp=at,
        )

    spans = selectors.time_in_states(application)

    assert [state for state, _spent in spans] == [
        S.SUBMITTED,
        S.MEETING_SCHEDULED,
        S.READINESS_REVIEW,
    ]
    assert spans[0][1] == timedelta(hours=5)
    assert spans[1][1] == timedelta(days=3, hours=-5)


@pytest.mark.parametrize(
    ("spent", "shown"),
    [
        (timedelta(seconds=20), "less than a minute"),
        (timedelta(minutes=7), "7 min"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(days=3, hours=4, minutes=59), "3 d 4 h"),
    ],
)
def test_duration_short_reads_like_a_person_would_say_it(spent, shown):
    assert duration_short(spent) == shown


def test_request_page_shows_the_time_in_each_state(client):
    application = ApplicationFactory(state=S.SUBMITTED)
    StateLog.objects.create(
        content_object=application,
        transition="submit",
        source_state=S.DRAFT,
        state=S.SUBMITTED,
        by=application.created_by,
        timestamp=T0,
    )
    client.force_login(application.created_by)

    page = client.get(reverse("application_detail", args=[application.pk]))

    (table,) = find_all(page, data_testid="durations")
    assert texts(table, "td")[0] == "Submitted"
