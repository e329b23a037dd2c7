"""Stage 5 in the staff admin: policies and targets are edited, partners' data only read."""

import pytest
from django.urls import reverse

from kpi.models import SLAPolicy, SupportCase, Threshold
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory, NPSAnswerFactory, SupportCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):
    user = UserFactory(analyst=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "model",
    [
        "supportcase",
        "customer",
        "npsanswer",
        "kpisnapshot",
        "breach",
        "threshold",
        "kpiwarning",
        "monthreopening",
    ],
)
def test_the_team_reads_what_partners_send_and_the_jobs_compute(client, analyst, model):
    SupportCaseFactory(case_id="CASE-77")
    CustomerFactory(customer_id="ACME")
    NPSAnswerFactory(respondent="ACME")

    response = client.get(reverse(f"admin:kpi_{model}_changelist"))

    assert response.status_code == 200


def test_a_support_case_cannot_be_edited_in_the_admin(client, analyst):
    case = SupportCaseFactory(csat=2)

    response = client.post(reverse("admin:kpi_supportcase_change", args=[case.pk]), {"csat": 5})

    assert response.status_code == 403
    assert SupportCase.objects.get().csat == 2


def test_a_new_target_is_a_new_row_and_the_old_one_stays(client, analyst):
    before = Threshold.objects.filter(kpi="escalations").count()

    response = client.post(
        reverse("admin:kpi_threshold_add"),
        {
            "kpi": "escalations",
            "comparison": "at_most",
            "value": "3",
            "valid_from_0": "2027-01-01",
            "valid_from_1": "00:00:00",
            "note": "Agreed with the leaders.",
        },
    )

    assert response.status_code == 302
    assert Threshold.objects.filter(kpi="escalations").count() == before + 1
    assert Threshold.objects.filter(kpi="escalations", value=3).get().changed_by == analyst
    existing = Threshold.objects.filter(kpi="escalations").exclude(value=3).first()
    change = client.post(reverse("admin:kpi_threshold_change", args=[existing.pk]), {"value": 9})
    assert change.status_code == 403


def test_the_team_changes_an_sla_policy_by_a_new_row_and_the_old_one_stays(client, analyst):
    """R5.4: the policy in force when a case was registered keeps judging it."""
    policy = SLAPolicy.objects.get(package="basic", priority="")

    response = client.post(
        reverse("admin:kpi_slapolicy_add"),
        {
            "package": "basic",
            "priority": "",
            "response_hours": "6",
            "resolution_hours": "40",
            "valid_from_0": "2027-01-01",
            "valid_from_1": "00:00:00",
            "note": "Agreed with the partners' council.",
        },
    )

    assert response.status_code == 302
    assert list(
        SLAPolicy.objects.filter(package="basic", priority="")
        .order_by("valid_from")
        .values_list("response_hours", "changed_by")
    ) == [(8, None), (6, analyst.pk)]
    change = client.post(
        reverse("admin:kpi_slapolicy_change", args=[policy.pk]), {"response_hours": "1"}
    )
    assert change.status_code == 403
    policy.refresh_from_db()
    assert policy.response_hours == 8


def test_a_policy_cannot_take_effect_in_the_past(client, analyst):
    response = client.post(
        reverse("admin:kpi_slapolicy_add"),
        {
            "package": "basic",
            "priority": "",
            "response_hours": "2",
            "resolution_hours": "40",
            "valid_from_0": "2026-11-01",
            "valid_from_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    assert "cases already registered keep theirs" in response.content.decode()
    assert SLAPolicy.objects.filter(package="basic").count() == 1
