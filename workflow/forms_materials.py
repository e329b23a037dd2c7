"""Forms of stage 3 on the partner's side: materials, re-confirmations, findings, updates."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalogue.models import SolutionVersion
from certportal.forms import CrispyMixin
from certportal.uploads import EXTENSION_KINDS

from .enums import ACTIVE_STATES
from .materials import MaterialSpec


def accepted_extensions(spec: MaterialSpec) -> list[str]:
    """The file name endings a material accepts, for the file picker and the page."""
    return sorted(ext for ext, kind in EXTENSION_KINDS.items() if kind in spec.file_kinds)


class MaterialUploadForm(forms.Form):
    """A new revision of one material: a file and/or a link, as the material allows (3.1).

    A material answered in parts (material 6) has a text per part, each required when
    `parts_required` (the solution uses external services, R3.4); its file and link are then
    optional attachments. `initial` may carry the previous revision's answers
    (`part-<key>`), so a new revision starts from them.
    """

    note = forms.CharField(
        label=_("Note for the reviewers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("What changed since the previous revision, or anything the reviewers need."),
    )

    def __init__(self, *args, spec: MaterialSpec, parts_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.parts_required = parts_required
        self.file_error = ""  # a file refused while it was received (too large)
        fields = {}
        for part in spec.parts:
            fields[f"part-{part.key}"] = forms.CharField(
                label=part.label,
                help_text=part.help,
                required=parts_required,
                max_length=10_000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={
                    "required": _(
                        "Describe this part: the solution uses external services, so every "
                        "part is needed (R3.4)."
                    )
                },
            )
        if spec.file_kinds:
            fields["file"] = forms.FileField(
                label=_("Attachment") if spec.parts else _("File"),
                required=False,
                widget=forms.FileInput(attrs={"accept": ",".join(accepted_extensions(spec))}),
            )
        if spec.accepts_url:
            fields["url"] = forms.URLField(
                label=_("Link"),
                required=False,
                max_length=500,
                assume_scheme="https",
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )
        # The parts, the file and the link first, the note last.
        self.fields = {**fields, "note": self.fields["note"]}

    def answers(self) -> dict[str, str]:
        """The parts' answers as stored: every part's key, "" where none was given."""
        return {
            part.key: (self.cleaned_data.get(f"part-{part.key}") or "").strip()
            for part in self.spec.parts
        }

    def clean(self):
        cleaned = super().clean()
        if self.file_error:
            self.add_error("file", self.file_error)
        if self.spec.parts:
            self._clean_parts()
        elif not cleaned.get("file") and not cleaned.get("url") and not self.errors:
            message = (
                _("Choose a file or give a link.")
                if "url" in self.fields
                else _("Choose a file to upload.")
            )
            raise forms.ValidationError(message)
        return cleaned

    def _clean_parts(self) -> None:
        """Each part is required by its field when the solution uses external services;
        otherwise the revision needs one part, a file or a link."""
        if self.parts_required or self.errors:
            return
        if not any(self.answers().values()) and not (
            self.cleaned_data.get("file") or self.cleaned_data.get("url")
        ):
            raise forms.ValidationError(_("Describe at least one part, or attach a document."))


class ReconfirmForm(forms.Form):
    """The partner's explicit act of carrying a certified version's material over (R6.1)."""

    confirm = forms.BooleanField(label=_("It applies unchanged to this version"), required=True)

    def __init__(self, *args, previous_version: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = _(
            "The material accepted with version %(version)s applies unchanged to this version."
        ) % {"version": previous_version}
        self.fields["confirm"].error_messages["required"] = _(
            "Tick the box to confirm the material still applies."
        )


class CompatibilityForm(forms.Form):
    """The partner confirms the update is backward compatible (R6.2)."""

    confirmed = forms.BooleanField(required=True)
    note = forms.CharField(
        label=_("How you checked it"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("For example: upgrade tested on a copy with data, no API or schema removed."),
    )

    def __init__(self, *args, version: str, previous_version: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirmed"].label = _(
            "Version %(version)s is backward compatible with the certified version "
            "%(previous)s: customers can update without losing data or settings."
        ) % {"version": version, "previous": previous_version}
        self.fields["confirmed"].error_messages["required"] = _(
            "Tick the box to confirm backward compatibility."
        )


class FindingAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you changed, and in which material revision, or why you disagree."),
    )


class UpdateRequestForm(CrispyMixin, forms.Form):
    """A new version of a certified solution goes through stage 3 again (R3.2, R6.5)."""

    submit_label = _("Open the request")

    version = forms.ModelChoiceField(
        label=_("New version"),
        queryset=SolutionVersion.objects.none(),
        required=False,
        empty_label=_("— choose a registered version —"),
    )
    new_version = forms.CharField(
        label=_("or register a new version"),
        max_length=40,
        required=False,
        help_text=_("Its number as published, e.g. 1.5.0."),
    )
    motivation = forms.CharField(
        label=_("What changed and why"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The reviewers read this first; the details go into “What's new”."),
    )
    critical_fix = forms.BooleanField(label=_("This is a critical fix"), required=False)

    def __init__(self, *args, solution, certification, **kwargs):
        super().__init__(*args, **kwargs)
        self.solution = solution
        versions = solution.versions.exclude(applications__state__in=ACTIVE_STATES)
        if certification is not None:
            versions = versions.exclude(pk=certification.version_id).filter(
                created_at__gt=certification.version.created_at
            )
        self.fields["version"].queryset = versions.order_by("-created_at")
        self.fields["version"].label_from_instance = lambda version: version.number
        days = settings.CRITICAL_FIX_REVIEW_BUSINESS_DAYS
        self.fields["critical_fix"].help_text = ngettext(
            "For a defect that blocks the solution or the base product. It is fast-tracked "
            "outside the release cycle: the Marketplace team reviews it within %(days)d "
            "business day of your submitting the materials (R6.5).",
            "For a defect that blocks the solution or the base product. It is fast-tracked "
            "outside the release cycle: the Marketplace team reviews it within %(days)d "
            "business days of your submitting the materials (R6.5).",
            days,
        ) % {"days": days}

    def clean_new_version(self):
        number = self.cleaned_data["new_version"].strip()
        if number and self.solution.versions.filter(number=number).exists():
            raise forms.ValidationError(
                _("Version %(version)s is registered already: choose it in the list.")
                % {"version": number}
            )
        return number

    def clean(self):
        cleaned = super().clean()
        chosen, typed = cleaned.get("version"), cleaned.get("new_version")
        if chosen and typed:
            self.add_error("new_version", _("Choose a version or type a new one, not both."))
        elif not (chosen or typed or self.has_error("version") or self.has_error("new_version")):
            self.add_error("version", _("Choose the new version, or register it below."))
        return cleaned
