"""The partner home at a glance: each certified solution's KPIs of the latest month over as
pass, at risk or fail, what the partner must do next, and a link to the KPI page; a page that
costs the same with 3 certified solutions as with 20."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpi.models import KPI, Breach, Comparison, KPISnapshot, KPIWarning
from tests.factories.kpi import KPISnapshotFactory

from ..factories.workflow import CertificationFactory, PartnerFactory, SolutionFactory, actor
from .markup import attr, find_all, text

pytestmark = pytest.mark.django_db

# The suite's now is 18 Nov 2026: the latest month over is October.
OCTOBER = "2026-10"
KPIS = [
    KPI.RESPONSE_OVERDUE_RATE,
    KPI.RESOLUTION_OVERDUE_RATE,
    KPI.CSAT_RESPONSE_RATE,
    KPI.CSAT_POSITIVE_SHARE,
    KPI.ESCALATIONS,
]


@pytest.fixture
def partner():
    return PartnerFactory(name="Acme")


def certified(partner, slug, **extra):
    return CertificationFactory(
        solution__partner=partner, solution__slug=slug, solution__name=slug.title(), **extra
    ).solution


def all_met(solution, period=OCTOBER):
    """Every case KPI of the month within its target, on final figures."""
    KPISnapshotFactory(solution=solution, period=period)  # overdue on response 0.5 %
    KPISnapshotFactory(
        solution=solution, period=period, kpi=KPI.RESOLUTION_OVERDUE_RATE, target_value="0.05"
    )
    KPISnapshotFactory(
        solution=solution,
        period=period,
        kpi=KPI.CSAT_RESPONSE_RATE,
        numerator=20,
        comparison=Comparison.AT_LEAST,
        target_value="0.07",
    )
    KPISnapshotFactory(
        solution=solution,
        period=period,
        kpi=KPI.CSAT_POSITIVE_SHARE,
        numerator=18,
        denominator=20,
        comparison=Comparison.AT_LEAST,
        target_value="0.8",
    )
    KPISnapshotFactory(
        solution=solution,
        period=period,
        kpi=KPI.ESCALATIONS,
        numerator=1,
        value=Decimal(1),
        target_value=Decimal(2),
    )


def home(client, partner):
    client.force_login(actor("own_partner", SolutionFactory(partner=partner)))
    return client.get(reverse("dashboard"))


def states(response, slug) -> dict[str, str]:
    (cell,) = find_all(response, "td", data_testid=f"kpis-{slug}")
    return {
        attr(item, "data-testid")[4:]: attr(item, "data-state") for item in find_all(cell, "li")
    }


def next_step(response, slug) -> str:
    (cell,) = find_all(response, "td", data_testid=f"next-{slug}")
    return text(cell)


def test_a_solution_with_every_kpi_met_shows_them_passed_and_nothing_to_do(client, partner):
    all_met(certified(partner, "alpha"))

    response = home(client, partner)

    assert states(response, "alpha") == dict.fromkeys(KPIS, "pass")
    (cell,) = find_all(response, "td", data_testid="kpis-alpha")
    assert text(find_all(cell, "li")[0]) == (
        "✓ pass Cases overdue on response: 0.5 % (target at most 1 %)"
    )
    assert text(find_all(cell, "div")[0]) == "October 2026"
    assert next_step(response, "alpha") == (
        "Nothing now: every KPI of October 2026 with figures met its target. Keep sending the "
        "cases of this month. See the KPI page"
    )


def test_provisional_figures_missing_the_target_are_at_risk_with_what_would_save_them(
    client, partner
):
    """R5.2: 10 rated cases of 200 (5 %) miss "at least 7 %" while October's cases are still
    open within their deadline: at risk, not failed; 4 more rated cases would do."""
    solution = certified(partner, "beta")
    all_met(solution)
    KPISnapshot.objects.filter(solution=solution, kpi=KPI.CSAT_RESPONSE_RATE).update(
        numerator=10, value=Decimal("0.05"), status=KPISnapshot.Status.FAIL, provisional=True
    )

    response = home(client, partner)

    assert states(response, "beta") == {
        **dict.fromkeys(KPIS, "pass"),
        KPI.CSAT_RESPONSE_RATE: "at_risk",
    }
    assert next_step(response, "beta") == (
        "CSAT response rate of October 2026 misses its target on provisional figures: resolve "
        "the open cases of the month within their deadlines before the figures are final. "
        "CSAT response rate: 4 more rated cases would bring it back within the target. "
        "See the KPI page"
    )


def test_a_breach_or_final_figures_missing_the_target_fail(client, partner):
    """R5.4, R5.8: overdue on response failed on final figures and was recorded as a breach;
    escalations missed theirs on final figures."""
    solution = certified(partner, "gamma", at_risk=True)
    all_met(solution)
    KPISnapshot.objects.filter(solution=solution, kpi=KPI.ESCALATIONS).update(
        numerator=3, value=Decimal(3), status=KPISnapshot.Status.FAIL
    )
    Breach.objects.create(
        solution=solution,
        period=OCTOBER,
        kpi=KPI.RESPONSE_OVERDUE_RATE,
        action=Breach.Action.COVERED,
        detail="5 of 200",
    )

    response = home(client, partner)

    assert states(response, "gamma") == {
        **dict.fromkeys(KPIS, "pass"),
        KPI.RESPONSE_OVERDUE_RATE: "fail",
        KPI.ESCALATIONS: "fail",
    }
    assert next_step(response, "gamma") == (
        "Cases overdue on response; Escalated cases missed the target in October 2026: carry "
        "out the remediation plan agreed with the Marketplace team, or agree one, and bring "
        "the KPIs back within their targets; a KPI that stays off target without a plan "
        "covering it revokes the badge. See the KPI page"
    )


def test_a_kpi_of_the_current_month_warned_of_so_far_is_at_risk_with_its_remedy(client, partner):
    """An early warning of November (1 rated case of 40 so far, target at least 7 %) is what
    the partner must act on once October passed; each person's copy counts once."""
    solution = certified(partner, "zeta")
    all_met(solution)
    for recipient in ("a@example.com", "b@example.com"):
        KPIWarning.objects.create(
            solution=solution,
            period="2026-11",
            kpi=KPI.CSAT_RESPONSE_RATE,
            recipient=recipient,
            language="en",
            numerator=1,
            denominator=40,
            comparison=Comparison.AT_LEAST,
            target=Decimal("0.07"),
        )

    response = home(client, partner)

    assert states(response, "zeta") == dict.fromkeys(KPIS, "pass")
    (so_far,) = find_all(response, data_testid="so-far-zeta")
    assert text(so_far) == (
        "! at risk So far in November 2026: CSAT response rate (1 of 40 = 2.5 %, target at "
        "least 7 %)"
    )
    assert next_step(response, "zeta") == (
        "So far in November 2026, CSAT response rate misses its target: CSAT response rate: "
        "2 more rated cases would bring it back within the target. Bring it back before the "
        "month is over. See the KPI page"
    )


def test_a_month_without_figures_asks_for_the_cases(client, partner):
    certified(partner, "delta")

    response = home(client, partner)

    assert states(response, "delta") == dict.fromkeys(KPIS, "no_data")
    assert next_step(response, "delta") == (
        "Send the support cases of October 2026 (an upload on the KPI page or the API): "
        "without them the KPIs cannot be evaluated. See the KPI page"
    )


def test_a_revoked_badge_asks_to_win_it_back(client, partner):
    all_met(certified(partner, "epsilon", revoked=True))

    response = home(client, partner)

    assert next_step(response, "epsilon").startswith(
        "To win it back, agree a remediation plan with the Marketplace team"
    )


def test_the_next_step_links_to_the_kpi_page(client, partner):
    certified(partner, "alpha")

    response = home(client, partner)

    (cell,) = find_all(response, "td", data_testid="next-alpha")
    assert [attr(a, "href") for a in find_all(cell, "a")] == [
        reverse("solution_kpis", args=["alpha"])
    ]


def test_another_partners_solutions_are_not_on_the_home(client, partner):
    all_met(certified(PartnerFactory(), "other"))
    certified(partner, "alpha")

    response = home(client, partner)

    assert find_all(response, "td", data_testid="kpis-other") == []
    assert list(states(response, "alpha").values()) == ["no_data"] * 5


def test_the_home_costs_the_same_with_3_and_20_certified_solutions(client, settings):
    settings.DASHBOARD_PAGE_SIZE = 25
    counts = []
    for size in (3, 20):
        partner = PartnerFactory()
        for n in range(size):
            solution = certified(partner, f"s{size}-{n}")
            all_met(solution)
            Breach.objects.create(
                solution=solution,
                period=OCTOBER,
                kpi=KPI.ESCALATIONS,
                action=Breach.Action.REVOKED,
                detail="3",
            )
            KPIWarning.objects.create(
                solution=solution,
                period="2026-11",
                kpi=KPI.CSAT_RESPONSE_RATE,
                recipient="a@example.com",
                language="en",
                numerator=1,
                denominator=40,
                comparison=Comparison.AT_LEAST,
                target=Decimal("0.07"),
            )
        client.force_login(actor("own_partner", SolutionFactory(partner=partner)))
        client.get(reverse("dashboard"))  # the session is read once logged in
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("dashboard"))
        assert states(response, f"s{size}-0")[KPI.ESCALATIONS] == "fail"
        counts.append(len(queries))

    assert counts[0] == counts[1]
