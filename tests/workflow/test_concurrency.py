"""Two people acting on one request at once: the second finds out, and nothing of it is kept."""

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition
from django_fsm_log.models import StateLog

from workflow import services
from workflow.enums import ApplicationState, Priority
from workflow.models import Application, SetupMeeting

from ..factories.workflow import ApplicationFactory, actor, with_state_records
from .markup import alerts, confirming, errors, field_value

S = ApplicationState
pytestmark = pytest.mark.django_db

WHEN = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def request_in(state, **kwargs):
    return with_state_records(ApplicationFactory(state=state, **kwargs))


def two_copies(application):
    """Two people's copies of one request, both loaded before either acts."""
    return (
        Application.objects.get(pk=application.pk),
        Application.objects.get(pk=application.pk),
    )


def steps(application):
    return list(
        StateLog.objects.for_(application)
        .order_by("pk")
        .values_list("transition", "source_state", "state")
    )


def stored_state(application):
    return Application.objects.get(pk=application.pk).state


def meeting_of(application):
    return SetupMeeting.objects.filter(application=application).values_list(
        "scheduled_for", "location", "held_at", "notes"
    )


# --- Stale copies through the services --------------------------------------------------


def test_schedule_on_a_stale_copy_after_withdraw_raises_and_writes_nothing(on_commit):
    application = request_in(S.SUBMITTED)
    partner, analyst = actor("own_partner", application), actor("analyst")
    partner_copy, analyst_copy = two_copies(application)
    on_commit(services.application_withdraw, application=partner_copy, by=partner, reason="Later.")
    sent = len(mail.outbox)

    with pytest.raises(ConcurrentTransition):
        on_commit(
            services.meeting_schedule,
            application=analyst_copy,
            by=analyst,
            scheduled_for=WHEN,
            location="Room 3",
        )

    assert stored_state(application) == S.WITHDRAWN
    assert steps(application) == [("withdraw", S.SUBMITTED, S.WITHDRAWN)]
    assert list(meeting_of(application)) == []
    assert len(mail.outbox) == sent


def test_withdraw_on_a_stale_copy_after_schedule_raises_and_writes_nothing():
    application = request_in(S.SUBMITTED)
    partner, analyst = actor("own_partner", application), actor("analyst")
    partner_copy, analyst_copy = two_copies(application)
    services.meeting_schedule(
        application=analyst_copy, by=analyst, scheduled_for=WHEN, location="Room 3"
    )

    with pytest.raises(ConcurrentTransition):
        services.application_withdraw(application=partner_copy, by=partner, reason="Later.")

    stored = Application.objects.get(pk=application.pk)
    assert (stored.state, stored.closed_in_stage) == (S.MEETING_SCHEDULED, None)
    assert steps(application) == [("schedule_meeting", S.SUBMITTED, S.MEETING_SCHEDULED)]
    assert list(meeting_of(application)) == [(WHEN, "Room 3", None, "")]


def test_second_analyst_scheduling_a_stale_copy_keeps_the_first_meeting():
    application = request_in(S.SUBMITTED)
    first, second = actor("analyst"), actor("analyst")
    first_copy, second_copy = two_copies(application)
    services.meeting_schedule(
        application=first_copy, by=first, scheduled_for=WHEN, location="Room 1"
    )

    with pytest.raises(ConcurrentTransition):
        services.meeting_schedule(
            application=second_copy,
            by=second,
            scheduled_for=WHEN.replace(hour=15),
            location="Room 2",
        )

    meeting = SetupMeeting.objects.get(application=application)
    assert (meeting.scheduled_for, meeting.location, meeting.organiser) == (WHEN, "Room 1", first)
    assert steps(application) == [("schedule_meeting", S.SUBMITTED, S.MEETING_SCHEDULED)]


def test_reschedule_on_a_stale_copy_after_the_meeting_was_recorded_keeps_the_record():
    application = request_in(S.MEETING_SCHEDULED)
    analyst = actor("analyst")
    recording_copy, moving_copy = two_copies(application)
    services.meeting_record(
        application=recording_copy, by=analyst, held_at=WHEN, notes="It happened."
    )
    recorded = list(meeting_of(application))

    with pytest.raises(ConcurrentTransition):
        services.meeting_schedule(
            application=moving_copy, by=analyst, scheduled_for=WHEN, location="Elsewhere"
        )

    assert list(meeting_of(application)) == recorded
    assert stored_state(application) == S.READINESS_REVIEW
    assert steps(application) == [("hold_meeting", S.MEETING_SCHEDULED, S.READINESS_REVIEW)]


def test_record_on_a_stale_copy_after_withdraw_leaves_the_meeting_unheld():
    application = request_in(S.MEETING_SCHEDULED)
    partner, analyst = actor("own_partner", application), actor("analyst")
    partner_copy, analyst_copy = two_copies(application)
    services.application_withdraw(application=partner_copy, by=partner, reason="Sold.")

    with pytest.raises(ConcurrentTransition):
        services.meeting_record(application=analyst_copy, by=analyst, held_at=WHEN, notes="Met.")

    meeting = SetupMeeting.objects.get(application=application)
    assert (meeting.held_at, meeting.notes) == (None, "")
    assert steps(application) == [("withdraw", S.MEETING_SCHEDULED, S.WITHDRAWN)]


def test_two_leaders_deciding_at_once_keep_only_the_first_decision():
    application = request_in(S.AWAITING_APPROVAL)
    Application.objects.filter(pk=application.pk).update(priority=None)
    first, second = actor("leader"), actor("leader")
    first_copy, second_copy = two_copies(application)
    services.leader_decide(
        application=first_copy,
        by=first,
        decision="approve",
        priority=Priority.MEDIUM,
        comment="Yes.",
    )

    with pytest.raises(ConcurrentTransition):
        services.leader_decide(
            application=second_copy,
            by=second,
            decision="decline_approval",
            comment="No.",
        )

    stored = Application.objects.get(pk=application.pk)
    assert (stored.state, stored.priority) == (S.AWAITING_MATERIALS, Priority.MEDIUM)
    assert [(e.by, e.transition) for e in StateLog.objects.for_(application)] == [
        (first, "approve")
    ]


def test_same_transition_twice_on_stale_copies_is_written_once():
    application = request_in(S.DRAFT)
    partner = actor("own_partner", application)
    one, other = two_copies(application)
    services.application_submit(application=one, by=partner)

    with pytest.raises(ConcurrentTransition):
        services.application_submit(application=other, by=partner)

    assert steps(application) == [("submit", S.DRAFT, S.SUBMITTED)]


# --- The same through the pages ---------------------------------------------------------

MOVED = (
    "Someone else changed this request while you were working on it: it is now “{state}”. "
    "Nothing was saved; your input is kept below. Check and send again."
)
RACED = (
    "Someone else changed this request while you were working on it. Nothing was saved; "
    "your input is kept below. Check the request and send again."
)


def test_schedule_page_sent_after_a_withdraw_redisplays_the_input(client):
    application = request_in(S.SUBMITTED)
    analyst = actor("analyst")
    client.force_login(analyst)
    url = reverse("meeting_schedule", args=[application.pk])
    seen = field_value(client.get(url), "seen_state")
    services.application_withdraw(
        application=Application.objects.get(pk=application.pk),
        by=actor("own_partner", application),
        reason="Later.",
    )

    response = client.post(
        url,
        {
            "scheduled_for": "2030-05-06T09:00",
            "location": "Room 12",
            "agenda": "Typed agenda.",
            "seen_state": seen,
        },
    )

    assert seen == S.SUBMITTED
    assert errors(response) == [MOVED.format(state="Withdrawn")]
    assert field_value(response, "location") == "Room 12"
    assert field_value(response, "agenda") == "Typed agenda."
    assert field_value(response, "scheduled_for") == "2030-05-06T09:00"
    assert list(meeting_of(application)) == []
    assert steps(application) == [("withdraw", S.SUBMITTED, S.WITHDRAWN)]


def test_withdraw_page_sent_after_a_schedule_keeps_the_reason_and_can_be_sent_again(client):
    application = request_in(S.SUBMITTED)
    partner = actor("own_partner", application)
    client.force_login(partner)
    url = reverse("application_withdraw", args=[application.pk])
    seen = field_value(client.get(url), "seen_state")
    services.meeting_schedule(
        application=Application.objects.get(pk=application.pk),
        by=actor("analyst"),
        scheduled_for=WHEN,
        location="Room 3",
    )
    data = {"comment": "We sold the product line.", "seen_state": seen}

    refused = client.post(url, data)
    resent = client.post(url, {**data, "seen_state": field_value(refused, "seen_state")})

    assert errors(refused) == [MOVED.format(state="Set-up meeting scheduled")]
    assert field_value(refused, "comment") == "We sold the product line."
    assert resent.status_code == 302
    assert steps(application) == [
        ("schedule_meeting", S.SUBMITTED, S.MEETING_SCHEDULED),
        ("withdraw", S.MEETING_SCHEDULED, S.WITHDRAWN),
    ]


def test_submit_button_after_a_colleague_withdrew_says_so(client):
    application = request_in(S.DRAFT)
    partner, colleague = actor("own_partner", application), actor("own_partner", application)
    client.force_login(partner)
    services.application_withdraw(application=application, by=colleague, reason="Duplicate.")

    response = client.post(
        reverse("application_submit", args=[application.pk]),
        confirming({"seen_state": S.DRAFT}),
        follow=True,
    )

    assert alerts(response) == [MOVED.format(state="Withdrawn")]
    assert steps(application) == [("withdraw", S.DRAFT, S.WITHDRAWN)]


def test_decide_page_sent_after_another_leaders_decision_keeps_the_input(client):
    application = request_in(S.AWAITING_APPROVAL)
    client.force_login(actor("leader"))
    url = reverse("admin:workflow_application_decide", args=[application.pk, "approve"])
    seen = field_value(client.get(url), "seen_state")
    services.leader_decide(
        application=Application.objects.get(pk=application.pk),
        by=actor("leader"),
        decision="defer",
        comment="Next quarter.",
    )

    response = client.post(
        url, {"priority": Priority.LOW, "comment": "Typed approval.", "seen_state": seen}
    )

    assert errors(response) == [MOVED.format(state="Deferred")]
    assert field_value(response, "comment") == "Typed approval."
    assert field_value(response, "priority") == [str(Priority.LOW.value)]
    assert stored_state(application) == S.DEFERRED


@contextmanager
def moved_meanwhile(application, state):
    """Another actor moves the stored request the instant the page's service starts writing.

    The page has loaded the request and checked the state it showed; the change lands
    between that load and the service's save, which is the race a stale copy can lose.
    """
    moved = False

    def intercept(execute, sql, params, many, context):
        nonlocal moved
        if not moved and sql.startswith("SAVEPOINT"):
            moved = True
            Application.objects.filter(pk=application.pk).update(
                state=state, state_changed_at=timezone.now()
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(intercept):
        yield


def test_schedule_page_losing_the_race_redisplays_the_input_and_writes_nothing(client):
    application = request_in(S.SUBMITTED)
    client.force_login(actor("analyst"))
    url = reverse("meeting_schedule", args=[application.pk])
    data = {
        "scheduled_for": "2030-05-06T09:00",
        "location": "Room 12",
        "agenda": "Typed agenda.",
        "seen_state": S.SUBMITTED,
    }

    with moved_meanwhile(application, S.WITHDRAWN):
        response = client.post(url, data)

    assert errors(response) == [RACED]
    assert field_value(response, "location") == "Room 12"
    assert field_value(response, "agenda") == "Typed agenda."
    assert list(meeting_of(application)) == []
    assert steps(application) == []
    assert stored_state(application) == S.WITHDRAWN


def test_decide_page_losing_the_race_keeps_the_input(client):
    application = request_in(S.AWAITING_APPROVAL)
    client.force_login(actor("leader"))
    url = reverse("admin:workflow_application_decide", args=[application.pk, "approve"])

    with moved_meanwhile(application, S.DEFERRED):
        response = client.post(
            url,
            {
                "priority": Priority.HIGH,
                "comment": "Typed approval.",
                "seen_state": S.AWAITING_APPROVAL,
            },
        )

    assert errors(response) == [
        "Someone else decided on this request meanwhile. Nothing was saved; your input is "
        "kept. Reload the request before deciding again."
    ]
    assert field_value(response, "comment") == "Typed approval."
    assert steps(application) == []
    assert stored_state(application) == S.DEFERRED
