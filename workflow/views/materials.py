"""Stage 3 on the partner's side: the materials of a request, their files, the findings to
answer, and updates of a certified solution (3.1, R3.2–R3.5, R6)."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from catalogue.models import Certification, SolutionVersion
from catalogue.rules import require as _require
from certportal.forms import guard_state, state_unchanged
from certportal.uploads import UploadRejected
from dod.models import CheckEvidence

from .. import conditions, selectors, services
from ..enums import MATERIALS_OPEN_STATES, ApplicationState, MaterialKind, Requirement
from ..forms import ConfirmForm
from ..forms_materials import (
    CompatibilityForm,
    MaterialUploadForm,
    ReconfirmForm,
    UpdateRequestForm,
    accepted_extensions,
)
from ..materials import SPECS, UPDATE_KINDS, MaterialSpec, is_complete, is_required, missing_kinds
from ..models import Application, Material
from ..services.materials import compatibility_confirm
from .common import run, visible_application, visible_solution

# --- Reading the materials of a request ----------------------------------------------------


@dataclass
class MaterialRow:
    """One of the ten materials as the page shows it for this request."""

    kind: MaterialKind
    spec: MaterialSpec
    required: bool
    requirement: str
    revisions: list[Material]
    complete: bool
    problem: str = ""
    extensions: list[str] = field(default_factory=list)
    carry_source: Material | None = None
    upload_form: MaterialUploadForm | None = None
    reconfirm_form: ReconfirmForm | None = None
    file_to_choose_again: bool = False

    @property
    def latest(self) -> Material | None:
        return self.revisions[0] if self.revisions else None

    @property
    def earlier(self) -> list[Material]:
        return self.revisions[1:]

    @property
    def upload_expanded(self) -> bool:
        """The upload form opens by itself for a material still to provide, unless the
        certified version's one can be re-confirmed instead."""
        if self.upload_form is not None and self.upload_form.is_bound:
            return True
        # A material this request does not need stays folded: it is there if wanted.
        return self.required and not self.complete and self.carry_source is None

    @property
    def status(self) -> str:
        if self.latest is None:
            return "missing" if self.required else "none"
        return "provided" if self.complete else "incomplete"


def _requirement(kind: MaterialKind, application: Application) -> tuple[bool, str]:
    """Whether this request needs the material, and why, as the page says it (R3.3–R3.5)."""
    if not is_required(kind, application):
        return False, _("Not required here")
    requirement = SPECS[kind].requirement
    if requirement == Requirement.IF_EXTERNAL:
        return True, _("Required: the solution uses external services")
    if requirement == Requirement.IF_UPDATE:
        return True, _("Required for an update")
    return True, _("Required")


def _problem(kind: MaterialKind, latest: Material, application: Application) -> str:
    """Why the latest revision does not complete its material."""
    if kind == MaterialKind.DEMO and application.solution.uses_external_services:
        return _(
            "The solution uses external services: give the demo package and the demo "
            "stand's address together, in one upload."
        )
    if SPECS[kind].needs_file and not latest.file:
        return _("A file is needed; a link alone does not complete this material.")
    return ""


def _carry_sources(application: Application) -> tuple[Certification | None, dict]:
    """For an update: the certification and the latest materials it was granted with."""
    if application.kind not in UPDATE_KINDS:
        return None, {}
    certification = (
        Certification.objects.select_related("application", "version")
        .filter(solution_id=application.solution_id)
        .first()
    )
    if certification is None or certification.application_id == application.pk:
        return certification, {}
    return certification, selectors.latest_materials(certification.application)


def _may_edit(user, application: Application) -> bool:
    return (
        user.has_perm("workflow.upload_material", application)
        and application.state in MATERIALS_OPEN_STATES
    )


def _render_materials(
    request,
    application: Application,
    *,
    upload_forms=None,
    reconfirm_forms=None,
    compatibility_form=None,
    file_to_choose_again=(),
):
    """The materials page; a bound form given for a kind is shown with its errors."""
    user = request.user
    upload_forms = upload_forms or {}
    reconfirm_forms = reconfirm_forms or {}
    editable = _may_edit(user, application)
    revisions = selectors.material_revisions(application)
    latest = {kind: items[0] for kind, items in revisions.items()}
    certification, sources = _carry_sources(application) if editable else (None, {})
    previous = application.previous_version.number if application.previous_version_id else ""

    rows = []
    for kind in MaterialKind:
        spec = SPECS[kind]
        required, requirement = _requirement(kind, application)
        items = revisions.get(kind.value, [])
        row = MaterialRow(
            kind=kind,
            spec=spec,
            required=required,
            requirement=requirement,
            revisions=items,
            complete=bool(items) and is_complete(items[0], application),
            extensions=accepted_extensions(spec),
            file_to_choose_again=kind in file_to_choose_again,
        )
        if items and not row.complete:
            row.problem = _problem(kind, items[0], application)
        if editable:
            row.upload_form = upload_forms.get(kind) or MaterialUploadForm(
                spec=spec, prefix=kind.value
            )
            row.carry_source = sources.get(kind.value) if kind != MaterialKind.WHATS_NEW else None
            if row.carry_source is not None:
                row.reconfirm_form = reconfirm_forms.get(kind) or ReconfirmForm(
                    prefix=f"reconfirm-{kind.value}",
                    previous_version=certification.version.number,
                )
        rows.append(row)

    shown = {id(form) for row in rows for form in (row.upload_form, row.reconfirm_form) if form}
    _report_unshown(request, [*upload_forms.values(), *reconfirm_forms.values()], shown=shown)

    actions, blocked = services.actions_for(application, user)
    materials_reason = str(conditions.required_materials_present.message)
    is_update = application.kind in UPDATE_KINDS
    if is_update and editable and not application.compatibility_confirmed:
        compatibility_form = compatibility_form or CompatibilityForm(
            prefix="compatibility",
            version=application.version.number,
            previous_version=previous,
        )
    else:
        if compatibility_form is not None:
            _report_unshown(request, [compatibility_form], shown=set())
        compatibility_form = None
    return render(
        request,
        "workflow/materials/materials.html",
        {
            "application": application,
            "rows": rows,
            "editable": editable,
            "may_upload": user.has_perm("workflow.upload_material", application),
            "is_update": is_update,
            "previous_version": previous,
            "compatibility_form": compatibility_form,
            "required_count": sum(1 for row in rows if row.required),
            "provided_count": sum(1 for row in rows if row.required and row.complete),
            "missing": [SPECS[kind] for kind in missing_kinds(application, latest)],
            "can_submit": "submit_materials" in actions,
            "submit_offered": "submit_materials" in actions or "submit_materials" in blocked,
            "other_reasons": [
                reason
                for reason in blocked.get("submit_materials", [])
                if reason != materials_reason
            ],
            "open_states": [ApplicationState(state).label for state in MATERIALS_OPEN_STATES],
            "review_days": settings.CRITICAL_FIX_REVIEW_BUSINESS_DAYS,
        },
    )


def _report_unshown(request, forms, *, shown) -> None:
    """Errors of a form the page no longer offers (the request moved on meanwhile, or the
    material takes no such action) are said at the top of the page instead."""
    for form in forms:
        if id(form) not in shown:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)


@login_required
def materials(request, pk):
    application = visible_application(request, pk)
    _require(request.user, "workflow.view_material", application)
    return _render_materials(request, application)


def _kind(kind: str) -> MaterialKind:
    if kind not in MaterialKind.values:
        raise Http404
    return MaterialKind(kind)


def _to_kind(application: Application, kind: MaterialKind):
    return redirect(f"{reverse('materials', args=[application.pk])}#material-{kind.value}")


# --- Uploads ----------------------------------------------------------------------------


class CappedUploadHandler(TemporaryFileUploadHandler):
    """Streams every file to a temporary file on disk, never into memory, and stops storing
    one as soon as it passes the material's size limit (the rest is read and dropped)."""

    def __init__(self, request, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large: str | None = None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.too_large = self.file_name
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


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
    form = MaterialUploadForm(request.POST, request.FILES, spec=SPECS[kind], prefix=kind.value)
    if handler.too_large:
        form.file_error = _("The file “%(name)s” is larger than the limit of %(limit)s.") % {
            "name": handler.too_large,
            "limit": filesizeformat(handler.limit),
        }
    if form.is_valid():
        added = []

        def upload():
            added.append(
                services.material_upload(
                    application=application,
                    by=request.user,
                    kind=kind,
                    upload=form.cleaned_data.get("file"),
                    url=form.cleaned_data.get("url") or "",
                    note=form.cleaned_data["note"].strip(),
                )
            )

        if _run_upload(form, upload):
            messages.success(
                request,
                _("%(material)s: revision %(revision)s added.")
                % {"material": kind.label, "revision": added[0].revision},
            )
            return _to_kind(application, kind)
    chosen = handler.too_large or form.add_prefix("file") in request.FILES
    return _render_materials(
        request,
        application,
        upload_forms={kind: form},
        file_to_choose_again={kind} if chosen else set(),
    )


def _run_upload(form, action) -> bool:
    """As run, and a file that breaks an upload rule gets the rule's message beside it."""
    try:
        return run(form, action)
    except UploadRejected as rejected:
        form.add_error("file", str(rejected.message))
        return False


@login_required
@require_POST
def material_carry_over(request, pk, kind):
    application = visible_application(request, pk)
    kind = _kind(kind)
    _require(request.user, "workflow.upload_material", application)
    previous = application.previous_version.number if application.previous_version_id else ""
    form = ReconfirmForm(request.POST, prefix=f"reconfirm-{kind.value}", previous_version=previous)
    added = []
    if form.is_valid() and run(
        form,
        lambda: added.append(
            services.material_carry_over(application=application, by=request.user, kind=kind)
        ),
    ):
        messages.success(
            request,
            _("%(material)s: the certified version's material is re-confirmed as revision %(n)s.")
            % {"material": kind.label, "n": added[0].revision},
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
    if form.is_valid() and run(
        form,
        lambda: compatibility_confirm(
            application=application, by=request.user, note=form.cleaned_data["note"].strip()
        ),
    ):
        messages.success(request, _("Backward compatibility confirmed."))
        return redirect(f"{reverse('materials', args=[application.pk])}#compatibility")
    return _render_materials(request, application, compatibility_form=form)


@login_required
@require_POST
def materials_submit(request, pk):
    application = visible_application(request, pk)
    form = ConfirmForm(request.POST)
    guard_state(form, application)
    if (
        form.is_valid()
        and state_unchanged(form, application)
        and run(
            form,
            lambda: services.materials_submit(
                application=application,
                by=request.user,
                comment=form.cleaned_data["comment"],
            ),
        )
    ):
        messages.success(
            request, _("Materials submitted for review. The Marketplace team has been told.")
        )
        return redirect(application)
    for error in form.non_field_errors():
        messages.error(request, error)
    return redirect("materials", pk=application.pk)


# --- Downloads: through Django, only to those who may see the request -------------------


def _attachment(stored, filename: str) -> FileResponse:
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def material_download(request, pk, material_id):
    application = visible_application(request, pk)
    _require(request.user, "workflow.view_material", application)
    material = get_object_or_404(Material, pk=material_id, application=application)
    if not material.file:
        raise Http404
    return _attachment(material.file, material.original_name or material.file.name)


@login_required
def evidence_download(request, pk, evidence_id):
    application = visible_application(request, pk)
    _require(request.user, "workflow.view_material", application)
    evidence = get_object_or_404(
        CheckEvidence, pk=evidence_id, check_record__round__application=application
    )
    return _attachment(evidence.file, evidence.original_name)


# --- Updates and critical fixes of a certified solution ---------------------------------


@login_required
def update_request_open(request, slug):
    solution = visible_solution(request, slug)
    _require(request.user, "workflow.add_application", solution)
    certification = (
        Certification.objects.select_related("version", "application")
        .filter(solution=solution)
        .first()
    )
    certified = certification is not None and certification.badge_on
    form = UpdateRequestForm(
        request.POST or None,
        solution=solution,
        certification=certification,
        initial={"critical_fix": request.GET.get("critical") == "1"},
    )
    opened = []
    if request.method == "POST" and form.is_valid():

        def open_update():
            data = form.cleaned_data
            with transaction.atomic():
                version = data["version"]
                if version is None:
                    version = services.version_add(
                        by=request.user,
                        version=SolutionVersion(solution=solution, number=data["new_version"]),
                    )
                opened.append(
                    services.update_request_open(
                        by=request.user,
                        solution=solution,
                        version=version,
                        motivation=data["motivation"],
                        critical_fix=data["critical_fix"],
                    )
                )

        if run(form, open_update):
            application = opened[0]
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
