"""The partner's CSV uploads on a solution's KPI page: a UTF-8 CSV file within the size limit."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importing import BadFile, csv_text


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
        try:
            return csv_text(b"".join(upload.chunks()))
        except BadFile as bad:
            raise ValidationError(str(bad)) from None
