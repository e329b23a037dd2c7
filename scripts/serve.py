"""`make run`: the web server, a Celery worker and the beat scheduler side by side.

Each process's lines are printed with its name in front. Ctrl-C stops all three; when one of
them stops on its own, the others are stopped too and the exit status says it failed.

Without REDIS_URL the three share kombu's file-system broker (CELERY_BROKER_URL=filesystem://,
messages in var/broker/), so the schedule stored in django-celery-beat really fires with
nothing to install. With REDIS_URL set they use Redis.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

STOP_SECONDS = 10


def commands(host: str) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "certportal"]
    return {
        "web": [python, "manage.py", "runserver", host],
        # One task at a time is plenty on a laptop; the file-system broker has no broadcast, so
        # the worker neither looks for its peers nor sends them heartbeats.
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def pump(name: str, stream, width: int) -> None:
    for line in iter(stream.readline, ""):
        sys.stdout.write(f"{name:<{width}} | {line}")
        sys.stdout.flush()


def main(host: str) -> int:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if not env.get("REDIS_URL"):
        env.setdefault("CELERY_BROKER_URL", "filesystem://localhost/")
    broker = env.get("REDIS_URL") or env["CELERY_BROKER_URL"]
    print(f"Broker: {broker}  (web, worker and beat; Ctrl-C stops all three)", flush=True)
    wanted = commands(host)
    width = max(map(len, wanted))
    processes = {}
    for name, command in wanted.items():
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=pump, args=(name, process.stdout, width), daemon=True).start()
        processes[name] = process

    status = 0
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        stopped = [name for name, process in processes.items() if process.poll() is not None]
        print(f"{', '.join(stopped)} stopped: stopping the others.", flush=True)
        status = 1
        stop(processes, signal.SIGTERM)
    except KeyboardInterrupt:
        # Ctrl-C reached the whole process group: each process is already stopping.
        stop(processes, None)
    return status


def stop(processes: dict[str, subprocess.Popen], sent: signal.Signals | None) -> None:
    """Send `sent` to the processes still running, give them STOP_SECONDS to finish, then
    terminate and at last kill what is left."""
    for then in (sent, signal.SIGTERM, signal.SIGKILL):
        running = [process for process in processes.values() if process.poll() is None]
        if not running:
            return
        for process in running:
            if then is not None:
                process.send_signal(then)
        deadline = time.monotonic() + STOP_SECONDS
        for process in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
