"""Forms of the DoD review and of the DoD administration: validation only."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Field, Layout, Submit
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from certportal.forms import CrispyMixin
from certportal.interaction import guard_state

from .enums import CheckResult, Reviewer, Severity
from .models import Criterion


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files at once; each is validated by the service that stores it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        return [single_clean(item, initial) for item in items if item]


class CheckForm(CrispyMixin, forms.Form):
    """This round's result of one criterion; "not applicable" only where R3.7 allows it."""

    submit_label = _("Save the check")

    result = forms.ChoiceField(label=_("Result"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was checked and what was found."),
    )
    evidence = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("Screenshots, logs, reports; several files may be chosen at once."),
    )

    def __init__(self, *args, application, criterion: Criterion, na_allowed: bool, **kwargs):
        # Ten of these share the page: unique ids, same field names (the guard reads them).
        kwargs.setdefault("auto_id", f"check-{criterion.number}-%s")
        super().__init__(*args, **kwargs)
        self.criterion = criterion
        self.fields["result"].choices = [
            (value, label)
            for value, label in CheckResult.choices
            if value != CheckResult.NOT_APPLICABLE or na_allowed
        ]
        guard_state(self, application)
        self.helper.form_action = reverse(
            "review_check", kwargs={"pk": application.pk, "number": criterion.number}
        )
        self.helper.form_id = f"check-{criterion.number}"
        self.helper.layout = Layout(
            InlineRadios("result"), Field("comment"), Field("evidence"), Field("seen_state")
        )
        self.helper.inputs = [
            Submit("submit", self.submit_label, css_id=f"check-{criterion.number}-submit")
        ]


class FindingForm(CrispyMixin, forms.Form):
    """A finding or a recommendation for the partner (R3.8, R7.3)."""

    submit_label = _("Raise the finding")

    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *Severity.choices])
    criterion = forms.ModelChoiceField(
        label=_("Criterion"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=_("— not tied to a criterion —"),
    )
    text = forms.CharField(
        label=_("Finding or recommendation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The partner reads this: say what is wrong and how to fix or improve it."),
    )

    def __init__(self, *args, application, criteria, **kwargs):
        kwargs.setdefault("auto_id", "finding-%s")
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria
        self.fields["criterion"].label_from_instance = lambda c: f"{c.number}. {c.title_text}"
        guard_state(self, application)
        self.helper.form_action = reverse("review_finding_raise", kwargs={"pk": application.pk})
        self.helper.form_id = "raise-finding"
        self.helper.inputs = [Submit("submit", self.submit_label, css_id="raise-finding-submit")]


# --- DoD administration --------------------------------------------------------------------


class CriterionRevisionForm(forms.Form):
    """One criterion of the next edition, prefilled with the edition in force."""

    number = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("criterion"), widget=forms.Textarea(attrs={"rows": 2}))
    how_checked = forms.CharField(
        label=_("how it is checked"), widget=forms.Textarea(attrs={"rows": 2})
    )
    title_ru = forms.CharField(
        label=_("criterion (Russian)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    how_checked_ru = forms.CharField(
        label=_("how it is checked (Russian)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    external_services_only = forms.BooleanField(
        label=_("applies only with external services"), required=False
    )
    reviewer = forms.ChoiceField(label=_("checked by"), choices=Reviewer.choices)

    FIELDS = (
        "title",
        "how_checked",
        "title_ru",
        "how_checked_ru",
        "external_services_only",
        "reviewer",
    )


class BaseRevisionFormSet(forms.BaseFormSet):
    def __init__(self, *args, criteria, **kwargs):
        self.criteria = {criterion.number: criterion for criterion in criteria}
        kwargs.setdefault(
            "initial",
            [
                {
                    "number": c.number,
                    **{name: getattr(c, name) for name in CriterionRevisionForm.FIELDS},
                }
                for c in self.criteria.values()
            ],
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        numbers = sorted(form.cleaned_data.get("number") for form in self.forms)
        if numbers != sorted(self.criteria):
            raise forms.ValidationError(
                _("The criteria changed while you were editing. Reload the page and start again.")
            )

    def changes(self) -> dict[int, dict]:
        """Only what differs from the edition in force, as criteria_revise takes it."""
        changes = {}
        for form in self.forms:
            current = self.criteria[form.cleaned_data["number"]]
            changed = {
                name: form.cleaned_data[name]
                for name in CriterionRevisionForm.FIELDS
                if form.cleaned_data[name] != getattr(current, name)
            }
            if changed:
                changes[current.number] = changed
        return changes


RevisionFormSet = forms.formset_factory(
    CriterionRevisionForm, formset=BaseRevisionFormSet, extra=0, can_delete=False
)


class EditionForm(forms.Form):
    """What changed in the new edition; and the edition the editor started from."""

    note = forms.CharField(
        label=_("what changed"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Staff and reviewers read this in the list of editions."),
    )
    seen_edition = forms.IntegerField(widget=forms.HiddenInput)
