"""The ledger of the KPI jobs (kpi.runs): a run knows what it must evaluate and what is done;
one solution's failure stops none of the others, and the sweep completes what is left."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerError

from catalogue import badge
from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi import runs
from kpi.models import Breach, EvaluationRun, RunItem
from kpi.tasks import complete_runs, evaluate_chunk, evaluate_month
from outbox.models import Message
from tests.factories.accounts import UserFactory
from tests.factories.kpi import SupportCaseFactory

from ..factories.workflow import CertificationFactory

pytestmark = pytest.mark.django_db

OCTOBER = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)
JOB_TIME = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
State = RunItem.State


def failing_solution():
    """A certified solution whose October fails: 2 of 10 answers late (R5.4)."""
    solution = CertificationFactory().solution
    SupportCaseFactory.create_batch(8, solution=solution, registered_at=OCTOBER, csat=5)
    SupportCaseFactory.create_batch(
        2, solution=solution, registered_at=OCTOBER, csat=5, late_response=True
    )
    return solution


def status(solution):
    solution.certification.refresh_from_db()
    return solution.certification.status


def revocations(solution):
    return CertificationEvent.objects.filter(
        certification__solution=solution, action=CertificationEvent.Action.REVOKED
    ).count()


def badge_messages(solution):
    events = CertificationEvent.objects.filter(certification__solution=solution)
    return Message.objects.filter(
        task="support_audit.notify_certification_event",
        kwargs__event_id__in=list(events.values_list("pk", flat=True)),
    ).count()


@pytest.fixture(autouse=True)
def at_job_time():
    """The monthly job's hour: the run happens then, the sweeps later."""
    with time_machine.travel(JOB_TIME, tick=False):
        yield


@pytest.fixture
def breaks_on(monkeypatch):
    """`breaks_on(solution)`: revoking that solution's badge raises, as a bug would."""
    broken = set()
    revoke_many = badge.revoke_many

    def flaky(changes, **kwargs):
        changes = list(changes)
        if any(certification.solution_id in broken for certification, _reason in changes):
            raise RuntimeError("the badge store is broken")
        return revoke_many(changes, **kwargs)

    monkeypatch.setattr("kpi.evaluation.badge.revoke_many", flaky)
    return broken.add


def test_a_run_writes_down_every_certified_solution_and_completes(on_commit):
    """R5.8: the monthly job's run lists every certified solution; when all are evaluated it is
    complete, and the failing one lost its badge once."""
    solutions = [failing_solution(), CertificationFactory().solution]

    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())

    run = EvaluationRun.objects.get()
    assert (run.kind, run.period, run.as_of) == ("period_ended", "2026-10", JOB_TIME)
    assert (run.completed_at, run.solution_count) == (JOB_TIME, 2)
    # Complete: only its counts are kept, not a row per solution.
    assert not run.items.exists()
    assert runs.with_counts(EvaluationRun.objects.all()).values_list(
        "pending", "failed", "done"
    ).get() == (0, 0, 2)
    assert [status(solution) for solution in solutions] == [
        CertificationStatus.REVOKED,
        CertificationStatus.CERTIFIED,
    ]


def test_one_solution_failing_stops_none_of_the_others(on_commit, breaks_on):
    """R5.8: an error on one solution is recorded against it; every other failing solution in
    the chunk is revoked, and the run stays incomplete."""
    broken, fine = failing_solution(), failing_solution()
    breaks_on(broken.pk)

    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())

    run = EvaluationRun.objects.get()
    item = run.items.get(solution=broken)
    assert (item.state, item.attempts) == (State.FAILED, 1)
    assert "the badge store is broken" in item.error
    assert run.items.get(solution=fine).state == State.DONE
    assert run.completed_at is None
    assert (status(fine), status(broken)) == (
        CertificationStatus.REVOKED,
        CertificationStatus.CERTIFIED,
    )


def test_the_sweep_completes_a_run_after_the_failure_passes(on_commit, monkeypatch, breaks_on):
    """R5.8: once the fault is gone, the next sweep after the back-off evaluates what failed:
    the badge is revoked once and the partner is told once; the others are not touched again."""
    broken, fine = failing_solution(), failing_solution()
    breaks_on(broken.pk)
    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())
    monkeypatch.undo()

    with time_machine.travel(JOB_TIME + timedelta(minutes=5)):
        on_commit(complete_runs)  # too early: the back-off has not passed
    assert status(broken) == CertificationStatus.CERTIFIED
    with time_machine.travel(JOB_TIME + timedelta(minutes=20)):
        on_commit(complete_runs)
        on_commit(complete_runs)

    run = EvaluationRun.objects.get()
    assert run.completed_at is not None
    assert not run.items.exists()
    assert status(broken) == CertificationStatus.REVOKED
    for solution in (broken, fine):
        assert revocations(solution) == 1
        assert badge_messages(solution) == 1
        assert Breach.objects.filter(solution=solution).count() == 1
    partner_mail = [m for m in mail.outbox if broken.partner.members.first().email in m.to]
    assert len(partner_mail) == 1


def test_a_solution_that_keeps_failing_waits_for_staff(on_commit, breaks_on, settings):
    """After KPI_RUN_MAX_ATTEMPTS failures the sweep leaves it; staff see it and ask again."""
    settings.KPI_RUN_MAX_ATTEMPTS = 2
    broken = failing_solution()
    breaks_on(broken.pk)
    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())
    for hours in (1, 3, 6, 12):
        with time_machine.travel(JOB_TIME + timedelta(hours=hours)):
            on_commit(complete_runs)

    item = RunItem.objects.get()
    assert (item.state, item.attempts) == (State.FAILED, 2)

    run = EvaluationRun.objects.get()
    assert runs.retry(EvaluationRun.objects.all()) == 1
    item.refresh_from_db()
    assert (item.state, item.attempts) == (State.FAILED, 1)
    assert run.completed_at is None


def test_a_transient_error_is_raised_for_a_retry_and_leaves_the_chunk_pending(
    on_commit, monkeypatch
):
    """A lost database connection is not a solution's failure: the task raises it (Celery
    retries it with back-off), nothing is marked failed, and the sweep hands the chunk again
    once it is stale."""
    solution = failing_solution()
    run = EvaluationRun.objects.create(
        key="lost", kind="period_ended", period="2026-10", as_of=JOB_TIME, solution_count=1
    )
    RunItem.objects.create(run=run, solution=solution)

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("kpi.runs.evaluate_period", lost)
    with pytest.raises(OperationalError):
        runs.evaluate(run.pk, [solution.pk])
    assert RunItem.objects.get().state == State.PENDING

    monkeypatch.undo()
    with time_machine.travel(JOB_TIME + timedelta(minutes=1)):
        on_commit(complete_runs)
    assert status(solution) == CertificationStatus.REVOKED
    assert EvaluationRun.objects.get().completed_at is not None


def test_a_broker_that_refuses_a_chunk_leaves_it_for_the_sweep(on_commit, monkeypatch):
    """The broker down while a run hands out its chunks: the run is written down, its
    solutions stay due, and the sweep sends them once the broker is back."""
    solution = failing_solution()

    def refused(**kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(evaluate_chunk, "delay", refused)
    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())
    assert RunItem.objects.get().state == State.PENDING
    assert status(solution) == CertificationStatus.CERTIFIED

    monkeypatch.undo()
    with time_machine.travel(JOB_TIME + timedelta(minutes=15)):
        on_commit(complete_runs)
    assert status(solution) == CertificationStatus.REVOKED
    assert EvaluationRun.objects.get().completed_at is not None


def test_the_same_task_delivered_again_continues_its_own_run(on_commit, monkeypatch):
    """A task redelivered after a lost worker carries the same id: it finds its run (and its
    instant), and completes it."""
    solution = failing_solution()

    def refused(**kwargs):
        raise BrokerError("Connection refused.")

    monkeypatch.setattr(evaluate_chunk, "delay", refused)
    first = runs.start(kind="period_ended", period="2026-10", as_of=JOB_TIME, key="task-abc")
    monkeypatch.undo()
    again = on_commit(
        runs.start,
        kind="period_ended",
        period="2026-10",
        as_of=JOB_TIME + timedelta(hours=1),
        key="task-abc",
    )

    assert first.pk == again.pk
    assert EvaluationRun.objects.count() == 1
    again.refresh_from_db()
    assert (again.as_of, again.solution_count, again.completed_at) == (JOB_TIME, 1, JOB_TIME)
    assert revocations(solution) == 1


def test_a_chunk_of_done_solutions_does_nothing(on_commit):
    solution = failing_solution()
    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())
    run = EvaluationRun.objects.get()

    assert runs.evaluate(run.pk, [solution.pk]) == 0
    assert runs.evaluate(run.pk + 1000, [solution.pk]) == 0
    assert revocations(solution) == 1


@pytest.mark.parametrize(
    ("now", "started"),
    [
        (datetime(2026, 11, 1, 1, 0, tzinfo=UTC), []),  # before the job's hour
        (datetime(2026, 11, 1, 5, 0, tzinfo=UTC), ["2026-10"]),
        (datetime(2026, 11, 20, 9, 0, tzinfo=UTC), ["2026-10"]),
        (datetime(2027, 1, 1, 5, 0, tzinfo=UTC), ["2026-12", "2026-H2"]),
    ],
)
def test_the_sweep_starts_a_period_the_scheduler_missed(on_commit, now, started):
    """R5.8: the scheduler down on the 1st: the sweep starts the month's run (and on 1 January
    and 1 July the half-year's), once."""
    failing_solution()
    with time_machine.travel(now):
        on_commit(complete_runs)
        on_commit(complete_runs)

    assert sorted(EvaluationRun.objects.values_list("period", flat=True)) == started


def test_the_sweep_does_not_repeat_a_period_already_run(on_commit):
    failing_solution()
    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())
    with time_machine.travel(JOB_TIME + timedelta(hours=4)):
        on_commit(complete_runs)

    assert EvaluationRun.objects.count() == 1


def test_staff_see_an_incomplete_run_and_why(client, on_commit, breaks_on):
    """The admin lists incomplete runs with their counts; a run's page names the solution
    that failed and its error, and "Complete now" hands it to the workers again."""
    broken = failing_solution()
    failing_solution()
    breaks_on(broken.pk)
    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())
    run = EvaluationRun.objects.get()
    client.force_login(UserFactory(analyst=True, is_staff=True))

    listing = client.get(reverse("admin:kpi_evaluationrun_changelist"), {"complete": "no"})
    page = client.get(reverse("admin:kpi_evaluationrun_change", args=[run.pk]))

    assert listing.status_code == 200
    assert "2026-10" in listing.text
    assert page.status_code == 200
    assert broken.name in page.text or broken.slug in page.text
    assert "the badge store is broken" in page.text
    response = client.post(
        reverse("admin:kpi_evaluationrun_changelist"),
        {"action": "complete_now", "_selected_action": [run.pk]},
        follow=True,
    )
    assert "handed to the workers" in response.text


@pytest.mark.parametrize(("role", "may"), [("analyst", True), ("leader", True), ("auditor", False)])
def test_only_analysts_and_leaders_complete_a_run_by_hand(client, on_commit, breaks_on, role, may):
    """Auditors and R&D experts see the runs; only those who run the programme act on them."""
    broken = failing_solution()
    breaks_on(broken.pk)
    on_commit(evaluate_month, period="2026-10", as_of=JOB_TIME.isoformat())
    client.force_login(UserFactory(**{role: True}))

    listing = client.get(reverse("admin:kpi_evaluationrun_changelist"))

    assert listing.status_code == 200
    assert ('value="complete_now"' in listing.text) is may
