"""A partner's solutions, their versions, and the request to certify one: created as a
draft, edited on the same form until it is submitted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalogue.rules import require as _require
from catalogue.selectors import solutions_visible_to
from certportal.interaction import fresh, guard_state, run, succeeded

from .. import selectors, services
from ..enums import ApplicationState
from ..forms import ApplicationForm, SolutionForm, VersionForm
from .common import visible_application, visible_solution


def _form_page(request, form, title, intro=None):
    return render(
        request, "workflow/form_page.html", {"form": form, "title": title, "intro": intro}
    )


@login_required
def solution_list(request):
    solutions = solutions_visible_to(request.user)
    page = Paginator(solutions, 25).get_page(request.GET.get("page"))
    return render(request, "workflow/solution_list.html", {"page": page})


@login_required
def solution_create(request):
    _require(request.user, "catalogue.add_solution")
    form = SolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        solution = form.save(commit=False)
        if succeeded(run(form, services.solution_register, by=request.user, solution=solution)):
            messages.success(request, _("Solution registered. Add its first version."))
            return redirect("version_create", slug=solution.slug)
    return _form_page(request, form, _("Register a solution"))


@login_required
def solution_detail(request, slug):
    solution = visible_solution(request, slug)
    return render(
        request,
        "workflow/solution_detail.html",
        {
            "solution": solution,
            "versions": solution.versions.order_by("-created_at"),
            "applications": selectors.solution_requests(request.user, solution),
            "can_edit": request.user.has_perm("catalogue.change_solution", solution),
            "can_request": request.user.has_perm("workflow.add_application", solution),
        },
    )


@login_required
def solution_edit(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "catalogue.change_solution", solution)
    # Validating writes the typed values onto `solution`: name the page by the saved one.
    title = _("Edit %s") % solution.name
    form = SolutionForm(request.POST or None, instance=solution)
    if request.method == "POST" and form.is_valid():
        updated = form.save(commit=False)
        if succeeded(run(form, services.solution_update, by=request.user, solution=updated)):
            messages.success(request, _("Solution saved."))
            return redirect(updated)
    return _form_page(request, form, title)


@login_required
def version_create(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "catalogue.add_solutionversion", solution)
    form = VersionForm(request.POST or None, solution=solution)
    if request.method == "POST" and form.is_valid():
        version = form.save(commit=False)
        if succeeded(run(form, services.version_add, by=request.user, version=version)):
            messages.success(request, _("Version %s added.") % version.number)
            return redirect(solution)
    return _form_page(request, form, _("New version of %s") % solution.name)


@login_required
def application_create(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "workflow.add_application", solution)
    form = ApplicationForm(request.POST or None, solution=solution)
    if request.method == "POST" and form.is_valid():
        created = run(
            form,
            services.application_create,
            by=request.user,
            solution=solution,
            version=form.cleaned_data["version"],
            motivation=form.cleaned_data["motivation"],
        )
        if succeeded(created):
            messages.success(request, _("Draft request created. Check it and submit it."))
            return redirect(created)
    return _form_page(
        request,
        form,
        _("Request certification of %s") % solution.name,
        intro=None
        if solution.is_published
        else _(
            "Only a solution published on the Marketplace can be certified (R1.1). "
            "Publish it first and tick “published” on the solution."
        ),
    )


@login_required
def application_edit(request, pk):
    """The partner's draft, edited on the form it was created with; only a draft."""
    application = visible_application(request, pk, related=("solution", "version"))
    _require(request.user, "workflow.edit_draft_application", application)
    page = {"application": application, "title": _("Edit request #%s") % application.pk}
    if application.state != ApplicationState.DRAFT:
        page["refusal"] = _(
            "This request is “%(state)s”: only a draft can be edited. What was submitted "
            "stays on the record; withdraw the request and file a new one to change it."
        ) % {"state": application.get_state_display()}
        return render(request, "workflow/action_page.html", page, status=409)
    form = ApplicationForm(
        request.POST or None,
        solution=application.solution,
        initial=ApplicationForm.initial_from(application),
        submit_label=_("Save the draft"),
    )
    guard_state(form, application)
    if request.method == "POST" and fresh(form, application):
        edited = run(
            form,
            services.application_edit,
            application=application,
            by=request.user,
            version=form.cleaned_data["version"],
            motivation=form.cleaned_data["motivation"],
        )
        if succeeded(edited):
            messages.success(
                request,
                _("Draft saved. Check it and submit it.")
                if edited
                else _("Nothing changed: the draft is as it was."),
            )
            return redirect(application)
    page.update(form=form, intro=_("A draft can be edited until you submit it."))
    return render(request, "workflow/action_page.html", page)
