"""The `*_visible_to` queries say what `view_*` says: one rule of visibility (the team and a
superuser see every record, a partner its own organisation's, anyone else none), checked
for every record and every user of one data set."""

import pytest

from catalogue.selectors import certifications_visible_to, solutions_visible_to
from workflow.selectors import applications_visible_to, materials_visible_to

from ..factories.accounts import UserFactory
from ..factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    MaterialFactory,
    PartnerFactory,
    SolutionFactory,
    actor,
)

pytestmark = pytest.mark.django_db

QUERIES = [
    pytest.param(solutions_visible_to, "catalogue.view_solution", id="solutions"),
    pytest.param(applications_visible_to, "workflow.view_application", id="requests"),
    pytest.param(materials_visible_to, "workflow.view_material", id="materials"),
    pytest.param(certifications_visible_to, "catalogue.view_certification", id="certifications"),
]


def data_set():
    """Two partners with solutions, requests, materials and a certification each, a solution
    with nothing yet; and every kind of user."""
    records = []
    for partner in (PartnerFactory(), PartnerFactory()):
        certification = CertificationFactory(solution__partner=partner)
        material = MaterialFactory(application__solution=certification.solution)
        records.append(material.application.solution)
        SolutionFactory(partner=partner)
        ApplicationFactory(solution__partner=partner)
    users = [
        actor(role, record)
        for record in records
        for role in ("own_partner", "analyst", "leader", "rnd_expert", "auditor", "superuser")
    ]
    users += [
        actor("anonymous"),
        UserFactory(is_superuser=True, is_active=False),
        UserFactory(role="Partner"),  # a partner's account with no organisation
        UserFactory(),  # an account with no role
    ]
    return users


@pytest.mark.parametrize(("visible_to", "permission"), QUERIES)
def test_a_record_is_visible_to_a_user_iff_the_user_may_view_it(visible_to, permission):
    users = data_set()
    model = visible_to(users[0]).model
    records = list(model.objects.all())

    disagreements = [
        (str(user), str(record))
        for user in users
        for record in records
        if (record in visible_to(user)) is not user.has_perm(permission, record)
    ]

    assert len(records) >= 2
    assert disagreements == []


def test_a_superuser_sees_every_solution_and_request():
    """A superuser is staff: the lists show every record, as `view_*` allows."""
    users = data_set()
    superuser = next(u for u in users if u.is_authenticated and u.is_superuser and u.is_active)

    assert list(solutions_visible_to(superuser).order_by("pk")) == list(
        SolutionFactory._meta.model.objects.order_by("pk")
    )
    assert (
        applications_visible_to(superuser).count() == ApplicationFactory._meta.model.objects.count()
    )
