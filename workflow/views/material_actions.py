"""Stage 3 on the partner's side: a material uploaded or re-confirmed, backward compatibility
confirmed, the materials submitted for review (3.1, R3.2–R3.5, R6.1)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from catalogue.rules import require as _require
from certportal.interaction import run, succeeded
from certportal.uploads import CappedUploadHandler

from .. import services
from ..forms_materials import CompatibilityForm, MaterialUploadForm, ReconfirmForm
from ..materials import SPECS, is_required
from .common import confirmed_step, visible_application
from .materials import _kind, _render_materials, _to_kind


@login_required
@require_POST
@csrf_exempt  # the upload handlers must be set before the body is read; checked just below
def material_upload(request, pk, kind):
    application = visible_application(request, pk)
    kind = _kind(kind)
    _require(request.user, "workflow.upload_material", application)
    handler = CappedUploadHandler(request, limit=SPECS[kind].policy.size_limit())
    request.upload_handlers = [handler]
    return _material_upload(request, application, kind, handler)


@csrf_protect
def _material_upload(request, application, kind, handler):
    form = MaterialUploadForm(
        request.POST,
        request.FILES,
        spec=SPECS[kind],
        prefix=kind.value,
        parts_required=is_required(kind, application),
    )
    if handler.too_large:
        form.file_error = _("The file “%(name)s” is larger than the limit of %(limit)s.") % {
            "name": handler.too_large,
            "limit": filesizeformat(handler.limit),
        }
    if form.is_valid():
        added = run(
            form,
            services.material_upload,
            upload_field="file",
            application=application,
            by=request.user,
            kind=kind,
            upload=form.cleaned_data.get("file"),
            url=form.cleaned_data.get("url") or "",
            note=form.cleaned_data["note"].strip(),
            answers=form.answers(),
        )
        if succeeded(added):
            messages.success(
                request,
                _("%(material)s: revision %(revision)s added.")
                % {"material": kind.label, "revision": added.revision},
            )
            return _to_kind(application, kind)
    chosen = handler.too_large or form.add_prefix("file") in request.FILES
    return _render_materials(
        request,
        application,
        upload_forms={kind: form},
        file_to_choose_again={kind} if chosen else set(),
    )


@login_required
@require_POST
def material_carry_over(request, pk, kind):
    application = visible_application(request, pk)
    kind = _kind(kind)
    _require(request.user, "workflow.upload_material", application)
    previous = application.previous_version.number if application.previous_version_id else ""
    form = ReconfirmForm(request.POST, prefix=f"reconfirm-{kind.value}", previous_version=previous)
    if form.is_valid():
        added = run(
            form,
            services.material_carry_over,
            application=application,
            by=request.user,
            kind=kind,
        )
        if succeeded(added):
            messages.success(
                request,
                _(
                    "%(material)s: the certified version's material is re-confirmed as "
                    "revision %(n)s."
                )
                % {"material": kind.label, "n": added.revision},
            )
            return _to_kind(application, kind)
    return _render_materials(request, application, reconfirm_forms={kind: form})


@login_required
@require_POST
def compatibility(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.upload_material", application)
    previous = application.previous_version.number if application.previous_version_id else ""
    form = CompatibilityForm(
        request.POST,
        prefix="compatibility",
        version=application.version.number,
        previous_version=previous,
    )
    if form.is_valid() and succeeded(
        run(
            form,
            services.compatibility_confirm,
            application=application,
            by=request.user,
            note=form.cleaned_data["note"].strip(),
        )
    ):
        messages.success(request, _("Backward compatibility confirmed."))
        return redirect(f"{reverse('materials', args=[application.pk])}#compatibility")
    return _render_materials(request, application, compatibility_form=form)


@login_required
def materials_submit(request, pk):
    """The confirmation of the submission for review: the materials are locked afterwards."""
    application = visible_application(request, pk)
    _require(request.user, "workflow.submit_application", application)
    return confirmed_step(
        request,
        application,
        services.materials_submit,
        transition="submit_materials",
        label=_("Submit for review"),
        title=_("Submit the materials of request #%s for review?") % application.pk,
        intro=_(
            "After submitting you can no longer add or change materials until the review "
            "asks for changes. The analysts and the R&D experts are told; an analyst starts "
            "the quality review against the Definition of Done (regulation 3.2)."
        ),
        success=_("Materials submitted for review. The Marketplace team has been told."),
        comment_label=_("Comment for the reviewers (optional)"),
        initial={"comment": request.GET.get("comment", "")},
        back={
            "back_url": reverse("materials", args=[application.pk]),
            "back_label": _("Back to the materials"),
        },
    )
