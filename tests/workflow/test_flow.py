"""One request from draft to approved, through the services, as the three roles."""

import pytest
from django.core import mail
from django.utils import timezone

from tests.factories.accounts import UserFactory
from workflow import selectors, services
from workflow.enums import ApplicationState, Priority, ReadinessCriterion

from ..factories.workflow import SolutionFactory, VersionFactory

pytestmark = pytest.mark.django_db


def test_request_goes_from_draft_to_awaiting_materials(on_commit):
    solution = SolutionFactory()
    version = VersionFactory(solution=solution)
    partner = UserFactory(role="Partner", partner=solution.partner)
    analyst = UserFactory(analyst=True)
    leader = UserFactory(leader=True)
    application = services.application_create(
        by=partner, solution=solution, version=version, motivation="Demand."
    )

    on_commit(services.application_submit, application=application, by=partner)
    on_commit(
        services.meeting_schedule,
        application=application,
        by=analyst,
        scheduled_for=timezone.now(),
        location="Room 1",
    )
    on_commit(
        services.meeting_record,
        application=application,
        by=analyst,
        held_at=timezone.now(),
        notes="Good.",
    )
    services.readiness_scores_save(
        application=application,
        by=analyst,
        scores={c.value: (5, "ok") for c in ReadinessCriterion},
    )
    on_commit(
        services.readiness_decide, application=application, by=analyst, accept=True, comment="Go."
    )
    services.approval_facts_save(
        application=application,
        by=leader,
        facts=services.ApprovalFactsInput(
            overlap_note="None.", roadmap_conflict=False, roadmap_note="", customer_requests=3
        ),
    )
    on_commit(
        services.leader_decide,
        application=application,
        by=leader,
        decision="approve",
        comment="Yes.",
        priority=Priority.HIGH,
    )

    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_MATERIALS
    assert [(e.source_state, e.state, e.by) for e in selectors.timeline(application)] == [
        ("draft", "submitted", partner),
        ("submitted", "meeting_scheduled", analyst),
        ("meeting_scheduled", "readiness_review", analyst),
        ("readiness_review", "awaiting_approval", analyst),
        ("awaiting_approval", "awaiting_materials", leader),
    ]
    assert partner.email in mail.outbox[-1].to
    assert "Approved, awaiting materials" in mail.outbox[-1].subject
