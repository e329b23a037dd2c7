"""The demo data: loaded through the real services, and a second run changes nothing.

The demo is seeded once per module (inside a transaction rolled back at the end of the module);
each test runs in a savepoint of it, so a test's own changes never reach the next one.
"""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from catalogue.enums import CertificationStatus
from catalogue.models import Certification, CertificationEvent, Solution
from demo.kpis import SCENARIOS
from kpi.models import KPI, Breach, Customer, KPISnapshot, NPSAnswer, SupportCase
from kpi.periods import parse_period, previous_half_year, previous_month, reporting_zone
from support_audit.models import RemediationPlan
from workflow.enums import ApplicationState
from workflow.models import Application, ApprovalFacts, Notification

from ..workflow.markup import attr, find_all, texts

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
        "cases": SupportCase.objects.count(),
        "customers": Customer.objects.count(),
        "nps_answers": NPSAnswer.objects.count(),
        "snapshots": KPISnapshot.objects.count(),
        "breaches": Breach.objects.count(),
        "badge_events": CertificationEvent.objects.count(),
        "plans": RemediationPlan.objects.count(),
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The output of the first `seed_demo` run; its data live until the module ends."""
    storages = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "certportal.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": tmp_path_factory.mktemp("private-media")},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            STORAGES=storages,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            LANGUAGE_CODE="en",
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def twelve_months() -> list[str]:
    """The twelve complete months before today, oldest first."""
    names, moment = [], timezone.now()
    for _ in range(12):
        names.append(previous_month(moment))
        moment = parse_period(names[-1]).start
    return sorted(names)


def two_half_years() -> list[str]:
    last = previous_half_year(timezone.now())
    return [previous_half_year(parse_period(last).start), last]


def this_month() -> str:
    return timezone.now().astimezone(reporting_zone()).strftime("%Y-%m")


def badge_statuses() -> dict[str, str]:
    return dict(
        Certification.objects.filter(solution__slug__in=SCENARIOS).values_list(
            "solution__slug", "status"
        )
    )


def test_seed_demo_first_run_loads_every_role_and_a_request_in_each_state(seeded):
    states = sorted(Application.objects.values_list("state", flat=True))
    assert seeded.splitlines()[0].startswith(
        "Demo data loaded: 8 users, 13 solutions, 13 requests, "
    )
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
            S.CERTIFIED,
            S.CERTIFIED,
            S.CERTIFIED,
            S.CERTIFIED,
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
        ("sales", "Sales"),
    ]


def test_seed_demo_second_run_changes_nothing(seeded):
    before = counts()
    statuses = badge_statuses()
    snapshots = sorted(KPISnapshot.objects.values_list("solution_id", "period", "kpi", "status"))

    output = seed()

    assert counts() == before
    assert badge_statuses() == statuses
    assert (
        sorted(KPISnapshot.objects.values_list("solution_id", "period", "kpi", "status"))
        == snapshots
    )
    assert output.splitlines()[0] == "Demo data already present: nothing changed."


def test_seed_demo_history_is_made_through_the_services(seeded):
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


def test_seed_demo_lists_the_log_ins_and_the_badges(seeded):
    assert seeded.splitlines()[2:] == [
        "Demo log-ins (password for all: demo-pass-2026):",
        "  partner    Partner developer (northwind)",
        "  partner2   Partner developer (contoso)",
        "  analyst    Marketplace analyst",
        "  leader     Leader",
        "  rnd        R&D expert",
        "  auditor    Auditor",
        "  sales      Sales manager",
        "  admin      superuser",
        "",
        "Demo badges (KPIs evaluated for the last twelve months):",
        "  nw-calendar   certified  /badges/nw-calendar.svg",
        "  nw-inventory  certified  /badges/nw-inventory.svg",
        "  nw-payments   revoked    /badges/nw-payments.svg",
        "  nw-portal     at risk    /badges/nw-portal.svg",
        "  nw-quotes     certified  /badges/nw-quotes.svg",
    ]


def test_seed_demo_gives_each_certified_solution_twelve_months_of_cases(seeded):
    zone = reporting_zone()
    current = parse_period(this_month()).start
    per_month = {slug: {} for slug in SCENARIOS}
    for slug, at in SupportCase.objects.filter(
        presale=False, registered_at__lt=current
    ).values_list("solution__slug", "registered_at"):
        month = at.astimezone(zone).strftime("%Y-%m")
        per_month[slug][month] = per_month[slug].get(month, 0) + 1

    assert {slug: sorted(months) for slug, months in per_month.items()} == dict.fromkeys(
        SCENARIOS, twelve_months()
    )
    assert all(30 <= n <= 150 for months in per_month.values() for n in months.values())


def test_seed_demo_gives_two_nps_surveys_and_customers_behind_or_lapsed(seeded):
    today = timezone.localdate()

    for slug in SCENARIOS:
        customers = Customer.objects.filter(solution__slug=slug)
        certified = Certification.objects.get(solution__slug=slug).version.number
        assert (
            sorted(
                set(
                    NPSAnswer.objects.filter(solution__slug=slug).values_list(
                        "half_year", flat=True
                    )
                )
            )
            == two_half_years()
        )
        assert customers.exclude(installed_version=certified).exists()
        assert customers.filter(active_until__lt=today).exists()
        assert customers.filter(active_until__gte=today).exists()


def test_seed_demo_passing_solutions_pass_every_kpi_and_show_the_month_so_far(seeded):
    """R5.1 Passing demo solutions meet every target, NPS included, and keep the badge."""
    passing = sorted(slug for slug, scenario in SCENARIOS.items() if not scenario.fails)
    final = KPISnapshot.objects.filter(solution__slug__in=passing, provisional=False)
    so_far = KPISnapshot.objects.filter(solution__slug__in=passing, provisional=True)

    assert sorted(set(final.values_list("status", flat=True))) == ["pass"]
    assert sorted(set(final.values_list("period", flat=True))) == sorted(
        twelve_months() + two_half_years()
    )
    assert sorted(set(so_far.values_list("solution__slug", "period"))) == [
        (slug, this_month()) for slug in passing
    ]
    assert {slug: badge_statuses()[slug] for slug in passing} == dict.fromkeys(
        passing, CertificationStatus.CERTIFIED
    )


def test_seed_demo_breach_covered_by_a_plan_leaves_the_badge_at_risk(seeded):
    """R5.8 A failed KPI covered by an agreed remediation plan keeps the badge on, at risk."""
    breach = Breach.objects.get(solution__slug="nw-portal")
    plan = RemediationPlan.objects.get(solution__slug="nw-portal")

    assert (breach.period, breach.kpi, breach.action) == (
        twelve_months()[-1],
        KPI.RESPONSE_OVERDUE_RATE,
        Breach.Action.COVERED,
    )
    assert (plan.in_force, plan.covers_kpis) == (True, [KPI.RESPONSE_OVERDUE_RATE])
    assert badge_statuses()["nw-portal"] == CertificationStatus.AT_RISK


def test_seed_demo_breach_without_a_plan_is_revoked_by_the_job(seeded, client):
    """R5.8 A failed KPI with no plan revokes the badge; the job acts, naming the KPI."""
    last_month = twelve_months()[-1]
    event = CertificationEvent.objects.get(
        certification__solution__slug="nw-payments", action=CertificationEvent.Action.REVOKED
    )

    body = client.get(reverse("badge_json", args=["nw-payments"])).json()

    assert event.actor is None
    assert event.reason_text.startswith(f"CSAT positive share failed in {last_month}: ")
    assert list(
        Breach.objects.filter(solution__slug="nw-payments").values_list("kpi", "action")
    ) == [(KPI.CSAT_POSITIVE_SHARE, Breach.Action.REVOKED)]
    assert (body["certified"], body["status"], body["reason"]) == (
        False,
        "revoked",
        event.reason_text,
    )


def test_seed_demo_showcase_shows_the_certified_badge_of_passing_solutions(seeded, client):
    """R7.1 The catalogue shows the "Certified" badge of the demo's certified solutions and no
    longer lists the revoked one."""
    catalogue = client.get(reverse("catalogue"))
    svg = client.get(reverse("badge_svg", args=["nw-calendar"])).content.decode()

    cards = {
        texts(card, "h2")[0]: card for card in find_all(catalogue, data_testid="certified-solution")
    }
    assert sorted(cards) == [
        "Northwind Calendar Sync",
        "Northwind Customer Portal",
        "Northwind Inventory Sync",
        "Northwind Quotes",
    ]
    assert [attr(img, "src") for img in find_all(cards["Northwind Quotes"], "img")] == [
        reverse("badge_svg", args=["nw-quotes"])
    ]
    assert "✓ Certified</text>" in svg
    assert ">1.0.0</text>" in svg
    assert 'fill="#198754"' in svg
