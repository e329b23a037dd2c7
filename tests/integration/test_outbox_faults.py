"""Faults against a real Redis broker and a real worker: a broker of the test's own (never
the shared one) is stopped while a partner takes a step, while an analyst revokes a badge and
while a partner's system imports support cases through the API; each answer is a success, and
once the broker is back the worker's sweep delivers every e-mail once.

The worker runs in this process (a thread), so the clock tests/conftest.py pins applies to it
too: the sweep runs two minutes later on that clock (tick=True), past the first back-off.
"""

import importlib
import time
from datetime import date, timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from catalogue.enums import CertificationStatus, Marketplace
from catalogue.models import Certification
from certportal.celery import app as celery_app
from kpi.importing import CASE_COLUMNS
from kpi.models import SupportCase
from outbox.models import Message
from outbox.tasks import deliver_pending
from tests.factories.accounts import ApiTokenFactory, UserFactory
from tests.factories.certification import escalation_people
from tests.factories.kpi import CustomerFactory
from tests.integration.services import REDIS, use_broker, wait_for
from workflow.enums import ApplicationState
from workflow.models import Notification

from ..factories.workflow import ApplicationFactory, CertificationFactory, SolutionFactory, actor
from ..workflow.markup import confirming

S = ApplicationState
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS is None, reason="needs redis-server to start a broker of its own"),
]


class Sweeps:
    """The results of the sweeps (outbox.deliver_pending) that the worker ran."""

    def __init__(self):
        self.results = []

    def __call__(self, sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == "outbox.deliver_pending":
            self.results.append(retval)


def broker_back_and_swept(broker) -> tuple[list[dict], float]:
    """The broker comes back; a worker runs the sweep that beat sends every minute, twice (the
    second must find nothing to do). Returns both sweeps' results and the seconds from the
    broker's return until every message was delivered."""
    broker.start()
    use_broker(broker.url)
    back = time.monotonic()
    sweeps = Sweeps()
    task_postrun.connect(sweeps, weak=False)
    try:
        with (
            start_worker(celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"),
            time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True),
        ):
            deliver_pending.delay()
            assert wait_for(lambda: len(sweeps.results) == 1)
            delivered_in = time.monotonic() - back
            deliver_pending.delay()
            assert wait_for(lambda: len(sweeps.results) == 2)
    finally:
        task_postrun.disconnect(sweeps)
    return sweeps.results, delivered_in


def answered_while_down(request) -> tuple[object, float]:
    started = time.monotonic()
    response = request()
    return response, time.monotonic() - started


def report(what: str, answered_in: float, delivered_in: float) -> None:
    """The figures of docs/reliability.md (`pytest -s` shows them)."""
    print(
        f"\nBroker down during {what}: answered in {answered_in:.2f} s; every e-mail delivered "
        f"{delivered_in:.2f} s after the broker's return (worker start included)"
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_step_taken_while_the_broker_is_down_is_mailed_once_when_it_is_back(broker, client):
    application = ApplicationFactory(state=S.DRAFT)
    partner, analyst = application.created_by, actor("analyst")
    client.force_login(partner)
    broker.stop()

    response, answered_in = answered_while_down(
        lambda: client.post(
            reverse("application_submit", args=[application.pk]),
            confirming({"seen_state": S.DRAFT}),
        )
    )

    application.refresh_from_db()
    assert response.status_code == 302
    assert application.state == S.SUBMITTED
    assert answered_in < 3
    assert Message.objects.get().state == Message.State.PENDING
    assert mail.outbox == []

    sweeps, delivered_in = broker_back_and_swept(broker)
    report("a step", answered_in, delivered_in)

    assert Message.objects.get().state == Message.State.DONE
    assert sweeps == [{"delivered": 1, "waiting": 0}, {"delivered": 0, "waiting": 0}]
    wanted = sorted([partner.email, analyst.email])
    assert recipients() == wanted
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == wanted


def test_a_badge_revoked_while_the_broker_is_down_is_mailed_once_when_it_is_back(broker, client):
    """R5.8, R7.1: the analyst's revocation succeeds and the badge is off at once; the partner
    and the analysts hear of it once the broker is back, each once."""
    certification = CertificationFactory(solution__name="Phone Link")
    solution = certification.solution
    partner, colleague = certification.application.created_by, actor("analyst")
    analyst = actor("analyst")
    client.force_login(analyst)
    broker.stop()

    response, answered_in = answered_while_down(
        lambda: client.post(
            reverse("badge_revoke", args=[solution.slug]),
            {"reason": "CSAT positive share below 80 % since August."},
        )
    )

    assert response.status_code == 302
    assert response.url == reverse("certificate", args=[solution.slug])
    assert answered_in < 3
    assert Certification.objects.get(pk=certification.pk).status == CertificationStatus.REVOKED
    badge = client.get(reverse("badge_json", args=[solution.slug])).json()
    assert (badge["certified"], badge["status"]) == (False, "revoked")
    message = Message.objects.get()
    assert (message.task, message.state) == (
        "support_audit.notify_certification_event",
        Message.State.PENDING,
    )
    assert mail.outbox == []

    sweeps, delivered_in = broker_back_and_swept(broker)
    report("a revocation", answered_in, delivered_in)

    assert Message.objects.get().state == Message.State.DONE
    assert sweeps == [{"delivered": 1, "waiting": 0}, {"delivered": 0, "waiting": 0}]
    assert recipients() == sorted([partner.email, analyst.email, colleague.email])
    assert {m.subject for m in mail.outbox} == {"[Certification] Phone Link: Revoked"}


@pytest.fixture
def escalation_levels(transactional_db):
    """The vendor's four escalation levels as their data migration seeds them (a test that
    commits for real finds the database flushed of migration data; the seed is idempotent)."""
    module = importlib.import_module("support_audit.migrations.0003_vendor_escalation_levels")
    module.seed(apps, None)


def case_row(solution, case_id, **values):
    row = dict.fromkeys(CASE_COLUMNS, "")
    row.update(
        solution=solution.slug,
        case_id=case_id,
        customer="ACME",
        priority="high",
        registered_at="2026-11-13T16:00:00+03:00",
        first_response_at="2026-11-13T17:00:00+03:00",
        presale="false",
    )
    row.update(values)
    return row


def test_cases_imported_while_the_broker_is_down_escalate_once_when_it_is_back(
    broker, kpi_targets, escalation_levels
):
    """R4.6, R7.4: the API stores the batch and answers 201; the vendor's level-1 people hear
    of the escalated case once the broker is back, once, however often the client sends the
    same batch again."""
    solution = SolutionFactory(marketplace=Marketplace.TERRASOFT, name="Phone Link")
    CustomerFactory(
        solution=solution,
        customer_id="ACME",
        support_package="basic",
        region="russia",
        active_until=date(2027, 12, 31),
    )
    level_one = UserFactory(analyst=True, email="anna@vendor.example")
    escalation_people(1, level_one)
    api = APIClient()
    member = UserFactory(role="Partner", partner=solution.partner)
    api.credentials(HTTP_AUTHORIZATION=f"Token {ApiTokenFactory(user=member).secret}")
    batch = [
        case_row(solution, "C-1"),
        case_row(solution, "C-2", escalation_level="1"),
        case_row(solution, "C-3", resolved_at="2026-11-14T12:00:00+03:00"),
    ]
    broker.stop()

    response, answered_in = answered_while_down(
        lambda: api.post("/api/v1/cases/", batch, format="json")
    )
    # The client did not hear the answer (a timeout of its own) and sends the batch again.
    again = api.post("/api/v1/cases/", batch, format="json")

    assert (response.status_code, response.json()) == (201, {"created": 3, "updated": 0})
    assert (again.status_code, again.json()) == (201, {"created": 0, "updated": 3})
    assert answered_in < 3
    assert sorted(SupportCase.objects.values_list("case_id", flat=True)) == ["C-1", "C-2", "C-3"]
    message = Message.objects.get()
    assert (message.task, message.state) == (
        "support_audit.notify_escalation",
        Message.State.PENDING,
    )
    assert mail.outbox == []

    sweeps, delivered_in = broker_back_and_swept(broker)
    report("a case import", answered_in, delivered_in)

    assert sweeps == [{"delivered": 1, "waiting": 0}, {"delivered": 0, "waiting": 0}]
    assert recipients() == ["anna@vendor.example"]
    assert "C-2" in mail.outbox[0].body

    # Sent once more after the e-mail went out: stored again, mailed no more.
    later = api.post("/api/v1/cases/", batch, format="json")

    assert (later.status_code, later.json()) == (201, {"created": 0, "updated": 3})
    assert Message.objects.get().state == Message.State.DONE
    assert recipients() == ["anna@vendor.example"]
