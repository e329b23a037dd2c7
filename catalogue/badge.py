"""The badge: the one owner of a certification's status and history.

Every change of a badge goes through here, whoever asks (a page, the admin, the API, the KPI
job): the actor's permission is checked on the certification's transition, the row is locked
and the transition taken on the locked row (a stale copy cannot revoke twice), the history
event is written, and its e-mails are recorded in the outbox, in one transaction.

The KPI job changes many badges at once (`locked`, then `revoke_many` and
`mark_at_risk_many`): the same rules, applied to a set in a constant number of queries (the
rows locked in one statement in pk order, one guarded UPDATE per transition, the history
events and their outbox messages written in one INSERT each).

The scheduled KPI job acts as `SYSTEM`, an explicit actor that holds only the job's own
permission ("catalogue.enforce_kpis"); its events have no person as actor.
"""

from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed
from django_fsm_log.conf import settings as fsm_log_settings
from django_fsm_log.models import StateLog

from accounts.enums import SecurityEventKind
from accounts.security import record_security_event
from certportal.system_texts import Text, stored
from outbox.notices import notify, notify_many

from .enums import CertificationStatus
from .models import Certification, CertificationEvent
from .notifications import BADGE_ROUTES, badge_recipients, render_badge_message

Action = CertificationEvent.Action

# The badge's transitions, one per change: `grant` records GRANTED or VERSION_UPDATED; the
# others are the state machine's transitions on `Certification.status`, by name. Who hears of
# each change is `catalogue.notifications.BADGE_ROUTES` (tests fail when one has no entry).
GRANT_ACTIONS = (Action.GRANTED, Action.VERSION_UPDATED)
STEPS: dict[Action, str] = {
    Action.AT_RISK: "mark_at_risk",
    Action.REVOKED: "revoke",
    Action.RESTORED: "restore",
}


class SystemActor:
    """The scheduled KPI job, as the actor of what it does to a badge."""

    is_active = is_authenticated = True
    is_anonymous = is_staff = is_superuser = False
    pk = None
    username = "kpi-job"
    permissions = frozenset({"catalogue.enforce_kpis"})

    def has_perm(self, perm: str, obj=None) -> bool:
        return perm in self.permissions

    def __str__(self):
        return _("the KPI job")


SYSTEM = SystemActor()


def _person(actor):
    """The user recorded as the event's actor: nobody when the job acted."""
    return None if isinstance(actor, SystemActor) else actor


def grant(*, application, by, reason: Text | str = "") -> Certification:
    """Certify the request's version: a new certification with the badge on (granted), or the
    version moved on by a passed update. Called by the steps that certify (stage 4's
    "certify", stage 3's "pass the update"), which check their own permission."""
    with transaction.atomic():
        certification = (
            Certification.objects.select_for_update().filter(solution=application.solution).first()
        )
        if certification is None:
            certification = Certification.objects.create(
                solution=application.solution,
                version=application.version,
                application=application,
                status=CertificationStatus.CERTIFIED,
                since=timezone.now(),
            )
            action = Action.GRANTED
        else:
            certification.version = application.version
            certification.application = application
            certification.save(update_fields=["version", "application"])
            action = Action.VERSION_UPDATED
        _record(certification, action, by=by, reason=reason)
    return certification


def revoke(*, certification: Certification, by, reason: Text | str) -> CertificationEvent:
    """Take the badge away (R5.8, R7.1): an analyst by hand, or the KPI job as SYSTEM. A
    `reason` the system gives is a `Text`, stored as its facts (`reason_text` renders it)."""
    return _change(
        certification,
        Action.REVOKED,
        by=by,
        reason=reason,
        refusal=_("The badge is revoked already."),
    )


def restore(*, certification: Certification, by, reason: str) -> CertificationEvent:
    """An analyst puts a revoked badge back on."""
    return _change(
        certification,
        Action.RESTORED,
        by=by,
        reason=reason,
        refusal=_("Only a revoked badge is restored."),
    )


def mark_at_risk(
    *, certification: Certification, by, reason: Text | str
) -> CertificationEvent | None:
    """A failed KPI is covered by a remediation plan in force: the badge stays on, at risk
    (R5.8). Recorded once: None when the badge is at risk or revoked already."""
    return _change(certification, Action.AT_RISK, by=by, reason=reason, refusal=None)


# Set on a certification that `locked` returned: the outermost atomic block (the transaction)
# that holds its row lock.
LOCK_MARK = "_badge_locked_in"


def _outermost_block():
    return connection.atomic_blocks[0] if connection.in_atomic_block else None


def locked(*, solution_ids) -> dict[int, Certification]:
    """The certifications of these solutions, locked until the current transaction ends (one
    query, rows taken in pk order so that two runs over overlapping sets wait for each other
    but never deadlock), by solution id. The status read is the one a change will be decided
    on; pass the rows to `revoke_many` or `mark_at_risk_many` in the same transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("badge.locked() holds its locks only inside a transaction.")
    block = _outermost_block()
    rows = {}
    for certification in (
        Certification.objects.select_for_update()
        .filter(solution_id__in=list(solution_ids))
        .order_by("pk")
    ):
        setattr(certification, LOCK_MARK, block)
        rows[certification.solution_id] = certification
    return rows


def revoke_many(changes, *, by) -> list[CertificationEvent]:
    """`revoke` of many badges, each (certification, reason): the KPI job enforcing a month.
    A badge that is revoked already is left alone (no event)."""
    return _change_many(Action.REVOKED, changes, by=by)


def mark_at_risk_many(changes, *, by) -> list[CertificationEvent]:
    """`mark_at_risk` of many badges, each (certification, reason). A badge at risk or revoked
    already is left alone (no event), as `mark_at_risk` records it once."""
    return _change_many(Action.AT_RISK, changes, by=by)


def _change_many(action, changes, *, by) -> list[CertificationEvent]:
    """The changes a status allows, taken on locked rows: one guarded UPDATE, one event each,
    their outbox messages; the events. Rows not locked by `locked` in this transaction are
    locked here (and the caller's copies of them are not updated)."""
    name = STEPS[action]
    changes = list(changes)
    if not changes:
        return []
    for certification, reason in changes:
        if not _given(reason):
            raise ValidationError(_("Give the reason."))
        if not _allowed(certification, name, by):
            raise PermissionDenied
    with transaction.atomic():
        block = _outermost_block()
        unlocked = [c.solution_id for c, _r in changes if getattr(c, LOCK_MARK, None) is not block]
        fresh = locked(solution_ids=unlocked) if unlocked else {}
        meta = getattr(Certification, name)._django_fsm
        field = Certification._meta.get_field("status")
        taken, seen = [], set()
        for certification, reason in changes:
            row = fresh.get(certification.solution_id, certification)
            # Asked of the locked row: another change may have come first.
            if row.pk in seen or not can_proceed(getattr(row, name)):
                continue
            seen.add(row.pk)
            source = row.status
            # The transition's target, set as django-fsm sets it (the step's own call would
            # write its state log row by row: they are written together below).
            field.set_state(row, meta.get_transition(source).target)
            taken.append((row, reason, source))
        if not taken:
            return []
        targets = {row.status for row, _r, _s in taken}
        if len(targets) != 1:
            raise RuntimeError(f"{name} has more than one target: {targets}")
        changed = Certification.objects.filter(
            pk__in=[row.pk for row, _r, _s in taken],
            status__in=sorted({source for _row, _r, source in taken}),
        ).update(status=targets.pop())
        if changed != len(taken):  # the rows are locked: nobody else can have moved them
            raise RuntimeError(f"{len(taken) - changed} badges changed under their lock.")
        _log_transitions(name, taken, by)
        events = CertificationEvent.objects.bulk_create(
            [
                CertificationEvent(
                    certification=row,
                    action=action,
                    status=row.status,
                    version_id=row.version_id,
                    actor=_person(by),
                    **_reason_fields(reason),
                )
                for row, reason, _source in taken
            ]
        )
        if BADGE_ROUTES[action].reaches_anyone:
            notify_many(
                NOTIFY_TASK,
                kind=BADGE_ROUTES[action].kind,
                messages=[
                    (
                        _message_key(event),
                        {"event_id": event.pk},
                        partial(badge_recipients, event),
                        partial(_render, event),
                    )
                    for event in events
                ],
            )
        for row, reason, _source in taken:
            _log_by_hand(row, action, reason, by)
    return events


def _log_transitions(name: str, taken, by) -> None:
    """The state-log rows django-fsm-log writes for each transition, in one INSERT."""
    model = "catalogue.models.certification.Certification"
    if model in fsm_log_settings.DJANGO_FSM_LOG_IGNORED_MODELS:
        return
    content_type = ContentType.objects.get_for_model(Certification)
    StateLog.objects.bulk_create(
        [
            StateLog(
                by=_person(by),
                source_state=source,
                state=row.status,
                transition=name,
                content_type=content_type,
                object_id=row.pk,
            )
            for row, _reason, source in taken
        ]
    )


def _change(certification, action, *, by, reason, refusal):
    name = STEPS[action]
    if not _given(reason):
        raise ValidationError(_("Give the reason."))
    if not _allowed(certification, name, by):
        raise PermissionDenied
    with transaction.atomic():
        locked = Certification.objects.select_for_update().get(pk=certification.pk)
        step = getattr(locked, name)
        # Asked of the locked row: another change may have come first.
        if not can_proceed(step):
            certification.refresh_from_db(fields=["status"])
            if refusal is None:
                return None
            raise ValidationError(refusal)
        step()
        locked.save(update_fields=["status"])
        event = _record(locked, action, by=by, reason=reason)
        _log_by_hand(locked, action, reason, by)
    certification.refresh_from_db(fields=["status"])
    return event


def _given(reason: Text | str) -> bool:
    return isinstance(reason, Text) or bool(reason.strip())


def _reason_fields(reason: Text | str) -> dict:
    """The event's reason fields: a system text's facts, or what the person typed."""
    code, params, typed = stored(reason)
    return {"reason": typed, "text_code": code, "text_params": params}


def _allowed(certification, name: str, actor) -> bool:
    """Whether `actor` may take the transition at all, whatever the badge's status now (a
    status that does not allow it is refused with its own message, on the locked row)."""
    meta = getattr(certification, name)._django_fsm
    return actor is not None and any(
        meta.has_transition_perm(certification, source, actor) for source in meta.transitions
    )


def _record(certification, action, *, by, reason) -> CertificationEvent:
    """The history row of a change, and its e-mails in the outbox when its route reaches
    anyone (BADGE_ROUTES)."""
    event = CertificationEvent.objects.create(
        certification=certification,
        action=action,
        status=certification.status,
        version=certification.version,
        actor=_person(by),
        **_reason_fields(reason),
    )
    if BADGE_ROUTES[action].reaches_anyone:
        notify(
            NOTIFY_TASK,
            kind=BADGE_ROUTES[action].kind,
            recipients=badge_recipients(event),
            render=partial(_render, event),
            key=_message_key(event),
            event_id=event.pk,
        )
    return event


def _render(event: CertificationEvent, _email: str, language: str) -> tuple[str, str]:
    return render_badge_message(event, language)


NOTIFY_TASK = "support_audit.notify_certification_event"


def _message_key(event: CertificationEvent) -> str:
    """The outbox key of an event's e-mails: recorded once, however often it is enqueued."""
    return f"certification-event:{event.pk}"


def _log_by_hand(certification, action, reason: Text | str, by) -> None:
    """A badge changed by a person goes to the security log as well as to its history."""
    if _person(by) is not None:
        record_security_event(
            SecurityEventKind.BADGE_CHANGED,
            user=by,
            target=f"solution {certification.solution.slug}",
            detail=f"{action}: {reason}",
        )
