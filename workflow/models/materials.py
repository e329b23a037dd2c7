import posixpath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from rules.contrib.models import RulesModelBase, RulesModelMixin

from catalogue.rules import can_view, is_own_partner_record
from certportal.storage import materials_storage
from certportal.system_texts import WithSystemText

from ..enums import MaterialKind
from ..materials import answered_parts


def material_path(material, filename: str) -> str:
    name = get_valid_filename(posixpath.basename(filename))[-100:] or "file"
    return (
        f"requests/{material.application_id}/{material.kind}/"
        f"r{material.revision}-{material.sha256[:12]}-{name}"
    )


class Material(RulesModelMixin, WithSystemText, metaclass=RulesModelBase):
    """One revision of one of the ten materials of 3.1. Revisions are kept, never overwritten:
    a new upload is a new row with the next revision number. A revision has a file, a link,
    or answers in words (material 6), or several of them."""

    application = models.ForeignKey(
        "workflow.Application",
        verbose_name=_("certification request"),
        on_delete=models.PROTECT,
        related_name="materials",
    )
    kind = models.CharField(_("material"), max_length=30, choices=MaterialKind.choices)
    revision = models.PositiveIntegerField(_("revision"))
    file = models.FileField(
        _("file"), storage=materials_storage, upload_to=material_path, max_length=300, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    content_kind = models.CharField(_("content type"), max_length=20, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    # The partner's note as typed, or the system's (re-confirmed from an earlier version) as
    # its text's code and parameters: see `note_text`.
    note = models.TextField(_("note"), blank=True)
    # The parts answered in words, for a material that has them (material 6: its seven parts,
    # schema and order in workflow.materials.EXTERNAL_SERVICE_PARTS): {part key: text}. Kept
    # with the revision like its file, so every revision keeps the answers it was sent with.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    carried_over_from = models.ForeignKey(
        "self",
        verbose_name=_("re-confirmed from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["application", "kind", "-revision"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        # Asked with the request (or the material): its partner uploads.
        rules_permissions = {"view": can_view, "upload": is_own_partner_record}
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "revision"], name="one_row_per_revision"
            ),
            models.CheckConstraint(
                condition=~models.Q(file="") | ~models.Q(url="") | ~models.Q(answers={}),
                name="material_file_link_or_answers",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} r{self.revision}"

    @property
    def parts(self):
        """The parts answered in words, each with this revision's answer (material 6)."""
        return answered_parts(self) if self.answers else []

    @property
    def note_text(self) -> str:
        """The note to show: the system's, in the reader's language, or the partner's."""
        return self.shown(self.note)
