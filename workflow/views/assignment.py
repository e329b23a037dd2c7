"""Who works on one request: its analyst and, where DoD 9–10 apply, its R&D expert."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.selectors import people_in_role
from catalogue.rules import require as _require
from certportal.interaction import run, succeeded

from .. import selectors, services
from ..enums import ASSIGNABLE_STATES, AssignmentRole
from ..forms_assignment import AssignForm
from ..services.assignment import SLOTS, person
from .common import team_application


def _roles(application) -> list[AssignmentRole]:
    """The slots of this request: the R&D expert's only where DoD 9–10 apply (R3.7)."""
    if application.solution.uses_external_services:
        return [AssignmentRole.ANALYST, AssignmentRole.RND_EXPERT]
    return [AssignmentRole.ANALYST]


def _form(application, role: AssignmentRole, data=None) -> AssignForm:
    required, field = SLOTS[role]
    current = getattr(application, field)
    # Never offered: whoever has a conflict of interest with the request's partner.
    offered = people_in_role(required, free_of_partner=application.solution.partner_id)
    form = AssignForm(data, role=role, offered=offered, current=current)
    form.helper.form_action = reverse("application_assign", args=[application.pk])
    return form


def assignment_context(application, user, *, posted: AssignForm | None = None) -> dict:
    """The request page's assignment panel: who works on it, its history and, for those who
    may assign (with no conflict of interest), the forms."""
    may_assign = (
        user.has_perm("workflow.assign_application", application)
        and application.state in ASSIGNABLE_STATES
        and application.solution.partner_id not in user.conflicted_partner_ids()
    )
    slots = []
    for role in _roles(application):
        form = None
        if may_assign:
            form = posted if posted is not None and posted.prefix == role else None
            form = form or _form(application, role)
        slots.append({"role": role, "person": getattr(application, SLOTS[role][1]), "form": form})
    return {
        "assignment_slots": slots,
        "assignment_history": selectors.assignment_history(application),
    }


@login_required
def application_assign(request, pk):
    """Assign or unassign one slot of the request; refused, the page says why, input kept."""
    application = team_application(request, pk, related=("assigned_analyst", "assigned_rnd_expert"))
    _require(request.user, "workflow.assign_application", application)
    role = next(
        (role for role in AssignmentRole if f"{role}-role" in request.POST),
        AssignmentRole.ANALYST,
    )
    form = _form(application, role, request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        assignee = form.cleaned_data["assignee"]
        event = run(
            form,
            services.application_assign,
            application=application,
            by=request.user,
            role=role,
            assignee=assignee,
            comment=form.cleaned_data["comment"],
        )
        if succeeded(event):
            if event is None:
                messages.info(
                    request,
                    _("Nothing changed: that was the %(role)s already.") % {"role": role.noun},
                )
            else:
                messages.success(request, _message(role, assignee, by=request.user))
            return redirect(application)
    return render(
        request,
        "workflow/assign.html",
        {
            "application": application,
            **assignment_context(application, request.user, posted=form),
        },
    )


def _message(role: AssignmentRole, assignee, *, by) -> str:
    values = {"role": role.noun, "person": person(assignee)}
    if assignee is None:
        return _("The %(role)s is unassigned.") % values
    if assignee.pk == by.pk:
        return _("You are now the %(role)s of this request.") % values
    return _("%(person)s is now the %(role)s of this request; they have been told.") % values
