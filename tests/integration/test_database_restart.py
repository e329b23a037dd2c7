"""PostgreSQL restarted under light load: errors only for the requests in flight while it is
down, and the portal recovers by itself, without the web server being restarted.

The test starts a PostgreSQL cluster of its own on a free port (never the shared one), migrates
the portal's schema into it, runs the portal as a real server process against it and keeps a
few clients busy (anonymous pages, a signed-in page, log-ins that write) while the cluster is
stopped and started again by its own pg_ctl.

It is tried twice: under load, and with every client idle while the database is down, which is
when a server process (gunicorn's workers keep their connection for CONN_MAX_AGE seconds) holds a
connection that the restart cut. The portal recovers from that because the settings ask Django
for `conn_health_checks`: a kept connection is checked before a request first uses it and
replaced when it is dead. (Without them the first request of each such worker answers 500 after
the database is back, and this test fails.)

The server process runs on the machine's real clock: the clock tests/conftest.py pins applies to
this test process only, and nothing here depends on a date. Timings use time.monotonic.
"""

import contextlib
import glob
import http.client
import importlib.util
import itertools
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.integration.services import free_port

ROOT = Path(__file__).resolve().parents[2]
# Requests that start this long after PostgreSQL accepts connections again must all succeed.
GRACE_SECONDS = 1.5
PASSWORD = "restart-pass-2026"


def postgres_bin() -> Path | None:
    """The folder of initdb, pg_ctl and createdb: pg_ctl's on PATH, else Debian's newest
    /usr/lib/postgresql/*/bin."""
    found = shutil.which("pg_ctl")
    if found:
        # Debian links a few of them into /usr/local/bin: the folder is where they really are.
        folder = Path(found).resolve().parent
        if all((folder / name).exists() for name in ("initdb", "createdb")):
            return folder
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    for folder in reversed(folders):
        if all((Path(folder) / name).exists() for name in ("initdb", "pg_ctl", "createdb")):
            return Path(folder)
    return None


def run_as_postgres() -> list[str] | None:
    """The command prefix that runs PostgreSQL's binaries: as the `postgres` user when the test
    runs as root (PostgreSQL refuses root), as ourselves otherwise; None when impossible."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else None


BIN, AS_POSTGRES = postgres_bin(), run_as_postgres()
pytestmark = pytest.mark.skipif(
    BIN is None or AS_POSTGRES is None,
    reason="needs PostgreSQL's initdb and pg_ctl (and, as root, a `postgres` user and runuser) "
    "to run a cluster of its own",
)


class OwnPostgres:
    """A PostgreSQL cluster in a temporary folder, on a port of its own, run by its pg_ctl."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/certportal"

    def _run(self, *command, check=True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*AS_POSTGRES, *command], capture_output=True, text=True, timeout=60, check=False
        )
        if check and done.returncode:
            raise RuntimeError(f"{command[0].name} failed: {done.stdout}{done.stderr}")
        return done

    def create(self):
        self._run(
            BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync",
            "-E", "UTF8",
        )  # fmt: skip
        self.start()
        self._run(BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "certportal")

    def start(self):
        # Its socket in its own folder, never in the shared cluster's /var/run/postgresql.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            BIN / "pg_ctl", "-D", self.data, "-l", self.folder / "postgres.log", "-w",
            "-o", options, "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast"):
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def running(self) -> bool:
        """What pg_ctl status says: 0 running, 3 not running."""
        return self._run(BIN / "pg_ctl", "-D", self.data, "status", check=False).returncode == 0

    def kill(self):
        """Whatever is left: the postmaster named in its pid file, by its pid."""
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)


@dataclass
class Outcome:
    client: str
    method: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer at all (connection refused or reset)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    @property
    def server_side(self) -> bool:
        """A failure the outage explains: a 5xx, or no answer."""
        return self.status is None or self.status >= 500


class Browser:
    """One client of the portal: its cookies, and each request it made with its outcome."""

    def __init__(self, name: str, port: int, outcomes: list[Outcome]):
        self.name, self.port, self.outcomes = name, port, outcomes
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Outcome:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                for key, morsel in SimpleCookie(header).items():
                    self.cookies[key] = morsel.value
            outcome = Outcome(self.name, method, started, time.monotonic(), response.status)
        except OSError as error:  # refused, reset, timed out
            outcome = Outcome(self.name, method, started, time.monotonic(), None, repr(error))
        finally:
            connection.close()
        self.outcomes.append(outcome)
        return outcome

    def log_in(self, username: str) -> Outcome:
        self.cookies.clear()
        page = self.request("GET", "/accounts/login/")
        if not page.ok:
            return page
        form = {"username": username, "password": PASSWORD}
        return self.request("POST", "/accounts/login/", form)


def portal_env(database_url: str, folder: Path) -> dict[str, str]:
    """The portal's environment against the test's cluster: no broker (tasks run eagerly), no
    Redis cache, production settings (DEBUG off) except HTTPS, which a test server lacks."""
    dropped = {"REDIS_URL", "CELERY_BROKER_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        DATABASE_URL=database_url,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        PRIVATE_MEDIA_ROOT=str(folder / "private-media"),
        CELERY_BROKER_FOLDER=str(folder / "broker"),
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    """The schema (every migration, as `make migrate` does) and one person who logs in, in one
    Django process."""
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', interactive=False, verbosity=0)\n"
        "from accounts.models import User\n"
        f"User.objects.create_user('visitor', 'visitor@example.com', {PASSWORD!r})\n"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "certportal.settings"},
        check=True,
        capture_output=True,
        text=True,
        timeout=300,  # migrate takes about 10 s alone, much longer on a busy CI machine
    )


# The servers the project ships: `make run`'s (scripts/serve.py starts runserver; here without
# its autoreloader) and production's (the Dockerfile's and docker-compose.yml's gunicorn, three
# sync workers, each keeping its database connection for CONN_MAX_AGE seconds).
SERVERS = {
    "runserver": lambda port: ["manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
    "gunicorn": lambda port: [
        "-m", "gunicorn", "certportal.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "3",
    ],
}  # fmt: skip
HAS_GUNICORN = importlib.util.find_spec("gunicorn") is not None


def serve(name: str, env: dict[str, str], port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *SERVERS[name](port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


_searches = itertools.count()


def uncached_catalogue() -> str:
    """The catalogue with a search of its own: the page is cached per query string
    (catalogue.public_cache), so a new search is read from the database."""
    return f"/catalogue/?q=restart-{next(_searches)}"


def wait_until_serving(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    probe = Browser("probe", port, [])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        if probe.request("GET", "/catalogue/").status == 200:
            return
        time.sleep(0.1)
    raise RuntimeError("the portal did not start serving")


def stop_process(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class Load:
    """One thread per client, each repeating its visit every 50 ms; `pause` lets every client
    finish what it is doing and wait (people reading a page), `resume` sets them going again."""

    def __init__(self, visits: list):
        self.done, self.quiet = threading.Event(), threading.Event()
        self.idle = [threading.Event() for _ in visits]
        self.threads = [
            threading.Thread(target=self._loop, args=[visit, idle], daemon=True)
            for visit, idle in zip(visits, self.idle, strict=True)
        ]

    def _loop(self, visit, idle):
        while not self.done.is_set():
            if self.quiet.is_set():
                idle.set()
                time.sleep(0.02)
                continue
            idle.clear()
            visit()
            time.sleep(0.05)

    def start(self):
        for thread in self.threads:
            thread.start()

    def pause(self):
        self.quiet.set()
        for idle in self.idle:
            assert idle.wait(timeout=20), "a client did not finish its visit"

    def resume(self):
        self.quiet.clear()

    def stop(self):
        self.done.set()
        for thread in self.threads:
            thread.join(timeout=20)


@dataclass
class Restart:
    """The instants (time.monotonic) of one restart of the cluster."""

    stop_issued: float
    stopped: float  # pg_ctl stop -w returned: the cluster is down
    start_issued: float
    back: float  # pg_ctl start -w returned: the cluster accepts connections again
    down_for_sure: bool  # pg_ctl status said so in between
    grace: float  # requests that start this long after `back` must succeed

    @property
    def window(self) -> tuple[float, float]:
        """When a request may fail: from the stop until the grace after the return."""
        return self.stop_issued, self.back + self.grace

    def overlaps(self, outcome: Outcome) -> bool:
        return outcome.ended >= self.window[0] and outcome.started <= self.window[1]

    def while_down(self, outcomes: list[Outcome]) -> list[Outcome]:
        return [o for o in outcomes if self.stopped <= o.started and o.ended <= self.start_issued]

    def report(self, outcomes: list[Outcome]) -> str:
        """How long it was down, what failed, and how soon each client was served again."""
        failed = [o for o in outcomes if not o.ok and self.overlaps(o)]
        last = max((o.ended for o in failed), default=self.back) - self.back
        firsts = []
        for client in sorted({o.client for o in outcomes} - {"probe"}):
            served = [o.ended for o in outcomes if o.client == client and o.ok]
            served = [at - self.back for at in served if at >= self.back]
            firsts.append(f"{client} +{min(served):.2f} s" if served else f"{client} never")
        return (
            f"down {self.back - self.stop_issued:.2f} s (stop {self.stopped - self.stop_issued:.2f}"
            f" s, start {self.back - self.start_issued:.2f} s); {len(failed)} requests failed "
            f"({sum(o.status is None for o in failed)} without an answer, the others 5xx), the "
            f"last ending {last:+.2f} s from its return; first success after it: "
            + ", ".join(firsts)
        )


def restart(database: OwnPostgres, while_down=None, grace: float = GRACE_SECONDS) -> Restart:
    """Stop the cluster (fast: sessions are cut off), leave it down a second (calling
    `while_down` then), start it again."""
    stop_issued = time.monotonic()
    database.stop("fast")
    stopped = time.monotonic()
    time.sleep(0.5)
    if while_down:
        while_down()
    time.sleep(0.5)
    down_for_sure = not database.running()
    start_issued = time.monotonic()
    database.start()
    return Restart(stop_issued, stopped, start_issued, time.monotonic(), down_for_sure, grace)


@pytest.fixture(scope="module")
def cluster():
    """The test's own PostgreSQL, migrated once for the module; stopped (by its pg_ctl, and at
    last by its postmaster's pid) and its folder removed whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="certportal-pg-restart-"))
    if AS_POSTGRES:
        shutil.chown(folder, user="postgres")
    database = OwnPostgres(folder)
    try:
        began = time.monotonic()
        database.create()
        env = portal_env(database.url, folder)
        prepare_database(env)
        print(f"\nOwn PostgreSQL created and migrated in {time.monotonic() - began:.1f} s")
        yield database, env
    finally:
        with contextlib.suppress(subprocess.SubprocessError, OSError, RuntimeError):
            if database.data.exists() and database.running():
                database.stop("immediate")
        database.kill()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(
    "server_name",
    [
        "runserver",
        pytest.param(
            "gunicorn",
            marks=pytest.mark.skipif(not HAS_GUNICORN, reason="needs gunicorn (make install-test)"),
        ),
    ],
)
def test_a_database_restart_fails_only_the_requests_while_it_is_down_and_recovers_alone(
    cluster, server_name
):
    database, env = cluster
    server = None
    log_path = database.folder / f"{server_name}.log"
    try:
        started = time.monotonic()
        web_port = free_port()
        with log_path.open("wb") as log:
            server = serve(server_name, env, web_port, log)
        wait_until_serving(web_port, server)
        serving = time.monotonic()

        outcomes: list[Outcome] = []
        anonymous = Browser("catalogue", web_port, outcomes)
        signed_in = Browser("dashboard", web_port, outcomes)
        logging_in = Browser("log-in", web_port, outcomes)
        probe = Browser("probe", web_port, outcomes)
        assert signed_in.log_in("visitor").status == 302
        outcomes.clear()
        load = Load(
            [
                lambda: anonymous.request("GET", uncached_catalogue()),
                lambda: signed_in.request("GET", "/dashboard/"),
                lambda: logging_in.log_in("visitor"),
            ]
        )
        load.start()
        try:
            time.sleep(2)
            # 1. Under load: the requests in flight and those that come while it is down fail.
            busy = restart(database)
            time.sleep(3.5)
            # 2. While the clients read their pages: a server process that keeps a connection
            # (gunicorn's workers, CONN_MAX_AGE) holds one the restart cut. One request comes
            # while the database is down; the clients come back once it is up, and then not
            # one request may fail, not even the first (no grace).
            load.pause()
            paused = time.monotonic()
            quiet = restart(database, lambda: probe.request("GET", uncached_catalogue()), grace=0)
            load.resume()
            time.sleep(2.5)
        finally:
            load.stop()
        server_survived = server.poll() is None
        clients = {"catalogue", "dashboard", "log-in"}

        failures = [o for o in outcomes if not o.ok]
        unexplained = [
            o for o in failures if not (o.server_side and (busy.overlaps(o) or quiet.overlaps(o)))
        ]
        between = [o for o in outcomes if busy.window[1] < o.started and o.ended < paused]
        after = [o for o in outcomes if o.started > quiet.window[1]]

        for name, one in (("under load", busy), ("with the clients idle", quiet)):
            print(f"\nPostgreSQL restarted {name} ({server_name}): {one.report(outcomes)}")
        print(
            f"{server_name}: serving {serving - started:.1f} s after its start, "
            f"{len(outcomes)} requests in all, {len(failures)} failed"
        )

        log_tail = log_path.read_text(errors="replace")[-3000:]
        assert busy.down_for_sure and quiet.down_for_sure, "pg_ctl status saw the cluster running"
        assert server_survived, f"the web server stopped:\n{log_tail}"
        # Not vacuous: the requests made while the database was down did fail (the log-in page
        # itself is shown without the database; its POST needs it).
        needing_database = [
            o for o in busy.while_down(outcomes) if o.method == "POST" or o.client != "log-in"
        ]
        assert needing_database, "no request was made while the database was down"
        assert not any(o.ok for o in needing_database), needing_database
        assert [o.status for o in quiet.while_down(outcomes)] == [500]
        # Errors only for requests in flight during an outage, and only 5xx or no answer.
        assert unexplained == [], f"{unexplained}\n{log_tail}"
        # Recovery without a restart of the server: every client is served again, every time.
        assert {o.client for o in between} == clients
        assert {o.client for o in after} == clients
        assert all(o.ok for o in between + after), f"{between + after}\n{log_tail}"
        # The signed-in session outlived both restarts (sessions are kept in the database).
        assert signed_in.request("GET", "/accounts/profile/").status == 200
    finally:
        stop_process(server)
        # The next test finds the cluster running, whatever happened here.
        if not database.running():
            database.start()
