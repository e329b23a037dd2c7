"""The partner's CSV uploads on a solution's KPI page: a UTF-8 CSV file within the size limit,
whose rows all belong to that solution."""

import csv
import io

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importing import RowError


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


def foreign_rows(text: str, slug: str) -> list[RowError]:
    """Rows whose `solution` column names anything but `slug` (line numbers as in the file).

    A file without a `solution` column gives nothing here: the importer reports the header.
    """
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader, [])]
    if "solution" not in header:
        return []
    position = header.index("solution")
    errors = []
    for values in reader:
        if not any(value.strip() for value in values) or len(values) <= position:
            continue
        named = values[position].strip()
        if named and named != slug:
            errors.append(
                RowError(
                    reader.line_num,
                    "solution",
                    _("“%(named)s” is not this solution: only rows of “%(slug)s” are accepted here")
                    % {"named": named, "slug": slug},
                )
            )
    return errors
