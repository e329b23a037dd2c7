"""The forms of a certified solution's regular audit and of the remediation plan agreed after it
(R5.7, R5.8), and the labels of what they record, which the certificate shows too."""

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .enums import AuditType, NonconformitySeverity
from .forms import PlanItemForm as PlanActionForm

# What a support audit looks at (regulation 4.1–4.2); stored in the checklist by rule ID.
CHECKLIST = [
    ("R4.1", gettext_lazy("Every case from every channel is registered in the support system")),
    ("R4.2", gettext_lazy("Customers can register cases on the vendor's partner portal")),
    ("R4.3", gettext_lazy("The Basic, Business and Premium packages are served")),
    ("R4.4", gettext_lazy("Pre-sale questions are answered within two business days")),
    ("R4.5", gettext_lazy("Support works in each region's time zone and language")),
    ("R4.6", gettext_lazy("The first escalation goes to a head of department or the CEO")),
]
CHECKLIST_LABELS = {
    **dict(CHECKLIST),
    # Raised from the customers' versions on the regular audit page.
    "R6.4": gettext_lazy("Every customer is updated to the current version"),
}

# The KPIs of stage 5 a remediation plan may cover (the KPI engine's names).
REMEDIATION_KPIS = [
    ("response_overdue_rate", gettext_lazy("Cases overdue on response: at most 1 % (R5.4)")),
    ("resolution_overdue_rate", gettext_lazy("Cases overdue on resolution: at most 5 % (R5.5)")),
    ("csat_response_rate", gettext_lazy("Cases rated by CSAT: at least 7 % (R5.2)")),
    ("csat_positive_share", gettext_lazy("Positive CSAT ratings: at least 80 % (R5.3)")),
    ("escalations", gettext_lazy("Escalated cases: at most 2 a month (R5.6)")),
    ("nps_mean", gettext_lazy("NPS: 7.5 of 10 or higher (R5.1)")),
]
KPI_LABELS = dict(REMEDIATION_KPIS)


def _fields_only(form):
    """A crispy helper that draws the fields only: the page holds several forms in one."""
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.disable_csrf = True
    return form


class RegularAuditForm(forms.Form):
    type = forms.ChoiceField(
        label=gettext_lazy("Type of audit"), choices=AuditType.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    conforming = forms.MultipleChoiceField(
        label=gettext_lazy("Requirements found conforming"),
        choices=CHECKLIST,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Untick what falls short and describe it below."),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What was looked at and found: the report the partner reads."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fields_only(self)

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("An audit is recorded once it has been held."))
        return held_on

    def checklist(self) -> list[dict]:
        conforming = set(self.cleaned_data["conforming"])
        return [{"item": code, "ok": code in conforming} for code, _label in CHECKLIST]


class NonconformityForm(forms.Form):
    """One row of what the audit found; a row left without a description is skipped."""

    description = forms.CharField(
        label=gettext_lazy("Nonconformity"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        choices=NonconformitySeverity.choices,
        initial=NonconformitySeverity.MAJOR,
    )


class BaseNonconformityFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple[str, str]]:
        """(description, severity) of each row filled in; a row left empty is skipped."""
        return [
            (f.cleaned_data["description"], f.cleaned_data["severity"])
            for f in self.forms
            if f.cleaned_data.get("description")
        ]


NonconformityFormSet = forms.formset_factory(
    NonconformityForm, formset=BaseNonconformityFormSet, extra=3
)


class PlanForm(forms.Form):
    covers_kpis = forms.MultipleChoiceField(
        label=gettext_lazy("KPIs the plan covers"),
        choices=REMEDIATION_KPIS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("While the plan is in force, a miss of these keeps the badge on."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _fields_only(self)


class PlanItemForm(PlanActionForm):
    """One action of the plan (the checks are the request plan's): the action has room to write."""

    description = forms.CharField(
        label=gettext_lazy("Action"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    due_on = forms.DateField(
        label=gettext_lazy("Due"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )


class BasePlanItemFormSet(forms.BaseFormSet):
    def rows(self) -> list[tuple]:
        """(action, owner, due date) of each row filled in; a row left empty is skipped."""
        return [
            (f.cleaned_data["description"], f.cleaned_data["owner"], f.cleaned_data["due_on"])
            for f in self.forms
            if f.cleaned_data.get("description")
        ]


PlanItemFormSet = forms.formset_factory(PlanItemForm, formset=BasePlanItemFormSet, extra=3)
