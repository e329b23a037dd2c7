"""Faults against a real Redis broker and a real worker: a broker of the test's own (never
the shared one) is stopped while a partner takes a step; the step succeeds, and once the
broker is back the worker's sweep delivers every e-mail once."""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.enums import ApplicationState
from applications.models import Notification
from certportal.celery import app as celery_app
from outbox.models import Message
from outbox.tasks import deliver_pending
from tests.factories.applications import ApplicationFactory, actor

S = ApplicationState
REDIS = shutil.which("redis-server")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS is None, reason="needs redis-server to start a broker of its own"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    """A redis-server on a port of its own, started and stopped by its pid."""

    def __init__(self):
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    own = OwnRedis()
    own.start()
    eager, url = celery_app.conf.task_always_eager, celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    use_broker(own.url)
    yield own
    own.stop()
    celery_app.conf.task_always_eager = eager
    use_broker(url)


def wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        time.sleep(0.2)
    return condition()


def test_a_step_taken_while_the_broker_is_down_is_mailed_once_when_it_is_back(broker, client):
    application = ApplicationFactory(state=S.DRAFT)
    partner, analyst = application.created_by, actor("analyst")
    client.force_login(partner)
    broker.stop()

    started = time.monotonic()
    response = client.post(
        reverse("application_submit", args=[application.pk]), {"seen_state": S.DRAFT}
    )
    answered_in = time.monotonic() - started

    application.refresh_from_db()
    assert response.status_code == 302
    assert application.state == S.SUBMITTED
    assert answered_in < 3
    assert Message.objects.get().state == Message.State.PENDING
    assert mail.outbox == []

    broker.start()
    use_broker(broker.url)
    with (
        start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"),
        time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True),
    ):
        # The sweep that beat sends every minute, twice: the second finds nothing to do.
        deliver_pending.delay()
        assert wait_for(lambda: Message.objects.get().state == Message.State.DONE)
        deliver_pending.delay()
        time.sleep(1)

    wanted = sorted([partner.email, analyst.email])
    assert sorted(address for message in mail.outbox for address in message.to) == wanted
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == wanted
