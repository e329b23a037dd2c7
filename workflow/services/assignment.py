"""Who works on a request: its analyst and, where DoD 9–10 apply, its R&D expert.

Each assignment or unassignment is a row of the request's assignment history
(`AssignmentEvent`, append-only), written in the same transaction as the change, with the
assignee's e-mail recorded in the outbox. The request's row is locked while it changes: of two
people assigning it at once, the second waits, sees the first one's choice as the previous
assignee, and wins; both are in the history.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.enums import NotificationKind, Role
from accounts.models import User
from catalogue.rules import require as _require
from certportal.errors import ActionRefused
from outbox.notices import notify

from ..enums import ASSIGNABLE_STATES, AssignmentRole
from ..models import Application, AssignmentEvent
from ..notifications import render_assignment

# The role a person must hold to be assigned in each slot, and the request's field of it.
SLOTS: dict[AssignmentRole, tuple[Role, str]] = {
    AssignmentRole.ANALYST: (Role.ANALYST, "assigned_analyst"),
    AssignmentRole.RND_EXPERT: (Role.RND_EXPERT, "assigned_rnd_expert"),
}
NOTIFY_TASK = "workflow.notify_assignment"


def person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


@dataclass(frozen=True)
class _Change:
    application: Application
    previous_id: int | None


def refusals(
    applications: Iterable[Application], *, by, role: AssignmentRole, assignee: User | None
) -> list[str]:
    """Why `by` may not give these requests to `assignee` (None: unassign) as `role`, one
    message per problem; empty when all of them may be."""
    role = AssignmentRole(role)
    required, _field = SLOTS[role]
    reasons = []
    if assignee is not None and not (assignee.is_active and assignee.has_role(required)):
        reasons.append(
            _("%(person)s is not an active %(role)s: only they can be assigned as %(slot)s.")
            % {"person": person(assignee), "role": required.label, "slot": role.noun}
        )
    for application in applications:
        number = {"pk": application.pk, "partner": application.solution.partner.name}
        if application.state not in ASSIGNABLE_STATES:
            reasons.append(
                _("Request #%(pk)s is “%(state)s”: it is no longer worked on.")
                % {**number, "state": application.get_state_display()}
            )
        if role == AssignmentRole.RND_EXPERT and not application.solution.uses_external_services:
            reasons.append(
                _(
                    "Request #%(pk)s: the solution uses no external service, so DoD 9–10 and "
                    "their R&D expert do not apply (R3.7)."
                )
                % number
            )
        partner_id = application.solution.partner_id
        if partner_id in by.conflicted_partner_ids():
            reasons.append(
                _("Request #%(pk)s: you have a conflict of interest with %(partner)s.") % number
            )
        if assignee is not None and partner_id in assignee.conflicted_partner_ids():
            reasons.append(
                _("Request #%(pk)s: %(person)s has a conflict of interest with %(partner)s.")
                % {**number, "person": person(assignee)}
            )
    return reasons


def _locked(ids: list[int]) -> dict[int, Application]:
    # Locked in one order, so two batches over the same requests cannot deadlock.
    return {
        application.pk: application
        for application in Application.objects.select_for_update(of=("self",))
        .select_related("solution__partner", "assigned_analyst", "assigned_rnd_expert")
        .filter(pk__in=ids)
        .order_by("pk")
    }


def _check(found: dict[int, Application], ids: list[int], *, by, role, assignee) -> list[str]:
    """Every reason to refuse the batch: requests missing, then each request's refusals."""
    if not ids:
        return [_("Tick the requests to assign first.")]
    for application in found.values():
        _require(by, "workflow.assign_application", application)
    missing = [_("Request #%(pk)s does not exist.") % {"pk": pk} for pk in ids if pk not in found]
    return [*missing, *refusals(found.values(), by=by, role=role, assignee=assignee)]


def assignment_preview(
    *, by, application_ids: Iterable[int], role: AssignmentRole, assignee: User | None
) -> tuple[list[Application], list[str]]:
    """What a batch would assign, before it is confirmed: the requests found, in number order,
    and the reasons it would be refused (empty when it would go through). Writes nothing."""
    ids = sorted(set(application_ids))
    found = {
        application.pk: application
        for application in Application.objects.select_related(
            "solution__partner", "version", "assigned_analyst", "assigned_rnd_expert"
        ).filter(pk__in=ids)
    }
    reasons = _check(found, ids, by=by, role=AssignmentRole(role), assignee=assignee)
    return [found[pk] for pk in ids if pk in found], reasons


def applications_assign(
    *,
    by,
    application_ids: Iterable[int],
    role: AssignmentRole,
    assignee: User | None,
    comment: str = "",
) -> list[AssignmentEvent]:
    """Give every one of these requests to `assignee` as `role` (None: unassign), or none of
    them: any refusal (a request missing, closed, conflicted) refuses them all. Returns the
    history rows written; a request that already has that assignee gets none."""
    role = AssignmentRole(role)
    ids = sorted(set(application_ids))
    field = SLOTS[role][1]
    with transaction.atomic():
        locked = _locked(ids)
        if reasons := _check(locked, ids, by=by, role=role, assignee=assignee):
            raise ActionRefused([*reasons, _("Nothing was assigned.")])
        changes = [
            _Change(application, getattr(application, f"{field}_id"))
            for application in locked.values()
            if getattr(application, f"{field}_id") != (assignee.pk if assignee else None)
        ]
        Application.objects.filter(pk__in=[c.application.pk for c in changes]).update(
            **{field: assignee}
        )
        events = AssignmentEvent.objects.bulk_create(
            [
                AssignmentEvent(
                    application=change.application,
                    role=role,
                    assignee=assignee,
                    previous_id=change.previous_id,
                    by=by,
                    comment=comment.strip(),
                )
                for change in changes
            ]
        )
        if assignee is not None and assignee.pk != by.pk and assignee.email:
            for event in events:
                # As the assignee chose to hear of assignments: now, in the digest, or not.
                notify(
                    NOTIFY_TASK,
                    kind=NotificationKind.ASSIGNMENT,
                    recipients={assignee.email: assignee.language},
                    render=lambda _email, _language, event=event: render_assignment(event),
                    key=f"assignment:{event.pk}",
                    event_id=event.pk,
                )
    return events


def application_assign(
    *,
    application: Application,
    by,
    role: AssignmentRole,
    assignee: User | None,
    comment: str = "",
) -> AssignmentEvent | None:
    """Give one request to `assignee` as `role` (None: unassign); the history row written, or
    None when it had that assignee already."""
    events = applications_assign(
        by=by, application_ids=[application.pk], role=role, assignee=assignee, comment=comment
    )
    setattr(application, SLOTS[AssignmentRole(role)][1], assignee)
    return events[0] if events else None
