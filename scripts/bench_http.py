"""How near the public pages come to a bare view, and how long the lists take on the server.

    DATABASE_URL=postgres://…/certportal_bench REDIS_URL=redis://…/12 \\
        .venv/bin/python scripts/bench_http.py [--rounds 3] [--duration 5] [--connections 8]
    … scripts/bench_http.py --pages [--samples 30]

The database must hold nothing but the benchmark's data (solutions named `bench-…`): the
script migrates it and, when empty, seeds it in bulk with 1,000 certified solutions (and 200
others) of 20 partners in 10 business areas, 10,000 requests of the first partner in every
state, 300 regular audits and 300 remediation actions past due.

HTTP mode: gunicorn (2 sync workers, DEBUG=0, BENCH_BARE_VIEW=1, the anonymous API rate
lifted) serves the portal; wrk measures, for each public page in turn, the bare constant view
of the same process and then the page (a warm-up second, then `--duration` seconds each),
for `--rounds` rounds. Each page's ratio is its rate over the bare view's rate measured just
before it; the medians are printed, the last line machine-readable:
`badge_ratio=… svg_ratio=… api_ratio=… catalogue_ratio=…`.

Pages mode (`--pages`): the server time of the lists in this process (Django's test client,
the whole middleware stack, DEBUG=0), `--samples` requests each, the median and the p95 in
milliseconds; the catalogue and the API also with their cache forgotten before each request.
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CERTIFIED = 1000
UNCERTIFIED = 200
PARTNERS = 20
AREAS = 10
REQUESTS = 10_000
OVERDUE = 300
PASSWORD = "bench-password-1"


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "certportal.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789")
    django.setup()


# The portal's own modules and Django's models are imported inside the functions, after
# setup_django(): importing a model before django.setup() fails.


def check_database():
    from catalogue.models import Solution  # noqa: PLC0415

    foreign = Solution.objects.exclude(slug__startswith="bench-").count()
    if foreign:
        sys.exit(f"The database holds {foreign} solutions not made by the benchmark: refusing.")


def seed():
    """The benchmark's data in bulk (nothing when it is there already)."""
    from django.contrib.auth.models import Group  # noqa: PLC0415

    from accounts.enums import Role  # noqa: PLC0415
    from accounts.models import User  # noqa: PLC0415
    from catalogue import public_cache  # noqa: PLC0415
    from catalogue.enums import Marketplace  # noqa: PLC0415
    from catalogue.models import Certification, Partner, Solution, SolutionVersion  # noqa: PLC0415
    from support_audit.models import RemediationItem, RemediationPlan  # noqa: PLC0415
    from workflow.enums import ApplicationKind, ApplicationState  # noqa: PLC0415
    from workflow.models import Application  # noqa: PLC0415

    if Solution.objects.exists():
        return
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        partners = Partner.objects.bulk_create(
            Partner(name=f"Bench Partner {n:02}", slug=f"bench-partner-{n:02}")
            for n in range(PARTNERS)
        )
        users = {
            "partner": User(username="bench-partner", partner=partners[0]),
            "analyst": User(username="bench-analyst", is_staff=True),
            "leader": User(username="bench-leader", is_staff=True),
        }
        for user in users.values():
            user.set_password(PASSWORD)
            user.save()
        users["partner"].groups.add(Group.objects.get(name=Role.PARTNER.value))
        users["analyst"].groups.add(Group.objects.get(name=Role.ANALYST.value))
        users["leader"].groups.add(Group.objects.get(name=Role.LEADER.value))
        marketplaces = [Marketplace.CREATIO, Marketplace.TERRASOFT]
        solutions = Solution.objects.bulk_create(
            Solution(
                partner=partners[n % PARTNERS],
                name=f"Bench Solution {n:04}",
                slug=f"bench-solution-{n:04}",
                marketplace=marketplaces[n % 2],
                category=f"Area {n % AREAS}",
                description="A solution of the benchmark, certified to show on the showcase. " * 3,
                is_published=True,
                marketplace_url=f"https://marketplace.example/bench-{n:04}",
            )
            for n in range(CERTIFIED + UNCERTIFIED)
        )
        versions = SolutionVersion.objects.bulk_create(
            SolutionVersion(solution=solution, number="1.0.0") for solution in solutions
        )
        certified_apps = Application.objects.bulk_create(
            Application(
                solution=solution,
                version=version,
                state=ApplicationState.CERTIFIED,
                created_by=users["analyst"],
                motivation="Benchmark.",
                state_changed_at=now - timedelta(days=100),
            )
            for solution, version in zip(solutions[:CERTIFIED], versions[:CERTIFIED], strict=True)
        )
        certifications = Certification.objects.bulk_create(
            Certification(
                solution=app.solution,
                version=app.version,
                application=app,
                since=now - timedelta(days=90),
                next_audit_due=today - timedelta(days=1 + n % 30)
                if n < OVERDUE
                else today + timedelta(days=100),
            )
            for n, app in enumerate(certified_apps)
        )
        # The first partner's requests, in every state, on its own solutions.
        own = [
            (s, v)
            for s, v in zip(solutions, versions, strict=True)
            if s.partner_id == partners[0].pk
        ]
        states = [state for state in ApplicationState if state != ApplicationState.DRAFT]
        Application.objects.bulk_create(
            Application(
                solution=own[n % len(own)][0],
                version=own[n % len(own)][1],
                state=states[n % len(states)],
                kind=ApplicationKind.CRITICAL_FIX if n % 50 == 0 else ApplicationKind.INITIAL,
                created_by=users["partner"],
                motivation="Benchmark.",
                state_changed_at=now - timedelta(minutes=n),
                review_due_at=now + timedelta(hours=n % 48) if n % 50 == 0 else None,
            )
            for n in range(REQUESTS - CERTIFIED)
        )
        plans = RemediationPlan.objects.bulk_create(
            RemediationPlan(solution=certification.solution, agreed_by=users["analyst"])
            for certification in certifications[:OVERDUE]
        )
        RemediationItem.objects.bulk_create(
            RemediationItem(
                plan=plan,
                description="Register every chat case in the tracker.",
                owner="Support lead",
                due_on=today - timedelta(days=5),
            )
            for plan in plans
        )
    public_cache.forget([solution.slug for solution in solutions])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- HTTP ---------------------------------------------------------------------------------


def wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"The server did not answer {url} in {timeout} s.")


def wrk(url, duration, connections) -> tuple[float, float]:
    """Requests per second and p99 latency in ms."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if re.search(r"Non-2xx or 3xx responses", out):
        sys.exit(f"{url} answered errors:\n{out}")
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return rate, p99


def bench_http(args):
    port = args.port
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "BENCH_BARE_VIEW": "1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_RATE_ANON": "1000000000/s",
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [
            gunicorn,
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "certportal.wsgi",
        ],
        cwd=ROOT,
        env=env,
    )
    pages = {
        "badge": "/badges/bench-solution-0500.json",
        "svg": "/badges/bench-solution-0500.svg",
        "api": "/api/v1/solutions/?certified=true",
        "catalogue": "/catalogue/",
    }
    try:
        wait_for(base + "/bench/bare/")
        for path in ["/bench/bare/", *pages.values()]:
            wrk(base + path, 1, args.connections)  # warm-up: connections, caches
        results = {name: [] for name in pages}
        for round_ in range(1, args.rounds + 1):
            for name, path in pages.items():
                bare = wrk(base + "/bench/bare/", args.duration, args.connections)
                page = wrk(base + path, args.duration, args.connections)
                results[name].append((bare, page))
                print(
                    f"round {round_} {name:<9} bare {bare[0]:8.0f} req/s p99 {bare[1]:6.1f} ms"
                    f"   page {page[0]:8.0f} req/s p99 {page[1]:6.1f} ms"
                    f"   ratio {page[0] / bare[0]:.3f}",
                    flush=True,
                )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print()
    line = []
    for name, runs in results.items():
        ratio = statistics.median(page[0] / bare[0] for bare, page in runs)
        rate = statistics.median(page[0] for _bare, page in runs)
        p99 = statistics.median(page[1] for _bare, page in runs)
        bare_rate = statistics.median(bare[0] for bare, _page in runs)
        print(
            f"{name:<9} median {rate:8.0f} req/s p99 {p99:6.1f} ms"
            f"  bare {bare_rate:8.0f} req/s  ratio {ratio:.3f}"
        )
        line.append(f"{name}_ratio={ratio:.3f}")
    print(" ".join(line))


# --- Server time of the pages --------------------------------------------------------------


def bench_pages(args):
    from accounts.models import User  # noqa: PLC0415
    from catalogue import public_cache  # noqa: PLC0415
    from workflow.models import Application  # noqa: PLC0415

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    staff_request = Application.objects.filter(state="awaiting_approval").first()
    pages = [
        ("partner", "dashboard", reverse("dashboard"), False),
        ("partner", "dashboard, last page of closed", reverse("dashboard") + "?closed=9999", False),
        ("analyst", "queue", reverse("queue"), False),
        ("analyst", "queue, page 100", reverse("queue") + "?page=100", False),
        ("analyst", "queue, search", reverse("queue") + "?q=Solution+0040", False),
        ("analyst", "audits due", reverse("audits_due"), False),
        (
            "leader",
            "admin request (overlap table)",
            reverse("admin:workflow_application_change", args=[staff_request.pk]),
            False,
        ),
        (None, "catalogue", reverse("catalogue"), False),
        (None, "catalogue, cold", reverse("catalogue"), True),
        (None, "catalogue ?q=&page=3, cold", reverse("catalogue") + "?q=Solution&page=3", True),
        (None, "API ?certified=true, cold", "/api/v1/solutions/?certified=true", True),
    ]
    users = {
        role: User.objects.get(username=f"bench-{role}")
        for role in ("partner", "analyst", "leader")
    }
    clients = {None: Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    worst = 0.0
    print(f"{'page':<34} {'median ms':>9} {'p95 ms':>7} {'KB':>6}")
    for role, name, url, cold in pages:
        client = clients[role]
        client.get(url)  # the first request fills the per-process caches
        times = []
        for _ in range(args.samples):
            if cold:
                public_cache.forget()
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        worst = max(worst, p95)
        size = len(response.content) / 1024
        print(f"{name:<34} {statistics.median(times):9.1f} {p95:7.1f} {size:6.0f}")
    cache.close()
    print(f"pages_p95_max_ms={worst:.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", action="store_true", help="server time of the lists")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of the benchmark's own.")
    setup_django()
    call_command("migrate", verbosity=0)
    check_database()
    seed()
    if args.pages:
        bench_pages(args)
    else:
        bench_http(args)


if __name__ == "__main__":
    main()
