"""Benchmark of the programme overview, its download and the queue (see docs/performance.md).

Builds bench requests (solutions with slug "bench-…") in bulk, each with its recorded
transitions spread over the last twelve months, at each size of --sizes (100 and then 10,000 by
default), and for each URL of URLS prints the query count at every size and the median server
time at the largest, through Django's test client (the whole middleware stack) signed in as a
bench analyst, against a reference timed in the same run: counting the requests (one query,
no page). Everything it created is deleted at the end.
"""

import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from accounts.enums import Role
from catalogue.enums import Marketplace
from catalogue.models import Partner, Solution, SolutionVersion
from workflow.enums import ApplicationState, Priority
from workflow.models import Application

S = ApplicationState
PREFIX = "bench-insight-"
USERNAME = "bench-insight-analyst"
REQUESTS_PER_SOLUTION = 10
# The URLs timed, by name: add a line to time another page (e.g. an API list).
URLS = (
    ("overview", lambda: reverse("programme_overview")),
    ("overview_xlsx", lambda: reverse("programme_overview") + "?export=xlsx"),
    ("queue", lambda: reverse("queue")),
    ("queue_csv", lambda: reverse("queue") + "?export=csv"),
    ("api_requests", lambda: reverse("api_requests")),
    ("api_requests_stage3", lambda: reverse("api_requests") + "?stage=3"),
)
# The paths the bench requests took (from the draft), each move `step` days after the last.
PATHS = (
    (S.SUBMITTED,),
    (S.SUBMITTED, S.READINESS_REVIEW),
    (S.SUBMITTED, S.AWAITING_APPROVAL),
    (S.SUBMITTED, S.AWAITING_APPROVAL, S.AWAITING_MATERIALS, S.SUBMITTED_FOR_REVIEW),
    (S.SUBMITTED, S.AWAITING_APPROVAL, S.DECLINED),
    (S.SUBMITTED, S.AWAITING_APPROVAL, S.AWAITING_MATERIALS, S.QUALITY_PASSED, S.SUPPORT_REVIEW),
    (S.SUBMITTED, S.AWAITING_APPROVAL, S.AWAITING_MATERIALS, S.QUALITY_PASSED, S.CERTIFIED),
)


def cleanup() -> None:
    """Delete every bench row of this benchmark."""
    solutions = Solution.objects.filter(slug__startswith=PREFIX)
    applications = Application.objects.filter(solution__in=solutions)
    with transaction.atomic():
        StateLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id__in=applications.values("pk"),
        ).delete()
        applications.delete()
        SolutionVersion.objects.filter(solution__in=solutions).delete()
        solutions.delete()
        Partner.objects.filter(slug__startswith=PREFIX).delete()
        get_user_model().objects.filter(username=USERNAME).delete()


def build(start: int, count: int, user) -> None:
    """Bench requests number `start` to `start + count - 1`, with their transitions."""
    partner, _created = Partner.objects.get_or_create(
        slug=f"{PREFIX}partner", defaults={"name": "Bench insight partner"}
    )
    first, last = start // REQUESTS_PER_SOLUTION, (start + count - 1) // REQUESTS_PER_SOLUTION
    existing = set(Solution.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
    marketplaces = list(Marketplace.values)
    new = [
        Solution(
            partner=partner,
            name=f"Bench insight {n}",
            slug=f"{PREFIX}{n}",
            marketplace=marketplaces[n % len(marketplaces)],
            category="Bench",
        )
        for n in range(first, last + 1)
        if f"{PREFIX}{n}" not in existing
    ]
    Solution.objects.bulk_create(new)
    solutions = {s.slug: s for s in Solution.objects.filter(slug__startswith=PREFIX)}
    SolutionVersion.objects.bulk_create(
        SolutionVersion(solution=solutions[s.slug], number="1.0.0") for s in new
    )
    versions = {
        v.solution_id: v for v in SolutionVersion.objects.filter(solution__slug__startswith=PREFIX)
    }
    now = timezone.now()
    planned = []
    for n in range(start, start + count):
        solution = solutions[f"{PREFIX}{n // REQUESTS_PER_SOLUTION}"]
        path = PATHS[n % len(PATHS)]
        step = timedelta(days=1 + n % 20)
        filed = now - timedelta(days=5 + n % 360) - step * len(path)
        planned.append((solution, path, step, filed, n))
    applications = Application.objects.bulk_create(
        Application(
            solution=solution,
            version=versions[solution.pk],
            motivation="Benchmark.",
            created_by=user,
            state=path[-1],
            priority=list(Priority.values)[n % 3] if len(path) > 2 else None,
            submitted_at=filed,
            state_changed_at=filed + step * (len(path) - 1),
        )
        for solution, path, step, filed, n in planned
    )
    content_type = ContentType.objects.get_for_model(Application)
    logs = []
    for application, (_solution, path, step, filed, _n) in zip(applications, planned, strict=True):
        source = S.DRAFT
        for index, state in enumerate(path):
            logs.append(
                StateLog(
                    content_type=content_type,
                    object_id=application.pk,
                    source_state=source,
                    state=state,
                    transition="bench",
                    timestamp=filed + step * index,
                )
            )
            source = state
    StateLog.objects.bulk_create(logs, batch_size=5000)


class _Counter:
    """Counts the queries run (CaptureQueriesContext loses them: each request resets the log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _timed(client: Client, url: str, rounds: int) -> tuple[int, float]:
    """The query count of one request and the median server time (ms) of `rounds` more."""
    captured = _Counter()
    with connection.execute_wrapper(captured):
        response = client.get(url, secure=True)
        b"".join(response) if response.streaming else response.content
    if response.status_code != 200:
        raise CommandError(f"{url} answered {response.status_code}.")
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        response = client.get(url, secure=True)
        b"".join(response) if response.streaming else response.content
        times.append((time.perf_counter() - began) * 1000)
    return captured.count, statistics.median(times)


def _reference(rounds: int) -> float:
    """The median time (ms) of counting the requests: the floor every page pays at least."""
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        Application.objects.count()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


class Command(BaseCommand):
    help = "Benchmark the programme overview, its download and the queue at two sizes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="100,10000", help="bench requests, comma-separated, growing"
        )
        parser.add_argument("--rounds", type=int, default=7)

    def handle(self, *args, sizes, rounds, **options):
        try:
            steps = [int(size) for size in sizes.split(",") if size.strip()]
        except ValueError:
            raise CommandError("--sizes takes whole numbers, e.g. 100,10000.") from None
        if not steps or steps != sorted(set(steps)) or steps[0] < 1 or rounds < 1:
            raise CommandError("--sizes grow from 1 (e.g. 100,10000); --rounds ≥ 1.")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.DEBUG = False
        cleanup()
        try:
            self._run(steps, rounds)
        finally:
            cleanup()

    def _run(self, steps: list[int], rounds: int) -> None:
        user = get_user_model().objects.create_user(
            username=USERNAME, email="bench-insight@example.com", is_staff=True
        )
        user.groups.add(Group.objects.get_or_create(name=Role.ANALYST)[0])
        client = Client()
        client.force_login(user)
        built = 0
        results: dict[str, dict] = {name: {} for name, _url in URLS}
        reference = 0.0
        for size in steps:
            began = time.perf_counter()
            build(built, size - built, user)
            built = size
            self.stdout.write(f"{size} requests built in {time.perf_counter() - began:.1f} s")
            reference = _reference(rounds)
            for name, url in URLS:
                results[name][size] = _timed(client, url(), rounds)
        largest = steps[-1]
        self.stdout.write(f"reference (count of {largest} requests): {reference:.2f} ms")
        self.stdout.write("url | " + " | ".join(f"queries at {s}" for s in steps) + " | ms | ratio")
        summary = []
        for name, url in URLS:
            counts = [results[name][size][0] for size in steps]
            median = results[name][largest][1]
            ratio = median / reference if reference else 0.0
            self.stdout.write(
                f"{name} {url()} | "
                + " | ".join(str(c) for c in counts)
                + f" | {median:.1f} | {ratio:.0f}"
            )
            summary.append(f"{name}_queries={'/'.join(map(str, counts))} {name}_ms={median:.1f}")
        self.stdout.write(" ".join(summary))
