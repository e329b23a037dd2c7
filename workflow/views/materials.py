"""Stage 3 on the partner's side: the materials page of a request (3.1, R3.3–R3.5).

Its forms post to workflow/views/material_actions.py, which shows this page again on a refusal."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue.rules import require as _require

from .. import conditions, selectors, services
from ..enums import MATERIALS_OPEN_STATES, ApplicationState, MaterialKind, Requirement
from ..forms_materials import (
    CompatibilityForm,
    MaterialUploadForm,
    ReconfirmForm,
    accepted_extensions,
)
from ..materials import (
    SPECS,
    UPDATE_KINDS,
    MaterialSpec,
    incompleteness,
    is_complete,
    is_required,
    missing_kinds,
)
from ..models import Application, Material
from .common import visible_application

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
    certification, sources = selectors.carry_sources(application) if editable else (None, {})
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
            row.problem = incompleteness(kind, items[0], application)
        if editable:
            row.upload_form = upload_forms.get(kind) or MaterialUploadForm(
                spec=spec,
                prefix=kind.value,
                parts_required=required,
                # A new revision starts from the answers of the latest one.
                initial={
                    f"part-{key}": text for key, text in (items[0].answers if items else {}).items()
                },
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
