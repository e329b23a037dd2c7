from datetime import timedelta

import factory
from django.utils import timezone

from catalogue.enums import Marketplace
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
    RegionSupport,
    RemediationItem,
    RemediationPlan,
    SupportAudit,
    SupportDeclaration,
)
from workflow.enums import ApplicationState

from .accounts import UserFactory
from .workflow import ApplicationFactory

OFFICE_HOURS = {str(day): ["09:00", "18:00"] for day in range(5)}
CHECKLIST = [
    {"item": "R4.1: every case from every channel is registered.", "ok": True, "note": ""},
    {"item": "R4.4: pre-sale questions answered within two days.", "ok": True, "note": ""},
]


class SupportDeclarationFactory(factory.django.DjangoModelFactory):
    """A declaration that meets 4.1–4.2 for its solution's marketplace, one conforming region
    row per region of that marketplace (`regions=False` for none).

    Pick the marketplace with a trait: SupportDeclarationFactory(terrasoft=True).
    """

    class Meta:
        model = SupportDeclaration
        skip_postgeneration_save = True

    application = factory.SubFactory(ApplicationFactory, state=ApplicationState.QUALITY_PASSED)
    system_name = "Service Desk"
    system_url = "https://support.partner.example"
    channels = factory.LazyFunction(lambda: [Channel.EMAIL.value, Channel.PORTAL.value])
    all_channels_registered = True
    partner_portal_consent = True
    packages = factory.LazyFunction(lambda: list(SupportPackage.values))
    presale_business_days = 2
    escalation_name = "Olga Head"
    escalation_role = EscalationRole.HEAD_OF_DEPARTMENT
    escalation_email = "olga.head@partner.example"
    escalation_phone = "+1 555 0100"
    updated_by = factory.LazyAttribute(lambda d: d.application.created_by)

    class Params:
        creatio = factory.Trait(application__solution__marketplace=Marketplace.CREATIO)
        terrasoft = factory.Trait(application__solution__marketplace=Marketplace.TERRASOFT)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        marketplace = self.application.solution.marketplace
        for region in MARKETPLACE_REGIONS[marketplace]:
            RegionSupportFactory(
                declaration=self, region=region, language=MARKETPLACE_LANGUAGE[marketplace]
            )


class RegionSupportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionSupport

    declaration = factory.SubFactory(SupportDeclarationFactory, regions=False)
    region = factory.Iterator(MARKETPLACE_REGIONS[Marketplace.CREATIO])
    language = "en"
    hours = factory.LazyFunction(lambda: dict(OFFICE_HOURS))


class SupportAuditFactory(factory.django.DjangoModelFactory):
    """A passed certification audit of a request under audit; `failed=True` for one that
    found nonconformities (add them with NonconformityFactory)."""

    class Meta:
        model = SupportAudit

    application = factory.SubFactory(ApplicationFactory, state=ApplicationState.SUPPORT_REVIEW)
    solution = factory.SelfAttribute("application.solution")
    purpose = AuditPurpose.CERTIFICATION
    type = AuditType.PAST_CASES
    held_on = factory.LazyFunction(timezone.localdate)
    auditor = factory.SubFactory(UserFactory, auditor=True)
    checklist = factory.LazyFunction(lambda: [dict(row) for row in CHECKLIST])
    summary = "Twenty past cases analysed."
    outcome = AuditOutcome.PASSED

    class Params:
        failed = factory.Trait(outcome=AuditOutcome.NONCONFORMITIES)
        reaudit = factory.Trait(purpose=AuditPurpose.REAUDIT)


class NonconformityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nonconformity

    audit = factory.SubFactory(SupportAuditFactory, failed=True)
    description = factory.Sequence(lambda n: f"Cases from the chat are not registered ({n}).")
    severity = NonconformitySeverity.MAJOR


class RemediationPlanFactory(factory.django.DjangoModelFactory):
    """A plan in force for an audit that found nonconformities; `closed=True` once done."""

    class Meta:
        model = RemediationPlan

    audit = factory.SubFactory(SupportAuditFactory, failed=True)
    solution = factory.SelfAttribute("audit.solution")
    agreed_by = factory.SubFactory(UserFactory, analyst=True)

    class Params:
        closed = factory.Trait(closed_at=factory.LazyFunction(timezone.now))


class RemediationItemFactory(factory.django.DjangoModelFactory):
    """An action of a plan, due in two weeks; traits `done` and `overdue`."""

    class Meta:
        model = RemediationItem

    plan = factory.SubFactory(RemediationPlanFactory)
    description = factory.Sequence(lambda n: f"Connect the chat to the service desk ({n}).")
    owner = "Olga Head"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))

    class Params:
        done = factory.Trait(done_at=factory.LazyFunction(timezone.now))
        overdue = factory.Trait(
            due_on=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
        )
