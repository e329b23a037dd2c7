"""The overview's filters: a period (the last months, or from one month to another) and a
marketplace."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.enums import Marketplace

from .selectors import Period, add_months

PERIOD_CHOICES = [
    ("3", _("Last 3 months")),
    ("6", _("Last 6 months")),
    ("12", _("Last 12 months")),
    ("24", _("Last 24 months")),
]
DEFAULT_MONTHS = 12
# The longest period the charts show, month by month.
MAX_MONTHS = 60


class MonthField(forms.CharField):
    """A month written as YYYY-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM, e.g. 2026-03.")}

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        try:
            month = datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return month


class OverviewFilterForm(forms.Form):
    months = forms.ChoiceField(
        label=_("Period"), choices=PERIOD_CHOICES, required=False, initial=str(DEFAULT_MONTHS)
    )
    start = MonthField(label=_("From month"), required=False)
    end = MonthField(label=_("To month"), required=False)
    marketplace = forms.ChoiceField(
        label=_("Marketplace"),
        choices=[("", _("All marketplaces")), *Marketplace.choices],
        required=False,
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None) and not self.errors:
            raise forms.ValidationError(
                _("Give both months of the period, or choose one of the last periods.")
            )
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The period's first month is after its last."))
            if len(Period(start, end).months) > MAX_MONTHS:
                raise forms.ValidationError(
                    _("A period is at most %(count)d months long.") % {"count": MAX_MONTHS}
                )
        return data

    def period(self, today: datetime.date) -> Period:
        """The period asked for; the last 12 months when none (or a bad one) is given."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        months = int(data.get("months") or DEFAULT_MONTHS)
        last = today.replace(day=1)
        return Period(add_months(last, 1 - months), last)

    def chosen_marketplace(self) -> str:
        """The marketplace asked for ("" for all); kept when only the period is wrong."""
        return (self.cleaned_data.get("marketplace") or "") if self.is_bound else ""
