"""The NPS survey of active customers (R5.1): a half-year that ended with active customers and
no answer is `missing`, a breach the analysts are told about and decide on; the badge is not
revoked automatically."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.enums import Role
from applications.enums import CertificationStatus
from applications.models import Solution

from .models import KPI, Breach
from .periods import Period

BADGE_ON = (CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK)


def missing_detail(active: int) -> str:
    return _("no answer from the %(active)s customers active at the end of the half-year") % {
        "active": active
    }


def survey_missing_record(period: Period, missing: dict[int, int]) -> dict[int, str]:
    """Record the breach of each solution whose survey of `period` is missing (solution id →
    customers active at its end), once; the analysts are e-mailed after commit about each new
    one of a solution with the badge on. Returns the action per solution."""
    from .tasks import notify_survey_missing

    if not missing:
        return {}
    badge_on = set(
        Solution.objects.filter(
            pk__in=list(missing), certification__status__in=BADGE_ON
        ).values_list("pk", flat=True)
    )
    actions = {}
    with transaction.atomic():
        for solution_id, active in sorted(missing.items()):
            breach, created = Breach.objects.get_or_create(
                solution_id=solution_id,
                period=period.name,
                kpi=KPI.NPS_MEAN,
                defaults={
                    "action": (
                        Breach.Action.ANALYSTS_DECIDE
                        if solution_id in badge_on
                        else Breach.Action.NONE
                    ),
                    "detail": missing_detail(active),
                },
            )
            actions[solution_id] = breach.action
            if created and breach.action == Breach.Action.ANALYSTS_DECIDE:
                transaction.on_commit(
                    lambda pk=breach.pk: notify_survey_missing.delay(breach_id=pk)
                )
    return actions


def _analysts() -> dict[str, str]:
    """E-mail → language of the active analysts."""
    people = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.ANALYST.value)
        .exclude(email="")
    )
    return dict(people.order_by("email").values_list("email", "language").distinct())


def survey_missing_notify(*, breach_id: int) -> int:
    """E-mail the analysts, each in their language, about a missing survey; once."""
    with transaction.atomic():
        breach = (
            Breach.objects.select_for_update(of=("self",))
            .select_related("solution")
            .get(pk=breach_id)
        )
        if breach.notified_at is not None:
            return 0
        solution = breach.solution
        url = settings.SITE_URL + reverse("solution_kpis", args=[solution.slug])
        sent = 0
        for email, language in _analysts().items():
            with translation.override(language or settings.LANGUAGE_CODE):
                context = {"breach": breach, "solution": solution, "url": url}
                subject = render_to_string("kpi/email/survey_missing_subject.txt", context)
                body = render_to_string("kpi/email/survey_missing_body.txt", context)
            send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [email])
            sent += 1
        breach.notified_at = timezone.now()
        breach.save(update_fields=["notified_at"])
    return sent
