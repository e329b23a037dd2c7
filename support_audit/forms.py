"""Forms of the stage-4 pages: validation only; the services write."""

from datetime import time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from certportal.interaction import guard_state

from .business_hours import Region
from .enums import (
    MARKETPLACE_REGIONS,
    AuditType,
    Channel,
    EscalationRole,
    NonconformitySeverity,
    SupportPackage,
)
from .services import DeclarationInput

WEEKDAYS = (
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
)
# The languages support may be given in; the regulation asks for the marketplace's (R4.5).
SUPPORT_LANGUAGES = (
    ("en", _("English")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("de", _("German")),
    ("fr", _("French")),
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
)
LANGUAGE_NAMES = dict(SUPPORT_LANGUAGES)

# The standards of 4.1–4.2 an audit checks, one default checklist row each (R4.7).
STANDARD_CHECKS = (
    _("R4.1: every case from every channel is registered in the support system."),
    _("R4.2: customers can register cases on the vendor's partner portal."),
    _("R4.3: the Basic, Business and Premium packages are served."),
    _("R4.4: pre-sale questions are answered within two business days."),
    _("R4.5: support works in the region's time zone and language."),
    _("R4.6: the first escalation goes to a head of department or the CEO."),
)


def _hhmm(value: time | str | None) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value or ""


# --- The partner's declaration ---------------------------------------------------------------

# The fields of a declaration besides its regions, as the model names them.
DECLARATION_FIELDS = (
    "system_name",
    "system_url",
    "channels",
    "all_channels_registered",
    "partner_portal_consent",
    "packages",
    "presale_business_days",
    "escalation_name",
    "escalation_role",
    "escalation_email",
    "escalation_phone",
)
EMPTY_VALUES = {"channels": [], "packages": [], "all_channels_registered": False}
WORKING_WEEK = range(1, 5)  # Tuesday to Friday: the days Monday's hours are copied to


class DeclarationForm(forms.Form):
    """The support standards of 4.1–4.2, saved as a draft whatever they still lack.

    Only a malformed value (not a time, not a number, not an address) is refused, beside its
    field; the rules themselves are checked when the standards are submitted, by the service
    (support_audit.standards). Each region of the solution's marketplace has a language and a
    weekly grid of opening and closing times (`<region>-open-<day>`, `<region>-close-<day>`;
    empty means closed; a closing time at or before the opening is the next day's).
    `stored` is the declaration saved before: a malformed value keeps its stored one.
    """

    system_name = forms.CharField(label=_("Support system"), max_length=200, required=False)
    system_url = forms.URLField(
        label=_("Support system address"), assume_scheme="https", max_length=200, required=False
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels customers reach support by"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    all_channels_registered = forms.BooleanField(
        label=_("Every case from every channel is registered in the support system"),
        required=False,
    )
    partner_portal_consent = forms.BooleanField(
        label=_(
            "Customers may also register cases about the solution on the vendor's partner "
            "portal (success.creatio.com)"
        ),
        required=False,
    )
    packages = forms.MultipleChoiceField(
        label=_("Support packages served"),
        choices=SupportPackage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    presale_business_days = forms.IntegerField(
        label=_("Pre-sale questions answered within (business days)"),
        min_value=0,
        max_value=30,
        required=False,
        help_text=_("Pricing questions, demo requests and the like."),
    )
    escalation_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    escalation_role = forms.ChoiceField(
        label=_("Position"),
        choices=EscalationRole.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    escalation_email = forms.EmailField(label=_("E-mail"), required=False)
    escalation_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    # Carries the problems of the regional part (R4.5), shown beside the regional grid.
    regions = forms.CharField(required=False, widget=forms.HiddenInput)
    # The version of the declaration the partner edits, so an older copy cannot silently
    # replace a newer one (0: none saved yet).
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, application, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.marketplace = application.solution.marketplace
        self.stored = self.initial_from(stored)
        self.fields["version"].initial = stored.version if stored else 0
        self.region_list = [Region(r) for r in MARKETPLACE_REGIONS.get(self.marketplace, ())]
        for region in self.region_list:
            label = _("Language in %(region)s") % {"region": region.label}
            self.fields[f"{region.value}-language"] = forms.ChoiceField(
                label=label,
                choices=[("", _("— not served —")), *SUPPORT_LANGUAGES],
                required=False,
                widget=forms.Select(
                    attrs={"class": "form-select form-select-sm", "aria-label": label}
                ),
            )
            for day, name in WEEKDAYS:
                for edge, verb in (("open", _("opens")), ("close", _("closes"))):
                    label = f"{region.label}, {name}, {verb}"
                    self.fields[f"{region.value}-{edge}-{day}"] = forms.TimeField(
                        label=label,
                        required=False,
                        widget=forms.TimeInput(
                            attrs={
                                "type": "time",
                                "class": "form-control form-control-sm",
                                "aria-label": label,
                            },
                            format="%H:%M",
                        ),
                    )
        guard_state(self, application)

    @staticmethod
    def initial_from(declaration) -> dict:
        """The form's initial values from a saved declaration."""
        if declaration is None:
            return {}
        initial = {name: getattr(declaration, name) for name in DECLARATION_FIELDS}
        initial["version"] = declaration.version
        for support in declaration.regions.all():
            initial[f"{support.region}-language"] = support.language
            for day, times in support.hours.items():
                for edge, value in zip(("open", "close"), times, strict=True):
                    if value:  # a draft's half-day leaves the other time empty
                        initial[f"{support.region}-{edge}-{day}"] = value
        return initial

    # The grid, as the template draws it: per region its language field and per weekday the
    # two time fields.
    def grid(self):
        for name in self.errors:
            if name.startswith(tuple(f"{region.value}-" for region in self.region_list)):
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs['class']} is-invalid"
        rows = []
        for region in self.region_list:
            days = [
                (name, self[f"{region.value}-open-{day}"], self[f"{region.value}-close-{day}"])
                for day, name in WEEKDAYS
            ]
            rows.append((region, self[f"{region.value}-language"], days))
        return rows

    def hour_errors(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {error}"
            for name, errors in self.errors.items()
            if "-open-" in name or "-close-" in name
            for error in errors
        ]

    def with_monday_copied(self, region: str):
        """The data sent, with `region`'s Monday hours copied to Tuesday–Friday (the page's
        "Copy Monday to all weekdays" without a script)."""
        data = self.data.copy()
        if region in {r.value for r in self.region_list}:
            for edge in ("open", "close"):
                monday = data.get(f"{region}-{edge}-0", "")
                for day in WORKING_WEEK:
                    data[f"{region}-{edge}-{day}"] = monday
        return data

    def _value(self, name: str):
        """A field's cleaned value; the stored one where the value sent was malformed."""
        if name in self.errors:
            return self.stored.get(name, EMPTY_VALUES.get(name, ""))
        return self.cleaned_data.get(name, EMPTY_VALUES.get(name, ""))

    def _regions(self) -> dict[str, dict]:
        """The regions the partner serves: those with a language or any working hours. A day
        with one time only is kept as it is (the standards ask for both before submitting)."""
        served = {}
        for region in self.region_list:
            hours = {}
            for day, _name in WEEKDAYS:
                opens = _hhmm(self._value(f"{region.value}-open-{day}"))
                closes = _hhmm(self._value(f"{region.value}-close-{day}"))
                if opens or closes:
                    hours[str(day)] = [opens, closes]
            language = self._value(f"{region.value}-language") or ""
            if language or hours:
                served[region.value] = {"language": language, "hours": hours}
        return served

    def declaration(self) -> DeclarationInput:
        """The declaration as it stands: every well-formed value sent, the stored one for a
        malformed value."""
        text = {
            name: (self._value(name) or "").strip()
            for name in ("system_name", "system_url", "escalation_name", "escalation_phone")
        }
        presale = self._value("presale_business_days")
        return DeclarationInput(
            **text,
            channels=self._value("channels") or [],
            all_channels_registered=bool(self._value("all_channels_registered")),
            partner_portal_consent=bool(self._value("partner_portal_consent")),
            packages=self._value("packages") or [],
            presale_business_days=presale if isinstance(presale, int) else None,
            escalation_role=self._value("escalation_role") or "",
            escalation_email=self._value("escalation_email") or "",
            regions=self._regions(),
        )

    def keep_version(self, version: int) -> None:
        """Carry `version` in the form shown again, so that the next save goes on from it."""
        self.data = self.data.copy()
        self.data["version"] = str(version)


# --- The team's audit ------------------------------------------------------------------------


class AuditForm(forms.Form):
    """An audit's type, date and summary; its checklist and nonconformities are formsets."""

    type = forms.ChoiceField(label=_("Type"), choices=AuditType.choices, widget=forms.RadioSelect)
    held_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was analysed (cases, period, test calls) and what was found."),
    )

    def __init__(self, *args, application, **kwargs):
        kwargs.setdefault("prefix", "audit")
        super().__init__(*args, **kwargs)
        guard_state(self, application)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise forms.ValidationError(_("An audit is recorded once it has been held."))
        return held_on


class ChecklistItemForm(forms.Form):
    item = forms.CharField(label=_("Checked"), max_length=300, required=False)
    ok = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("", "—"), ("1", _("OK")), ("0", _("Not OK"))],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item", "").strip()
        if item and cleaned.get("ok") is None:
            self.add_error("ok", _("Say whether it is OK."))
        if not item and (cleaned.get("ok") is not None or cleaned.get("note", "").strip()):
            self.add_error("item", _("Say what was checked."))
        return cleaned


class BaseChecklistFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        return [
            {
                "item": form.cleaned_data["item"].strip(),
                "ok": form.cleaned_data["ok"],
                "note": form.cleaned_data["note"].strip(),
            }
            for form in self.forms
            if form.cleaned_data.get("item", "").strip()
        ]

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.rows():
            raise forms.ValidationError(_("Check at least one item."))


ChecklistFormSet = forms.formset_factory(
    ChecklistItemForm, formset=BaseChecklistFormSet, extra=2, can_delete=False
)


class NonconformityForm(forms.Form):
    description = forms.CharField(
        label=_("Nonconformity"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", "—"), *NonconformitySeverity.choices],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("description", "").strip() and not cleaned.get("severity"):
            self.add_error("severity", _("Choose the severity."))
        if cleaned.get("severity") and not cleaned.get("description", "").strip():
            self.add_error("description", _("Describe the nonconformity."))
        return cleaned


class BaseNonconformityFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple[str, str]]:
        return [
            (form.cleaned_data["description"].strip(), form.cleaned_data["severity"])
            for form in self.forms
            if form.cleaned_data.get("description", "").strip()
        ]


NonconformityFormSet = forms.formset_factory(
    NonconformityForm, formset=BaseNonconformityFormSet, extra=3, can_delete=False
)


def audit_forms(data=None, *, application):
    """The three parts of the audit form, bound to `data` when given."""
    return (
        AuditForm(data, application=application, initial={"held_on": timezone.localdate()}),
        ChecklistFormSet(
            data,
            prefix="checklist",
            initial=[{"item": str(item)} for item in STANDARD_CHECKS],
        ),
        NonconformityFormSet(data, prefix="nonconformities"),
    )


def audit_is_consistent(form, checklist, nonconformities) -> bool:
    """An item found not OK is a nonconformity: the audit cannot pass with one (R4.7)."""
    failed = [row["item"] for row in checklist.rows() if row["ok"] is False]
    if failed and not nonconformities.rows():
        form.add_error(
            None,
            _("Items are not OK (%(items)s): describe the nonconformities they make.")
            % {"items": "; ".join(failed)},
        )
        return False
    return True


class PlanItemForm(forms.Form):
    description = forms.CharField(label=_("Action"), max_length=1000, required=False)
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)
    due_on = forms.DateField(
        label=_("Due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on and due_on < timezone.localdate():
            raise forms.ValidationError(_("An action is due today or later."))
        return due_on

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("description", "owner", "due_on") if cleaned.get(name)]
        if given and len(given) < 3:
            for name in ("description", "owner", "due_on"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, _("Give the action, its owner and its due date."))
        return cleaned


class BasePlanFormSet(forms.BaseFormSet):
    def rows(self):
        return [
            (
                form.cleaned_data["description"].strip(),
                form.cleaned_data["owner"].strip(),
                form.cleaned_data["due_on"],
            )
            for form in self.forms
            if form.cleaned_data.get("description")
        ]

    def clean(self):
        super().clean()
        if not any(self.errors) and not self.rows():
            raise forms.ValidationError(_("A plan has at least one action."))


PlanFormSet = forms.formset_factory(
    PlanItemForm, formset=BasePlanFormSet, extra=3, can_delete=False
)
