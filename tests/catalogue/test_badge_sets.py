"""The badge's set operations (the KPI job): the same rules as one change at a time."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_fsm_log.models import StateLog

from catalogue import badge
from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from outbox.models import Message
from tests.factories.accounts import UserFactory

from ..factories.workflow import CertificationFactory

pytestmark = pytest.mark.django_db
B = CertificationStatus


def statuses(certifications):
    for certification in certifications:
        certification.refresh_from_db()
    return [certification.status for certification in certifications]


def test_revoke_many_takes_each_allowed_change_once_with_its_event_log_and_message(on_commit):
    """R5.8: certified and at-risk badges are revoked, a revoked one is left alone; one event,
    one state-log row and one outbox message keyed by the event per change."""
    certified, at_risk, revoked = (
        CertificationFactory(),
        CertificationFactory(),
        CertificationFactory(revoked=True),
    )
    badge.mark_at_risk(certification=at_risk, by=badge.SYSTEM, reason="covered")
    events_before = CertificationEvent.objects.count()

    def revoke():
        with transaction.atomic():
            rows = badge.locked(solution_ids=[c.solution_id for c in (certified, at_risk, revoked)])
            return badge.revoke_many(
                [
                    (rows[c.solution_id], f"KPI failed {c.pk}")
                    for c in (certified, at_risk, revoked)
                ],
                by=badge.SYSTEM,
            )

    events = on_commit(revoke)

    assert statuses([certified, at_risk, revoked]) == [B.REVOKED, B.REVOKED, B.REVOKED]
    assert [(e.certification_id, e.action, e.status, e.actor) for e in events] == [
        (certified.pk, "revoked", "revoked", None),
        (at_risk.pk, "revoked", "revoked", None),
    ]
    assert CertificationEvent.objects.count() == events_before + 2
    logs = StateLog.objects.filter(transition="revoke", object_id__in=[certified.pk, at_risk.pk])
    assert sorted(logs.values_list("object_id", "source_state", "state")) == [
        (certified.pk, "certified", "revoked"),
        (at_risk.pk, "at_risk", "revoked"),
    ]
    for event in events:
        message = Message.objects.get(key=f"certification-event:{event.pk}")
        assert message.kwargs == {"event_id": event.pk}
        assert message.state != Message.State.PENDING  # handed on after the commit
    # Asked again, nothing changes: every badge is revoked already.
    assert on_commit(revoke) == []
    assert CertificationEvent.objects.count() == events_before + 2


def test_mark_at_risk_many_records_once_and_locks_rows_it_was_not_given_locked(on_commit):
    certifications = CertificationFactory.create_batch(3)
    changes = [(c, "covered by the plan") for c in certifications]

    first = on_commit(badge.mark_at_risk_many, changes, by=badge.SYSTEM)
    again = on_commit(badge.mark_at_risk_many, changes, by=badge.SYSTEM)

    assert (len(first), again) == (3, [])
    assert statuses(certifications) == [B.AT_RISK] * 3
    # At risk reaches nobody (BADGE_ROUTES): no message.
    assert not Message.objects.filter(task="support_audit.notify_certification_event").exists()


def test_the_set_operations_keep_the_permission_and_the_reason():
    certification = CertificationFactory()
    partner = UserFactory(role="Partner", partner=certification.solution.partner)
    with pytest.raises(PermissionDenied):
        badge.revoke_many([(certification, "no")], by=partner)
    with pytest.raises(PermissionDenied):
        badge.mark_at_risk_many([(certification, "no")], by=None)
    with pytest.raises(ValidationError):
        badge.revoke_many([(certification, "  ")], by=badge.SYSTEM)
    assert statuses([certification]) == [B.CERTIFIED]
