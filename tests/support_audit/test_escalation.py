"""The vendor's escalation matrix (regulation 4.2): who hears of an escalated case, and the
staff page where the people of each level are assigned."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from support_audit.models import VendorEscalationLevel
from support_audit.services import escalations_notify
from tests.factories.accounts import UserFactory
from tests.factories.certification import escalation_people

from ..factories.workflow import CertificationFactory
from ..workflow.markup import errors, field_value, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix():
    """One person on each of the vendor's four levels."""
    people = {
        1: UserFactory(analyst=True, username="anna", email="anna@vendor.example"),
        2: UserFactory(leader=True, username="boris", email="boris@vendor.example"),
        3: UserFactory(leader=True, username="vera", email="vera@vendor.example"),
        4: UserFactory(username="gleb", email="gleb@vendor.example", is_staff=True),
    }
    for level, person in people.items():
        escalation_people(level, person)
    return people


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.fixture
def solution():
    return CertificationFactory(
        solution__name="Phone Link", solution__partner__name="Acme"
    ).solution


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (1, ["anna@vendor.example"]),
        (2, ["anna@vendor.example", "boris@vendor.example"]),
        (3, ["anna@vendor.example", "boris@vendor.example", "vera@vendor.example"]),
        (
            4,
            [
                "anna@vendor.example",
                "boris@vendor.example",
                "gleb@vendor.example",
                "vera@vendor.example",
            ],
        ),
    ],
)
def test_escalations_mail_levels_one_to_n_only(matrix, solution, on_commit, level, expected):
    """R4.6: an escalation to level N reaches the people of levels 1..N and nobody above."""
    told = on_commit(escalations_notify, [(solution.pk, level, "CASE-1042")])

    assert told == 1
    assert recipients() == expected


def test_escalation_mail_names_the_solution_level_and_case(matrix, solution, on_commit):
    """R4.6: the mail says which case of which solution reached which level."""
    on_commit(escalations_notify, [(solution.pk, 1, "CASE-1042")])

    (message,) = mail.outbox
    assert message.subject == "[Escalation level 1] Phone Link: case CASE-1042"
    assert message.body.startswith(
        "A support case of the certified solution Phone Link (Acme) has been escalated to "
        "level 1: case CASE-1042."
    )


def test_escalations_notify_mails_a_person_on_two_levels_once(matrix, solution, on_commit):
    """R4.6: someone on levels 1 and 2 gets one mail for a level-2 escalation."""
    escalation_people(2, matrix[1])

    on_commit(escalations_notify, [(solution.pk, 2, "CASE-7")])

    assert recipients() == ["anna@vendor.example", "boris@vendor.example"]


def test_escalations_leave_out_people_without_address_or_access(matrix, solution, on_commit):
    """R4.6: a person who left (inactive) or has no e-mail is not written to."""
    escalation_people(
        1,
        UserFactory(username="left", email="left@vendor.example", is_active=False),
        UserFactory(username="nomail", email=""),
    )

    on_commit(escalations_notify, [(solution.pk, 1, "CASE-8")])

    assert recipients() == ["anna@vendor.example"]


def test_escalations_notify_of_a_level_with_nobody_sends_nothing(solution, on_commit):
    """R4.6: levels nobody was assigned to yet leave nobody to tell."""
    told = on_commit(escalations_notify, [(solution.pk, 4, "CASE-9")])

    assert (told, mail.outbox) == (0, [])


def test_escalations_notify_rolled_back_sends_nothing(
    matrix, solution, django_capture_on_commit_callbacks
):
    """R4.6: the mail goes after commit; an escalation that is rolled back tells nobody."""
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        escalations_notify([(solution.pk, 4, "CASE-10")])
        raise RuntimeError("the case could not be saved")

    assert mail.outbox == []


# --- The levels in the admin -------------------------------------------------------------------


def level_url(level: int) -> str:
    pk = VendorEscalationLevel.objects.get(level=level).pk
    return reverse("admin:support_audit_vendorescalationlevel_change", args=[pk])


def test_escalation_levels_are_the_four_of_the_regulation():
    """R4.6: the vendor's levels 1–4 of the 4.2 table."""
    levels = list(VendorEscalationLevel.objects.values_list("level", "title"))

    assert levels == [
        (1, "Marketplace analyst"),
        (2, "Head of customer support, head of the Marketplace"),
        (3, "Digital director, customer success director / product director"),
        (4, "Managing partner"),
    ]


@pytest.mark.parametrize("role", ["analyst", "leader"])
def test_escalation_level_people_are_assigned_by_staff_in_the_admin(client, role):
    """R4.6: staff put people on a level; the next escalation reaches them."""
    head = UserFactory(leader=True, username="boris", email="boris@vendor.example")
    client.force_login(UserFactory(**{role: True}))

    response = client.post(
        level_url(2),
        {"title": "Head of support, head of the Marketplace", "people": [head.pk]},
    )

    level = VendorEscalationLevel.objects.get(level=2)
    assert response.status_code == 302
    assert (level.title, list(level.people.all())) == (
        "Head of support, head of the Marketplace",
        [head],
    )


def test_escalation_level_people_are_the_vendors_not_a_partners(client):
    """R4.6: a partner's member cannot be put on the vendor's side of the matrix."""
    partner_member = UserFactory(partner_member=True)
    client.force_login(UserFactory(analyst=True))

    response = client.post(level_url(1), {"title": "Analyst", "people": [partner_member.pk]})

    assert errors(response) == [
        f"Select a valid choice. {partner_member.pk} is not one of the available choices."
    ]
    assert list(VendorEscalationLevel.objects.get(level=1).people.all()) == []


@pytest.mark.parametrize("role", ["auditor", "rnd_expert"])
def test_escalation_level_is_read_only_for_other_staff(client, role):
    """R4.6: auditors and R&D experts see the matrix but do not change it."""
    client.force_login(UserFactory(**{role: True}))

    response = client.post(level_url(1), {"title": "Changed", "people": []})
    page = client.get(level_url(1))

    assert response.status_code == 403
    assert VendorEscalationLevel.objects.get(level=1).title == "Marketplace analyst"
    assert texts(page, "div", **{"class": "readonly"})[:2] == ["1", "Marketplace analyst"]


def test_escalation_level_change_page_shows_the_level_fixed(client):
    """R4.6: the level number is the regulation's and cannot be edited."""
    client.force_login(UserFactory(analyst=True))

    page = client.get(level_url(3))

    assert texts(page, "div", **{"class": "readonly"}) == ["3"]
    assert field_value(page, "title") == (
        "Digital director, customer success director / product director"
    )


def test_escalation_levels_cannot_be_added_or_deleted(client):
    """R4.6: there are four levels; staff do not add a fifth nor drop one."""
    client.force_login(UserFactory(analyst=True))

    add = client.get(reverse("admin:support_audit_vendorescalationlevel_add"))
    delete = client.post(
        reverse(
            "admin:support_audit_vendorescalationlevel_delete",
            args=[VendorEscalationLevel.objects.get(level=4).pk],
        ),
        {"post": "yes"},
    )

    assert (add.status_code, delete.status_code) == (403, 403)
    assert VendorEscalationLevel.objects.count() == 4


def test_the_same_escalation_sent_twice_is_mailed_once(matrix, solution, on_commit):
    """R4.6 A case that reaches a level is told once, even when the same batch is imported
    again; reaching the next level is news."""
    on_commit(escalations_notify, [(solution.pk, 1, "CASE-1042")])
    on_commit(escalations_notify, [(solution.pk, 1, "CASE-1042")])
    assert recipients() == ["anna@vendor.example"]

    on_commit(escalations_notify, [(solution.pk, 2, "CASE-1042")])

    assert recipients() == ["anna@vendor.example", "anna@vendor.example", "boris@vendor.example"]
