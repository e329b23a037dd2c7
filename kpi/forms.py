"""The partner's CSV uploads on a solution's KPI page: a UTF-8 CSV file within the size limit."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class CSVUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        """The file's text: refused when larger than the limit or not UTF-8."""
        upload = self.cleaned_data["file"]
        limit = settings.KPI_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; files of at most %(limit)s are accepted.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        content = b"".join(upload.chunks())
        try:
            # A byte-order mark, as spreadsheet programs write one, is not part of the header.
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                _("The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again.")
            ) from None
        if "\x00" in text:
            raise ValidationError(_("The file is not a CSV text file."))
        return text


class MonthReopenForm(forms.Form):
    """An analyst's confirmation that a final month is to be evaluated again, and why."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the month's history with your name."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that the month is evaluated again with every case it has, including "
            "those that arrived late, and that a target it now misses is enforced."
        ),
    )
