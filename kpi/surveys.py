"""The NPS survey of active customers (R5.1).

A half-year that ended with active customers and no answer is `missing`, a breach the analysts
are told about and decide on; the badge is not revoked automatically. The portal can run the
survey itself: staff start it for certified solutions, each active customer with a contact
e-mail gets a personal link (signed, single use, expiring) in its language, and its answer is
stored as an NPS answer with the source "portal"; one reminder.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import outbox.services as outbox
from accounts.enums import Role
from accounts.selectors import reachable
from catalogue.enums import CertificationStatus
from catalogue.models import Solution
from support_audit.enums import MARKETPLACE_LANGUAGE

from . import texts
from .models import KPI, Breach, Customer, NPSAnswer, NPSInvitation, NPSSurvey
from .periods import Period, half_year_of, parse_period, reporting_zone

BADGE_ON = (CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK)


def survey_missing_record(period: Period, missing: dict[int, int]) -> dict[int, str]:
    """Record the breach of each solution whose survey of `period` is missing (solution id →
    customers active at its end), once; the analysts are e-mailed after commit about each new
    one of a solution with the badge on. Returns the action per solution."""
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
                    "text_code": texts.SURVEY_MISSING,
                    "text_params": texts.survey_missing(active).params,
                },
            )
            actions[solution_id] = breach.action
            if created and breach.action == Breach.Action.ANALYSTS_DECIDE:
                outbox.enqueue(
                    "kpi.notify_survey_missing",
                    key=f"survey-missing:{breach.pk}",
                    breach_id=breach.pk,
                )
    return actions


def _analysts() -> dict[str, str]:
    """E-mail → language of the active analysts."""
    return reachable(roles=[Role.ANALYST])


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


# The survey the portal runs itself --------------------------------------------------------

SALT = "kpi.nps-invitation"


class InvitationRefused(Exception):
    """A survey link that cannot be answered: its message says why."""


def survey_start(*, solutions, by, now=None) -> list[NPSSurvey]:
    """Start the NPS survey of the current half-year for each solution whose badge is on
    (R5.1): every customer active today with a contact e-mail is invited by a personal link,
    in its marketplace's language, after commit. A solution surveyed this half-year already
    invites only the customers not invited yet. Analysts only."""
    if not by.has_perm("kpi.run_surveys"):
        raise PermissionDenied
    now = now or timezone.now()
    period = parse_period(half_year_of(now))
    expires = min(now + timedelta(days=settings.KPI_SURVEY_LINK_DAYS), period.end)
    today = now.astimezone(reporting_zone()).date()
    surveys = []
    with transaction.atomic():
        for solution in Solution.objects.filter(
            pk__in=[getattr(s, "pk", s) for s in solutions], certification__status__in=BADGE_ON
        ).order_by("slug"):
            survey, _created = NPSSurvey.objects.get_or_create(
                solution=solution, half_year=period.name, defaults={"started_by": by}
            )
            invited = set(survey.invitations.values_list("customer_id", flat=True))
            language = MARKETPLACE_LANGUAGE.get(solution.marketplace, settings.LANGUAGE_CODE)
            NPSInvitation.objects.bulk_create(
                NPSInvitation(
                    survey=survey,
                    customer_id=customer_id,
                    email=email,
                    language=language,
                    expires_at=expires,
                )
                for customer_id, email in Customer.objects.filter(
                    solution=solution, active_until__gte=today
                )
                .exclude(contact_email="")
                .order_by("customer_id")
                .values_list("customer_id", "contact_email")
                if customer_id not in invited
            )
            outbox.enqueue("kpi.send_survey_invitations", survey_id=survey.pk, reminder=False)
            surveys.append(survey)
    return surveys


def survey_remind(*, survey: NPSSurvey, by) -> None:
    """Remind, once, the invited customers who have not answered yet and whose link is still
    valid (after commit). Analysts only."""
    if not by.has_perm("kpi.run_surveys"):
        raise PermissionDenied
    with transaction.atomic():
        locked = NPSSurvey.objects.select_for_update().get(pk=survey.pk)
        if locked.reminded_at is not None:
            raise ValidationError(_("The reminder of this survey was sent already."))
        locked.reminded_at = timezone.now()
        locked.save(update_fields=["reminded_at"])
        outbox.enqueue(
            "kpi.send_survey_invitations",
            key=f"survey-reminder:{survey.pk}",
            survey_id=survey.pk,
            reminder=True,
        )


def invitation_token(invitation: NPSInvitation) -> str:
    return signing.dumps(invitation.pk, salt=SALT)


def invitation_url(invitation: NPSInvitation) -> str:
    return settings.SITE_URL + reverse("nps_answer", args=[invitation_token(invitation)])


def survey_invitations_send(*, survey_id: int, reminder: bool = False) -> int:
    """E-mail each invitation of the survey not sent yet (or, for the reminder, each one not
    answered, not reminded and not expired), in the customer's language; idempotent."""
    now = timezone.now()
    sent = 0
    with transaction.atomic():
        invitations = NPSInvitation.objects.select_for_update().filter(survey_id=survey_id)
        if reminder:
            invitations = invitations.filter(
                sent_at__isnull=False,
                reminded_at__isnull=True,
                answered_at__isnull=True,
                expires_at__gt=now,
            )
        else:
            invitations = invitations.filter(sent_at__isnull=True)
        survey = NPSSurvey.objects.select_related("solution").get(pk=survey_id)
        for invitation in invitations.order_by("pk"):
            with translation.override(invitation.language or settings.LANGUAGE_CODE):
                context = {
                    "solution": survey.solution,
                    "url": invitation_url(invitation),
                    "expires": invitation.expires_at,
                    "reminder": reminder,
                }
                subject = render_to_string("kpi/email/survey_invitation_subject.txt", context)
                body = render_to_string("kpi/email/survey_invitation_body.txt", context)
            send_mail(
                " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [invitation.email]
            )
            if reminder:
                invitation.reminded_at = now
            else:
                invitation.sent_at = now
            invitation.save(update_fields=["reminded_at" if reminder else "sent_at"])
            sent += 1
    return sent


def invitation_for(token: str, *, now=None) -> NPSInvitation:
    """The invitation of a survey link that can still be answered; InvitationRefused."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise InvitationRefused(_("This survey link is not valid.")) from None
    invitation = NPSInvitation.objects.select_related("survey__solution").filter(pk=pk).first()
    if invitation is None:
        raise InvitationRefused(_("This survey link is not valid."))
    if invitation.answered_at is not None:
        raise InvitationRefused(_("This survey was answered already: thank you."))
    if (now or timezone.now()) >= invitation.expires_at:
        raise InvitationRefused(_("This survey link has expired."))
    return invitation


def survey_answer(*, token: str, score: int, comment: str = "") -> NPSAnswer:
    """Store a customer's answer from its personal link as an NPS answer of the half-year,
    source "portal" (a later answer of the same customer replaces it); the link is used."""
    now = timezone.now()
    with transaction.atomic():
        invitation = invitation_for(token, now=now)
        invitation = NPSInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.answered_at is not None:
            raise InvitationRefused(_("This survey was answered already: thank you."))
        survey = invitation.survey
        answer, _created = NPSAnswer.objects.update_or_create(
            solution_id=survey.solution_id,
            respondent=invitation.customer_id,
            half_year=survey.half_year,
            defaults={
                "answered_at": now,
                "score": score,
                "comment": comment,
                "source": NPSAnswer.Source.PORTAL,
            },
        )
        invitation.answered_at = now
        invitation.save(update_fields=["answered_at"])
    return answer


def survey_progress(solution, half_years) -> dict[str, tuple[int, int]]:
    """Per half-year of the portal's survey of the solution: (invited, answered). One query."""
    rows = (
        NPSInvitation.objects.filter(survey__solution=solution, survey__half_year__in=half_years)
        .order_by()
        .values("survey__half_year")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)))
    )
    return {row["survey__half_year"]: (row["invited"], row["answered"]) for row in rows}
