"""The warning before the badge goes: once per KPI, month and person, with the figures and
what would bring the KPI back within its target (R5.2–R5.8)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from catalogue.enums import CertificationStatus
from kpi.evaluation import evaluate_period
from kpi.judging import format_remedy, irreversible, judge, remedy
from kpi.models import KPI, Breach, KPIWarning
from kpi.periods import parse_period
from kpi.tasks import evaluate_so_far, send_kpi_warnings
from tests.factories.accounts import UserFactory
from tests.factories.kpi import SupportCaseFactory

from ..factories.workflow import CertificationFactory, actor
from ..workflow.markup import by_testid

pytestmark = pytest.mark.django_db

NOVEMBER = parse_period("2026-11")
EARLY_NOVEMBER = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
MID_NOVEMBER = datetime(2026, 11, 14, 1, 30, tzinfo=UTC)


def at_most(value):
    return SimpleNamespace(comparison="at_most", value=Decimal(value))


def at_least(value):
    return SimpleNamespace(comparison="at_least", value=Decimal(value))


# --- What would bring a KPI back (pure) --------------------------------------------------


@pytest.mark.parametrize(
    ("kpi", "numerator", "denominator", "threshold", "count"),
    [
        # 2 late of 100: 200 cases in all make it exactly 1 %.
        (KPI.RESPONSE_OVERDUE_RATE, 2, 100, at_most("0.01"), 100),
        (KPI.RESPONSE_OVERDUE_RATE, 3, 10, at_most("0.01"), 290),
        # 6 late of 100: 120 cases make it exactly 5 %.
        (KPI.RESOLUTION_OVERDUE_RATE, 6, 100, at_most("0.05"), 20),
        # 6 rated of 100: one more rating makes it exactly 7 %.
        (KPI.CSAT_RESPONSE_RATE, 6, 100, at_least("0.07"), 1),
        (KPI.CSAT_RESPONSE_RATE, 0, 15, at_least("0.07"), 2),
        # 7 positive of 10: 5 more positive ratings make 12 of 15, exactly 80 %.
        (KPI.CSAT_POSITIVE_SHARE, 7, 10, at_least("0.8"), 5),
        (KPI.CSAT_POSITIVE_SHARE, 0, 1, at_least("0.8"), 4),
    ],
)
def test_remedy_is_the_fewest_that_bring_the_kpi_back(
    kpi, numerator, denominator, threshold, count
):
    """R5.2–R5.5 The count given is enough, and one fewer is not."""
    got = remedy(kpi, numerator, denominator, threshold, month_over=False)

    assert got == count
    if kpi in (KPI.RESPONSE_OVERDUE_RATE, KPI.RESOLUTION_OVERDUE_RATE):
        after, fewer = (numerator, denominator + count), (numerator, denominator + count - 1)
    elif kpi == KPI.CSAT_RESPONSE_RATE:
        after, fewer = (numerator + count, denominator), (numerator + count - 1, denominator)
    else:
        after = (numerator + count, denominator + count)
        fewer = (numerator + count - 1, denominator + count - 1)
    assert judge(kpi, *after, threshold)[1] == "pass"
    assert judge(kpi, *fewer, threshold)[1] == "fail"


def test_remedy_of_a_kpi_that_passes_is_zero():
    assert remedy(KPI.RESPONSE_OVERDUE_RATE, 1, 100, at_most("0.01"), month_over=False) == 0


@pytest.mark.parametrize(
    ("kpi", "numerator", "denominator", "threshold", "month_over"),
    [
        (KPI.ESCALATIONS, 3, 40, at_most("2"), False),
        (KPI.RESPONSE_OVERDUE_RATE, 2, 100, at_most("0.01"), True),
        (KPI.RESOLUTION_OVERDUE_RATE, 1, 1, at_most("0"), False),
        (KPI.CSAT_POSITIVE_SHARE, 9, 10, at_least("1"), False),
    ],
)
def test_remedy_is_none_when_nothing_can_bring_it_back(
    kpi, numerator, denominator, threshold, month_over
):
    """R5.4–R5.6 A third escalation, a late count of a month that is over, a target no count
    reaches: it can no longer meet the target."""
    assert remedy(kpi, numerator, denominator, threshold, month_over=month_over) is None
    assert format_remedy(kpi, None) == "It can no longer meet its target this month."


@pytest.mark.parametrize(
    ("kpi", "month_over", "expected"),
    [
        (KPI.RESPONSE_OVERDUE_RATE, True, True),
        (KPI.RESOLUTION_OVERDUE_RATE, True, True),
        (KPI.ESCALATIONS, True, True),
        (KPI.CSAT_RESPONSE_RATE, True, False),
        (KPI.CSAT_POSITIVE_SHARE, True, False),
        (KPI.ESCALATIONS, False, False),
        (KPI.RESPONSE_OVERDUE_RATE, False, False),
    ],
)
def test_only_counts_that_can_only_grow_fail_for_good_and_only_once_the_month_is_over(
    kpi, month_over, expected
):
    """R5.8 Late and escalated cases of a month that is over only add up; ratings may still
    come, and a running month may still get cases."""
    assert irreversible(kpi, "fail", month_over=month_over) is expected
    assert irreversible(kpi, "pass", month_over=month_over) is False


# --- The warning ---------------------------------------------------------------------------


@pytest.fixture
def solution():
    """A certified solution whose November so far fails on response: 3 of 10 late."""
    solution = CertificationFactory(solution__name="Phone Link").solution
    SupportCaseFactory.create_batch(7, solution=solution, registered_at=EARLY_NOVEMBER, csat=5)
    SupportCaseFactory.create_batch(
        3, solution=solution, registered_at=EARLY_NOVEMBER, csat=5, late_response=True
    )
    return solution


@pytest.fixture
def people(solution):
    """A partner member reading Russian, another reading English, and an analyst."""
    member = actor("own_partner", solution)
    member.language = "ru"
    member.save()
    other = UserFactory(partner=solution.partner, role="Partner", language="en")
    analyst = UserFactory(analyst=True, language="en")
    return member, other, analyst


def everyone(solution) -> list[str]:
    """The addresses of the solution's partner's members and of the analysts."""
    users = get_user_model().objects.exclude(email="")
    partner = users.filter(partner=solution.partner)
    return sorted(
        set(partner.values_list("email", flat=True))
        | {user.email for user in users if user.has_role(Role.ANALYST)}
    )


def so_far(on_commit, as_of=MID_NOVEMBER):
    return on_commit(evaluate_so_far, as_of=as_of.isoformat())


def test_a_month_missing_a_target_so_far_warns_each_person_once(on_commit, solution, people):
    """R5.4, R5.8 The daily run warns the partner's members and the analyst of the KPI that
    misses its target so far; the next days' runs send nothing more."""
    so_far(on_commit)
    so_far(on_commit, MID_NOVEMBER + timedelta(days=1))
    so_far(on_commit, MID_NOVEMBER + timedelta(days=2))

    member, other, analyst = people
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == everyone(solution)
    assert {member.email, other.email, analyst.email} <= set(recipients)
    assert KPIWarning.objects.filter(kpi="response_overdue_rate").count() == len(recipients)
    assert set(KPIWarning.objects.values_list("kpi", flat=True)) == {"response_overdue_rate"}
    assert Breach.objects.count() == 0


def test_the_warning_gives_the_figures_the_target_and_the_way_back(on_commit, solution, people):
    so_far(on_commit)

    _member, other, _analyst = people
    [message] = [message for message in mail.outbox if message.to == [other.email]]
    assert message.subject == "Phone Link: support KPIs of 2026-11 miss their target so far"
    assert "- Cases overdue on response: 3 of 10 = 30 %, target at most 1 %." in message.body
    assert "290 more cases answered in time would bring it back within the target." in (
        message.body
    )
    assert f"/solutions/{solution.slug}/kpi/" in message.body


def test_the_warning_is_in_the_readers_language(on_commit, solution, people):
    so_far(on_commit)

    member, _other, _analyst = people
    [message] = [message for message in mail.outbox if message.to == [member.email]]
    with translation.override("ru"):
        expected = str(KPI.RESPONSE_OVERDUE_RATE.label)
    assert expected in message.body
    assert "Cases overdue on response" not in message.body


def test_a_new_kpi_failing_later_in_the_month_is_a_new_warning(on_commit, solution, people):
    so_far(on_commit)
    sent = len(mail.outbox)
    first = set(KPIWarning.objects.values_list("pk", flat=True))
    SupportCaseFactory.create_batch(
        3, solution=solution, registered_at=EARLY_NOVEMBER, csat=5, escalation_level=1
    )

    so_far(on_commit, MID_NOVEMBER + timedelta(days=1))

    assert len(mail.outbox) == sent + len(everyone(solution))
    new = KPIWarning.objects.exclude(pk__in=first)
    assert set(new.values_list("kpi", flat=True)) == {"escalations"}
    assert all("3 of 13" not in m.body for m in mail.outbox[sent:])


def test_a_third_escalation_of_a_running_month_warns_that_it_can_no_longer_be_met(on_commit):
    """R5.6 Before the month ends nothing is enforced, but the partner learns that the target
    can no longer be met."""
    solution = CertificationFactory().solution
    analyst = UserFactory(analyst=True)
    SupportCaseFactory.create_batch(
        3, solution=solution, registered_at=EARLY_NOVEMBER, csat=5, escalation_level=1
    )

    running = NOVEMBER.end - timedelta(seconds=1)
    on_commit(evaluate_period, "2026-11", solutions=[solution], as_of=running)

    [message] = [m for m in mail.outbox if m.to == [analyst.email]]
    assert "It can no longer meet its target this month." in message.body
    assert Breach.objects.count() == 0


def test_the_warning_is_sent_after_commit_and_only_once(
    django_capture_on_commit_callbacks, solution, people
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evaluate_so_far(as_of=MID_NOVEMBER.isoformat())

    people = len(everyone(solution))
    assert mail.outbox == []
    assert KPIWarning.objects.filter(sent_at__isnull=True).count() == people
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == people
    assert send_kpi_warnings(period="2026-11", solution_ids=[solution.pk]) == 0
    assert len(mail.outbox) == people


def test_a_solution_without_the_badge_is_not_warned(on_commit, solution, people):
    type(solution.certification).objects.filter(pk=solution.certification.pk).update(
        status=CertificationStatus.REVOKED
    )

    so_far(on_commit)

    assert (KPIWarning.objects.count(), mail.outbox) == (0, [])


def test_a_failure_enforced_before_final_is_not_warned_of(on_commit):
    """R5.8 A late count of a month that is over is a breach, not a warning."""
    solution = CertificationFactory().solution
    UserFactory(analyst=True)
    SupportCaseFactory.create_batch(
        3, solution=solution, registered_at=EARLY_NOVEMBER, late_response=True
    )
    SupportCaseFactory(
        solution=solution,
        registered_at=EARLY_NOVEMBER,
        resolved_at=None,
        resolution_due_at=NOVEMBER.end + timedelta(days=3),
    )

    [result] = on_commit(evaluate_period, "2026-11", solutions=[solution], as_of=NOVEMBER.end)

    assert (result["final"], result["action"]) == (False, "revoked")
    assert not KPIWarning.objects.filter(kpi="response_overdue_rate").exists()


def test_the_kpi_page_shows_the_warning(client, on_commit, solution, people):
    so_far(on_commit)
    _member, other, _analyst = people
    client.force_login(other)

    response = client.get(reverse("solution_kpis", args=[solution.slug]))

    assert by_testid(response, "warning-2026-11-response_overdue_rate").startswith(
        "2026-11, Cases overdue on response: 3 of 10 = 30 %, target at most 1 %. "
        "290 more cases answered in time would bring it back within the target. Warned on"
    )


@pytest.mark.parametrize(
    ("late", "cases", "warned"),
    [(1, 100, False), (2, 199, True), (2, 200, False)],
)
def test_a_warning_needs_the_target_missed_not_met_exactly(on_commit, late, cases, warned):
    """R5.4 1 of 100 late so far is exactly the 1 % target: no warning; 2 of 199 is."""
    solution = CertificationFactory().solution
    UserFactory(analyst=True)
    SupportCaseFactory.create_batch(
        cases - late, solution=solution, registered_at=EARLY_NOVEMBER, csat=5
    )
    SupportCaseFactory.create_batch(
        late, solution=solution, registered_at=EARLY_NOVEMBER, csat=5, late_response=True
    )

    so_far(on_commit)

    assert KPIWarning.objects.filter(kpi="response_overdue_rate").exists() is warned


@pytest.mark.parametrize(("positive", "warned"), [(8, False), (7, True)])
def test_a_positive_share_warning_at_the_eighty_percent_edge(on_commit, positive, warned):
    """R5.3 8 positive ratings of 10 is exactly 80 %: no warning; 7 of 10 warns."""
    solution = CertificationFactory().solution
    UserFactory(analyst=True)
    SupportCaseFactory.create_batch(
        positive, solution=solution, registered_at=EARLY_NOVEMBER, csat=4
    )
    SupportCaseFactory.create_batch(
        10 - positive, solution=solution, registered_at=EARLY_NOVEMBER, csat=3
    )

    so_far(on_commit)

    assert KPIWarning.objects.filter(kpi="csat_positive_share").exists() is warned


def test_a_warning_whose_e_mail_failed_is_sent_by_the_next_run(on_commit, solution, people):
    """The evaluation stands when the mail server is down; the next day's run sends."""
    with override_settings(EMAIL_BACKEND="tests.kpi.test_early_warnings.RefusingBackend"):
        so_far(on_commit)
    assert mail.outbox == []
    assert KPIWarning.objects.filter(sent_at__isnull=False).count() == 0
    assert KPIWarning.objects.count() == len(everyone(solution))

    so_far(on_commit, MID_NOVEMBER + timedelta(days=1))

    assert sorted(message.to[0] for message in mail.outbox) == everyone(solution)
    assert KPIWarning.objects.filter(sent_at__isnull=True).count() == 0


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError
