"""PostgreSQL restarted under light load: errors only for the requests in flight while it is
down, and the portal recovers by itself, without the web server being restarted.

The test starts a PostgreSQL cluster of its own on a free port (never the shared one), migrates
the portal's schema into it, runs the portal as a real server process against it and keeps a
few clients busy (anonymous pages, a signed-in page, log-ins that write) while the cluster is
stopped and started again by its own pg_ctl.

The server process runs on the machine's real clock: the clock tests/conftest.py pins applies to
this test process only, and nothing here depends on a date. Timings use time.monotonic.
"""

import contextlib
import glob
import http.client
import os
import pwd
import shutil
import signal
import socket
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        timeout=120,
    )


def serve(env: dict[str, str], port: int, log) -> subprocess.Popen:
    """The web server `make run` starts (scripts/serve.py), without its autoreloader."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_serving(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
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


def keep_busy(clients: list, until: threading.Event) -> list[threading.Thread]:
    """One thread per client, each repeating its visit every 50 ms until `until` is set."""

    def loop(visit):
        while not until.is_set():
            visit()
            time.sleep(0.05)

    threads = [threading.Thread(target=loop, args=[visit], daemon=True) for visit in clients]
    for thread in threads:
        thread.start()
    return threads


def test_a_database_restart_fails_only_the_requests_while_it_is_down_and_recovers_alone():
    folder = Path(tempfile.mkdtemp(prefix="certportal-pg-restart-"))
    if AS_POSTGRES:
        shutil.chown(folder, user="postgres")
    database = OwnPostgres(folder)
    server = None
    log_path = folder / "server.log"
    try:
        began = time.monotonic()
        database.create()
        env = portal_env(database.url, folder)
        prepare_database(env)
        prepared = time.monotonic()
        web_port = free_port()
        with log_path.open("wb") as log:
            server = serve(env, web_port, log)
        wait_until_serving(web_port, server)
        serving = time.monotonic()

        outcomes: list[Outcome] = []
        anonymous = Browser("catalogue", web_port, outcomes)
        signed_in = Browser("dashboard", web_port, outcomes)
        logging_in = Browser("log-in", web_port, outcomes)
        assert signed_in.log_in("visitor").status == 302
        outcomes.clear()
        done = threading.Event()
        threads = keep_busy(
            [
                lambda: anonymous.request("GET", "/catalogue/"),
                lambda: signed_in.request("GET", "/dashboard/"),
                lambda: logging_in.log_in("visitor"),
            ],
            done,
        )
        try:
            time.sleep(3)
            stop_issued = time.monotonic()
            database.stop("fast")
            stopped = time.monotonic()
            time.sleep(1)
            down_for_sure = not database.running()
            start_issued = time.monotonic()
            database.start()
            back = time.monotonic()  # pg_ctl start -w returns once it accepts connections
            time.sleep(4)
        finally:
            done.set()
            for thread in threads:
                thread.join(timeout=20)
        server_pid_unchanged = server.poll() is None

        window = (stop_issued, back + GRACE_SECONDS)
        failures = [o for o in outcomes if not o.ok]
        unexplained = [o for o in failures if not (o.server_side and o.ended >= window[0])]
        after_grace = [o for o in outcomes if o.started >= window[1]]
        while_down = [o for o in outcomes if stopped <= o.started and o.ended <= start_issued]
        first_success = {
            name: min(
                (o.ended for o in outcomes if o.client == name and o.ok and o.started >= back),
                default=None,
            )
            for name in ("catalogue", "dashboard", "log-in")
        }
        late = [o for o in failures if o.started > window[1]]

        print(
            f"\nPostgreSQL restart: cluster and schema ready in {prepared - began:.1f} s, "
            f"server serving {serving - prepared:.1f} s later; "
            f"{len(outcomes)} requests, {len(failures)} failed "
            f"({sum(o.status is None for o in failures)} without an answer, the rest 5xx); "
            f"database down {back - stop_issued:.2f} s (stop {stopped - stop_issued:.2f} s, "
            f"start {back - start_issued:.2f} s); first success after it was back: "
            + ", ".join(
                f"{name} +{at - back:.2f} s" if at else f"{name} never"
                for name, at in first_success.items()
            )
            + f"; last failure {max((o.ended for o in failures), default=back) - back:+.2f} s"
            " from its return"
        )

        log_tail = log_path.read_text(errors="replace")[-3000:]
        assert down_for_sure, "pg_ctl status still saw the cluster running"
        assert server_pid_unchanged, f"the web server stopped:\n{log_tail}"
        # Not vacuous: the requests made while the database was down did fail.
        assert while_down, "no request was made while the database was down"
        # (The log-in page itself is shown without the database; its POST needs it.)
        assert not any(o.ok for o in while_down if o.method == "POST" or o.client != "log-in")
        # Errors only for requests in flight during the outage, and only 5xx or no answer.
        assert unexplained == [], unexplained
        assert late == [], f"{late}\n{log_tail}"
        # Recovery without a restart: every client is served again, every time.
        assert {o.client for o in after_grace} == {"catalogue", "dashboard", "log-in"}
        assert all(o.ok for o in after_grace), after_grace
        assert all(first_success.values()), first_success
        # The signed-in session outlived the restart (it is kept in the database).
        assert signed_in.request("GET", "/accounts/profile/").status == 200
    finally:
        stop_process(server)
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            if database.data.exists() and database.running():
                database.stop("immediate")
        database.kill()
        shutil.rmtree(folder, ignore_errors=True)
