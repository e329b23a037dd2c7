"""Form bits shared by every app's pages."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class CrispyMixin:
    submit_label = _("Save")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


def guard_state(form, record) -> None:
    """Carry the state the user saw, so a step someone else took meanwhile is noticed."""
    form.fields["seen_state"] = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=record.state
    )


def state_unchanged(form, record) -> bool:
    """False, with a message on the form, if the request moved since the user loaded it."""
    seen = form.cleaned_data.get("seen_state")
    if not seen or seen == record.state:
        return True
    form.add_error(
        None,
        _(
            "Someone else changed this request while you were working on it: it is now "
            "“%(state)s”. Nothing was saved; your input is kept below. Check and send again."
        )
        % {"state": record.get_state_display()},
    )
    form.data = form.data.copy()
    form.data["seen_state"] = record.state
    return False
