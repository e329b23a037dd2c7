"""The sales enablement pages (R7.2): the certified solutions, each with its features and the
certified version's materials 7-9, and the product tests for the sales managers' exam."""

import posixpath
import tempfile
import zipfile

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from catalogue.enums import Marketplace
from catalogue.rules import require as _require
from certportal.paging import query_without

from . import selectors

# The product tests' ZIP is built in a temporary file kept in memory up to this size.
ZIP_IN_MEMORY = 8 * 1024 * 1024


class SalesFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    marketplace = forms.ChoiceField(
        label=_("Marketplace"), choices=[("", _("All")), *Marketplace.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("Solution, partner or feature")}
        )
        self.fields["marketplace"].widget.attrs["class"] = "form-select"


@require_safe
@login_required
def sales_solutions(request):
    _require(request.user, "sales.view_sales")
    form = SalesFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    certified = selectors.certified_solutions(
        q=filters.get("q", "").strip(), marketplace=filters.get("marketplace", "")
    )
    page = Paginator(certified, settings.CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/solutions.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request),
            "filtered": any(filters.get(name) for name in ("q", "marketplace")),
        },
    )


@require_safe
@login_required
def sales_solution(request, slug):
    _require(request.user, "sales.view_sales")
    certification = selectors.certified_solution(slug)
    materials = selectors.sales_materials(certification)
    return render(
        request,
        "sales/solution.html",
        {"certification": certification, "materials": materials},
    )


def _attachment(material, filename: str) -> FileResponse:
    try:
        handle = material.file.storage.open(material.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@login_required
def sales_material_download(request, slug, material_pk):
    _require(request.user, "sales.view_sales")
    certification = selectors.certified_solution(slug)
    material = selectors.sales_material(certification, material_pk)
    if not material.file:
        raise Http404
    return _attachment(material, material.original_name or posixpath.basename(material.file.name))


def _zip_name(certification, material) -> str:
    extension = posixpath.splitext(material.original_name or material.file.name)[1][:10]
    name = f"{certification.solution.slug}-{certification.version.number}-product-test{extension}"
    return get_valid_filename(name)


@require_safe
@login_required
def sales_product_tests_zip(request):
    """One ZIP of every certified solution's product test (material 9 of the certified
    version); a test given as a link is a text file holding the link."""
    _require(request.user, "sales.view_sales")
    limit = settings.SALES_ZIP_MAX_BYTES
    total = 0
    # Closed by the FileResponse once sent.
    buffer = tempfile.SpooledTemporaryFile(max_size=ZIP_IN_MEMORY)  # noqa: SIM115
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certification, material in selectors.product_tests():
            if material.file:
                total += material.size or material.file.size
                if total > limit:
                    raise Http404
                with material.file.storage.open(material.file.name, "rb") as handle:
                    archive.writestr(_zip_name(certification, material), handle.read())
            elif material.url:
                name = get_valid_filename(
                    f"{certification.solution.slug}-{certification.version.number}"
                    "-product-test-link.txt"
                )
                archive.writestr(name, material.url + "\n")
    buffer.seek(0)
    response = FileResponse(buffer, as_attachment=True, filename="product-tests.zip")
    response["Content-Type"] = "application/zip"
    response["X-Content-Type-Options"] = "nosniff"
    return response
