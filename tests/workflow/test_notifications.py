"""Who hears about each step, what they read, and that they hear once, after commit."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import transaction
from django_fsm_log.models import StateLog

from tests.factories.accounts import UserFactory
from workflow import services
from workflow.enums import ApplicationState, Priority
from workflow.models import Notification
from workflow.tasks import notify_transition

from ..factories.workflow import ApplicationFactory, actor, with_state_records

S = ApplicationState
pytestmark = pytest.mark.django_db

WHEN = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def people():
    """A partner with two members, a member of another partner, and the team."""
    application = ApplicationFactory(solution__name="Phone Link", version__number="2.0.0")
    members = [application.created_by, actor("own_partner", application)]
    UserFactory(role="Partner", partner=application.solution.partner, is_active=False)
    UserFactory(role="Partner", partner=application.solution.partner, email="")
    team = {"analyst": actor("analyst"), "leader": actor("leader")}
    return {
        **team,
        "application": application,
        "members": members,
        "stranger": actor("other_partner"),
        "rnd": actor("rnd_expert"),
        "auditor": actor("auditor"),
    }


def emails(*users):
    return sorted(user.email for user in users)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def move_to(people, state):
    """Put the request in `state` with its records, as if the earlier steps had been taken."""
    application = people["application"]
    type(application).objects.filter(pk=application.pk).update(state=state)
    application.refresh_from_db()
    return with_state_records(application, analyst=people["analyst"], leader=people["leader"])


STEPS = [
    (S.DRAFT, "submit", "members", ("analyst",)),
    (S.SUBMITTED, "schedule_meeting", "analyst", ()),
    (S.MEETING_SCHEDULED, "reschedule_meeting", "analyst", ()),
    (S.MEETING_SCHEDULED, "hold_meeting", "analyst", ()),
    (S.READINESS_REVIEW, "accept", "analyst", ("leader",)),
    (S.READINESS_REVIEW, "decline_readiness", "analyst", ()),
    (S.AWAITING_APPROVAL, "approve", "leader", ()),
    (S.AWAITING_APPROVAL, "defer", "leader", ()),
    (S.DEFERRED, "resume", "leader", ()),
    (S.DEFERRED, "decline_approval", "leader", ()),
    (S.SUBMITTED, "withdraw", "members", ("analyst",)),
]


@pytest.mark.parametrize(
    ("state", "action", "by", "team"), STEPS, ids=[f"{step[0]}-{step[1]}" for step in STEPS]
)
def test_each_step_mails_the_partners_members_and_the_team_that_must_act(
    on_commit, people, state, action, by, team
):
    application = move_to(people, state)
    user = people["members"][0] if by == "members" else people[by]

    on_commit(services.apply_transition, application, action, by=user, comment="Noted.")

    assert recipients() == emails(*people["members"], *(people[role] for role in team))


def test_mail_says_what_happened_and_links_to_the_request(on_commit, people, settings):
    settings.SITE_URL = "https://cert.example"
    application = people["application"]
    partner = people["members"][0]
    partner.first_name, partner.last_name = "Nina", "Partner"
    partner.save()

    on_commit(services.application_withdraw, application=application, by=partner, reason="Sold.")

    message = mail.outbox[0]
    assert message.subject == (f"[Certification] Request #{application.pk} (Phone Link): Withdrawn")
    assert message.body.split("\n") == [
        f"Certification request #{application.pk} for Phone Link 2.0.0",
        "",
        "Moved from “Draft” to “Withdrawn”.",
        "By: Nina Partner",
        "Comment: Sold.",
        "",
        f"Open the request: https://cert.example/requests/{application.pk}/",
        "",
        "",
    ]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL


def test_mail_is_sent_only_after_commit(django_capture_on_commit_callbacks, people):
    application = people["application"]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=application, by=people["members"][0])
        sent_before_commit = len(mail.outbox)

    assert (sent_before_commit, len(mail.outbox), len(callbacks)) == (0, 0, 1)
    callbacks[0]()
    assert recipients() == emails(*people["members"], people["analyst"])


def test_rolled_back_step_sends_nothing(django_capture_on_commit_callbacks, people):
    application = people["application"]

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.application_submit(application=application, by=people["members"][0])
        raise RuntimeError("the surrounding work failed")

    assert (callbacks, mail.outbox) == ([], [])
    assert StateLog.objects.count() == 0


def test_refused_step_sends_nothing(on_commit, people):
    application = people["application"]

    with pytest.raises(services.ActionRefused):
        on_commit(services.apply_transition, application, "approve", by=people["leader"])

    assert mail.outbox == []


def test_notify_transition_twice_sends_nothing_the_second_time(people):
    application = people["application"]
    log = services.application_submit(application=application, by=people["members"][0])

    first = notify_transition(state_log_id=log.pk)
    second = notify_transition(state_log_id=log.pk)

    assert (first, second) == (3, 0)
    assert len(mail.outbox) == 3
    assert sorted(Notification.objects.values_list("recipient", flat=True)) == emails(
        *people["members"], people["analyst"]
    )


def test_notify_transition_after_a_partial_run_sends_only_the_missing_mails(people):
    application = people["application"]
    log = services.application_submit(application=application, by=people["members"][0])
    Notification.objects.create(state_log=log, recipient=people["members"][0].email)

    sent = notify_transition.delay(state_log_id=log.pk).get()

    assert sent == 2
    assert recipients() == emails(people["members"][1], people["analyst"])


def test_leader_decision_mail_carries_the_priority(on_commit, people):
    application = move_to(people, S.AWAITING_APPROVAL)

    on_commit(
        services.leader_decide,
        application=application,
        by=people["leader"],
        decision="approve",
        priority=Priority.HIGH,
        comment="Broad need.",
    )

    bodies = {message.body for message in mail.outbox}
    assert len(bodies) == 1
    assert (
        "Comment: Priority: High — broad need not covered by the base products. Broad need."
        in bodies.pop().split("\n")
    )


def test_meeting_mail_gives_the_time_and_place(on_commit, people):
    application = move_to(people, S.SUBMITTED)

    on_commit(
        services.meeting_schedule,
        application=application,
        by=people["analyst"],
        scheduled_for=WHEN,
        location="Room 9",
    )

    assert {message.subject for message in mail.outbox} == {
        f"[Certification] Request #{application.pk} (Phone Link): Set-up meeting scheduled"
    }
    assert "Comment: Meeting on 6 May 2030, 09:00 UTC, Room 9." in mail.outbox[0].body.split("\n")


def test_each_recipient_reads_the_mail_in_their_language(on_commit, people):
    application = people["application"]
    russian = people["members"][1]
    russian.language = "ru"
    russian.save()

    on_commit(
        services.application_withdraw,
        application=application,
        by=people["members"][0],
        reason="Sold.",
    )

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        people["members"][0].email: f"[Certification] Request #{application.pk} (Phone Link): "
        "Withdrawn",
        russian.email: f"[Сертификация] Запрос № {application.pk} (Phone Link): Отозван",
        people["analyst"].email: f"[Certification] Request #{application.pk} (Phone Link): "
        "Withdrawn",
    }
