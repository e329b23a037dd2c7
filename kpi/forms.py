"""The partner's CSV uploads on a solution's KPI page (a UTF-8 CSV file within the size limit),
and the NPS survey the portal runs: started by the analysts, answered by a customer."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalogue.enums import CertificationStatus
from catalogue.models import Solution

from .importing import BadFile, csv_rows, csv_text


class CSVUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> str:
        """The file's text: refused when larger than the limits or not UTF-8."""
        upload = self.cleaned_data["file"]
        limit = settings.KPI_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("The file is %(size)s; files of at most %(limit)s are accepted.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        try:
            text = csv_text(b"".join(upload.chunks()))
        except BadFile as bad:
            raise ValidationError(str(bad)) from None
        rows = settings.KPI_UPLOAD_MAX_ROWS
        # Fewer line breaks than the limit is fewer rows; otherwise the rows are counted (a
        # quoted value may hold a line break).
        if text.count("\n") > rows and (count := csv_rows(text)) > rows:
            raise ValidationError(
                _(
                    "The file has %(count)s rows; files of at most %(limit)s rows are accepted: "
                    "split it into several files and upload each."
                )
                % {"count": count, "limit": rows}
            )
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


class SurveyStartForm(forms.Form):
    solutions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Certified solutions"),
        queryset=Solution.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Each customer with an active subscription or paid support and a contact e-mail "
            "gets a personal link; customers invited already this half-year are not invited again."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["solutions"].queryset = Solution.objects.filter(
            certification__status__in=(CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK)
        ).order_by("name")


class SurveyAnswerForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy(
            "How likely are you to recommend this solution to a colleague? (0: not at all, "
            "10: extremely likely)"
        ),
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you would like to add (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
