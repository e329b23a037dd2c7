"""Dates that cannot be true are refused beside their field, and nothing is stored: a meeting
scheduled in the past, a meeting held in the future, a remediation action due before its plan
is agreed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from support_audit.forms import PlanItemForm
from workflow.enums import ApplicationState
from workflow.forms import MeetingRecordForm, MeetingScheduleForm
from workflow.models import SetupMeeting

from ..factories.workflow import ApplicationFactory, actor, with_state_records
from .markup import field_value, find_all, text

pytestmark = pytest.mark.django_db
S = ApplicationState


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_meeting_scheduled_in_the_past_is_refused_beside_its_field(client):
    application = with_state_records(ApplicationFactory(state=S.SUBMITTED))
    client.force_login(actor("analyst", application))

    response = client.post(
        reverse("meeting_schedule", args=[application.pk]),
        {
            "scheduled_for": local_input(timezone.now() - timedelta(hours=1)),
            "location": "Room 1",
            "agenda": "Roadmap.",
        },
    )

    assert response.status_code == 200
    (error,) = find_all(response, id="error_1_id_scheduled_for")
    assert text(error) == "A meeting can only be scheduled for a time still to come."
    assert field_value(response, "location") == "Room 1"
    assert not SetupMeeting.objects.filter(application=application).exists()
    application.refresh_from_db()
    assert application.state == S.SUBMITTED


def test_a_meeting_an_hour_ahead_is_accepted():
    form = MeetingScheduleForm(
        {"scheduled_for": local_input(timezone.now() + timedelta(hours=1)), "location": "Room 1"}
    )

    assert form.is_valid(), form.errors


def test_a_meeting_cannot_be_recorded_as_held_in_the_future():
    later = MeetingRecordForm(
        {"held_at": local_input(timezone.now() + timedelta(hours=1)), "notes": "Not yet."}
    )
    earlier = MeetingRecordForm(
        {"held_at": local_input(timezone.now() - timedelta(hours=1)), "notes": "Met."}
    )

    assert later.errors == {"held_at": ["A meeting can only be recorded once it was held."]}
    assert earlier.is_valid(), earlier.errors


def test_a_remediation_action_cannot_be_due_before_the_plan_is_agreed():
    today = timezone.localdate()
    yesterday = PlanItemForm(
        {"description": "Train the team", "owner": "Lead", "due_on": today - timedelta(days=1)}
    )
    due_today = PlanItemForm({"description": "Train the team", "owner": "Lead", "due_on": today})

    assert yesterday.errors == {"due_on": ["An action is due today or later."]}
    assert due_today.is_valid(), due_today.errors
