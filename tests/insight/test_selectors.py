"""The overview's figures against a programme with known answers (tests/insight/world.py)."""

import datetime

import pytest

from catalogue.enums import Marketplace
from catalogue.models import CertificationEvent
from insight import selectors
from insight.selectors import Period
from kpi.models import KPI, Breach
from tests.factories.workflow import CertificationEventFactory, CertificationFactory
from tests.insight import world
from workflow.enums import ApplicationState, Priority, Stage

pytestmark = pytest.mark.django_db

S = ApplicationState
YEAR = Period.last_months(12, datetime.date(2026, 11, 18))
M = datetime.date


def test_period_last_months_ends_with_the_current_month():
    assert (YEAR.first, YEAR.last, len(YEAR.months)) == (M(2025, 12, 1), M(2026, 11, 1), 12)


def test_requests_by_state_and_funnel_count_the_current_states():
    world.build()

    by_state = selectors.requests_by_state()

    assert {state: n for state, n in by_state.items() if n} == {
        S.DRAFT: 1,
        S.SUBMITTED: 1,
        S.AWAITING_APPROVAL: 1,
        S.QUALITY_PASSED: 1,
        S.DECLINED: 1,
        S.CERTIFIED: 1,
    }
    assert selectors.funnel(by_state) == {
        Stage.PARTNER_REQUEST: 1,
        Stage.APPROVAL: 1,
        Stage.QUALITY: 0,
        Stage.SUPPORT: 1,
        Stage.REGULAR_AUDIT: 1,
    }


def test_funnel_of_one_marketplace():
    world.build()

    funnel = selectors.funnel(selectors.requests_by_state(Marketplace.TERRASOFT))

    assert list(funnel.values()) == [1, 1, 0, 0, 0]


def test_time_in_stage_median_and_p90_of_the_requests_that_left_it_in_the_period():
    world.build()

    durations = selectors.time_in_stage(YEAR)

    assert durations[Stage.PARTNER_REQUEST] == {"count": 3, "median": 20.0, "p90": 28.0}
    assert durations[Stage.APPROVAL] == {"count": 2, "median": 7.0, "p90": pytest.approx(9.4)}
    assert durations[Stage.QUALITY] == {"count": 1, "median": 31.0, "p90": 31.0}
    assert durations[Stage.SUPPORT] == {"count": 0, "median": None, "p90": None}


def test_time_in_stage_leaves_out_what_left_before_the_period():
    world.build()

    durations = selectors.time_in_stage(Period(M(2025, 1, 1), M(2025, 1, 1)))

    assert durations[Stage.PARTNER_REQUEST] == {"count": 1, "median": 5.0, "p90": 5.0}
    assert durations[Stage.APPROVAL] == {"count": 1, "median": 10.0, "p90": 10.0}


def test_throughput_counts_entries_and_exits_per_stage_and_month():
    world.build()

    moves = selectors.throughput(YEAR)

    entered, left = moves["entered"], moves["left"]
    assert dict(entered[Stage.PARTNER_REQUEST]) == {
        M(2026, 3, 1): 2,
        M(2026, 5, 1): 1,
        M(2026, 6, 1): 1,
    }
    assert dict(left[Stage.PARTNER_REQUEST]) == {M(2026, 3, 1): 2, M(2026, 5, 1): 1}
    assert dict(entered[Stage.APPROVAL]) == {M(2026, 3, 1): 2, M(2026, 5, 1): 1}
    assert dict(left[Stage.APPROVAL]) == {M(2026, 3, 1): 1, M(2026, 4, 1): 1}
    assert dict(entered[Stage.QUALITY]) == {M(2026, 3, 1): 1}
    assert dict(left[Stage.QUALITY]) == {M(2026, 4, 1): 1}
    assert dict(entered[Stage.SUPPORT]) == {M(2026, 4, 1): 1}
    assert dict(left[Stage.SUPPORT]) == {}
    assert dict(entered[Stage.REGULAR_AUDIT]) == {}


def test_throughput_of_one_marketplace():
    world.build()

    moves = selectors.throughput(YEAR, Marketplace.TERRASOFT)

    assert dict(moves["entered"][Stage.PARTNER_REQUEST]) == {M(2026, 5, 1): 1, M(2026, 6, 1): 1}
    assert dict(moves["left"][Stage.APPROVAL]) == {}


def test_oldest_waiting_lists_open_filed_requests_longest_waiting_first_with_whose_move():
    requests = world.build()

    oldest = selectors.oldest_waiting()

    assert [(a.pk, a.waiting_for) for a in oldest] == [
        (requests["a"].pk, "partner"),
        (requests["c"].pk, "leaders"),
        (requests["d"].pk, "team"),
    ]


def test_filed_by_marketplace_and_priority_split_by_outcome():
    world.build()

    by_marketplace = selectors.filed_by("solution__marketplace", YEAR)
    by_priority = selectors.filed_by("priority", YEAR)

    assert by_marketplace == {
        Marketplace.CREATIO: {"open": 1, "certified": 0, "closed": 1},
        Marketplace.TERRASOFT: {"open": 2, "certified": 0, "closed": 0},
    }
    assert by_priority == {
        Priority.HIGH: {"open": 1, "certified": 0, "closed": 0},
        Priority.MEDIUM: {"open": 0, "certified": 0, "closed": 1},
        None: {"open": 2, "certified": 0, "closed": 0},
    }


def test_certification_events_granted_at_risk_and_revoked_per_month():
    first = CertificationFactory(solution__marketplace=Marketplace.CREATIO)
    second = CertificationFactory(solution__marketplace=Marketplace.TERRASOFT)
    Action = CertificationEvent.Action
    for certification, action, when in [
        (first, Action.GRANTED, world.at(2, 10)),
        (second, Action.GRANTED, world.at(2, 20)),
        (first, Action.AT_RISK, world.at(7, 3)),
        (first, Action.REVOKED, world.at(8, 20)),
        (first, Action.RESTORED, world.at(9, 1)),
        (second, Action.GRANTED, world.at(5, 1, 2024)),
    ]:
        CertificationEventFactory(certification=certification, action=action, at=when)

    counts = selectors.certification_events(YEAR)
    creatio = selectors.certification_events(YEAR, Marketplace.CREATIO)

    assert {action: dict(months) for action, months in counts.items()} == {
        Action.GRANTED: {M(2026, 2, 1): 2},
        Action.AT_RISK: {M(2026, 7, 1): 1},
        Action.REVOKED: {M(2026, 8, 1): 1},
    }
    assert dict(creatio[Action.GRANTED]) == {M(2026, 2, 1): 1}


def test_breaches_per_month_by_kpi_a_half_year_in_its_last_month():
    solution = CertificationFactory().solution
    for period, kpi in [
        ("2026-07", KPI.ESCALATIONS),
        ("2026-07", KPI.CSAT_RESPONSE_RATE),
        ("2026-08", KPI.ESCALATIONS),
        ("2026-H1", KPI.NPS_MEAN),
        ("2025-06", KPI.ESCALATIONS),
    ]:
        Breach.objects.create(solution=solution, period=period, kpi=kpi, action="none")

    counts = selectors.breaches(YEAR)

    assert {kpi: dict(months) for kpi, months in counts.items()} == {
        KPI.ESCALATIONS: {M(2026, 7, 1): 1, M(2026, 8, 1): 1},
        KPI.CSAT_RESPONSE_RATE: {M(2026, 7, 1): 1},
        KPI.NPS_MEAN: {M(2026, 6, 1): 1},
    }


def test_percentile_interpolates_between_ranks():
    assert selectors.percentile([1, 2, 3, 4], 50) == 2.5
    assert selectors.percentile([10, 20, 30], 90) == 28.0
    assert selectors.percentile([], 50) is None
