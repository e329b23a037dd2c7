from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .enums import NotificationChoice, NotificationKind
from .models import User
from .notifications import Preference
from .services import token_expiry_choices


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “CRM export”."),
    )
    days = forms.TypedChoiceField(label=_("Valid for"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [
            (days, ngettext("%(days)d day", "%(days)d days", days) % {"days": days})
            for days in token_expiry_choices(settings.API_TOKEN_MAX_DAYS)
        ]
        self.helper = FormHelper()
        self.helper.form_action = reverse_lazy("token_create")
        self.helper.add_input(Submit("create", _("Create the token")))


class EmailChangeForm(forms.Form):
    """A new e-mail address, confirmed with the current password (re-authentication)."""

    email = forms.EmailField(label=_("New e-mail address"))
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse_lazy("email_change")
        self.helper.add_input(Submit("change", _("Change the e-mail address")))

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("The password is not correct. The e-mail address was not changed.")
            )
        return password

    def clean_email(self):
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("Another account uses this e-mail address."))
        return email


class NotificationSettingsForm(forms.Form):
    """One choice per kind of message the person may choose for (mandatory kinds are fixed
    and have no field); any other kind posted, or a choice that is not one, is an error."""

    def __init__(self, *args, preferences: list[Preference], **kwargs):
        super().__init__(*args, **kwargs)
        self.preferences = preferences
        for preference in preferences:
            if not preference.fixed:
                self.fields[preference.kind] = forms.ChoiceField(
                    label=preference.kind.label,
                    choices=NotificationChoice.choices,
                    initial=preference.choice,
                    widget=forms.RadioSelect,
                )

    def clean(self):
        cleaned = super().clean()
        fixed = {preference.kind for preference in self.preferences if preference.fixed}
        for name in self.data:
            if name in self.fields or name == "csrfmiddlewaretoken":
                continue
            if name in fixed:
                self.add_error(
                    None,
                    _("“%(kind)s” is always sent at once: it cannot be changed.")
                    % {"kind": NotificationKind(name).label},
                )
            else:
                self.add_error(None, _("“%(kind)s” is not a kind of message.") % {"kind": name})
        return cleaned

    def rows(self):
        """The table's rows: each preference with its field (None when fixed)."""
        return [
            (preference, None if preference.fixed else self[preference.kind])
            for preference in self.preferences
        ]
