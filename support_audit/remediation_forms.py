"""The form that marks an action of a remediation plan done: validation only; the services
write (and check the evidence file before it is stored)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from certportal.forms import CrispyMixin
from certportal.interaction import add_confirmation, guard_state


class MarkDoneForm(CrispyMixin, forms.Form):
    """What was done, with an optional evidence file or link; the confirmation of a step that
    cannot be undone."""

    submit_label = _("Mark done")

    note = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The auditors read it at the re-audit; it stays on the plan."),
    )
    evidence = forms.FileField(
        label=_("Evidence file (optional)"),
        required=False,
        help_text=_("A document, a screenshot or a zip of them, up to 50 MB."),
    )
    link = forms.URLField(
        label=_("Evidence link (optional)"),
        required=False,
        assume_scheme="https",
        max_length=500,
        help_text=_("For example the changed page of your support system."),
    )

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, **kwargs)
        if record is not None:
            guard_state(self, record)
        add_confirmation(self)
