"""`manage.py recompute_kpis`: the job's code, by hand, with a JSON report."""

import json
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.enums import CertificationStatus
from kpi.models import KPISnapshot
from tests.factories.kpi import NPSAnswerFactory, SupportCaseFactory

from ..factories.workflow import CertificationFactory, SolutionFactory

pytestmark = pytest.mark.django_db

OCTOBER = datetime(2026, 10, 10, 9, 0, tzinfo=UTC)


def run(*args):
    out = StringIO()
    call_command("recompute_kpis", *args, stdout=out)
    return out.getvalue()


def test_json_report_of_a_month():
    """R5.2–R5.6: one object per solution, every case KPI with its counts, target and status."""
    solution = CertificationFactory(solution__slug="telephony").solution
    SupportCaseFactory.create_batch(89, solution=solution, registered_at=OCTOBER)
    SupportCaseFactory.create_batch(9, solution=solution, registered_at=OCTOBER, csat=5)
    SupportCaseFactory(solution=solution, registered_at=OCTOBER, csat=2, escalation_level=1)
    SupportCaseFactory(solution=solution, registered_at=OCTOBER, late_response=True)
    SupportCaseFactory(solution=solution, registered_at=OCTOBER, presale=True, csat=1)
    SolutionFactory(slug="other")
    output = run(
        "--period", "2026-10", "--solution", "telephony", "--as-of", "2026-11-05T00:00:00+00:00",
        "--json",
    )  # fmt: skip
    assert json.loads(output) == [
        {
            "solution": "telephony",
            "period": "2026-10",
            "final": True,
            "kpis": {
                "response_overdue_rate": {
                    "value": 0.01,
                    "numerator": 1,
                    "denominator": 100,
                    "target": "at most 1 %",
                    "status": "pass",
                },
                "resolution_overdue_rate": {
                    "value": 0.0,
                    "numerator": 0,
                    "denominator": 100,
                    "target": "at most 5 %",
                    "status": "pass",
                },
                "csat_response_rate": {
                    "value": 0.1,
                    "numerator": 10,
                    "denominator": 100,
                    "target": "at least 7 %",
                    "status": "pass",
                },
                "csat_positive_share": {
                    "value": 0.9,
                    "numerator": 9,
                    "denominator": 10,
                    "target": "at least 80 %",
                    "status": "pass",
                },
                "escalations": {
                    "value": 1,
                    "numerator": 1,
                    "denominator": 100,
                    "target": "at most 2",
                    "status": "pass",
                },
            },
            "action": "none",
        }
    ]
    assert KPISnapshot.objects.filter(solution=solution, period="2026-10").count() == 5


def test_json_report_of_a_half_year_gives_the_two_nps_kpis():
    """R5.1: a half-year gives the NPS mean (judged) and the classic NPS (shown)."""
    solution = CertificationFactory().solution
    for score in (10, 9, 6, 8):
        NPSAnswerFactory(solution=solution, half_year="2026-H2", score=score)
    output = run("--period", "2026-H2", "--as-of", "2027-01-02T00:00:00+00:00", "--json")
    [result] = json.loads(output)
    assert result == {
        "solution": solution.slug,
        "period": "2026-H2",
        "final": True,
        "kpis": {
            "nps_mean": {
                "value": 8.25,
                "numerator": 33,
                "denominator": 4,
                "target": "at least 7.5",
                "status": "pass",
            },
            "nps_classic": {
                "value": 25.0,
                "numerator": 1,
                "denominator": 4,
                "target": "",
                "status": "pass",
            },
        },
        "action": "none",
    }


def test_the_command_revokes_like_the_job(on_commit):
    """R5.8: a failed KPI of a certified solution revokes its badge, once."""
    certification = CertificationFactory(solution__slug="crm-sync")
    SupportCaseFactory.create_batch(
        3, solution=certification.solution, registered_at=OCTOBER, escalation_level=1, csat=5
    )
    args = ("--period", "2026-10", "--as-of", "2026-11-05T00:00:00Z", "--json")
    first = on_commit(run, *args)
    assert json.loads(first)[0]["action"] == "revoked"
    assert json.loads(first)[0]["kpis"]["escalations"]["status"] == "fail"
    assert json.loads(on_commit(run, *args)) == json.loads(first)
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.REVOKED
    assert certification.events.filter(action="revoked").count() == 1


def test_plain_output_and_refusals():
    CertificationFactory(solution__slug="crm-sync")
    assert "crm-sync 2026-10" in run("--period", "2026-10", "--as-of", "2026-11-05T00:00:00")
    with pytest.raises(CommandError):
        run("--period", "2026-13")
    with pytest.raises(CommandError):
        run("--period", "2026-10", "--solution", "nope")
    with pytest.raises(CommandError):
        run("--period", "2026-10", "--as-of", "yesterday")
