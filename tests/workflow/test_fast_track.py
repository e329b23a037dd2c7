"""Critical fixes jump the analyst queue, with their review due time (R6.5)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from support_audit.business_hours import WorkingCalendar
from tests.factories.accounts import UserFactory
from workflow.enums import ApplicationKind, ApplicationState
from workflow.models import Application

from ..factories.workflow import ApplicationFactory
from .markup import find_all, texts

pytestmark = pytest.mark.django_db


def test_queue_lists_critical_fixes_first_with_their_due_time(client):
    """R6.5: a critical fix is reviewed promptly: it heads the queue with its due time."""
    old = ApplicationFactory(state=ApplicationState.SUBMITTED_FOR_REVIEW)
    Application.objects.filter(pk=old.pk).update(state_changed_at=datetime(2026, 1, 5, tzinfo=UTC))
    fix = ApplicationFactory(
        state=ApplicationState.SUBMITTED_FOR_REVIEW, kind=ApplicationKind.CRITICAL_FIX
    )
    Application.objects.filter(pk=fix.pk).update(
        review_due_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
        state_changed_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )
    client.force_login(UserFactory(analyst=True))

    page = client.get(reverse("queue"))

    rows = find_all(find_all(page, "tbody")[0], "tr")
    assert [texts(row, "td")[0] for row in rows] == [str(fix.pk), str(old.pk)]
    due = "Critical fix · review due 27 Nov 2026, 09:00 UTC"
    assert texts(page, data_testid="critical-fix") == [due]


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Wednesday → Friday, same time.
        (datetime(2026, 11, 25, 15, 0, tzinfo=UTC), datetime(2026, 11, 27, 15, 0, tzinfo=UTC)),
        # Friday → Tuesday: the weekend does not count.
        (datetime(2026, 11, 27, 14, 0, tzinfo=UTC), datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        # Monday 2 Nov → Thursday 5 Nov: 4 November is a public holiday in Russia.
        (datetime(2026, 11, 2, 10, 0, tzinfo=UTC), datetime(2026, 11, 5, 10, 0, tzinfo=UTC)),
    ],
)
def test_add_business_days_skips_weekends_and_holidays(start, due):
    """R6.5: the two business days of a critical-fix review skip weekends and holidays."""
    assert WorkingCalendar(tz="Europe/Moscow", country="RU").add_business_days(start, 2) == due


def test_add_business_days_keeps_the_local_time_across_time_zones():
    friday_pst = datetime(2026, 11, 20, 17, 0, tzinfo=UTC) + timedelta(hours=8)

    due = WorkingCalendar(tz="America/Los_Angeles").add_business_days(friday_pst, 2)

    assert due == datetime(2026, 11, 24, 17, 0, tzinfo=UTC) + timedelta(hours=8)
