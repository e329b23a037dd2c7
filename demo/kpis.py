"""Demo data of stage 5: a year of support cases, customers and two NPS surveys for the demo's
certified solutions, then the KPI evaluations the scheduled jobs would have made.

Each customer has a contract (support package, region of the solution's marketplace) and a
contact e-mail; its cases name it, so their deadlines come from its SLA. Cases and answers go
through the importers (deadlines computed by the real SLA code, answers only from customers
active on the day) and the months through `evaluate_period`, so breaches, the remediation
exception and the revocation are the real ones. Everything is drawn from
`random.Random(slug)`: the same day gives the same data. Idempotent: nothing is added once a
demo solution has support cases.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from catalogue.enums import CertificationStatus, Marketplace
from catalogue.models import Certification, Solution
from kpi.evaluation import evaluate_period
from kpi.importing import import_cases, import_nps
from kpi.models import KPI, Customer, SLAPolicy, SupportCase
from kpi.periods import Period, parse_period, previous_half_year, previous_month, reporting_zone
from support_audit import services as support
from support_audit.enums import (
    MARKETPLACE_REGIONS,
    AuditPurpose,
    AuditType,
    NonconformitySeverity,
    SupportPackage,
)


@dataclass(frozen=True)
class Scenario:
    cases: tuple[int, int]  # cases a month, fewest and most
    customers: tuple[int, int]
    fails: str = ""  # the KPI that misses its target in the last complete month
    plan: bool = False  # a remediation plan in force covers that KPI


SCENARIOS = {
    "nw-calendar": Scenario(cases=(60, 110), customers=(50, 70)),
    "nw-inventory": Scenario(cases=(90, 150), customers=(70, 90)),
    "nw-quotes": Scenario(cases=(30, 60), customers=(30, 45)),
    # Late first responses last month, an agreed plan covers them: the badge stays, at risk.
    "nw-portal": Scenario(
        cases=(80, 130), customers=(50, 70), fails=KPI.RESPONSE_OVERDUE_RATE, plan=True
    ),
    # Unhappy customers last month and no plan: the monthly job revokes the badge.
    "nw-payments": Scenario(cases=(50, 90), customers=(40, 60), fails=KPI.CSAT_POSITIVE_SHARE),
}

BADGE_WORDS = {
    CertificationStatus.CERTIFIED: "certified",
    CertificationStatus.AT_RISK: "at risk",
    CertificationStatus.REVOKED: "revoked",
}

_NAMES = ("Alder", "Birch", "Cedar", "Elm", "Fir", "Hazel", "Juniper", "Larch")
_NAMES += ("Maple", "Oak", "Pine", "Rowan", "Spruce", "Willow", "Yew", "Aspen")
_TRADES = ("Logistics", "Retail", "Bank", "Insurance", "Foods", "Energy", "Telecom", "Health")
_TRADES += ("Motors", "Travel")
CUSTOMER_NAMES = tuple(f"{name} {trade}" for name in _NAMES for trade in _TRADES)
OLDER_VERSIONS = ("0.9.4", "0.9.0")
PACKAGES = (SupportPackage.BASIC, SupportPackage.BUSINESS, SupportPackage.PREMIUM)
PRIORITIES = ("critical", "high", "medium", "low")
# Late on purpose: far beyond any deadline, holidays included.
LATE_RESPONSE_DAYS = (20, 25)
LATE_RESOLUTION_DAYS = (30, 40)


def seed_kpis(users, stdout=None) -> dict[str, int]:
    """Load the stage-5 demo data and evaluate it; how many cases, customers and NPS answers
    were created (none when the demo solutions have cases already)."""
    created = {"cases": 0, "customers": 0, "nps_answers": 0}
    solutions = list(
        Solution.objects.filter(slug__in=SCENARIOS, certification__isnull=False)
        .select_related("certification__version")
        .order_by("slug")
    )
    if not solutions or SupportCase.objects.filter(solution__in=solutions).exists():
        return created
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    months = _months(now)
    halves = _half_years(now)
    hours = _sla_hours()
    with transaction.atomic():
        for solution in solutions:
            scenario = SCENARIOS[solution.slug]
            rng = random.Random(solution.slug)
            customers = _customers(rng, solution, scenario, today)
            created["customers"] += len(customers)
            active = [c for c in customers if c.active_until >= today]
            records = []
            for name in months:
                records += _month_cases(
                    rng,
                    solution,
                    parse_period(name),
                    now=now,
                    hours=hours,
                    customers=active,
                    # months[-2] is the last complete month, months[-1] the current one.
                    failing=scenario.fails if name == months[-2] else "",
                )
            created["cases"] += import_cases(records).created
            answers = [
                answer
                for name in halves
                for answer in _nps_answers(
                    rng, solution, parse_period(name), [c.customer_id for c in active]
                )
            ]
            created["nps_answers"] += import_nps(answers).created
            if scenario.plan:
                _remediation_plan(solution, scenario.fails, users["analyst"], today)
            if stdout is not None:
                stdout.write(f"  {solution.slug}: {len(records)} support cases loaded")
        ids = [solution.pk for solution in solutions]
        for name in [*months[:-1], *halves]:
            evaluate_period(name, solutions=ids, as_of=now)
        # The current month so far, for the solutions that kept the badge (never enforced).
        badge_on = Certification.objects.filter(
            solution_id__in=ids,
            status__in=[CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK],
        ).values_list("solution_id", flat=True)
        evaluate_period(months[-1], solutions=list(badge_on), as_of=now)
        # A case of a final month that the partner's system sent only afterwards: stored,
        # marked late, listed to analysts, and not counted until the month is re-opened.
        created["cases"] += _late_arrival(solutions, months[-3], now=now)
    return created


LATE_SOLUTION = "nw-calendar"


def _late_arrival(solutions, name: str, *, now: datetime) -> int:
    solution = next((s for s in solutions if s.slug == LATE_SOLUTION), None)
    if solution is None:
        return 0
    period = parse_period(name)
    at = period.start + (period.end - period.start) / 2
    customer = Customer.objects.filter(solution=solution).order_by("customer_id").first()
    record = _case(
        solution,
        f"{solution.slug.upper().replace('-', '')}-{name.replace('-', '')}-LATE",
        # Its package and region come from the customer's contract.
        customer=customer.customer_id if customer else "",
        priority="medium",
        registered_at=at,
        first_response_at=at + timedelta(minutes=40),
        resolved_at=at + timedelta(hours=3),
        escalation_level=0,
        csat=5,
    )
    return import_cases([record]).created


def badge_report() -> list[tuple[str, str]]:
    """(slug, badge status in words) of each demo solution the KPI jobs watch."""
    statuses = dict(
        Certification.objects.filter(solution__slug__in=SCENARIOS).values_list(
            "solution__slug", "status"
        )
    )
    return [
        (slug, BADGE_WORDS.get(statuses.get(slug), "not certified")) for slug in sorted(SCENARIOS)
    ]


def _months(now: datetime) -> list[str]:
    """The twelve complete months before `now`, oldest first, then the current month."""
    names, moment = [], now
    for _ in range(12):
        names.append(previous_month(moment))
        moment = parse_period(names[-1]).start
    return [*reversed(names), now.astimezone(reporting_zone()).strftime("%Y-%m")]


def _half_years(now: datetime) -> list[str]:
    """The last two complete half-years, older first."""
    last = previous_half_year(now)
    return [previous_half_year(parse_period(last).start), last]


def _sla_hours() -> dict[str, tuple[float, float]]:
    """The shortest response and resolution times of each package: a case answered within a
    fraction of them in wall-clock time is in time whatever its calendar."""
    hours = {}
    for policy in SLAPolicy.objects.all():
        response, resolution = float(policy.response_hours), float(policy.resolution_hours)
        if policy.package in hours:
            response = min(response, hours[policy.package][0])
            resolution = min(resolution, hours[policy.package][1])
        hours[policy.package] = (response, resolution)
    return hours


def _customers(rng, solution, scenario: Scenario, today: date) -> list[Customer]:
    """Customers on several versions, some behind the certified one, some whose subscription
    has lapsed; each with a contract in a region of the solution's marketplace and an e-mail.

    Contracts are drawn from a generator of their own, so that the rest of the data (and the
    badge story) does not depend on them.
    """
    current = solution.certification.version.number
    contracts = random.Random(f"{solution.slug}-contracts")
    regions = [region.value for region in MARKETPLACE_REGIONS[solution.marketplace]]
    customers = [
        Customer(
            solution=solution,
            customer_id=name,
            installed_version=rng.choices([current, *OLDER_VERSIONS], weights=(14, 4, 2))[0],
            active_until=(
                today - timedelta(days=rng.randint(10, 200))
                if rng.random() < 0.2
                else today + timedelta(days=rng.randint(20, 400))
            ),
        )
        for name in sorted(rng.sample(CUSTOMER_NAMES, rng.randint(*scenario.customers)))
    ]
    for customer in customers:
        customer.support_package = contracts.choices(PACKAGES, weights=(5, 3, 2))[0].value
        customer.region = contracts.choice(regions)
        customer.contact_email = f"{customer.customer_id.lower().replace(' ', '.')}@demo.example"
    Customer.objects.bulk_create(customers)
    return customers


def _hours(value: float) -> timedelta:
    return timedelta(seconds=round(value * 3600))


def _month_cases(
    rng, solution, period: Period, *, now, hours, customers, failing
) -> list[dict[str, object]]:
    """The cases registered in a month (up to `now` for the current one), as the partner's
    support system would send them; `failing` names the KPI this month misses."""
    scenario = SCENARIOS[solution.slug]
    over = period.end <= now
    end = period.end if over else now - timedelta(hours=2)
    if end <= period.start:
        return []
    count = rng.randint(*scenario.cases)
    if not over:
        count = max(1, round(count * (end - period.start) / (period.end - period.start)))
    span = int((end - period.start).total_seconds())
    registered = sorted(period.start + timedelta(seconds=rng.randrange(span)) for _ in range(count))
    everyone = range(count)

    late_response, late_resolution = set(), set()
    if failing == KPI.RESPONSE_OVERDUE_RATE:
        # Above the 1 % target, below the 5 % one of resolution: only this KPI fails.
        late_response = set(rng.sample(everyone, max(2, count * 3 // 100)))
    elif over:
        if count >= 120 and rng.random() < 0.5:
            late_response = set(rng.sample(everyone, 1))
        late_resolution = set(rng.sample(everyone, rng.randint(0, count * 2 // 100)))
    on_time = [i for i in everyone if i not in late_response | late_resolution]
    rated = rng.sample(on_time, min(len(on_time), round(count * rng.uniform(0.12, 0.3))))
    if failing == KPI.CSAT_POSITIVE_SHARE:
        unhappy = set(rated[: math.ceil(len(rated) * 0.45)])
    else:
        unhappy = set(rated[: rng.randint(0, len(rated) // 8)])
    escalated = set(rng.sample(everyone, min(count, rng.choice((0, 0, 0, 1, 1, 2)))))

    regions = [region.value for region in MARKETPLACE_REGIONS[solution.marketplace]]
    prefix = solution.slug.upper().replace("-", "")
    records = []
    for i, at in enumerate(registered):
        customer = rng.choice(customers)
        response_hours, resolution_hours = hours[customer.support_package]
        if i in late_response:
            response = at + timedelta(days=rng.uniform(*LATE_RESPONSE_DAYS))
        else:
            response = at + _hours(response_hours * rng.uniform(0.05, 0.6))
        if i in late_response or i in late_resolution:
            resolved = at + timedelta(days=rng.uniform(*LATE_RESOLUTION_DAYS))
        else:
            resolved = response + _hours(resolution_hours * rng.uniform(0.1, 0.6))
        if over and i not in late_response:
            # A month that is over is final at `now` (every case resolved), but for the late
            # first responses of the failing KPI: those keep it provisional while open within
            # their deadline, and fail it before it is final (a late count only grows).
            response, resolved = min(response, now), min(resolved, now)
        csat = None
        if i in rated and resolved <= now:
            csat = rng.randint(1, 3) if i in unhappy else rng.choice((4, 5, 5))
        records.append(
            _case(
                solution,
                f"{prefix}-{period.name.replace('-', '')}-{i + 1:04d}",
                customer=customer.customer_id,
                priority=rng.choices(PRIORITIES, weights=(1, 3, 5, 3))[0],
                registered_at=at,
                first_response_at=response if response <= now else None,
                resolved_at=resolved if resolved <= now else None,
                escalation_level=rng.choice((1, 1, 2)) if i in escalated else 0,
                csat=csat,
            )
        )
    # Pre-sale questions, reported on their own (not counted in the month's KPIs).
    for i in range(rng.randint(1, 4) if over else 0):
        at = period.start + timedelta(seconds=rng.randrange(span))
        records.append(
            _case(
                solution,
                f"{prefix}-{period.name.replace('-', '')}-P{i + 1:02d}",
                customer="",
                priority="medium",
                region=rng.choice(regions),
                registered_at=at,
                first_response_at=at + _hours(rng.uniform(0.5, 12)),
                resolved_at=None,
                escalation_level=0,
                csat=None,
                presale=True,
            )
        )
    return records


def _case(solution, case_id, *, presale=False, **values) -> dict[str, object]:
    """One row for `import_cases`: the customer's contract gives the package and the region,
    and the SLA policies the deadlines."""
    return {"solution": solution.slug, "case_id": case_id, **values, "presale": presale}


def _nps_answers(rng, solution, period: Period, customers) -> list[dict[str, object]]:
    """A survey of the half-year: a third to a half of the active customers answer, most of
    them happily (mean above the 7.5 target)."""
    respondents = sorted(rng.sample(customers, round(len(customers) * rng.uniform(0.35, 0.55))))
    scores = [
        rng.choices(range(11), weights=(0, 0, 0, 1, 1, 2, 3, 6, 12, 14, 12))[0] for _ in respondents
    ]
    while scores and sum(scores) < 7.8 * len(scores):
        scores[scores.index(min(scores))] = 9
    return [
        {
            "solution": solution.slug,
            "respondent": respondent,
            "answered_at": period.start + timedelta(days=rng.uniform(45, 150)),
            "score": score,
        }
        for respondent, score in zip(respondents, scores, strict=True)
    ]


def _remediation_plan(solution, kpi: str, analyst, today: date) -> None:
    """A regular audit that found the late first responses, and the plan agreed for them."""
    queue = "Russia" if solution.marketplace == Marketplace.TERRASOFT else "EMEA"
    audit = support.audit_record(
        solution=solution,
        by=analyst,
        purpose=AuditPurpose.REGULAR,
        type=AuditType.PAST_CASES,
        held_on=today - timedelta(days=3),
        checklist=[
            {"item": "Cases registered from every channel", "ok": True},
            {"item": "First responses within the customer's SLA", "ok": False},
        ],
        summary=f"Forty past cases analysed: first responses in the {queue} queue came late "
        "while the on-duty engineer was away.",
        nonconformities=[
            (
                f"First responses to Basic cases in the {queue} queue came after the SLA deadline.",
                NonconformitySeverity.MAJOR,
            )
        ],
    )
    support.plan_agree(
        audit=audit,
        by=analyst,
        items=[
            (
                "Put a second engineer on duty in the morning shift.",
                "Northwind support lead",
                today + timedelta(days=14),
            ),
            (
                "Alert the team lead when a case has no answer after half its response time.",
                "Northwind support lead",
                today + timedelta(days=30),
            ),
        ],
        covers_kpis=[str(kpi)],
    )
