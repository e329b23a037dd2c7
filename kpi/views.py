"""A solution's KPI page (R5.1–R5.6, R4.4, R6.3, R6.4) and the partner's CSV uploads on it.

The page is the partner's and the Marketplace team's, found through the same selector as the
solution page: anyone else gets 404. Only members of the solution's partner upload; an upload
is all or nothing. Its result is the first thing of the page, focused: the counts of a good
file, or every error of a refused one (the first ERRORS_SHOWN, and a report of them all to
download without sending the file again).
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from catalogue.models import Solution
from catalogue.selectors import solutions_visible_to
from certportal.exports import export_response, requested_export
from certportal.interaction import run, succeeded

from . import selectors, services
from .charts import month_charts, nps_charts
from .exports import kpi_sheets
from .finality import month_reopen
from .forms import CSVUploadForm, MonthReopenForm
from .importing import (
    ImportRejected,
    RowError,
)
from .judging import CASE_KPIS
from .models import KPI
from .upload_files import (
    ERRORS_SHOWN,
    UPLOADS,
    Upload,
    allowed_values,
    forget_report,
    keep_report,
    kept_report,
    template_csv,
)

CUSTOMERS_PER_PAGE = 25
# The session key of a good upload's counts, shown once on the page it redirects to.
UPLOAD_RESULT = "kpi_upload_result"


def solution_or_404(request, slug) -> Solution:
    """The solution if the user may see it (its partner and the team); 404 otherwise."""
    return get_object_or_404(
        solutions_visible_to(request.user).select_related("certification__version"), slug=slug
    )


def _upload(kind: str) -> Upload:
    try:
        return UPLOADS[kind]
    except KeyError:
        raise Http404 from None


def _result(request, solution, failed: str, form, errors: list[RowError]) -> dict | None:
    """What the page says first: the refusal of the upload of kind `failed` (its form's errors
    or its rows'), or the counts of the upload that redirected here."""
    if failed:
        return {
            "upload": UPLOADS[failed],
            "refused": True,
            "form_errors": form.errors.get("file", []) if form is not None else [],
            "errors": errors[:ERRORS_SHOWN],
            "count": len(errors),
            "more": max(len(errors) - ERRORS_SHOWN, 0),
            "rows": len({error.line for error in errors if error.line > 1}),
        }
    stored = request.session.pop(UPLOAD_RESULT, None)
    if stored is None or stored.get("solution") != solution.pk or stored["kind"] not in UPLOADS:
        return None
    return {**stored, "upload": UPLOADS[stored["kind"]], "refused": False}


def _render(request, solution, *, failed: str = "", form=None, errors=()):
    page = selectors.kpi_page(solution)
    if fmt := requested_export(request):
        return export_response(fmt, f"{solution.slug}-kpis", kpi_sheets(page))
    behind = Paginator(page.customers.behind, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    can_upload = request.user.has_perm("kpi.import_data", solution)
    uploads = []
    if can_upload:
        for upload in UPLOADS.values():
            is_failed = upload.kind == failed
            uploads.append(
                {
                    "upload": upload,
                    "form": form if is_failed else CSVUploadForm(prefix=upload.kind),
                    "failed": is_failed,
                    "header": ",".join(upload.columns),
                    "allowed": allowed_values(upload.kind, solution),
                }
            )
    return render(
        request,
        "kpi/solution_kpis.html",
        {
            "solution": solution,
            "page": page,
            "behind": behind,
            "can_upload": can_upload,
            "uploads": uploads,
            "result": _result(request, solution, failed, form, list(errors))
            if can_upload
            else None,
            "case_columns": [(kpi, KPI(kpi).label) for kpi in CASE_KPIS],
            "can_reopen": request.user.has_perm("kpi.reopen_month", solution),
            "charts": month_charts(page),
            "nps_charts": nps_charts(page.half_years),
            "today": timezone.localdate(),
        },
    )


@login_required
def solution_kpis(request, slug):
    return _render(request, solution_or_404(request, slug))


@login_required
def kpi_upload(request, slug, kind):
    upload = _upload(kind)
    solution = solution_or_404(request, slug)
    if request.method != "POST":
        # A page re-displayed after a refused upload links here: show the KPI page itself.
        url = reverse("solution_kpis", args=[solution.slug])
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    if not request.user.has_perm("kpi.import_data", solution):
        raise PermissionDenied
    form = CSVUploadForm(request.POST, request.FILES, prefix=kind)
    errors: list[RowError] = []
    owner = {"user_id": request.user.pk, "solution_id": solution.pk, "kind": kind}
    if form.is_valid():
        try:
            result = services.solution_csv_import(
                importer=upload.importer, text=form.cleaned_data["file"], slug=solution.slug
            )
        except ImportRejected as rejected:
            errors = rejected.errors
            keep_report(errors=errors, **owner)
        else:
            forget_report(**owner)
            request.session[UPLOAD_RESULT] = {
                "solution": solution.pk,
                "kind": kind,
                "created": result.created,
                "updated": result.updated,
            }
            return redirect("solution_kpis", slug=solution.slug)
    return _render(request, solution, failed=kind, form=form, errors=errors)


@login_required
@require_GET
def kpi_upload_errors(request, slug, kind):
    """The error report of the user's latest refused upload of `kind`, as CSV: kept for the
    uploader only, for an hour."""
    _upload(kind)
    solution = solution_or_404(request, slug)
    report = kept_report(user_id=request.user.pk, solution_id=solution.pk, kind=kind)
    if report is None or not request.user.has_perm("kpi.import_data", solution):
        raise Http404(
            _("No error report is kept for you: it is kept for an hour after a refused upload.")
        )
    response = HttpResponse(report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{solution.slug}-{kind}-errors.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


class _Echo:
    """A file object whose write returns the line, for a streamed CSV."""

    def write(self, value):
        return value


@login_required
def kpi_cases_export(request, slug):
    """Every case of the solution with the deadlines the portal computed, as CSV."""
    solution = solution_or_404(request, slug)
    writer = csv.writer(_Echo())
    cases = selectors.cases_with_deadlines(solution, as_of=timezone.now()).values_list(
        *selectors.EXPORT_COLUMNS
    )

    def lines():
        yield writer.writerow(selectors.EXPORT_COLUMNS)
        for values in cases.iterator(chunk_size=2000):
            yield writer.writerow(
                [value.isoformat() if hasattr(value, "isoformat") else value for value in values]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{solution.slug}-cases.csv"'
    return response


@login_required
def kpi_csv_template(request, slug, kind):
    """The template of an upload: its header, an example row and the allowed values."""
    _upload(kind)
    solution = solution_or_404(request, slug)
    response = HttpResponse(template_csv(kind, solution), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{solution.slug}-{kind}.csv"'
    return response


@login_required
def kpi_month_reopen(request, slug, period):
    """An analyst re-opens a final month's evaluation, after confirming it with a reason."""
    solution = solution_or_404(request, slug)
    if not request.user.has_perm("kpi.reopen_month", solution):
        raise PermissionDenied
    page = selectors.kpi_page(solution)
    row = next((row for row in page.months if row.period.name == period), None)
    if row is None or not row.final:
        raise Http404
    form = MonthReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reopened = run(
            form,
            month_reopen,
            solution=solution,
            period=period,
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        if succeeded(reopened):
            _reopening, result = reopened
            messages.success(
                request,
                _("The evaluation of %(period)s was re-opened and evaluated again: %(state)s.")
                % {
                    "period": period,
                    "state": _("final") if result["final"] else _("provisional"),
                },
            )
            return redirect("solution_kpis", slug=solution.slug)
    late = [case for case in page.late_cases if case.period == period and not case.counted]
    return render(
        request,
        "kpi/month_reopen.html",
        {"solution": solution, "row": row, "form": form, "late": late},
    )
