"""Tasks go through a real Redis broker to a real Celery worker (CI sets REDIS_URL)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from applications import services
from applications.enums import ApplicationState
from applications.models import Notification
from certportal.celery import app as celery_app
from tests.factories.accounts import UserFactory
from tests.factories.applications import ApplicationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)"),
]


@pytest.fixture
def real_worker(settings):
    """A worker thread consuming from the configured Redis broker, tasks not eager."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = os.environ["REDIS_URL"]
    try:
        with start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            yield
    finally:
        celery_app.conf.task_always_eager = True


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
