"""The demo data: loaded through the real services, and a second run changes nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django_fsm_log.models import StateLog

from applications.enums import ApplicationState
from applications.models import Application, ApprovalFacts, Notification, Solution

S = ApplicationState
pytestmark = pytest.mark.django_db


def counts():
    return {
        "users": get_user_model().objects.count(),
        "solutions": Solution.objects.count(),
        "requests": Application.objects.count(),
        "timeline": StateLog.objects.count(),
        "facts": ApprovalFacts.objects.count(),
        "notifications": Notification.objects.count(),
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_first_run_loads_every_role_and_a_request_in_each_state():
    output = seed()

    states = sorted(Application.objects.values_list("state", flat=True))
    assert output.splitlines()[0] == "Demo data loaded: 7 users, 9 solutions, 9 requests."
    assert states == sorted(
        [
            S.DRAFT,
            S.SUBMITTED,
            S.AWAITING_APPROVAL,
            S.AWAITING_APPROVAL,
            S.AWAITING_MATERIALS,
            S.MEETING_SCHEDULED,
            S.IN_REVIEW,
            S.CERTIFIED,
            S.AWAITING_MATERIALS,
        ]
    )
    assert sorted(
        get_user_model()
        .objects.filter(groups__isnull=False)
        .values_list("username", "groups__name")
    ) == [
        ("analyst", "Analyst"),
        ("auditor", "Auditor"),
        ("leader", "Leader"),
        ("partner", "Partner"),
        ("partner2", "Partner"),
        ("rnd", "R&D expert"),
    ]


def test_seed_demo_second_run_changes_nothing():
    seed()
    before = counts()

    output = seed()

    assert counts() == before
    assert output.splitlines()[0] == "Demo data already present: nothing changed."


def test_seed_demo_history_is_made_through_the_services():
    seed()

    approved = Application.objects.get(state=S.AWAITING_MATERIALS, kind="initial")
    assert list(
        StateLog.objects.for_(approved).order_by("pk").values_list("transition", "by__username")
    ) == [
        ("submit", "partner"),
        ("schedule_meeting", "analyst"),
        ("hold_meeting", "analyst"),
        ("accept", "analyst"),
        ("approve", "leader"),
    ]
    assert approved.priority == 1


def test_seed_demo_lists_the_log_ins():
    output = seed()

    assert output.splitlines()[2:] == [
        "Demo log-ins (password for all: demo-pass-2026):",
        "  partner    Partner developer (northwind)",
        "  partner2   Partner developer (contoso)",
        "  analyst    Marketplace analyst",
        "  leader     Leader",
        "  rnd        R&D expert",
        "  auditor    Auditor",
        "  admin      superuser",
    ]
