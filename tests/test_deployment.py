"""The promises of the settings and of docker-compose.yml, checked without running Docker."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env_overrides) -> subprocess.CompletedProcess:
    # A clean process environment: what the test sets, and nothing left by other tests.
    dropped = {"REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_check_deploy_is_clean_with_a_secret_key():
    result = run_python(
        "import django, sys; from django.core.management import call_command;"
        "django.setup(); call_command('check', deploy=True, fail_level='WARNING')",
        DJANGO_SETTINGS_MODULE="certportal.settings",
        SECRET_KEY="k3y-" + "".join(chr(97 + i % 26) for i in range(60)),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_without_a_secret_key():
    result = run_python(
        "import django; from django.core.management import call_command;"
        "django.setup(); call_command('check', deploy=True)",
        DJANGO_SETTINGS_MODULE="certportal.settings",
    )

    assert result.returncode != 0
    assert "certportal.E001" in result.stderr


def test_without_redis_tasks_run_eagerly_and_the_log_says_so():
    result = run_python(
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CACHES['default']['BACKEND'])",
        DJANGO_SETTINGS_MODULE="certportal.settings",
    )

    assert result.stdout.split() == ["True", "django.core.cache.backends.locmem.LocMemCache"]
    assert "REDIS_URL is not set: background tasks run eagerly" in result.stderr


def test_with_redis_tasks_go_to_the_broker():
    result = run_python(
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)",
        DJANGO_SETTINGS_MODULE="certportal.settings",
        REDIS_URL="redis://127.0.0.1:6379/9",
    )

    assert result.stdout.split() == ["False", "redis://127.0.0.1:6379/9"]
    assert "eagerly" not in result.stderr


def test_compose_runs_web_worker_and_beat_from_one_django_definition():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    django_services = {name: services[name] for name in ("web", "worker", "beat")}

    images = {service["image"] for service in django_services.values()}
    assert images == {"certportal:latest"}
    for service in django_services.values():
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert set(service["depends_on"]) == {"postgres", "redis"}
    # Uploaded materials live on one volume shared by every Django service.
    for service in django_services.values():
        assert service["environment"]["PRIVATE_MEDIA_ROOT"] == "/app/private-media"
        assert "materials:/app/private-media" in service["volumes"]
    assert "materials" in compose["volumes"]
    assert "celery -A certportal worker" in services["worker"]["command"]
    assert "celery -A certportal beat" in services["beat"]["command"]
    assert "certportal.wsgi:application" in services["web"]["command"]
    assert (ROOT / "certportal" / "wsgi.py").exists()
    assert (ROOT / "certportal" / "celery.py").exists()


def test_materials_go_to_s3_compatible_storage_when_a_bucket_is_set():
    result = run_python(
        "import django; django.setup(); from django.core.files.storage import storages;"
        "s = storages['materials']; print(type(s).__name__, s.bucket_name, s.default_acl)",
        DJANGO_SETTINGS_MODULE="certportal.settings",
        MATERIALS_S3_BUCKET="certification-materials",
        MATERIALS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
    )

    assert result.stdout.split() == ["S3Storage", "certification-materials", "private"]


def test_materials_stay_on_the_private_file_system_by_default():
    result = run_python(
        "import django; django.setup(); from django.core.files.storage import storages;"
        "s = storages['materials']; print(type(s).__name__, s.location)",
        DJANGO_SETTINGS_MODULE="certportal.settings",
        PRIVATE_MEDIA_ROOT="/tmp/materials-check",
    )

    assert result.stdout.split() == ["PrivateFileSystemStorage", "/tmp/materials-check"]


def test_upload_limits_come_from_the_environment():
    result = run_python(
        "import django; django.setup(); from workflow.materials import SPECS;"
        "print(SPECS['packages'].policy.size_limit(), SPECS['video'].policy.size_limit())",
        DJANGO_SETTINGS_MODULE="certportal.settings",
        UPLOAD_MAX_BYTES_PACKAGES="2048",
    )

    assert result.stdout.split() == ["2048", str(500 * 1024**2)]
