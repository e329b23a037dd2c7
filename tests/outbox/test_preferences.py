"""Each person's choice per kind of message, applied when the outbox records it: immediate
as before, none (skipped, nothing sent) or the daily digest (held, then one e-mail a day);
mandatory kinds always go at once."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from accounts.enums import MANDATORY_NOTIFICATIONS, NotificationChoice, NotificationKind
from catalogue import badge
from catalogue.models import CertificationEvent
from catalogue.notifications import BADGE_ROUTES
from kpi.tasks import evaluate_so_far
from outbox.digests import digest_record, digests_send
from outbox.models import Digest, Message, Notice
from outbox.notices import notify
from outbox.services import deliver_pending
from outbox.tasks import send_digests
from tests.factories.accounts import NotificationPreferenceFactory, UserFactory
from tests.factories.certification import RemediationPlanFactory
from tests.factories.kpi import SupportCaseFactory
from workflow import services
from workflow.enums import ApplicationState, Transition
from workflow.notifications import ROUTES, kind_of
from workflow.reminders import reminders_send

from ..factories.workflow import ApplicationFactory, CertificationFactory, actor

K = NotificationKind
C = NotificationChoice
Decision = Notice.Decision
pytestmark = pytest.mark.django_db


def choose(user, kind, choice):
    return NotificationPreferenceFactory(user=user, kind=kind, choice=choice)


def committed(func, *args, **kwargs):
    """Run `func` with its after-commit deliveries, as a real commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return func(*args, **kwargs)


def sent_to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


# --- Every message has a kind --------------------------------------------------------------


def test_every_step_of_a_request_declares_its_kind():
    """A step routed without a kind of message fails here: nobody could choose for it."""
    missing = [step for step in ROUTES if kind_of(step) is None]

    assert missing == []
    assert {kind_of(step) for step in Transition} <= set(NotificationKind)


def test_every_change_of_a_badge_declares_its_kind():
    missing = [action for action, route in BADGE_ROUTES.items() if route.kind is None]

    assert missing == []
    assert BADGE_ROUTES[CertificationEvent.Action.REVOKED].kind == K.BADGE_REVOKED


def test_revocation_and_the_audit_report_are_mandatory():
    """R5.8, R4.7 The regulation's notices to the developer are always sent at once."""
    assert set(MANDATORY_NOTIFICATIONS) == {K.BADGE_REVOKED, K.NONCONFORMITY_REPORT}
    assert kind_of(Transition.REPORT_NONCONFORMITIES) == K.NONCONFORMITY_REPORT


# --- A request's steps ---------------------------------------------------------------------


@pytest.fixture
def draft():
    """A draft request of a partner with two members, and an analyst."""
    application = ApplicationFactory(state=ApplicationState.DRAFT, solution__name="Phone Link")
    return {
        "application": application,
        "author": application.created_by,
        "colleague": actor("own_partner", application),
        "analyst": actor("analyst"),
    }


def submit(draft):
    committed(services.application_submit, application=draft["application"], by=draft["author"])


def test_immediate_is_the_default_and_changes_nothing(draft):
    submit(draft)

    message = Message.objects.get(task="workflow.notify_transition")
    assert message.kwargs == {"state_log_id": message.kwargs["state_log_id"]}
    assert message.state == Message.State.DONE
    assert Notice.objects.count() == 0
    assert len(mail.outbox) == 3


def test_none_sends_nothing_and_is_recorded_as_skipped(draft):
    colleague = draft["colleague"]
    choose(colleague, K.REQUEST_PROGRESS, C.NONE)

    submit(draft)

    assert sent_to(colleague) == []
    assert len(sent_to(draft["author"])) == len(sent_to(draft["analyst"])) == 1
    [notice] = Notice.objects.all()
    assert (notice.recipient, notice.decision, notice.kind) == (
        colleague.email,
        Decision.SKIPPED,
        K.REQUEST_PROGRESS,
    )
    assert notice.subject.endswith("(Phone Link): Submitted")
    assert notice.message.kwargs["recipients"] == sorted(
        [draft["author"].email, draft["analyst"].email]
    )


def test_a_message_nobody_takes_at_once_is_skipped_and_never_run(draft):
    for person in ("author", "colleague", "analyst"):
        choose(draft[person], K.REQUEST_PROGRESS, C.DIGEST)

    submit(draft)

    assert mail.outbox == []
    message = Message.objects.get(task="workflow.notify_transition")
    assert message.state == Message.State.SKIPPED
    assert set(message.notices.values_list("decision", flat=True)) == {Decision.HELD}


def test_the_choice_applies_to_its_kind_only(draft):
    """A person who chose none for decisions still hears of the submission."""
    choose(draft["colleague"], K.REQUEST_DECISION, C.NONE)

    submit(draft)

    assert len(sent_to(draft["colleague"])) == 1


def test_the_choice_made_when_the_message_is_recorded_decides(
    draft, django_capture_on_commit_callbacks
):
    """The decision is taken in the step's transaction: changing one's mind before the
    delivery does not bring the message back."""
    colleague = draft["colleague"]
    choose(colleague, K.REQUEST_PROGRESS, C.NONE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=draft["application"], by=draft["author"])
    colleague.notification_preferences.update(choice=C.IMMEDIATE)

    for callback in callbacks:
        callback()

    assert sent_to(colleague) == []
    assert len(mail.outbox) == 2


def test_the_outbox_admin_shows_who_was_skipped(client, draft):
    choose(draft["colleague"], K.REQUEST_PROGRESS, C.NONE)
    submit(draft)
    message = Message.objects.get(task="workflow.notify_transition")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:outbox_message_change", args=[message.pk])).content.decode()
    listing = client.get(reverse("admin:outbox_notice_changelist")).content.decode()

    assert draft["colleague"].email in page
    assert "Not sent: the recipient chose none" in page
    assert draft["colleague"].email in listing


# --- Mandatory kinds ------------------------------------------------------------------------


def test_a_revocation_reaches_a_member_who_chose_none(on_commit):
    """R5.8 The developer hears of the revocation, whatever they chose: a stored preference
    for a mandatory kind is ignored."""
    certification = CertificationFactory(solution__name="Phone Link")
    member = certification.application.created_by
    choose(member, K.BADGE_REVOKED, C.NONE)
    analyst = UserFactory(analyst=True)
    choose(analyst, K.BADGE_REVOKED, C.DIGEST)

    on_commit(badge.revoke, certification=certification, by=analyst, reason="NPS 6.1.")

    assert [message.subject for message in sent_to(member)] == [
        "[Certification] Phone Link: Revoked"
    ]
    assert len(sent_to(analyst)) == 1
    assert Notice.objects.count() == 0


def test_the_audit_report_goes_at_once_whatever_was_chosen(on_commit):
    """R4.7 The nonconformity report is sent to the developer even if they chose none."""
    member = UserFactory(partner_member=True)
    choose(member, K.NONCONFORMITY_REPORT, C.NONE)

    message = on_commit(
        notify,
        "outbox.deliver_pending",
        kind=K.NONCONFORMITY_REPORT,
        recipients={member.email: "en"},
        render=lambda email, language: ("Report", "Body"),
        key="report:1",
    )

    assert message.kwargs == {}
    assert Notice.objects.count() == 0


def test_a_badge_granted_is_held_for_a_member_who_chose_the_digest(on_commit):
    application = ApplicationFactory(
        state=ApplicationState.SUPPORT_PASSED, solution__name="Phone Link"
    )
    member = application.created_by
    choose(member, K.BADGE_GRANTED, C.DIGEST)

    on_commit(badge.grant, application=application, by=UserFactory(analyst=True))

    assert sent_to(member) == []
    [notice] = Notice.objects.all()
    assert (notice.recipient, notice.decision) == (member.email, Decision.HELD)
    assert notice.subject == "[Certification] Phone Link: Granted"


# --- The daily digest ----------------------------------------------------------------------


@pytest.fixture
def held(draft):
    """The author chose the digest for a request's progress; the request was submitted."""
    choose(draft["author"], K.REQUEST_PROGRESS, C.DIGEST)
    submit(draft)
    mail.outbox.clear()
    return draft


def test_the_digest_lists_the_held_messages_once(held):
    author = held["author"]

    committed(digests_send)

    [digest] = mail.outbox
    assert digest.to == [author.email]
    assert digest.subject == "[Certification] Your digest for 18 Nov 2026: 1 message"
    assert f"Request #{held['application'].pk} (Phone Link): Submitted" in digest.body
    assert "Progress of a request" in digest.body
    assert "Moved from “Draft” to “Submitted”." in digest.body
    assert "/accounts/profile/notifications/" in digest.body
    notice = Notice.objects.get()
    assert notice.decision == Decision.DIGESTED
    assert notice.digest.sent_at is not None


def test_the_digest_job_run_twice_the_same_day_sends_one_digest(held):
    committed(send_digests)
    committed(send_digests)

    assert len(mail.outbox) == 1
    assert Digest.objects.count() == 1


def test_a_message_held_after_the_days_digest_waits_for_the_next_day(held):
    committed(digests_send)
    committed(
        services.application_withdraw,
        application=held["application"],
        by=held["colleague"],
        reason="Sold.",
    )
    mail.outbox = [message for message in mail.outbox if held["author"].email not in message.to]

    committed(digests_send)
    assert sent_to(held["author"]) == []

    with time_machine.travel(datetime(2026, 11, 19, 6, 30, tzinfo=UTC), tick=False):
        committed(digests_send)
    [digest] = sent_to(held["author"])
    assert "Moved from “Submitted” to “Withdrawn”." in digest.body
    assert "Moved from “Draft”" not in digest.body


def test_a_run_killed_half_way_sends_no_digest_twice_and_loses_none(draft):
    """The first run recorded the author's digest and died before the colleague's: the next
    run sends the colleague's and not the author's again."""
    for person in ("author", "colleague"):
        choose(draft[person], K.REQUEST_PROGRESS, C.DIGEST)
    submit(draft)
    mail.outbox.clear()
    now = datetime(2026, 11, 18, 10, 5, tzinfo=UTC)
    committed(digest_record, user_id=draft["author"].pk, day=date(2026, 11, 18), now=now)

    committed(digests_send)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [draft["author"].email, draft["colleague"].email]
    )
    assert Notice.objects.filter(decision=Decision.HELD).count() == 0


def test_a_digest_the_mail_server_refused_is_sent_later_once(held):
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("SMTP is down"),
    ):
        committed(digests_send)
    assert mail.outbox == []
    message = Message.objects.get(task="outbox.deliver_digest")
    assert message.state == Message.State.PENDING

    committed(digests_send)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=datetime(2026, 1, 1, tzinfo=UTC))
    deliver_pending()

    assert len(mail.outbox) == 1


def test_the_digest_is_in_its_readers_language(draft):
    author = draft["author"]
    author.language = "ru"
    author.save()
    choose(author, K.REQUEST_PROGRESS, C.DIGEST)
    submit(draft)
    mail.outbox.clear()

    committed(digests_send)

    [digest] = mail.outbox
    assert "18 ноября 2026" in digest.subject
    assert "Submitted" not in digest.body  # the step's own e-mail, written in Russian


@pytest.mark.parametrize(
    ("held_at", "run_at", "day"),
    [
        # 23:59 and 00:01 in Moscow: two days, so two digests.
        (
            datetime(2027, 1, 31, 20, 50, tzinfo=UTC),
            datetime(2027, 1, 31, 20, 59, tzinfo=UTC),
            date(2027, 1, 31),
        ),
        (
            datetime(2027, 1, 31, 20, 50, tzinfo=UTC),
            datetime(2027, 1, 31, 21, 1, tzinfo=UTC),
            date(2027, 2, 1),
        ),
    ],
    ids=["before-midnight", "first-of-the-month"],
)
def test_the_digests_day_is_the_portals_at_midnight_and_the_first_of_the_month(
    settings, draft, held_at, run_at, day
):
    settings.TIME_ZONE = "Europe/Moscow"
    choose(draft["author"], K.REQUEST_PROGRESS, C.DIGEST)
    with time_machine.travel(held_at, tick=False):
        submit(draft)

    with time_machine.travel(run_at, tick=False):
        committed(digests_send)
        committed(digests_send)

    assert list(Digest.objects.values_list("day", flat=True)) == [day]


def test_a_digest_on_each_side_of_midnight(settings, draft):
    """Runs at 23:59 and 00:01 portal time belong to two days: each sends what was held."""
    settings.TIME_ZONE = "Europe/Moscow"
    choose(draft["author"], K.REQUEST_PROGRESS, C.DIGEST)
    with time_machine.travel(datetime(2027, 1, 31, 20, 0, tzinfo=UTC), tick=False):
        submit(draft)
    with time_machine.travel(datetime(2027, 1, 31, 20, 59, tzinfo=UTC), tick=False):
        committed(digests_send)
        committed(
            services.application_withdraw,
            application=draft["application"],
            by=draft["colleague"],
            reason="Sold.",
        )
    with time_machine.travel(datetime(2027, 1, 31, 21, 1, tzinfo=UTC), tick=False):
        committed(digests_send)

    assert list(Digest.objects.order_by("day").values_list("day", flat=True)) == [
        date(2027, 1, 31),
        date(2027, 2, 1),
    ]
    assert len(sent_to(draft["author"])) == 2


# --- Reminders and early warnings ----------------------------------------------------------

NOV_27 = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


@pytest.fixture
def overdue_action():
    """A remediation action of a partner, two days overdue on 27 November."""
    plan = RemediationPlanFactory(items=[("Register chat cases", date(2026, 11, 25))])
    return UserFactory(role="Partner", partner=plan.solution.partner)


def test_a_person_who_chose_no_reminders_gets_none(overdue_action):
    choose(overdue_action, K.REMINDER, C.NONE)

    committed(reminders_send, now=NOV_27)

    assert sent_to(overdue_action) == []
    assert Notice.objects.get().decision == Decision.SKIPPED


def test_a_reminder_chosen_daily_comes_in_the_digest(overdue_action):
    choose(overdue_action, K.REMINDER, C.DIGEST)

    committed(reminders_send, now=NOV_27)
    assert sent_to(overdue_action) == []
    with time_machine.travel(NOV_27 + timedelta(minutes=30), tick=False):
        committed(digests_send)

    [digest] = sent_to(overdue_action)
    assert "“Register chat cases” was due on" in digest.body


@pytest.fixture
def failing():
    """A certified solution whose November so far fails on response, and its member."""
    solution = CertificationFactory(solution__name="Phone Link").solution
    registered = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    SupportCaseFactory.create_batch(7, solution=solution, registered_at=registered, csat=5)
    SupportCaseFactory.create_batch(
        3, solution=solution, registered_at=registered, csat=5, late_response=True
    )
    return UserFactory(role="Partner", partner=solution.partner)


def evaluate(on_commit, days=0):
    as_of = datetime(2026, 11, 14, 1, 30, tzinfo=UTC) + timedelta(days=days)
    on_commit(evaluate_so_far, as_of=as_of.isoformat())


def test_an_early_warning_declined_is_not_sent_nor_sent_again(on_commit, failing):
    choose(failing, K.EARLY_WARNING, C.NONE)

    evaluate(on_commit)
    evaluate(on_commit, days=1)

    assert sent_to(failing) == []
    assert Notice.objects.get().decision == Decision.SKIPPED
    assert len(mail.outbox) == 1  # the solution's other member


def test_an_early_warning_chosen_daily_comes_in_the_digest(on_commit, failing):
    choose(failing, K.EARLY_WARNING, C.DIGEST)

    evaluate(on_commit)
    assert sent_to(failing) == []
    committed(digests_send)

    [digest] = sent_to(failing)
    assert "Cases overdue on response: 3 of 10 = 30 %, target at most 1 %." in digest.body
