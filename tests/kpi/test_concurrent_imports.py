"""Two imports of the same new batch at the same time, through the API, on a real database:
both answer with success, the rows are stored once, and nothing they cause (escalation
e-mails) is doubled. The second import waits for the first one's rows and reports them as
already stored (updated), never a duplicate-key error."""

import importlib
import threading
import time
from datetime import date
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from catalogue.enums import Marketplace
from kpi import importing
from kpi.importing import CASE_COLUMNS
from kpi.models import Customer, NPSAnswer, SupportCase
from outbox.models import Message
from tests.factories.accounts import ApiTokenFactory, UserFactory
from tests.factories.certification import escalation_people
from tests.factories.kpi import CustomerFactory

from ..factories.workflow import PartnerFactory, SolutionFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 3


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one writer at a time into the whole file: a second concurrent import "
            "waits for the database lock or fails with “database is locked”, whatever the "
            "import does; the race of two writers on one table needs PostgreSQL"
        )


@pytest.fixture
def escalation_levels():
    """The vendor's escalation levels as their data migration seeds them (a test that commits
    for real flushes the database after it, migration data included)."""
    importlib.import_module("support_audit.migrations.0003_vendor_escalation_levels").seed(
        apps, None
    )


@pytest.fixture
def solution(kpi_targets, escalation_levels):
    """A partner's solution with customers ACME (Basic, Russia), r1 and r2, and a person on
    the vendor's first escalation level."""
    solution = SolutionFactory(
        partner=PartnerFactory(), slug="telephony", marketplace=Marketplace.TERRASOFT
    )
    for customer_id in ("ACME", "r1", "r2"):
        CustomerFactory(
            solution=solution,
            customer_id=customer_id,
            support_package="basic",
            region="russia",
            active_until=date(2027, 12, 31),
        )
    escalation_people(1, UserFactory(analyst=True, email="level1@marketplace.example"))
    return solution


def case_rows(solution):
    rows = []
    for number in range(1, ROWS + 1):
        row = dict.fromkeys(CASE_COLUMNS, "")
        row.update(
            solution=solution.slug,
            case_id=f"C-{number}",
            customer="ACME",
            priority="high",
            registered_at="2026-11-13T16:00:00+03:00",
            first_response_at="2026-11-13T17:00:00+03:00",
            escalation_level="1",  # open and escalated: the vendor's level 1 is told
            presale="false",
        )
        rows.append(row)
    return rows


def customer_rows(solution):
    return [
        {
            "solution": solution.slug,
            "customer_id": f"NEW-{number}",
            "installed_version": "1.4.0",
            "support_package": "basic",
            "region": "russia",
            "active_until": "2027-03-31",
        }
        for number in range(1, ROWS + 1)
    ]


def nps_rows(solution):
    return [
        {
            "solution": solution.slug,
            "respondent": respondent,
            "answered_at": "2026-10-01T10:00:00+03:00",
            "score": 9,
        }
        for respondent in ("ACME", "r1", "r2")
    ]


def race_wide_open():
    """Make the race certain rather than likely: the import that writes first keeps its
    transaction open until the other one has started, and a moment longer, so that the other
    one checks what is stored and writes while the first one's rows are not committed yet."""
    started = threading.Semaphore(0)
    first = threading.Lock()
    read = importing.SolutionsBySlug.__init__

    def reading(self, *args, **kwargs):
        started.release()
        read(self, *args, **kwargs)

    class HeldOpen:
        """The imports' transaction.atomic(): the first one waits, before its commit, for the
        other import to have started."""

        def __init__(self, *args, **kwargs):
            self.block = transaction.atomic(*args, **kwargs)
            self.hold = first.acquire(blocking=False)

        def __enter__(self):
            return self.block.__enter__()

        def __exit__(self, *exc):
            if self.hold:
                for _import in range(2):
                    started.acquire(timeout=5)
                time.sleep(0.3)
            return self.block.__exit__(*exc)

    held = SimpleNamespace(atomic=HeldOpen)
    return (
        mock.patch.object(importing.SolutionsBySlug, "__init__", reading),
        mock.patch("kpi.importing.transaction", held),
        mock.patch("kpi.customers.transaction", held),
    )


def post_twice_at_once(url: str, rows, secret: str):
    """POST the same batch from two threads released together; each answer's status and
    JSON body (or the exception)."""
    barrier = threading.Barrier(2)
    answers = [None, None]

    def post(index):
        try:
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
            barrier.wait(timeout=10)
            response = api.post(url, rows, format="json")
            answers[index] = (response.status_code, response.json())
        except Exception as error:  # reported by the assertion below
            answers[index] = error
        finally:
            connections.close_all()

    first, second, third = race_wide_open()
    with first, second, third:
        threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return answers


@pytest.fixture
def secret(solution):
    user = UserFactory(role="Partner", partner=solution.partner)
    return ApiTokenFactory(user=user).secret


def test_two_identical_case_imports_at_once_both_succeed_and_store_and_tell_once(solution, secret):
    """Two imports of the same new batch of escalated cases running together: both
    answer 201, the cases are stored once, and the vendor's level 1 hears of each case once."""
    answers = post_twice_at_once("/api/v1/cases/", case_rows(solution), secret)

    assert sorted(answers, key=str) == [
        (201, {"created": 0, "updated": ROWS}),
        (201, {"created": ROWS, "updated": 0}),
    ]
    assert SupportCase.objects.filter(solution=solution).count() == ROWS
    escalations = Message.objects.filter(task="support_audit.notify_escalation")
    assert sorted(escalations.values_list("kwargs__reference", flat=True)) == [
        f"C-{number}" for number in range(1, ROWS + 1)
    ]
    assert [message.to for message in mail.outbox] == [["level1@marketplace.example"]] * ROWS
    assert len({message.subject for message in mail.outbox}) == ROWS


@pytest.mark.parametrize(
    ("url", "rows", "stored"),
    [
        ("/api/v1/customers/", customer_rows, lambda s: Customer.objects.filter(solution=s)),
        ("/api/v1/nps/", nps_rows, lambda s: NPSAnswer.objects.filter(solution=s)),
    ],
    ids=["customers", "nps"],
)
def test_two_identical_imports_at_once_report_the_rows_once_as_new(
    url, rows, stored, solution, secret
):
    """The other imports the same way: both succeed, and only one reports the rows as new."""
    before = stored(solution).count()

    answers = post_twice_at_once(url, rows(solution), secret)

    assert sorted(answers, key=str) == [
        (201, {"created": 0, "updated": ROWS}),
        (201, {"created": ROWS, "updated": 0}),
    ]
    assert stored(solution).count() == before + ROWS
