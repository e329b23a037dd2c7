"""A seed that fails half-way leaves nothing behind: no rows and no stored files."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalogue.models import Solution
from kpi.models import SupportCase
from workflow.models import Application, Material

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[str]:
    root = settings.STORAGES["materials"]["OPTIONS"]["location"]
    return sorted(str(path) for path in root.rglob("*") if path.is_file())


def test_a_failed_seed_rolls_back_its_rows_and_removes_its_files(settings, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the evaluation broke")

    # The KPI evaluation runs last, after every material file has been stored.
    monkeypatch.setattr("demo.kpis.evaluate_period", fail)

    with pytest.raises(RuntimeError, match="the evaluation broke"):
        call_command("seed_demo")

    assert stored_files(settings) == []
    assert (
        get_user_model().objects.count(),
        Solution.objects.count(),
        Application.objects.count(),
        Material.objects.count(),
        SupportCase.objects.count(),
    ) == (0, 0, 0, 0, 0)


def test_a_successful_seed_keeps_its_files(settings):
    call_command("seed_demo")

    files = stored_files(settings)
    assert len(files) == Material.objects.exclude(file="").count() > 0
