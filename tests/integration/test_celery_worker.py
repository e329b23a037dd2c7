"""Tasks go through a real Redis broker to a real Celery worker. The broker is a redis-server
of the test's own: parallel test processes sharing one Redis would take each other's tasks."""

import time
from datetime import UTC, datetime

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.utils import timezone

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from certportal.celery import app as celery_app
from kpi.models import Breach, KPISnapshot
from kpi.tasks import evaluate_month
from tests.factories.accounts import UserFactory
from tests.factories.kpi import SupportCaseFactory
from tests.integration.services import REDIS, wait_for
from workflow import services
from workflow.enums import ApplicationState
from workflow.models import Notification

from ..factories.workflow import ApplicationFactory, CertificationFactory

pytestmark = [
    # Committed for real: the worker reads through its own connection.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS is None, reason="needs redis-server to start a broker of its own"),
]


@pytest.fixture
def real_worker(settings, broker):
    """A worker thread consuming from the test's broker, tasks not eager."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        yield


def test_transition_e_mail_is_sent_by_the_worker_after_commit(real_worker):
    application = ApplicationFactory(state=ApplicationState.SUBMITTED)
    UserFactory(role="Partner", partner=application.solution.partner)
    members = sorted(application.solution.partner.members.values_list("email", flat=True))
    analyst = UserFactory(analyst=True)

    services.meeting_schedule(
        application=application,
        by=analyst,
        scheduled_for=timezone.now(),
        location="Room 3",
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and Notification.objects.count() < len(members):
        time.sleep(0.2)

    assert sorted(Notification.objects.values_list("recipient", flat=True)) == members
    assert sorted(message.to[0] for message in mail.outbox) == members


def test_the_monthly_kpi_job_runs_on_the_worker_and_revokes_a_failing_badge_once(
    real_worker, kpi_targets
):
    """R5.4, R5.8: the scheduled job, sent to the broker, fans out over the certified solutions
    on the worker; a month with 2 of 10 answers late revokes the badge (actor: the job) and
    tells the partner and the analysts; a retried run changes nothing."""
    analyst = UserFactory(analyst=True)
    failing, passing = CertificationFactory().solution, CertificationFactory().solution
    october = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
    for solution, late in ((failing, 2), (passing, 0)):
        SupportCaseFactory.create_batch(10 - late, solution=solution, registered_at=october, csat=5)
        SupportCaseFactory.create_batch(
            late, solution=solution, registered_at=october, csat=5, late_response=True
        )

    chunks_done = []

    def count_chunk(sender=None, **_kwargs):
        if sender is not None and sender.name == "kpi.evaluate_chunk":
            chunks_done.append(sender.name)

    task_postrun.connect(count_chunk, weak=False)
    try:
        for run in range(2):  # the second run is a retry of the first
            evaluate_month.delay(period="2026-10", as_of="2026-11-01T02:00:00+00:00")
            assert wait_for(lambda run=run: len(chunks_done) == run + 1)
    finally:
        task_postrun.disconnect(count_chunk)
    # The month is final after the first run: the retry found it judged and left it as it was.
    snapshots = KPISnapshot.objects.filter(period="2026-10")
    assert (snapshots.count(), snapshots.filter(provisional=True).count()) == (10, 0)

    assert wait_for(lambda: any(analyst.email in message.to for message in mail.outbox))
    failing.certification.refresh_from_db()
    passing.certification.refresh_from_db()
    assert failing.certification.status == CertificationStatus.REVOKED
    assert passing.certification.status == CertificationStatus.CERTIFIED
    revoked = CertificationEvent.objects.get(action=CertificationEvent.Action.REVOKED)
    assert revoked.actor is None and revoked.certification.solution == failing
    assert list(Breach.objects.values_list("kpi", flat=True)) == ["response_overdue_rate"]
    assert sum(analyst.email in message.to for message in mail.outbox) == 1
