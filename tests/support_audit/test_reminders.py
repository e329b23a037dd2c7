"""The daily reminders: overdue audits, remediation actions and critical-fix reviews, one
digest a day per person, in their language (R5.7, R5.8, R6.5)."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import TestCase

from catalogue.enums import Marketplace
from outbox import services as outbox
from outbox.models import Message
from support_audit.enums import AuditPurpose, AuditType
from support_audit.models import Reminder
from support_audit.services import audit_record
from support_audit.tasks import deliver_reminder
from tests.factories.accounts import UserFactory
from tests.factories.certification import RemediationPlanFactory
from tests.factories.support_audit import RemediationItemFactory
from workflow.enums import ApplicationKind, ApplicationState
from workflow.reminders import reminders_send
from workflow.tasks import send_reminders

from ..factories.workflow import ApplicationFactory, CertificationFactory

pytestmark = pytest.mark.django_db

# Friday 27 November 2026, 09:00 in Moscow (the team's time zone): the next business day
# is Monday 30 November.
NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
MONDAY_17_MSK = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
TUESDAY_10_MSK = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://cert.example"
    settings.TEAM_TIME_ZONE = "Europe/Moscow"
    settings.TEAM_HOLIDAYS_COUNTRY = "RU"


def overdue_audit(**kwargs):
    return CertificationFactory(next_audit_due=TODAY - timedelta(days=1), **kwargs)


def overdue_action(description="Register chat cases", **kwargs):
    plan = RemediationPlanFactory(items=[(description, TODAY - timedelta(days=2))], **kwargs)
    return plan.items.get()


def critical_fix(due, state=ApplicationState.IN_REVIEW):
    return ApplicationFactory(kind=ApplicationKind.CRITICAL_FIX, state=state, review_due_at=due)


def send(now=NOW) -> int:
    """The daily job, its transactions committed as in production: each reminder's outbox
    message is handed over, and run, at the commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return reminders_send(now=now)


def mail_server_down():
    """The mail backend refuses every message, as an SMTP server that is down would."""
    return mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("SMTP is down"),
    )


def sent_to(email):
    return [message for message in mail.outbox if message.to == [email]]


def test_nothing_due_sends_nothing():
    UserFactory(analyst=True)
    CertificationFactory(next_audit_due=TODAY)
    RemediationPlanFactory(items=[("Not yet due", TODAY)])
    RemediationItemFactory(
        plan=RemediationPlanFactory(items=[]), due_on=TODAY - timedelta(days=5), done_at=NOW
    )
    critical_fix(TUESDAY_10_MSK)
    critical_fix(NOW - timedelta(days=1), state=ApplicationState.CHANGES_REQUESTED)

    sent = send(now=NOW)

    assert (sent, mail.outbox, Reminder.objects.count()) == (0, [], 0)


def test_an_overdue_regular_audit_reminds_the_analysts_only():
    """R5.7 A regular audit past its due date and not held is reminded to the analysts."""
    analyst = UserFactory(analyst=True)
    certification = overdue_audit()
    member = UserFactory(role="Partner", partner=certification.solution.partner)

    send(now=NOW)

    [message] = mail.outbox
    assert message.to == [analyst.email]
    assert (
        f"Regular audit of {certification.solution.name} ({certification.solution.partner.name})"
        " was due on 26 Nov 2026" in message.body
    )
    assert (
        f"https://cert.example/solutions/{certification.solution.slug}/certificate/audit/"
        in message.body
    )
    assert sent_to(member.email) == []


def test_a_held_audit_is_no_longer_reminded():
    """R5.7 Holding the regular audit reschedules the next one: nothing is reminded any more."""
    analyst = UserFactory(analyst=True)
    certification = overdue_audit()
    audit_record(
        solution=certification.solution,
        by=analyst,
        purpose=AuditPurpose.REGULAR,
        type=AuditType.PAST_CASES,
        held_on=TODAY,
        checklist=[{"item": "R4.1", "ok": True}],
        summary="Thirty past cases read.",
    )

    assert send(now=NOW) == 0


def test_an_overdue_action_reminds_the_partner_its_owner_and_the_analysts():
    """R5.8 A remediation action past due and not done is reminded to the partner's members,
    to its owner when the plan names an e-mail address, and to the analysts."""
    analyst = UserFactory(analyst=True)
    item = overdue_action(agreed_by=analyst)
    item.owner = "lead@partner.example"
    item.save()
    partner = item.plan.solution.partner
    member = UserFactory(role="Partner", partner=partner)
    stranger = UserFactory(partner_member=True)

    sent = send(now=NOW)

    assert sent == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [analyst.email, member.email, "lead@partner.example"]
    )
    for message in mail.outbox:
        assert (
            f"Remediation of {item.plan.solution.name}: “Register chat cases” was due on "
            "25 Nov 2026" in message.body
        )
        assert f"https://cert.example/solutions/{item.plan.solution.slug}/certificate/" in (
            message.body
        )
    assert sent_to(stranger.email) == []
    assert "analyst queue" not in sent_to(member.email)[0].body
    assert "https://cert.example/queue/" in sent_to(analyst.email)[0].body


def test_a_done_action_or_a_closed_plan_is_not_reminded():
    UserFactory(analyst=True)
    item = overdue_action()
    item.done_at = NOW
    item.save()
    overdue_action(closed_at=NOW)

    assert send(now=NOW) == 0


def test_an_action_of_a_support_certification_links_to_its_request():
    """R4.7 A plan agreed at the support audit is reminded with a link to the request's
    remediation page."""
    item = RemediationItemFactory(due_on=TODAY - timedelta(days=1))
    member = UserFactory(role="Partner", partner=item.plan.solution.partner)

    send(now=NOW)

    [message] = sent_to(member.email)
    assert (
        f"https://cert.example/support/{item.plan.audit.application_id}/remediation/"
        in message.body
    )


@pytest.mark.parametrize(
    ("due", "state", "reminded", "late"),
    [
        (NOW - timedelta(hours=1), ApplicationState.SUBMITTED_FOR_REVIEW, True, True),
        (NOW - timedelta(hours=1), ApplicationState.IN_REVIEW, True, True),
        # Due on Monday, the next business day after Friday: reminded now, not yet late.
        (MONDAY_17_MSK, ApplicationState.IN_REVIEW, True, False),
        (TUESDAY_10_MSK, ApplicationState.IN_REVIEW, False, False),
        # Decided: changes requested or passed.
        (NOW - timedelta(hours=1), ApplicationState.CHANGES_REQUESTED, False, False),
        (NOW - timedelta(hours=1), ApplicationState.QUALITY_PASSED, False, False),
    ],
)
def test_a_critical_fix_review_due_by_the_next_business_day_is_reminded(due, state, reminded, late):
    """R6.5 An undecided critical-fix review is reminded to the analysts once its due time has
    passed or falls by the end of the team's next business day."""
    analyst = UserFactory(analyst=True)
    application = critical_fix(due, state=state)

    send(now=NOW)

    messages = sent_to(analyst.email)
    assert len(messages) == int(reminded)
    if reminded:
        body = messages[0].body
        assert f"Request #{application.pk}, {application.solution.name}" in body
        assert f"https://cert.example/review/{application.pk}/" in body
        assert ("— overdue" in body) == late


def test_a_critical_fix_of_a_holiday_eve_counts_the_next_working_day():
    """R6.5 Public holidays are not business days: on 3 November 2026 (Russia rests on the
    4th) a review due on the 5th is reminded."""
    analyst = UserFactory(analyst=True)
    critical_fix(datetime(2026, 11, 5, 14, 0, tzinfo=UTC))

    send(now=datetime(2026, 11, 3, 6, 0, tzinfo=UTC))

    assert len(sent_to(analyst.email)) == 1


def test_the_digest_lists_everything_due_in_one_email():
    """An analyst gets one e-mail a day listing every review, audit and action due."""
    analyst = UserFactory(analyst=True)
    first, second = overdue_audit(), overdue_audit()
    item = overdue_action("Answer within the SLA", agreed_by=analyst)
    review = critical_fix(NOW - timedelta(hours=2))

    sent = send(now=NOW)

    [message] = sent_to(analyst.email)
    assert sent == 1
    assert message.subject == "[Certification] Reminder for 27 Nov 2026: 4 things due"
    body = message.body
    positions = [
        body.index(f"Request #{review.pk}, "),
        body.index(f"Regular audit of {first.solution.name} "),
        body.index(f"Regular audit of {second.solution.name} "),
        body.index("“Answer within the SLA”"),
    ]
    assert positions == sorted(positions)
    assert item.plan.solution.name in body
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.day) == (analyst.email, TODAY)
    assert sorted(reminder.items) == sorted(
        [
            f"review:{review.pk}",
            f"audit:{first.pk}",
            f"audit:{second.pk}",
            f"item:{item.pk}",
        ]
    )


def test_a_second_run_the_same_day_sends_nothing():
    """Reminders go once a day: running the job again the same day sends nothing."""
    UserFactory(analyst=True)
    overdue_audit()
    assert send(now=NOW) == 1

    sent = send(now=NOW + timedelta(hours=5))

    assert (sent, len(mail.outbox), Reminder.objects.count()) == (0, 1, 1)


def test_the_next_day_reminds_again_while_still_due():
    """What is still due the next day is reminded again."""
    analyst = UserFactory(analyst=True)
    overdue_audit()
    send(now=NOW)

    sent = send(now=NOW + timedelta(days=1))

    assert sent == 1
    assert len(sent_to(analyst.email)) == 2
    assert set(Reminder.objects.values_list("day", flat=True)) == {
        TODAY,
        TODAY + timedelta(days=1),
    }


def test_the_task_runs_the_same_reminders_once():
    """The scheduled task is the same job, idempotent when retried."""
    analyst = UserFactory(analyst=True)
    overdue_audit()

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = send_reminders.delay(now=NOW.isoformat()).get()
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = send_reminders.delay(now=NOW.isoformat()).get()

    assert (first, again) == (1, 0)
    assert len(sent_to(analyst.email)) == 1


def test_each_person_reads_the_reminder_in_their_language():
    english = UserFactory(analyst=True, language="en")
    russian = UserFactory(analyst=True, language="ru")
    overdue_audit()

    send(now=NOW)

    [in_english] = sent_to(english.email)
    [in_russian] = sent_to(russian.email)
    assert "26 Nov 2026 — overdue" in in_english.body
    assert "26 ноября 2026 — просрочено" in in_russian.body
    assert "27 ноября 2026" in in_russian.subject
    reminder = Reminder.objects.get(recipient=russian.email)
    assert reminder.language == "ru"


def test_an_owner_without_an_account_reads_the_marketplace_language():
    """An action's owner named only by address reads the language of the solution's
    marketplace."""
    item = overdue_action(audit__solution__marketplace=Marketplace.TERRASOFT)
    item.owner = "lead@partner.example"
    item.save()

    send(now=NOW)

    [message] = sent_to("lead@partner.example")
    assert "25 ноября 2026" in message.body
    assert "https://cert.example/queue/" not in message.body


@pytest.mark.parametrize("count", [1, 3])
def test_the_number_of_queries_does_not_grow_with_what_is_due(count, django_assert_num_queries):
    analyst = UserFactory(analyst=True)
    for _ in range(count):
        overdue_audit()
        overdue_action(agreed_by=analyst)
        critical_fix(NOW - timedelta(hours=1))

    # What is due (3), who hears of it (2), then for the one analyst: the transaction of the
    # reminder, with get_or_create's look-up and savepoint-guarded insert for the reminder,
    # the analyst's choice for reminders (1) and the outbox message's. The e-mail goes at the
    # commit, outside the count.
    with TestCase.captureOnCommitCallbacks(execute=True), django_assert_num_queries(16):
        reminders_send(now=NOW)

    [message] = mail.outbox
    assert message.body.count("— overdue") == 3 * count


def test_a_reminder_and_its_outbox_message_are_recorded_together_and_sent_once():
    """The reminder is written with its e-mail and handed to the outbox, keyed per reminder;
    it is marked sent only once the mail has gone."""
    analyst = UserFactory(analyst=True)
    overdue_audit()

    send(now=NOW)

    reminder = Reminder.objects.get()
    message = Message.objects.get(key=f"reminder:{reminder.pk}")
    assert (message.task, message.kwargs, message.state) == (
        "support_audit.deliver_reminder",
        {"reminder_id": reminder.pk},
        Message.State.DONE,
    )
    [sent] = sent_to(analyst.email)
    assert (sent.subject, sent.body) == (reminder.subject, reminder.body)
    assert reminder.sent_at is not None


def test_a_mail_server_down_leaves_the_reminder_pending_and_the_sweep_sends_it_once():
    """With the mail server down, the day's reminder is kept, unsent, and its outbox message
    waits; running the job again records nothing more; once the back-off has passed the sweep
    sends it, once."""
    analyst = UserFactory(analyst=True)
    overdue_audit()

    with mail_server_down():
        recorded = send(now=NOW)
        again = send(now=NOW + timedelta(hours=1))

    reminder = Reminder.objects.get()
    message = Message.objects.get(key=f"reminder:{reminder.pk}")
    assert (recorded, again, mail.outbox, reminder.sent_at) == (1, 0, [], None)
    assert (message.state, message.attempts) == (Message.State.PENDING, 1)
    assert "SMTP is down" in message.last_error
    assert outbox.deliver_pending() == {"delivered": 0, "waiting": 0}  # still backing off

    after_back_off = message.next_attempt_at + timedelta(seconds=1)
    with time_machine.travel(after_back_off, tick=False):
        first = outbox.deliver_pending()
    with time_machine.travel(after_back_off + timedelta(hours=2), tick=False):
        second = outbox.deliver_pending()

    reminder.refresh_from_db()
    assert (first, second) == ({"delivered": 1, "waiting": 0}, {"delivered": 0, "waiting": 0})
    [sent] = sent_to(analyst.email)
    assert sent.subject == "[Certification] Reminder for 27 Nov 2026: 1 thing due"
    assert reminder.sent_at == after_back_off
    assert Message.objects.get(pk=message.pk).state == Message.State.DONE


def test_a_reminder_sent_already_is_not_sent_again():
    """The delivery task is idempotent: run again on a sent reminder, it sends nothing."""
    UserFactory(analyst=True)
    overdue_audit()
    send(now=NOW)
    reminder = Reminder.objects.get()

    assert deliver_reminder(reminder_id=reminder.pk) is False
    assert len(mail.outbox) == 1
    assert Reminder.objects.get().sent_at == reminder.sent_at


def test_a_reminder_delivered_later_keeps_the_language_it_was_written_in():
    """The e-mail is written when the reminder is recorded: a later delivery sends that text,
    even if the recipient has changed language meanwhile."""
    russian = UserFactory(analyst=True, language="ru")
    overdue_audit()
    with mail_server_down():
        send(now=NOW)
    russian.language = "en"
    russian.save()

    outbox.retry(Message.objects.all())  # staff's "try again now"
    outbox.deliver_pending()

    [message] = sent_to(russian.email)
    assert "26 ноября 2026 — просрочено" in message.body
