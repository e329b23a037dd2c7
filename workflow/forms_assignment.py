"""The forms that give requests to an analyst or an R&D expert: one request, or a batch."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from certportal.forms import CrispyMixin

from .enums import AssignmentRole


def _name(user) -> str:
    return user.get_full_name() or user.username


class _AssigneeField(forms.ModelChoiceField):
    """A person, or NOBODY to unassign; one of them must be chosen. Any active user is accepted,
    so that the service says clearly why one who may not be assigned is refused; the list
    offers only the people given to `offer`."""

    NOBODY = "none"

    def __init__(self, **kwargs):
        super().__init__(
            queryset=User.objects.filter(is_active=True),
            error_messages={"required": _("Choose whom to assign them to.")},
            **kwargs,
        )

    def clean(self, value):
        return None if value == self.NOBODY else super().clean(value)

    def label_from_instance(self, obj):
        return _name(obj)

    def offer(self, people) -> None:
        self.choices = [
            ("", _("Choose…")),
            (self.NOBODY, _("Nobody (unassign)")),
            *people,
        ]


class _RequestNumbersField(forms.TypedMultipleChoiceField):
    """Request numbers: whether each exists is the service's to say, naming those that do not."""

    def valid_value(self, value) -> bool:
        return True


class AssignForm(CrispyMixin, forms.Form):
    """Assign one request's analyst or R&D expert, or unassign them (nobody chosen)."""

    role = forms.ChoiceField(choices=AssignmentRole.choices, widget=forms.HiddenInput)
    assignee = _AssigneeField(label=_("Assign to"))
    comment = forms.CharField(
        label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, role: AssignmentRole, offered, current=None, **kwargs):
        self.submit_label = _("Assign the %(role)s") % {"role": role.noun}
        initial = {"role": role, "assignee": current.pk if current else None}
        super().__init__(*args, initial=initial, prefix=role, **kwargs)
        self.fields["assignee"].label = role.label
        self.fields["assignee"].help_text = (
            _("Now: %(person)s.") % {"person": _name(current)} if current else _("Nobody yet.")
        )
        self.fields["assignee"].offer((member.pk, _name(member)) for member in offered)


class BatchAssignForm(forms.Form):
    """Assign the requests ticked in the queue to one person, after a confirmation."""

    applications = _RequestNumbersField(
        label=_("Requests"),
        coerce=int,
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Tick the requests to assign first.")},
    )
    role = forms.ChoiceField(label=_("as"), choices=AssignmentRole.choices)
    assignee = _AssigneeField(label=_("Assign selected to"))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, analysts=(), rnd_experts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].offer(
            [
                (str(_("Analysts")), [(m.pk, _name(m)) for m in analysts]),
                (str(_("R&D experts")), [(m.pk, _name(m)) for m in rnd_experts]),
            ]
        )
        for name in ("role", "assignee"):
            self.fields[name].widget.attrs["class"] = "form-select"
