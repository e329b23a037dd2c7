"""Stage 3 on the partner's side: materials, updates and critical fixes (3.1, R3.2–R3.5, R6)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Solution, SolutionVersion
from catalogue.rules import require as _require
from certportal.errors import ActionRefused
from certportal.uploads import validate_upload
from support_audit.business_hours import team_calendar

from .. import texts
from ..enums import ACTIVE_STATES, MATERIALS_OPEN_STATES, ApplicationKind, MaterialKind
from ..materials import SPECS, UPDATE_KINDS, is_required
from ..models import Application, Material
from .requests import apply_transition, lock_in_states, version_add


def _next_revision(application: Application, kind: str) -> int:
    last = (
        Material.objects.filter(application=application, kind=kind)
        .aggregate(n=Max("revision"))
        .get("n")
    )
    return (last or 0) + 1


def _answers(spec, application: Application, answers: dict | None) -> dict[str, str]:
    """A material's answers in parts as stored (every part's key); refused when a part the
    request needs is empty (material 6 of a solution with external services, R3.4)."""
    if not spec.parts:
        if answers:
            raise ValidationError(_("This material is a file or a link, not answers."))
        return {}
    given = answers or {}
    stored = {part.key: str(given.get(part.key, "")).strip() for part in spec.parts}
    if is_required(spec.kind, application):
        empty = [str(part.label) for part in spec.parts if not stored[part.key]]
        if empty:
            raise ValidationError(
                _("The solution uses external services: describe every part (R3.4); missing: %s.")
                % ", ".join(empty)
            )
    return stored if any(stored.values()) else {}


def material_upload(
    *,
    application: Application,
    by,
    kind: MaterialKind,
    upload=None,
    url: str = "",
    note: str = "",
    answers: dict | None = None,
) -> Material:
    """Add a new revision of a material; earlier revisions stay (3.1).

    The file is validated before anything is stored (raises certportal.uploads.UploadRejected);
    a refused upload leaves no row and no file behind. A material answered in parts (material
    6) takes `answers` ({part key: text}); its file and link are optional attachments.
    """
    _require(by, "workflow.upload_material", application)
    spec = SPECS[MaterialKind(kind)]
    answers = _answers(spec, application, answers)
    if upload is None and not url and not answers:
        raise ValidationError(
            _("Describe at least one part, or attach a document.")
            if spec.parts
            else _("Choose a file or give a link.")
        )
    if url and not spec.accepts_url:
        raise ValidationError(_("This material is a file, not a link."))
    if upload is not None and not spec.file_kinds:
        raise ValidationError(_("This material is a link, not a file."))
    report = validate_upload(upload, name=upload.name, policy=spec.policy) if upload else None
    with transaction.atomic():
        lock_in_states(
            application,
            MATERIALS_OPEN_STATES,
            _("Materials can be added while the request awaits them or changes are requested."),
        )
        material = Material(
            application=application,
            kind=kind,
            revision=_next_revision(application, kind),
            url=url,
            note=note,
            answers=answers,
            uploaded_by=by,
        )
        if report is not None:
            material.original_name = upload.name[-255:]
            material.size = report.size
            material.sha256 = report.sha256
            material.content_kind = report.kind
            material.file.save(upload.name, upload, save=False)
        try:
            material.save()
        except Exception:
            # The row did not make it (e.g. two uploads raced for one revision number): take
            # the stored file back, so a refused upload leaves nothing behind.
            if material.file:
                material.file.storage.delete(material.file.name)
            raise
    return material


def material_carry_over(*, application: Application, by, kind: MaterialKind) -> Material:
    """Re-confirm, for an update, the material the certified version was accepted with.

    The carried revision points at the same stored file; it is a new revision of this
    request, made by an explicit act of the partner. What's new is never carried over.
    """
    _require(by, "workflow.upload_material", application)
    if application.kind not in UPDATE_KINDS:
        raise ValidationError(_("Only an update carries materials over."))
    if kind == MaterialKind.WHATS_NEW:
        raise ValidationError(_("What's new describes this version: it cannot be carried over."))
    certification = getattr(application.solution, "certification", None)
    source = (
        Material.objects.filter(application_id=certification.application_id, kind=kind)
        .order_by("-revision")
        .first()
        if certification is not None
        else None
    )
    if source is None:
        raise ValidationError(_("The certified version has no such material to carry over."))
    with transaction.atomic():
        lock_in_states(
            application,
            MATERIALS_OPEN_STATES,
            _("Materials can be added while the request awaits them or changes are requested."),
        )
        return Material.objects.create(
            application=application,
            kind=kind,
            revision=_next_revision(application, kind),
            file=source.file.name,
            original_name=source.original_name,
            size=source.size,
            sha256=source.sha256,
            content_kind=source.content_kind,
            url=source.url,
            answers=source.answers,
            text_code=texts.MATERIAL_RECONFIRMED,
            text_params={"version": source.application.version.number},
            carried_over_from=source,
            uploaded_by=by,
        )


def compatibility_confirm(*, application: Application, by, note: str) -> Application:
    """The partner confirms the update is backward compatible with the previous version (R6.2)."""
    _require(by, "workflow.upload_material", application)
    with transaction.atomic():
        lock_in_states(
            application,
            MATERIALS_OPEN_STATES,
            _("Compatibility is confirmed while the request awaits materials."),
        )
        Application.objects.filter(pk=application.pk).update(
            compatibility_confirmed=True, compatibility_note=note
        )
    application.compatibility_confirmed = True
    application.compatibility_note = note
    return application


def materials_submit(*, application: Application, by, comment: str = ""):
    """Send the materials for review; a critical fix gets its review due time (R6.5)."""
    if application.kind == ApplicationKind.CRITICAL_FIX:
        application.review_due_at = team_calendar().add_business_days(
            timezone.now(), settings.CRITICAL_FIX_REVIEW_BUSINESS_DAYS
        )
    return apply_transition(application, "submit_materials", by=by, comment=comment)


def update_request_open(
    *,
    by,
    solution: Solution,
    version: SolutionVersion,
    motivation: str,
    critical_fix: bool = False,
) -> Application:
    """Open an update (or a critical fix) of a certified solution: straight to stage 3 (R3.2)."""
    _require(by, "workflow.add_application", solution)
    certification = getattr(solution, "certification", None)
    if certification is None or not certification.badge_on:
        raise ActionRefused([_("Only a certified solution's new version opens an update (R3.2).")])
    if version.solution_id != solution.pk:
        raise ValidationError(_("That version belongs to another solution."))
    if version.pk == certification.version_id:
        raise ValidationError(_("Version %s is the certified one already.") % version.number)
    if Application.objects.filter(version=version, state__in=ACTIVE_STATES).exists():
        raise ValidationError(
            _("Version %(version)s already has an open certification request.")
            % {"version": version.number}
        )
    with transaction.atomic():
        application = Application.objects.create(
            solution=solution,
            version=version,
            kind=ApplicationKind.CRITICAL_FIX if critical_fix else ApplicationKind.UPDATE,
            motivation=motivation,
            created_by=by,
            previous_version=certification.version,
        )
        apply_transition(application, "open_update", by=by, comment=motivation)
    return application


def update_request_open_with_version(
    *,
    by,
    solution: Solution,
    version: SolutionVersion | None,
    new_version: str = "",
    motivation: str,
    critical_fix: bool = False,
) -> Application:
    """As update_request_open, for a version chosen or, when `version` is None, the version
    `new_version` added in the same transaction."""
    with transaction.atomic():
        if version is None:
            version = version_add(
                by=by, version=SolutionVersion(solution=solution, number=new_version)
            )
        return update_request_open(
            by=by,
            solution=solution,
            version=version,
            motivation=motivation,
            critical_fix=critical_fix,
        )
