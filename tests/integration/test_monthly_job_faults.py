"""The monthly KPI job under worker faults, with a real Celery worker process (prefork pool)
on a broker of the test's own and the test's PostgreSQL database: 300 certified solutions
whose October fails; the worker's pool processes, or the whole worker, are killed with
SIGKILL half-way. After recovery every failing solution is revoked exactly once and every
person is e-mailed exactly once per revocation.

The worker is a separate process with the real clock: the job is given its instant
(`as_of`) explicitly, and the e-mails it sends are files (the file e-mail backend)."""

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from catalogue.enums import CertificationStatus
from catalogue.models import Certification, CertificationEvent
from certportal.celery import app as celery_app
from kpi.models import Breach, EvaluationRun, RunItem
from outbox.models import Message
from outbox.tasks import deliver_pending
from tests.factories.accounts import UserFactory
from tests.factories.kpi import SupportCaseFactory
from tests.integration.services import REDIS, wait_for

from ..factories.workflow import CertificationFactory

SOLUTIONS = 300
OCTOBER = datetime(2026, 10, 12, 9, 0, tzinfo=UTC)
JOB = {"period": "2026-10", "as_of": "2026-11-01T02:00:00+00:00"}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(REDIS is None, reason="needs redis-server to start a broker of its own"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL: a worker process shares the test's database",
    ),
]


class Worker:
    """`celery worker` in a process group of its own, on the test's broker and database."""

    def __init__(self, broker_url: str, mail_dir: Path, log: Path):
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            # Small chunks, so a kill lands in the middle of the job; solutions handed to a
            # lost worker are handed again after 5 s instead of half an hour.
            "KPI_RUN_CHUNK_SIZE": "20",
            "KPI_RUN_STALE_SECONDS": "5",
            "OUTBOX_STALE_SECONDS": "5",
        }
        self.log = log
        self.process = None

    def start(self):
        command = [sys.executable, "-m", "celery", "-A", "certportal", "worker"]
        command += ["--pool=prefork", "--concurrency=2", "--loglevel=WARNING", "--without-gossip"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def pool(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill_pool(self) -> list[int]:
        pids = self.pool()
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        return pids

    def kill(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def workers(broker, tmp_path):
    started = []

    def start():
        worker = Worker(broker.url, tmp_path / "mail", tmp_path / "worker.log")
        worker.start()
        started.append(worker)
        return worker

    (tmp_path / "mail").mkdir()
    yield start
    for worker in started:
        worker.kill()


def failing_solutions(count=SOLUTIONS):
    """`count` certified solutions, each with a partner's member who applied, whose October
    fails (its one case answered late: R5.4)."""
    certifications = CertificationFactory.create_batch(count)
    for certification in certifications:
        SupportCaseFactory(
            solution=certification.solution, registered_at=OCTOBER, csat=5, late_response=True
        )
    return certifications


def revoked() -> int:
    return Certification.objects.filter(status=CertificationStatus.REVOKED).count()


def october_complete() -> bool:
    return EvaluationRun.objects.filter(period="2026-10", completed_at__isnull=False).exists()


def all_delivered() -> bool:
    undone = Message.objects.exclude(state=Message.State.DONE)
    return Message.objects.count() >= SOLUTIONS and not undone.exists()


def undelivered(tmp_path) -> str:
    """What the outbox still holds, and the worker's log: the message of a failed wait."""
    rows = Message.objects.exclude(state=Message.State.DONE).values_list(
        "pk", "task", "state", "attempts", "claimed_at", "last_error"
    )
    return "\n".join([*map(str, rows[:20]), (tmp_path / "worker.log").read_text()[-5000:]])


def mails_by_recipient(mail_dir: Path) -> Counter:
    counter = Counter()
    for path in mail_dir.iterdir():
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                counter[line[4:].strip()] += 1
    return counter


def assert_revoked_and_told_once(certifications, analyst, mail_dir):
    assert revoked() == SOLUTIONS
    per_certification = Counter(
        CertificationEvent.objects.filter(action=CertificationEvent.Action.REVOKED).values_list(
            "certification_id", flat=True
        )
    )
    assert set(per_certification) == {c.pk for c in certifications}
    assert set(per_certification.values()) == {1}
    assert Breach.objects.count() == SOLUTIONS
    received = mails_by_recipient(mail_dir)
    members = [
        email
        for c in certifications
        for email in c.solution.partner.members.values_list("email", flat=True)
    ]
    assert len(members) >= SOLUTIONS
    assert [received[email] for email in members] == [1] * len(members)
    assert received[analyst.email] == SOLUTIONS


def test_pool_processes_killed_mid_job_lose_and_double_nothing(workers, tmp_path, kpi_targets):
    """R5.8: both pool processes killed with SIGKILL while the job runs (what the OOM killer
    does): their tasks are requeued, not acknowledged, and the job completes by itself; the
    outbox's sweep (beat's, every minute) sends what they had not handed to the broker."""
    certifications = failing_solutions()
    analyst = UserFactory(analyst=True)
    worker = workers()
    started = time.monotonic()

    celery_app.send_task("kpi.evaluate_month", kwargs=JOB)
    assert wait_for(lambda: revoked() >= SOLUTIONS // 4, seconds=120), revoked()
    at_kill = revoked()
    killed = worker.kill_pool()
    assert wait_for(october_complete, seconds=240), (tmp_path / "worker.log").read_text()

    def swept() -> bool:
        # What beat sends every minute: the outbox's sweep hands over the e-mails that a killed
        # process had recorded and committed but not yet handed to the broker.
        deliver_pending.delay()
        return wait_for(all_delivered, seconds=3)

    assert wait_for(swept, seconds=240), undelivered(tmp_path)
    elapsed = time.monotonic() - started

    log = (tmp_path / "worker.log").read_text()
    assert killed and re.search(r"signal 9|SIGKILL", log), log
    assert at_kill < SOLUTIONS
    assert_revoked_and_told_once(certifications, analyst, tmp_path / "mail")
    print(f"\npool killed at {at_kill}/{SOLUTIONS} revoked; all done in {elapsed:.1f} s")


def test_the_whole_worker_killed_mid_job_is_completed_by_the_sweeps(workers, tmp_path, kpi_targets):
    """R5.8: the whole worker killed with SIGKILL half-way: what it held is not redelivered by
    the broker before its visibility timeout, so a new worker's sweeps (the KPI runs' and the
    outbox's, as beat sends them) complete the job and deliver every e-mail once."""
    certifications = failing_solutions()
    analyst = UserFactory(analyst=True)
    worker = workers()
    started = time.monotonic()

    celery_app.send_task("kpi.evaluate_month", kwargs=JOB)
    assert wait_for(lambda: revoked() >= SOLUTIONS // 4, seconds=120), revoked()
    worker.kill()
    at_kill = revoked()
    killed_at = time.monotonic()
    workers()

    def swept() -> bool:
        celery_app.send_task("kpi.complete_runs")
        deliver_pending.delay()
        return october_complete() and wait_for(all_delivered, seconds=3)

    assert wait_for(swept, seconds=240), (tmp_path / "worker.log").read_text()
    recovered = time.monotonic() - killed_at
    elapsed = time.monotonic() - started

    assert at_kill < SOLUTIONS
    assert_revoked_and_told_once(certifications, analyst, tmp_path / "mail")
    print(
        f"\nworker killed at {at_kill}/{SOLUTIONS} revoked; recovered {recovered:.1f} s after "
        f"the kill, {elapsed:.1f} s in all"
    )


def test_the_same_chunk_delivered_twice_at_once_doubles_nothing(workers, tmp_path, kpi_targets):
    """R5.8: a chunk delivered twice (a redelivery racing the original) runs in both pool
    processes at the same time: each badge is revoked once, each person told once."""
    certifications = failing_solutions()
    analyst = UserFactory(analyst=True)
    run = EvaluationRun.objects.create(
        key="twice",
        kind=EvaluationRun.Kind.PERIOD_ENDED,
        period="2026-10",
        as_of=JOB["as_of"],
        solution_count=SOLUTIONS,
    )
    run.items.bulk_create([RunItem(run=run, solution=c.solution) for c in certifications])
    chunk = {"run_id": run.pk, "solution_ids": [c.solution_id for c in certifications]}

    celery_app.send_task("kpi.evaluate_chunk", kwargs=chunk)
    celery_app.send_task("kpi.evaluate_chunk", kwargs=chunk)
    workers()

    assert wait_for(october_complete, seconds=240), (tmp_path / "worker.log").read_text()
    assert wait_for(all_delivered, seconds=240), undelivered(tmp_path)
    assert_revoked_and_told_once(certifications, analyst, tmp_path / "mail")
