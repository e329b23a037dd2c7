"""Test-wide settings, in one place: a pinned clock, fast hashing, in-memory mail, tasks run
in-process."""

import importlib
import os
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.utils import timezone

from certportal.celery import app as celery_app

# "Now" for every test: an ordinary working Wednesday in the middle of a month, far from a
# clock change or a holiday. Nothing in the suite reads the wall clock; a test about another
# instant travels there itself (tests/test_boundary_instants.py visits the awkward ones).
PINNED_NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="session")
def _pinned_clock():
    """The clock of the whole session starts at PINNED_NOW (fixtures of a module or of the
    session see it too) and runs on, so timeouts and "later" still work."""
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _pinned_now(_pinned_clock):
    """Each test starts at PINNED_NOW exactly, whatever ran before it."""
    with time_machine.travel(PINNED_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SECURE_SSL_REDIRECT = False
    settings.LANGUAGE_CODE = "en"
    # Each test has a cache of its own (API throttles count there), even on a shared Redis.
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
    # Uploads of a test land in its own temporary folder, never in the project.
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "certportal.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private-media"},
        },
    }


@pytest.fixture(autouse=True, scope="session")
def _eager_tasks():
    """Tasks run in the test process; the worker test (kpi) talks to a real broker instead."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit side effects of the code under test, as a real commit would."""

    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def pytest_sessionstart(session):
    """In CI the suite must run on PostgreSQL: refuse to pass quietly on SQLite."""
    wanted = os.environ.get("REQUIRE_DATABASE_VENDOR")
    if wanted and connection.vendor != wanted:
        pytest.exit(f"Tests must run on {wanted}, not {connection.vendor}.", returncode=3)


@pytest.fixture
def kpi_targets(transactional_db):
    """The SLA policies and KPI targets as their data migration seeds them, for tests that
    commit for real: those flush the database after each test, migration data included. The
    seed is idempotent, so it is simply run again."""
    seed = importlib.import_module("kpi.migrations.0002_seed_policies_and_thresholds").seed
    seed(apps, None)


@pytest.fixture
def later(time_machine):
    """`later(seconds)`: the clock moves on by that much from where the test is (and ticks on)."""
    time_machine.move_to(timezone.now(), tick=True)
    return time_machine.shift
