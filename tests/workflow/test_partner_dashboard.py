"""The partner's dashboard in three groups (open, certified, closed), the banner of a badge
revoked or at risk, and a certified request's page that says what its badge asks."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from catalogue import badge
from kpi.models import KPI, Breach, Comparison, KPIWarning
from workflow.enums import ApplicationState

from ..factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    PartnerFactory,
    SolutionFactory,
    actor,
)
from .markup import attr, by_testid, find_all, text, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

REVOKED_AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
REASON = "Cases overdue on response in 2026-10: 3 of 40 = 7.5 % (target: at most 1 %)."
WAY_BACK_REVOKED = (
    "To win it back, agree a remediation plan with the Marketplace team and bring the KPIs "
    "back within their targets: an analyst then restores the badge. You can also file a new "
    "certification request for the solution."
)


def revoked(certification, reason=REASON):
    """The badge revoked by the KPI job on REVOKED_AT."""
    with time_machine.travel(REVOKED_AT, tick=False):
        badge.revoke(certification=certification, by=badge.SYSTEM, reason=reason)
    certification.refresh_from_db()
    return certification


def warned(solution, *, period="2026-11", kpi=KPI.CSAT_RESPONSE_RATE):
    """A KPI of a month not judged yet that misses its target: 1 rated case of 40."""
    return KPIWarning.objects.create(
        solution=solution,
        period=period,
        kpi=kpi,
        recipient="someone@example.com",
        language="en",
        numerator=1,
        denominator=40,
        comparison=Comparison.AT_LEAST,
        target=Decimal("0.07"),
    )


def dashboard(client, user, **params):
    client.force_login(user)
    with time_machine.travel(LATER, tick=False):
        return client.get(reverse("dashboard"), params)


def test_certified_request_is_listed_as_a_certified_solution_not_as_closed(client):
    certification = CertificationFactory(solution__name="Phone Link")
    declined = ApplicationFactory(
        state=S.DECLINED, solution__partner=certification.solution.partner
    )
    withdrawn = ApplicationFactory(
        state=S.WITHDRAWN, solution__partner=certification.solution.partner
    )

    response = dashboard(client, actor("own_partner", certification.solution))

    (certified,) = find_all(response, "table", data_testid="certified")
    assert [texts(row, "td")[:3] for row in find_all(certified, "tr")[1:]] == [
        ["Phone Link", "✓ Certified", certification.version.number]
    ]
    (closed,) = find_all(response, "table", data_testid="closed")
    assert sorted(texts(row, "td")[1] for row in find_all(closed, "tr")[1:]) == [
        "Declined",
        "Withdrawn",
    ]
    assert {declined.solution.name, withdrawn.solution.name} <= {
        texts(row, "td")[0].rsplit(" ", 1)[0] for row in find_all(closed, "tr")[1:]
    }
    assert texts(response, "h2") == ["Open requests", "Certified solutions", "Closed requests"]


def test_certified_row_links_to_request_certificate_and_kpis(client):
    certification = CertificationFactory(solution__slug="phone-link")

    response = dashboard(client, actor("own_partner", certification.solution))

    (row,) = find_all(response, "tr", data_testid="certified-phone-link")
    assert [attr(a, "href") for a in find_all(row, "a")] == [
        certification.application.get_absolute_url(),
        reverse("solution_kpis", args=["phone-link"]),
        reverse("certificate", args=["phone-link"]),
        reverse("solution_kpis", args=["phone-link"]),
    ]
    assert find_all(response, data_testid="badge-alerts") == []


def test_revoked_badge_is_a_banner_at_the_top_with_reason_and_way_back(client):
    certification = revoked(
        CertificationFactory(solution__name="Phone Link", solution__slug="phone-link")
    )

    response = dashboard(client, actor("own_partner", certification.solution))

    (alerts,) = find_all(response, data_testid="badge-alerts")
    (banner,) = find_all(alerts, data_testid="badge-alert-phone-link")
    assert "alert-danger" in attr(banner, "class")
    assert texts(banner, "h2") == ["Phone Link: the badge was revoked on 3 Nov 2026"]
    assert texts(banner, data_testid="badge-reason") == [f"Why: {REASON}"]
    assert texts(banner, data_testid="badge-way-back") == [WAY_BACK_REVOKED]
    assert [attr(a, "href") for a in find_all(banner, "a")] == [
        reverse("certificate", args=["phone-link"]),
        reverse("solution_kpis", args=["phone-link"]),
        reverse("application_create", args=["phone-link"]),
    ]
    # The banner comes before every group of the dashboard.
    headings = [node for node in find_all(response) if node.name in ("h1", "h2")]
    assert [text(h) for h in headings][:3] == [
        "My certification requests",
        "Phone Link: the badge was revoked on 3 Nov 2026",
        "Open requests",
    ]
    (row,) = find_all(response, "tr", data_testid="certified-phone-link")
    assert texts(row, "td")[1] == "✕ Revoked"


def test_badge_marked_at_risk_shows_its_reason_and_how_to_keep_it(client):
    certification = CertificationFactory(solution__name="Phone Link", solution__slug="phone-link")
    with time_machine.travel(REVOKED_AT, tick=False):
        badge.mark_at_risk(
            certification=certification,
            by=badge.SYSTEM,
            reason="CSAT positive share in 2026-10 missed its target; a plan covers it.",
        )

    response = dashboard(client, actor("own_partner", certification.solution))

    banner = find_all(response, data_testid="badge-alert-phone-link")[0]
    assert "alert-warning" in attr(banner, "class")
    assert texts(banner, "h2") == ["Phone Link: the badge is at risk"]
    assert texts(banner, data_testid="badge-reason") == [
        "Why: CSAT positive share in 2026-10 missed its target; a plan covers it."
    ]
    assert by_testid(response, "badge-way-back").startswith("To keep the badge, bring the KPIs")
    assert texts(find_all(response, "tr", data_testid="certified-phone-link")[0], "td")[1] == (
        "! At risk"
    )


def test_kpi_off_target_this_month_puts_a_certified_badge_at_risk(client):
    certification = CertificationFactory(solution__name="Phone Link", solution__slug="phone-link")
    warned(certification.solution, period="2026-11")

    response = dashboard(client, actor("own_partner", certification.solution))

    banner = find_all(response, data_testid="badge-alert-phone-link")[0]
    assert texts(banner, "h2") == ["Phone Link: the badge is at risk"]
    (warning,) = texts(banner, "li")
    assert warning.startswith("CSAT response rate in 2026-11: 1 of 40")
    assert "(target: at least 7 %)" in warning
    assert find_all(banner, data_testid="badge-reason") == []


def test_a_warning_judged_since_or_too_old_is_no_longer_a_risk(client):
    certification = CertificationFactory()
    warned(certification.solution, period="2026-10")
    Breach.objects.create(
        solution=certification.solution,
        period="2026-10",
        kpi=KPI.CSAT_RESPONSE_RATE,
        action=Breach.Action.COVERED,
        detail="1 of 40",
    )
    warned(certification.solution, period="2026-08")

    response = dashboard(client, actor("own_partner", certification.solution))

    assert find_all(response, data_testid="badge-alerts") == []
    row = find_all(response, "tr", data_testid=f"certified-{certification.solution.slug}")[0]
    assert texts(row, "td")[1] == "✓ Certified"


def test_another_partners_revoked_badge_is_not_shown(client):
    theirs = revoked(CertificationFactory())
    mine = SolutionFactory(partner=PartnerFactory())

    response = dashboard(client, actor("own_partner", mine))

    assert find_all(response, data_testid="badge-alerts") == []
    assert find_all(response, "table", data_testid="certified") == []
    assert theirs.solution.name not in response.text


def test_certified_solutions_are_paginated_apart(client, settings):
    settings.DASHBOARD_PAGE_SIZE = 2
    partner = PartnerFactory()
    for n in range(3):
        CertificationFactory(solution__partner=partner, solution__name=f"Solution {n}")
    user = actor("own_partner", SolutionFactory(partner=partner))

    first = dashboard(client, user)
    second = dashboard(client, user, certified=2)

    def names(response):
        (table,) = find_all(response, "table", data_testid="certified")
        return [texts(row, "td")[0] for row in find_all(table, "tr")[1:]]

    assert (names(first), names(second)) == (["Solution 0", "Solution 1"], ["Solution 2"])


@pytest.mark.parametrize("count", [2, 4])
def test_dashboard_with_certified_solutions_costs_the_same(
    client, django_assert_num_queries, settings, count
):
    """The badges' reasons and warnings are read in a fixed few queries, whatever their number."""
    settings.DASHBOARD_PAGE_SIZE = 4
    partner = PartnerFactory()
    for n in range(count):
        certification = CertificationFactory(solution__partner=partner)
        if n % 2:
            revoked(certification)
        else:
            warned(certification.solution)
    user = actor("own_partner", SolutionFactory(partner=partner))
    client.force_login(user)

    with time_machine.travel(LATER, tick=False), django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboard"))

    (alerts,) = find_all(response, data_testid="badge-alerts")
    assert len(find_all(alerts, "h2")) == count


# With badges revoked and at risk: their events and warnings are read once for the page of
# certified solutions and once for the banners; the KPIs at a glance cost three more (the
# latest month's snapshots and breaches of the page's solutions, the current month's warnings).
DASHBOARD_QUERIES = 16


# --- The request page of a certified solution ------------------------------------------------


def request_page(client, user, application):
    client.force_login(user)
    with time_machine.travel(LATER, tick=False):
        return client.get(reverse("application_detail", args=[application.pk]))


def test_certified_request_page_links_to_certificate_and_kpis(client):
    certification = CertificationFactory(solution__slug="phone-link")
    application = certification.application

    response = request_page(client, actor("own_partner", application), application)

    assert by_testid(response, "awaited") == (
        "Awaited from you: Keep the support KPIs on target: the solution is certified."
        " Where: the audits and plans, on the certificate page. Go there"
    )
    (links,) = find_all(response, data_testid="certified-links")
    assert [attr(a, "href") for a in find_all(links, "a")] == [
        reverse("certificate", args=["phone-link"]),
        reverse("solution_kpis", args=["phone-link"]),
    ]


def test_revoked_request_page_says_revoked_when_why_and_the_way_back(client):
    certification = revoked(
        CertificationFactory(solution__name="Phone Link", solution__slug="phone-link")
    )
    application = certification.application

    response = request_page(client, actor("own_partner", application), application)

    assert by_testid(response, "awaited") == (
        "Awaited from you: Win the badge back: it was revoked."
        " Where: the audits and plans, on the certificate page. Go there"
    )
    assert "Keep the support KPIs on target" not in response.text
    banner = find_all(response, data_testid="badge-alert-phone-link")[0]
    assert texts(banner, "h2") == ["Phone Link: the badge was revoked on 3 Nov 2026"]
    assert texts(banner, data_testid="badge-reason") == [f"Why: {REASON}"]
    assert texts(banner, data_testid="badge-way-back") == [WAY_BACK_REVOKED]
    assert reverse("certificate", args=["phone-link"]) in [
        attr(a, "href") for a in find_all(banner, "a")
    ]


def test_request_page_of_a_badge_at_risk_names_the_failing_kpi(client):
    certification = CertificationFactory(solution__name="Phone Link", solution__slug="phone-link")
    warned(certification.solution, period="2026-11")
    application = certification.application

    response = request_page(client, actor("own_partner", application), application)

    assert by_testid(response, "awaited") == (
        "Awaited from you: Bring the failing KPIs back on target: the badge is at risk and may "
        "be revoked if they stay off target."
        " Where: the audits and plans, on the certificate page. Go there"
    )
    banner = find_all(response, data_testid="badge-alert-phone-link")[0]
    assert texts(banner, "li")[0].startswith("CSAT response rate in 2026-11: 1 of 40")
    assert find_all(response, data_testid="certified-links") == []


def test_revoked_request_page_tells_the_team_how_to_restore(client):
    certification = revoked(CertificationFactory())
    application = certification.application

    response = request_page(client, actor("analyst"), application)

    assert by_testid(response, "awaited") == (
        "Next step: The badge is revoked: restore it on the certificate page once the partner "
        "is back on target, or wait for a new request."
        " Where: the audits and plans, on the certificate page. Go there"
    )
    banner = find_all(response, data_testid=f"badge-alert-{certification.solution.slug}")[0]
    assert texts(banner, data_testid="badge-reason") == [f"Why: {REASON}"]
    assert find_all(banner, data_testid="badge-way-back") == []
    assert reverse("application_create", args=[certification.solution.slug]) not in [
        attr(a, "href") for a in find_all(banner, "a")
    ]


def test_restored_badge_is_certified_again_everywhere(client):
    certification = revoked(CertificationFactory())
    badge.restore(certification=certification, by=actor("analyst"), reason="Back on target.")
    user = actor("own_partner", certification.solution)

    board = dashboard(client, user)
    page = request_page(client, user, certification.application)

    assert find_all(board, data_testid="badge-alerts") == []
    assert by_testid(page, "awaited") == (
        "Awaited from you: Keep the support KPIs on target: the solution is certified."
        " Where: the audits and plans, on the certificate page. Go there"
    )
