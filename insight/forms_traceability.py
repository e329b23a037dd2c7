from django import forms
from django.utils.translation import gettext_lazy as _


class RuleFilterForm(forms.Form):
    """The traceability page's filters: words of a rule or its ID, its stage, unproved only."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, required=False, empty_value=None)
    unproved = forms.BooleanField(label=_("Unproved rules only"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        """`groups`: the stages (the headings of docs/rules.md), offered by position."""
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [
            ("", _("All stages")),
            *((str(number), group) for number, group in enumerate(groups, start=1)),
        ]
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"
            else:
                field.widget.attrs["class"] = "form-control"
