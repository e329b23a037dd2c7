"""An update or a critical fix of a certified solution, opened by its partner (R3.2, R6)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalogue.rules import require as _require
from certportal.interaction import run, succeeded

from .. import conditions, selectors, services
from ..forms_materials import UpdateRequestForm
from .common import visible_solution


@login_required
def update_request_open(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "workflow.add_application", solution)
    certification = selectors.certification_of(solution)
    certified = certification is not None and certification.badge_on
    form = UpdateRequestForm(
        request.POST or None,
        solution=solution,
        certification=certification,
        initial={"critical_fix": request.GET.get("critical") == "1"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        application = run(
            form,
            services.update_request_open_with_version,
            by=request.user,
            solution=solution,
            version=data["version"],
            new_version=data["new_version"],
            motivation=data["motivation"],
            critical_fix=data["critical_fix"],
        )
        if succeeded(application):
            messages.success(
                request,
                _(
                    "Request #%(pk)s for version %(version)s is open. Provide the materials, "
                    "including What's new, then submit them for review."
                )
                % {"pk": application.pk, "version": application.version.number},
            )
            return redirect("materials", pk=application.pk)
    return render(
        request,
        "workflow/materials/update_open.html",
        {
            "solution": solution,
            "certification": certification,
            "certified": certified,
            "form": form,
            "refusal": conditions.solution_is_certified.message,
        },
    )
