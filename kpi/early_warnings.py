"""The warning before the badge goes: a month's KPI that already misses its target.

When an evaluation finds a month's KPI failing before the failure can be enforced (the month
is not over, or over but not final and the failure can still be undone), the partner's members
and the analysts of a solution that holds the badge are told, by e-mail and on the KPI page,
with the figures and what would bring the KPI back within its target. A `KPIWarning` row per
solution, month, KPI and person is written in the evaluation's transaction: nobody hears twice
of the same KPI and month, whatever the number of runs. The e-mails go after commit
(`send_warnings`), one per person and solution for the KPIs newly warned of, in the reader's
language; each is marked sent in the transaction that sends it. A person who chose the daily
digest or none for early warnings (outbox.notices) is not e-mailed at once: their warnings are
copied to a notice, held for the digest or skipped, and settled then.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

import outbox.services as outbox
from accounts.enums import NotificationKind, Role
from accounts.selectors import reachable
from catalogue.enums import CertificationStatus
from catalogue.models import Solution
from outbox.notices import held_back, notice

from . import judging
from .judging import Target
from .models import KPI, KPIWarning
from .periods import Period

BADGE_ON = (CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK)


def recipients(solutions) -> dict[int, dict[str, str]]:
    """Per solution, e-mail → language of its partner's members and of the analysts (two
    queries)."""
    active = get_user_model().objects.filter(is_active=True).exclude(email="")
    analysts = reachable(roles=[Role.ANALYST])
    members = defaultdict(dict)
    partners = {solution.pk: solution.partner_id for solution in solutions}
    for email, language, partner_id in active.filter(
        partner_id__in=set(partners.values())
    ).values_list("email", "language", "partner_id"):
        members[partner_id][email] = language
    return {
        solution_id: {**members[partner_id], **analysts}
        for solution_id, partner_id in partners.items()
    }


def warnings_record(period: Period, candidates, *, month_over: bool) -> int:
    """Record the warnings of `candidates` (solution id, KPI, numerator, denominator,
    threshold) for the solutions that hold the badge, once per person; the e-mails go after
    commit. How many warnings were new."""
    candidates = [c for c in candidates if c[4] is not None]
    if not candidates:
        return 0
    solutions = list(
        Solution.objects.filter(
            pk__in={c[0] for c in candidates}, certification__status__in=BADGE_ON
        ).only("pk", "partner_id")
    )
    if not solutions:
        return 0
    people = recipients(solutions)
    warned, unsent = set(), set()
    for solution_id, kpi, email, sent_at in KPIWarning.objects.filter(
        solution_id__in=list(people), period=period.name
    ).values_list("solution_id", "kpi", "recipient", "sent_at"):
        warned.add((solution_id, kpi, email))
        if sent_at is None:
            unsent.add(solution_id)  # an earlier sending failed: try again
    now = timezone.now()
    new = [
        KPIWarning(
            solution_id=solution_id,
            period=period.name,
            kpi=str(kpi),
            recipient=email,
            language=language or settings.LANGUAGE_CODE,
            numerator=numerator,
            denominator=denominator,
            comparison=threshold.comparison,
            target=threshold.value,
            month_over=month_over,
            recorded_at=now,
        )
        for solution_id, kpi, numerator, denominator, threshold in candidates
        if solution_id in people
        for email, language in sorted(people[solution_id].items())
        if (solution_id, str(kpi), email) not in warned
    ]
    if new:
        # A concurrent run may have recorded some of them: the unique constraint keeps one.
        KPIWarning.objects.bulk_create(new, ignore_conflicts=True)
    solution_ids = sorted({warning.solution_id for warning in new} | unsent)
    if solution_ids:
        # Through the outbox: a broker or mail server down does not undo the evaluation, and
        # the warnings are sent once it is back (the next run would send them too).
        message = outbox.enqueue(
            "kpi.send_kpi_warnings", period=period.name, solution_ids=solution_ids
        )
        _hold_back(period.name, new, message)
    return len(new)


def _hold_back(period: str, new: list[KPIWarning], message) -> None:
    """The new warnings of people who chose a digest or none for early warnings: copied, as
    their e-mail would read, to a notice of the outbox message (held for the digest, or
    skipped) and settled, so that `send_warnings` does not e-mail them."""
    later = held_back(NotificationKind.EARLY_WARNING, {warning.recipient for warning in new})
    people = sorted({(w.solution_id, w.recipient) for w in new if w.recipient in later})
    for solution_id, email in people:
        warnings = list(
            KPIWarning.objects.select_for_update()
            .filter(period=period, solution_id=solution_id, recipient=email, sent_at__isnull=True)
            .order_by("kpi")
        )
        if not warnings:
            continue
        user_id, decision = later[email]
        text = _render(Solution.objects.get(pk=solution_id), period, warnings)
        notice(message, NotificationKind.EARLY_WARNING, email, user_id, decision, text).save()
        KPIWarning.objects.filter(pk__in=[w.pk for w in warnings]).update(sent_at=timezone.now())


@dataclass(frozen=True)
class WarningText:
    """One KPI warned of, in the reader's language."""

    kpi: str
    label: str
    figures: str
    target: str
    remedy: str
    month_over: bool


def warning_text(warning: KPIWarning) -> WarningText:
    """The figures of a warning, its target and what would bring the KPI back within it, in
    the active language."""
    target = Target(warning.comparison, warning.target)
    value = judging.kpi_value(warning.kpi, warning.numerator, warning.denominator)
    count = judging.remedy(
        warning.kpi,
        warning.numerator,
        warning.denominator,
        target,
        month_over=warning.month_over,
    )
    return WarningText(
        kpi=warning.kpi,
        label=str(KPI(warning.kpi).label),
        figures=judging.format_figures(warning.kpi, warning.numerator, warning.denominator, value),
        target=judging.format_target(warning.kpi, target),
        remedy=judging.format_remedy(warning.kpi, count),
        month_over=warning.month_over,
    )


def send_warnings(*, period: str, solution_ids: list[int]) -> int:
    """E-mail the warnings of `period` not sent yet, one e-mail per person and solution; the
    number of e-mails sent. Safe to run again: a warning sent is never sent twice."""
    pending = (
        KPIWarning.objects.filter(period=period, solution_id__in=solution_ids, sent_at__isnull=True)
        .order_by("solution_id", "recipient")
        .values_list("solution_id", "recipient")
        .distinct()
    )
    sent = 0
    for solution_id, recipient in list(pending):
        with transaction.atomic():
            warnings = list(
                KPIWarning.objects.select_for_update()
                .filter(
                    period=period,
                    solution_id=solution_id,
                    recipient=recipient,
                    sent_at__isnull=True,
                )
                .order_by("kpi")
            )
            if not warnings:
                continue
            solution = Solution.objects.get(pk=solution_id)
            subject, body = _render(solution, period, warnings)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
            KPIWarning.objects.filter(pk__in=[w.pk for w in warnings]).update(
                sent_at=timezone.now()
            )
            sent += 1
    return sent


def _render(solution, period: str, warnings: list[KPIWarning]) -> tuple[str, str]:
    with translation.override(warnings[0].language):
        context = {
            "solution": solution,
            "period": period,
            "warnings": [warning_text(warning) for warning in warnings],
            "url": settings.SITE_URL + reverse("solution_kpis", args=[solution.slug]),
        }
        subject = render_to_string("kpi/email/warning_subject.txt", context)
        body = render_to_string("kpi/email/warning_body.txt", context)
    return " ".join(subject.split()), body
