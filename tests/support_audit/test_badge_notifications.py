"""Who hears of a change of a badge: one routing table, BADGE_ROUTES, names for each change
the people told and the message they read, as ROUTES does for a request's steps."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from accounts.enums import Role
from catalogue import badge
from catalogue.models import Certification, CertificationEvent
from catalogue.notifications import BADGE_ROUTES, Route
from outbox.models import Message
from support_audit.tasks import notify_certification_event
from tests.factories.accounts import UserFactory
from workflow.enums import ApplicationState

from ..factories.workflow import ApplicationFactory, CertificationFactory, SolutionFactory

Action = CertificationEvent.Action
pytestmark = pytest.mark.django_db


def test_every_change_of_the_badge_has_a_route():
    """Each transition of the badge's state machine is a change named in
    `CertificationEvent.Action` (as are the grant and the version update), and each change is
    routed; a new transition or change without an entry fails here."""
    field = Certification._meta.get_field("status")
    names = {t.name for t in field.get_all_transitions(Certification)}

    assert names == set(badge.STEPS.values())
    assert not set(badge.STEPS) & set(badge.GRANT_ACTIONS)
    assert set(badge.STEPS) | set(badge.GRANT_ACTIONS) == set(Action)
    assert set(BADGE_ROUTES) == set(Action)


@pytest.fixture
def people():
    """A solution's partner with two members, one holder of each team role, and a member of
    another partner."""
    solution = SolutionFactory(name="Phone Link")
    members = [
        UserFactory(role="Partner", partner=solution.partner),
        UserFactory(role="Partner", partner=solution.partner),
    ]
    return {
        "solution": solution,
        "members": members,
        Role.ANALYST: UserFactory(analyst=True),
        Role.LEADER: UserFactory(leader=True),
        Role.RND_EXPERT: UserFactory(rnd_expert=True),
        Role.AUDITOR: UserFactory(auditor=True),
        "stranger": UserFactory(partner_member=True),
    }


def _certified(people, **kwargs):
    return CertificationFactory(
        solution=people["solution"], application__created_by=people["members"][0], **kwargs
    )


def _request(people):
    return ApplicationFactory(
        solution=people["solution"],
        created_by=people["members"][0],
        state=ApplicationState.SUPPORT_PASSED,
    )


def change(action, people):
    """Make the badge change `action` the way the portal does; the certification changed."""
    analyst = people[Role.ANALYST]
    if action == Action.GRANTED:
        return badge.grant(application=_request(people), by=analyst)
    if action == Action.VERSION_UPDATED:
        _certified(people)
        return badge.grant(application=_request(people), by=analyst)
    if action == Action.AT_RISK:
        certification = _certified(people)
        badge.mark_at_risk(certification=certification, by=badge.SYSTEM, reason="CSAT 61 %.")
        return certification
    if action == Action.REVOKED:
        certification = _certified(people)
        badge.revoke(certification=certification, by=analyst, reason="NPS 6.1.")
        return certification
    if action == Action.RESTORED:
        certification = _certified(people, revoked=True)
        badge.restore(certification=certification, by=analyst, reason="NPS 7.9.")
        return certification
    raise AssertionError(f"no way to make the change {action}")


def told(route: Route, people) -> set[str]:
    """The addresses a route names among `people`."""
    addresses = {member.email for member in people["members"]} if route.partner else set()
    return addresses | {people[role].email for role in route.team}


def inbox() -> dict[str, list[str]]:
    got = {}
    for message in mail.outbox:
        for address in message.to:
            got.setdefault(address, []).append(message.subject)
    return got


@pytest.mark.parametrize("action", list(Action))
def test_each_change_of_the_badge_reaches_exactly_the_people_of_its_entry(
    action, people, on_commit
):
    """Whatever the change, its e-mail reaches the people its BADGE_ROUTES entry names, each
    once, and nobody else."""
    certification = on_commit(change, action, people)

    event = certification.events.get(action=action)
    assert set(inbox()) == told(BADGE_ROUTES[action], people)
    assert all(len(subjects) == 1 for subjects in inbox().values())
    assert Message.objects.filter(key=f"certification-event:{event.pk}").exists() == (
        BADGE_ROUTES[action].reaches_anyone
    )


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize(
    "route",
    [
        Route(partner=False, team=(Role.LEADER, Role.AUDITOR), template="badge"),
        Route(team=(Role.RND_EXPERT,), template="badge"),
        Route(partner=False),
    ],
    ids=["leaders-and-auditors", "partner-and-rnd", "nobody"],
)
def test_the_badge_e_mails_read_their_recipients_from_the_table(
    action, route, people, on_commit, monkeypatch
):
    """The badge's e-mails follow the table, not a list of their own: change an entry, and
    that change reaches the people the new entry names."""
    monkeypatch.setitem(BADGE_ROUTES, action, route)

    on_commit(change, action, people)

    assert set(inbox()) == told(route, people)


@pytest.mark.parametrize(
    ("action", "subject"),
    [
        (Action.GRANTED, "[Certification] Phone Link: Granted"),
        (Action.REVOKED, "[Certification] Phone Link: Revoked"),
        (Action.RESTORED, "[Certification] Phone Link: Restored"),
    ],
)
def test_the_partner_and_the_analysts_hear_when_the_badge_goes_on_or_comes_off(
    action, subject, people, on_commit
):
    """A grant, a revocation or a restoration is e-mailed to the partner's members and
    the analysts; other partners and the rest of the team hear nothing."""
    on_commit(change, action, people)

    members = {member.email for member in people["members"]}
    assert inbox() == {address: [subject] for address in members | {people[Role.ANALYST].email}}


@pytest.mark.parametrize("action", [Action.VERSION_UPDATED, Action.AT_RISK])
def test_a_version_update_or_an_at_risk_mark_sends_no_badge_e_mail(action, people, on_commit):
    """The badge stays on: its change is recorded in the history and e-mailed to nobody (a
    passed update's own step tells the partner)."""
    certification = on_commit(change, action, people)

    assert certification.events.filter(action=action).count() == 1
    assert mail.outbox == []
    assert not Message.objects.filter(task="support_audit.notify_certification_event").exists()


def test_a_mailing_interrupted_half_way_tells_nobody_twice(people, monkeypatch):
    """The mail server refuses the second address of a revocation: the task fails (the outbox
    tries again later), the first person is recorded as told, and the next run e-mails only
    those not told yet."""
    certification = _certified(people)
    event = badge.revoke(certification=certification, by=people[Role.ANALYST], reason="NPS 6.1.")
    mail.outbox.clear()
    send = EmailBackend.send_messages
    calls = []

    def refuses_the_second(backend, messages):
        calls.append(messages)
        if len(calls) == 2:
            raise ConnectionRefusedError("mail server gone")
        return send(backend, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuses_the_second)
    with pytest.raises(ConnectionRefusedError):
        notify_certification_event(event_id=event.pk)
    first = [message.to[0] for message in mail.outbox]
    event.refresh_from_db()
    assert (len(first), event.notified_to, event.notified_at) == (1, first, None)

    monkeypatch.undo()
    assert notify_certification_event(event_id=event.pk) == 2
    assert notify_certification_event(event_id=event.pk) == 0

    wanted = sorted([*(m.email for m in people["members"]), people[Role.ANALYST].email])
    assert sorted(message.to[0] for message in mail.outbox) == wanted
