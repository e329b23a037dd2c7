"""A certified solution's later life: regular audits, their findings and remediation plans,
the vendor's escalation levels, and a support declaration that meets regulation 4.1–4.2."""

from datetime import timedelta

import factory
from django.utils import timezone

from catalogue.enums import Marketplace
from support_audit import services
from support_audit.business_hours import Region
from support_audit.enums import (
    MARKETPLACE_LANGUAGE,
    MARKETPLACE_REGIONS,
    AuditOutcome,
    AuditPurpose,
    AuditType,
    Channel,
    EscalationRole,
    NonconformitySeverity,
    SupportPackage,
)
from support_audit.models import (
    Nonconformity,
    RemediationItem,
    RemediationPlan,
    SupportAudit,
    VendorEscalationLevel,
)
from workflow.services import support

from .accounts import UserFactory
from .workflow import SolutionFactory

ALL_CONFORMING = [{"item": f"R4.{n}", "ok": True} for n in range(1, 7)]
WEEKDAYS = {str(day): ["09:00", "18:00"] for day in range(5)}


def conforming_declaration(marketplace: str = Marketplace.CREATIO, **changes) -> dict:
    """The arguments of support_audit.standards.check_declaration for a declaration that
    meets every rule of 4.1–4.2 on `marketplace`, with `changes` applied."""
    language = MARKETPLACE_LANGUAGE[marketplace]
    values = {
        "marketplace": marketplace,
        "channels": [Channel.EMAIL, Channel.PHONE, Channel.PORTAL],
        "all_channels_registered": True,
        "partner_portal_consent": True,
        "packages": [package.value for package in SupportPackage],
        "presale_business_days": 2,
        "escalation_role": EscalationRole.HEAD_OF_DEPARTMENT,
        "system_name": "Help desk",
        "system_url": "https://support.partner.example",
        "escalation_name": "Olga Head",
        "escalation_email": "olga@partner.example",
        "escalation_phone": "+1 555 0100",
        "regions": {
            Region(region).value: {"language": language, "hours": dict(WEEKDAYS)}
            for region in MARKETPLACE_REGIONS[marketplace]
        },
    }
    values.update(changes)
    return values


class RegularAuditFactory(factory.django.DjangoModelFactory):
    """A regular audit of a certified solution (stage 5); passed unless `nonconformities=[...]`
    names what it found (each recorded as a major nonconformity)."""

    class Meta:
        model = SupportAudit
        skip_postgeneration_save = True

    solution = factory.SubFactory(SolutionFactory)
    purpose = AuditPurpose.REGULAR
    type = AuditType.PAST_CASES
    held_on = factory.LazyFunction(timezone.localdate)
    auditor = factory.SubFactory(UserFactory, auditor=True)
    checklist = factory.LazyFunction(lambda: [dict(row) for row in ALL_CONFORMING])
    summary = "Thirty past cases read; all registered and answered in time."
    outcome = AuditOutcome.PASSED

    @factory.post_generation
    def nonconformities(self, create, extracted, **kwargs):
        if create and extracted:
            for description in extracted:
                Nonconformity.objects.create(
                    audit=self, description=description, severity=NonconformitySeverity.MAJOR
                )
            self.outcome = AuditOutcome.NONCONFORMITIES
            self.save(update_fields=["outcome"])


class RemediationPlanFactory(factory.django.DjangoModelFactory):
    """A plan in force agreed after `audit`; `items=[(action, due_on), ...]` adds its actions."""

    class Meta:
        model = RemediationPlan
        skip_postgeneration_save = True

    audit = factory.SubFactory(RegularAuditFactory, nonconformities=["Chat cases are lost."])
    solution = factory.SelfAttribute("audit.solution")
    agreed_by = factory.SubFactory(UserFactory, analyst=True)

    @factory.post_generation
    def items(self, create, extracted, **kwargs):
        if create:
            for description, due_on in extracted or [
                ("Register chat cases", timezone.localdate() + timedelta(days=30))
            ]:
                RemediationItem.objects.create(
                    plan=self, description=description, owner="Support lead", due_on=due_on
                )


def escalation_people(level: int, *people) -> None:
    """Put `people` on the vendor's escalation `level` (the levels come with the migrations)."""
    VendorEscalationLevel.objects.get(level=level).people.add(*people)


def declare_conforming_support(application, by):
    """Save a support declaration for `application` that meets every rule of 4.1–4.2, through
    the service a partner's form uses."""
    declared = conforming_declaration(application.solution.marketplace)
    return support.declaration_save(
        application=application,
        by=by,
        data=services.DeclarationInput(
            system_name="Help desk",
            system_url="https://support.partner.example",
            channels=declared["channels"],
            all_channels_registered=True,
            partner_portal_consent=True,
            packages=declared["packages"],
            presale_business_days=2,
            escalation_name="Olga Head",
            escalation_role=declared["escalation_role"],
            escalation_email="olga@partner.example",
            escalation_phone="+1 555 0100",
            regions=declared["regions"],
        ),
    )
