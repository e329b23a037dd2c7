"""Support cases, customers and NPS answers of a certified solution, and the KPI snapshots and
breaches the job stores for it (stage 5)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from kpi.models import KPI, Breach, Comparison, Customer, KPISnapshot, NPSAnswer, SupportCase
from support_audit.business_hours import Region
from support_audit.enums import SupportPackage

from .workflow import SolutionFactory


class SupportCaseFactory(factory.django.DjangoModelFactory):
    """A case answered and resolved in time, not rated, not escalated.

    Deadlines are 4 and 16 hours after registration; traits: `open` (neither answered nor
    resolved), `late_response`, `late_resolution`; `presale=True` for a pre-sale question.
    """

    class Meta:
        model = SupportCase

    solution = factory.SubFactory(SolutionFactory)
    case_id = factory.Sequence(lambda n: f"CASE-{n}")
    customer = factory.Sequence(lambda n: f"customer-{n}")
    support_package = SupportPackage.BUSINESS
    region = Region.EMEA
    registered_at = factory.LazyFunction(timezone.now)
    response_due_at = factory.LazyAttribute(lambda c: c.registered_at + timedelta(hours=4))
    resolution_due_at = factory.LazyAttribute(lambda c: c.registered_at + timedelta(hours=16))
    first_response_at = factory.LazyAttribute(lambda c: c.registered_at + timedelta(hours=1))
    resolved_at = factory.LazyAttribute(lambda c: c.registered_at + timedelta(hours=8))

    class Params:
        open = factory.Trait(first_response_at=None, resolved_at=None)
        late_response = factory.Trait(
            first_response_at=factory.LazyAttribute(
                lambda c: c.response_due_at + timedelta(minutes=1)
            )
        )
        late_resolution = factory.Trait(
            resolved_at=factory.LazyAttribute(lambda c: c.resolution_due_at + timedelta(minutes=1))
        )


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer on 1.0.0 with a Business contract in EMEA and a year of subscription left.

    Traits: `lapsed` (the subscription ended yesterday), `unsubscribed` (never had one).
    """

    class Meta:
        model = Customer

    solution = factory.SubFactory(SolutionFactory)
    customer_id = factory.Sequence(lambda n: f"customer-{n}")
    installed_version = "1.0.0"
    support_package = SupportPackage.BUSINESS
    region = Region.EMEA
    contact_email = factory.LazyAttribute(lambda c: f"{c.customer_id}@customers.example")
    active_until = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))

    class Params:
        lapsed = factory.Trait(
            active_until=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
        )
        unsubscribed = factory.Trait(active_until=None)


class NPSAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NPSAnswer

    solution = factory.SubFactory(SolutionFactory)
    respondent = factory.Sequence(lambda n: f"respondent-{n}")
    half_year = "2026-H2"
    answered_at = factory.LazyFunction(timezone.now)
    score = 9


class KPISnapshotFactory(factory.django.DjangoModelFactory):
    """A KPI of a month as the job stores it: cases overdue on response, 1 of 200 = 0.5 %,
    judged final against "at most 1 %". `failed` misses the target (5 of 200), `provisional`
    is not final yet. For another KPI give `kpi`, the counts, `value` and the target."""

    class Meta:
        model = KPISnapshot

    solution = factory.SubFactory(SolutionFactory)
    period = "2026-10"
    kpi = KPI.RESPONSE_OVERDUE_RATE
    numerator = 1
    denominator = 200
    value = factory.LazyAttribute(lambda s: Decimal(s.numerator) / Decimal(s.denominator))
    comparison = Comparison.AT_MOST
    target_value = Decimal("0.01")
    target = "at most 1 %"
    status = KPISnapshot.Status.PASS
    provisional = False
    evaluated_at = factory.LazyFunction(timezone.now)
    as_of = factory.LazyFunction(timezone.now)

    class Params:
        failed = factory.Trait(numerator=5, status=KPISnapshot.Status.FAIL)


class BreachFactory(factory.django.DjangoModelFactory):
    """A month's KPI that missed its target and revoked the badge, on final figures."""

    class Meta:
        model = Breach

    solution = factory.SubFactory(SolutionFactory)
    period = "2026-10"
    kpi = KPI.RESPONSE_OVERDUE_RATE
    action = Breach.Action.REVOKED
    detail = "3 of 40 cases overdue on response."
