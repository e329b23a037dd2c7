"""The support tools certification brings: the partner portal and the escalation scheme."""

import pytest
from django.core import mail

from support_audit import services
from support_audit.models import VendorEscalationLevel
from support_audit.standards import check_declaration
from tests.factories.accounts import UserFactory

from ..factories.workflow import SolutionFactory

pytestmark = pytest.mark.django_db


def test_escalated_case_of_a_certified_solution_reaches_the_vendors_escalation_levels(on_commit):
    """R7.4: an escalated case brings in the vendor's support and managers, level by level."""
    solution = SolutionFactory()
    analyst = UserFactory(analyst=True, email="analyst@vendor.example")
    head = UserFactory(email="head.support@vendor.example")
    director = UserFactory(email="director@vendor.example")
    VendorEscalationLevel.objects.get(level=1).people.add(analyst)
    VendorEscalationLevel.objects.get(level=2).people.add(head)
    VendorEscalationLevel.objects.get(level=3).people.add(director)

    on_commit(services.escalations_notify, [(solution.pk, 2, "CASE-42")])

    assert sorted(address for message in mail.outbox for address in message.to) == [
        "analyst@vendor.example",
        "head.support@vendor.example",
    ]
    assert "CASE-42" in mail.outbox[0].subject


def test_declaration_without_partner_portal_registration_is_refused():
    """R7.4: customers of a certified solution can register cases on the partner portal."""
    problems = check_declaration(
        marketplace="terrasoft",
        channels=["email"],
        all_channels_registered=True,
        partner_portal_consent=False,
        packages=["basic", "business", "premium"],
        presale_business_days=2,
        escalation_role="ceo",
        regions={"russia": {"language": "ru", "hours": {"0": ["09:00", "18:00"]}}},
        system_name="Help desk",
        system_url="https://help.partner.example",
        escalation_name="Ivan CEO",
        escalation_email="ceo@partner.example",
        escalation_phone="+7 495 000 00 00",
    )

    assert [problem.field for problem in problems] == ["partner_portal_consent"]
