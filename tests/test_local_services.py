"""`make run` on the embedded defaults: the web server, a worker and the beat scheduler on the
file-system broker, all stopped by one Ctrl-C. Real processes, a fresh SQLite database."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DROPPED = {"REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


@pytest.fixture
def embedded_env(tmp_path):
    """The environment of a fresh clone: no Redis, SQLite, the broker's folder in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_FOLDER=str(tmp_path / "broker"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private-media"),
        DEBUG="1",
    )
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_serves_with_a_worker_and_the_scheduler_and_ctrl_c_stops_them(embedded_env):
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "scripts/serve.py", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives `make run`
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(serve.stdout.readline, "")), daemon=True
    )
    reader.start()

    def logged(prefix: str, text: str) -> bool:
        return any(line.startswith(prefix) and text in line for line in lines)

    try:
        assert wait_for(lambda: logged("worker |", "ready.")), "".join(lines)
        assert wait_for(lambda: logged("beat   |", "beat: Starting")), "".join(lines)
        assert wait_for(lambda: answers(f"http://127.0.0.1:{port}/catalogue/")), "".join(lines)
        assert lines[0].startswith("Broker: filesystem://")
        assert logged("web    |", "tasks go to the file-system broker")

        # A task sent by another process (as beat or "Run selected task" does) is run.
        fire = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from kpi.tasks import evaluate_so_far; evaluate_so_far.delay()",
            ],
            cwd=ROOT,
            env=dict(embedded_env, CELERY_BROKER_URL="filesystem://localhost/"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert fire.returncode == 0, fire.stderr
        assert wait_for(lambda: logged("worker |", "Task kpi.evaluate_so_far[")), "".join(lines)
    finally:
        # Ctrl-C: the terminal sends SIGINT to the whole foreground process group.
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(timeout=60)
        reader.join(timeout=10)
        serve.stdout.close()

    assert serve.returncode == 0
    assert wait_for(lambda: not group_alive(serve.pid), seconds=15)
    assert not answers(f"http://127.0.0.1:{port}/catalogue/")
