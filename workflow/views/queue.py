"""The team's queue: filters each person's own and remembered, sorting by each column, and the
assignment of many requests at once."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.selectors import people_by_role
from catalogue.rules import require as _require
from certportal.exports import Sheet, export_response, requested_export
from certportal.interaction import run, succeeded
from certportal.paging import query_without
from support_audit.selectors import due_panel

from .. import selectors, services
from ..enums import ASSIGNABLE_STATES, AssignmentRole
from ..forms import QueueFilterForm
from ..forms_assignment import BatchAssignForm
from ..guidance import awaited

# The session key of the filters a person last used on the queue (as a query string).
SAVED_FILTERS = "workflow.queue.filters"

# The columns, in order, with the sort key of each (None: not a sortable column).
COLUMNS = (
    ("id", gettext_lazy("#")),
    ("solution", gettext_lazy("Solution")),
    ("partner", gettext_lazy("Partner")),
    ("marketplace", gettext_lazy("Marketplace")),
    ("state", gettext_lazy("State")),
    ("priority", gettext_lazy("Priority")),
    ("waiting", gettext_lazy("Waiting")),
    ("analyst", gettext_lazy("Analyst")),
    ("rnd_expert", gettext_lazy("R&D expert")),
    ("next", gettext_lazy("Next step")),
)


def _team() -> tuple[list, list]:
    """The analysts and the R&D experts (one query)."""
    team = people_by_role([Role.ANALYST, Role.RND_EXPERT])
    return team[Role.ANALYST], team[Role.RND_EXPERT]


def _remember(request, form) -> None:
    """Keep the filters of a valid search for the person's next visit; forget them when none."""
    kept = QueryDict(mutable=True)
    for name in form.fields:
        if value := request.GET.get(name, "").strip():
            kept[name] = value
    if kept:
        request.session[SAVED_FILTERS] = kept.urlencode()
    else:
        request.session.pop(SAVED_FILTERS, None)


def _with(request, **values) -> str:
    """The queue's address with these filters changed, the others kept, on its first page."""
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in values.items():
        query[name] = value
    return f"{reverse('queue')}?{query.urlencode()}"


def _columns(request, sort: str) -> list[dict]:
    """Each header's label, its state for aria-sort, and the link that sorts by it (the
    other way when it sorts by it already)."""
    columns = []
    for key, label in COLUMNS:
        direction = {key: "ascending", f"-{key}": "descending"}.get(sort, "none")
        url = _with(request, sort=f"-{key}" if direction == "ascending" else key)
        columns.append({"key": key, "label": label, "aria_sort": direction, "url": url})
    return columns


@login_required
def queue(request):
    user = request.user
    _require(user, "workflow.view_queue")
    if "reset" in request.GET:
        request.session.pop(SAVED_FILTERS, None)
        return redirect("queue")
    if not request.GET and request.session.get(SAVED_FILTERS):
        return redirect(f"{reverse('queue')}?{request.session[SAVED_FILTERS]}")
    analysts, rnd_experts = _team()
    team = list({member.pk: member for member in [*analysts, *rnd_experts]}.values())
    form = QueueFilterForm(request.GET or None, team=team)
    if form.is_valid():
        _remember(request, form)
    # A value that is not valid (an unknown sort key) is said above the queue and left out;
    # the others still apply, and nothing is remembered.
    filters = form.cleaned_data if form.is_bound else {}
    sort = filters.get("sort", "")
    qs = selectors.queue(
        user,
        stage=filters.get("stage"),
        state=filters.get("state", ""),
        marketplace=filters.get("marketplace", ""),
        priority=filters.get("priority"),
        search=filters.get("q", "").strip(),
        assignee=filters.get("assignee", ""),
        sort=sort,
    )
    if fmt := requested_export(request):
        return export_response(fmt, "queue", [queue_sheet(qs, annotated=not sort)])
    page = Paginator(qs, settings.QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    conflicted = user.conflicted_partner_ids()
    for application in page:
        application.awaited = awaited(application, partner_side=False)
        application.conflicted = application.solution.partner_id in conflicted
        application.selectable = not application.conflicted and (
            application.state in ASSIGNABLE_STATES
        )
    can_assign = user.has_perm("workflow.assign_application")
    return render(
        request,
        "workflow/queue.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request),
            "columns": _columns(request, sort),
            "sorted": bool(sort),
            "mine": filters.get("assignee") == selectors.ASSIGNED_TO_ME,
            "all_url": _with(request, assignee=""),
            "mine_url": _with(request, assignee=selectors.ASSIGNED_TO_ME),
            "remembered": bool(request.session.get(SAVED_FILTERS)),
            "batch_form": (
                BatchAssignForm(analysts=analysts, rnd_experts=rnd_experts, auto_id="batch_%s")
                if can_assign
                else None
            ),
            **due_panel(settings.SHORT_LIST_SIZE),
        },
    )


def queue_sheet(qs, *, annotated: bool) -> Sheet:
    """Every request of the filtered queue (all its pages) as one table, in the queue's order.
    `annotated`: the queryset already counts the readiness criteria scored (the next step)."""
    if not annotated:
        qs = qs.annotate(scored_criteria=Count("readiness_scores"))

    def rows():
        for application in qs.iterator(chunk_size=1000):
            analyst, expert = application.assigned_analyst, application.assigned_rnd_expert
            yield [
                application.pk,
                application.solution.name,
                application.version.number,
                application.get_kind_display(),
                application.solution.partner.name,
                application.solution.get_marketplace_display(),
                application.get_state_display(),
                application.get_priority_display() if application.priority else "",
                application.state_changed_at,
                (analyst.get_full_name() or analyst.username) if analyst else "",
                (expert.get_full_name() or expert.username) if expert else "",
                awaited(application, partner_side=False),
            ]

    columns = [
        _("Request"),
        _("Solution"),
        _("Version"),
        _("Kind"),
        _("Partner"),
        _("Marketplace"),
        _("State"),
        _("Priority"),
        _("In this state since"),
        _("Analyst"),
        _("R&D expert"),
        _("Next step"),
    ]
    return Sheet(_("Queue"), columns, rows())


@login_required
@require_POST
def queue_assign(request):
    """The batch assignment from the queue: a confirmation naming how many requests and whom,
    then all of them or, on any refusal, none."""
    user = request.user
    _require(user, "workflow.assign_application")
    analysts, rnd_experts = _team()
    form = BatchAssignForm(request.POST, analysts=analysts, rnd_experts=rnd_experts)
    applications, reasons = [], []
    valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        kwargs = {
            "by": user,
            "application_ids": data["applications"],
            "role": AssignmentRole(data["role"]),
            "assignee": data["assignee"],
        }
        if data["confirmed"]:
            events = run(form, services.applications_assign, **kwargs)
            if succeeded(events):
                messages.success(request, _done_message(data))
                return redirect("queue")
        applications, reasons = services.assignment_preview(**kwargs)
        if not data["confirmed"]:
            for reason in reasons:
                form.add_error(None, reason)
    return render(
        request,
        "workflow/queue_assign.html",
        {
            "form": form,
            "applications": applications,
            "can_confirm": valid and not reasons,
            "question": _question(form.cleaned_data) if valid else "",
        },
    )


def _whom(data) -> dict:
    assignee = data["assignee"]
    return {
        "person": (assignee.get_full_name() or assignee.username) if assignee else "",
        "role": AssignmentRole(data["role"]).noun,
    }


def _question(data) -> str:
    count = len(set(data["applications"]))
    if data["assignee"] is None:
        return ngettext(
            "Unassign the %(role)s of %(count)d request?",
            "Unassign the %(role)s of %(count)d requests?",
            count,
        ) % {"count": count, **_whom(data)}
    return ngettext(
        "Assign %(count)d request to %(person)s as %(role)s?",
        "Assign %(count)d requests to %(person)s as %(role)s?",
        count,
    ) % {"count": count, **_whom(data)}


def _done_message(data) -> str:
    count = len(set(data["applications"]))
    if data["assignee"] is None:
        return ngettext(
            "The %(role)s of %(count)d request is unassigned.",
            "The %(role)s of %(count)d requests is unassigned.",
            count,
        ) % {"count": count, **_whom(data)}
    return ngettext(
        "%(count)d request assigned to %(person)s as %(role)s.",
        "%(count)d requests assigned to %(person)s as %(role)s.",
        count,
    ) % {"count": count, **_whom(data)}
