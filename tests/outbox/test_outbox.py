"""The outbox: a step's e-mails are recorded with the step, delivered after commit, and
delivered later when the broker or the mail server is down; never lost, never doubled."""

import socket
from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from certportal.celery import app as celery_app
from outbox import services as outbox
from outbox.models import Message
from outbox.tasks import run_message
from tests.factories.accounts import UserFactory
from workflow import services
from workflow.enums import ApplicationState

from ..factories.workflow import ApplicationFactory, actor
from ..workflow.markup import confirming

S = ApplicationState
State = Message.State
pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nobody listens on: a broker that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_broker(url: str) -> None:
    """Send tasks to `url` from now on (connections to the previous broker are dropped)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Tasks go to a Redis broker that does not answer."""
    conf = celery_app.conf
    eager, url = conf.task_always_eager, conf.broker_url
    conf.task_always_eager = False
    use_broker(f"redis://127.0.0.1:{closed_port()}/0")
    yield
    conf.task_always_eager = eager
    use_broker(url)


@pytest.fixture
def draft():
    application = ApplicationFactory(state=S.DRAFT)
    return application, application.created_by, actor("analyst")


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_step_and_its_message_commit_together(draft, django_capture_on_commit_callbacks):
    application, partner, analyst = draft

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=partner)

    message = Message.objects.get()
    assert (message.task, message.state, message.attempts) == (
        "workflow.notify_transition",
        State.DONE,
        1,
    )
    assert recipients() == sorted([partner.email, analyst.email])


def test_a_step_rolled_back_records_no_message(draft, django_capture_on_commit_callbacks):
    application, partner, _analyst = draft

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.application_submit(application=application, by=partner)
        transaction.set_rollback(True)

    assert (Message.objects.count(), mail.outbox) == (0, [])


def test_with_the_broker_down_the_step_succeeds_and_its_mail_waits_then_goes_once(
    draft, broker_down, client, django_capture_on_commit_callbacks
):
    application, partner, analyst = draft
    client.force_login(partner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("application_submit", args=[application.pk]),
            confirming({"seen_state": S.DRAFT}),
            follow=True,
        )

    application.refresh_from_db()
    message = Message.objects.get()
    assert response.status_code == 200
    assert "Request submitted." in response.content.decode()
    assert application.state == S.SUBMITTED
    assert (message.state, mail.outbox) == (State.PENDING, [])
    assert message.last_error.startswith("broker: ")

    # The sweep runs it once it is due, in its own process, broker or not.
    later = timezone.now() + timedelta(minutes=2)
    assert outbox.deliver_pending(now=later) == {"delivered": 1, "waiting": 0}
    assert outbox.deliver_pending(now=later + timedelta(minutes=5)) == {
        "delivered": 0,
        "waiting": 0,
    }
    assert recipients() == sorted([partner.email, analyst.email])
    assert Message.objects.get().state == State.DONE


def test_the_sweep_waits_for_the_back_off(draft, broker_down, django_capture_on_commit_callbacks):
    application, partner, _analyst = draft
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=partner)

    assert outbox.deliver_pending() == {"delivered": 0, "waiting": 0}
    assert mail.outbox == []


def test_a_mail_server_down_is_retried_with_back_off_and_given_up_for_staff(
    draft, settings, django_capture_on_commit_callbacks
):
    """An e-mail that cannot be sent stays pending, waits longer each time, and after the
    last attempt is failed, visible to staff, who can try again."""
    settings.EMAIL_BACKEND = "tests.outbox.test_outbox.BrokenBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    application, partner, analyst = draft

    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=partner)
    message = Message.objects.get()
    waits = [message.next_attempt_at - timezone.now()]
    for _retry in range(2):
        ran_at = message.next_attempt_at
        outbox.deliver_pending(now=ran_at)
        message.refresh_from_db()
        waits.append(message.next_attempt_at - ran_at)

    assert waits[0] < waits[1]
    assert (message.state, message.attempts) == (State.FAILED, 3)
    assert "SMTP is down" in message.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.retry(Message.objects.all()) == 1
    assert outbox.deliver_pending() == {"delivered": 1, "waiting": 0}
    assert recipients() == sorted([partner.email, analyst.email])


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP is down")


def test_a_message_run_twice_sends_nothing_twice(draft, django_capture_on_commit_callbacks):
    application, partner, _analyst = draft
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, by=partner)
    sent = len(mail.outbox)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(state=State.PENDING)

    assert outbox.run(message.pk) is True
    assert len(mail.outbox) == sent  # the task's own record of who was mailed holds


def test_a_message_the_broker_or_a_worker_lost_is_run_again(draft, settings):
    """Handed to the broker but never run (the worker died), or started and never finished:
    after OUTBOX_STALE_SECONDS the sweep runs it."""
    application, partner, analyst = draft
    with transaction.atomic():
        services.application_submit(application=application, by=partner)
    message = Message.objects.get()
    long_ago = timezone.now() - timedelta(seconds=settings.OUTBOX_STALE_SECONDS + 1)
    Message.objects.filter(pk=message.pk).update(state=State.SENT, dispatched_at=long_ago)
    recent = Message.objects.create(
        task="workflow.notify_transition",
        kwargs=message.kwargs,
        state=State.RUNNING,
        claimed_at=timezone.now(),
    )

    result = outbox.deliver_pending()

    assert result == {"delivered": 1, "waiting": 0}
    assert recipients() == sorted([partner.email, analyst.email])
    recent.refresh_from_db()
    assert recent.state == State.RUNNING  # still running somewhere: left alone


def test_a_task_delivered_again_while_its_message_is_claimed_looks_again_once_stale(
    draft, settings, monkeypatch
):
    """A pool process killed while running a message leaves it claimed; its task, delivered
    again by the broker, finds the claim fresh and retries itself for when the claim is stale,
    instead of giving up and leaving the message to the sweep alone."""
    settings.OUTBOX_STALE_SECONDS = 60
    claimed = Message.objects.create(
        task="workflow.notify_transition",
        kwargs={},
        state=State.RUNNING,
        claimed_at=timezone.now() - timedelta(seconds=10),
    )
    done = Message.objects.create(task="workflow.notify_transition", state=State.DONE)
    countdowns = []

    def retry(countdown):
        countdowns.append(countdown)
        return Retry()

    monkeypatch.setattr(run_message, "retry", retry)
    run_message.push_request(is_eager=False)
    try:
        with pytest.raises(Retry):
            run_message.run(claimed.pk)
        assert run_message.run(done.pk) is False
    finally:
        run_message.pop_request()

    assert countdowns == [51]
    assert outbox.claimed_for(done.pk) is None


def test_the_same_key_is_recorded_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = outbox.enqueue("outbox.deliver_pending", key="once")
        second = outbox.enqueue("outbox.deliver_pending", key="once")

    assert first.pk == second.pk
    assert (Message.objects.count(), len(callbacks)) == (1, 1)


def test_staff_read_the_outbox_and_nobody_edits_it(client, draft):
    application, partner, _analyst = draft
    with transaction.atomic():
        services.application_submit(application=application, by=partner)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)

    listing = client.get(reverse("admin:outbox_message_changelist") + "?state=pending")
    change = client.get(reverse("admin:outbox_message_change", args=[Message.objects.get().pk]))

    assert listing.status_code == change.status_code == 200
    assert "workflow.notify_transition" in listing.content.decode()
    assert client.get(reverse("admin:outbox_message_add")).status_code == 403


def test_many_messages_are_recorded_once_each_and_wait_when_the_broker_is_down(
    broker_down, django_capture_on_commit_callbacks
):
    """enqueue_many: one row per key (a key recorded already is not recorded again), handed to
    the broker after commit; a broker that is down leaves every one pending for the sweep."""
    messages = [(f"bulk:{n}", {"n": n}) for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_many("outbox.deliver_pending", messages)
        outbox.enqueue_many("outbox.deliver_pending", messages[:1])

    rows = Message.objects.filter(key__startswith="bulk:").order_by("key")
    assert [(m.key, m.kwargs, m.state) for m in rows] == [
        (key, kwargs, State.PENDING) for key, kwargs in messages
    ]
    assert all(m.next_attempt_at > timezone.now() and "broker" in m.last_error for m in rows)


def test_many_messages_are_handed_over_in_batches_and_run_once(
    django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(outbox, "DISPATCH_BATCH", 2)
    messages = [(f"bulk:{n}", {}) for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_many("outbox.deliver_pending", messages)

    assert set(Message.objects.values_list("state", flat=True)) == {State.DONE}
    assert outbox.dispatch_keys([key for key, _kwargs in messages]) == 0
