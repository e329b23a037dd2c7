from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import Field, Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.enums import Marketplace
from catalogue.models import Solution, SolutionVersion
from certportal.forms import CrispyMixin

from .enums import ApplicationState, Priority, ReadinessCriterion, Stage
from .models import Application
from .selectors import ASSIGNED_TO_ME, QUEUE_SORTS, UNASSIGNED


class SolutionForm(CrispyMixin, forms.ModelForm):
    submit_label = _("Save the solution")

    class Meta:
        model = Solution
        fields = [
            "name",
            "slug",
            "marketplace",
            "category",
            "description",
            "is_published",
            "marketplace_url",
            "uses_external_services",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_published") and not cleaned.get("marketplace_url"):
            self.add_error(
                "marketplace_url", _("Give the Marketplace page of a published solution.")
            )
        return cleaned


class VersionForm(CrispyMixin, forms.ModelForm):
    submit_label = _("Add the version")

    class Meta:
        model = SolutionVersion
        fields = ["number", "released_on", "notes"]
        widgets = {"released_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, solution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.solution = solution

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        if SolutionVersion.objects.filter(solution=self.instance.solution, number=number).exists():
            raise forms.ValidationError(_("This solution already has version %s.") % number)
        return number


class ApplicationForm(CrispyMixin, forms.ModelForm):
    submit_label = _("Create the request")

    class Meta:
        model = Application
        fields = ["version", "motivation"]

    def __init__(self, *args, solution, submit_label=None, **kwargs):
        if submit_label:
            self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = solution.versions.order_by("-created_at")
        self.fields["version"].empty_label = None

    @staticmethod
    def initial_from(application) -> dict:
        """The draft as saved: every field the form edits."""
        return {"version": application.version_id, "motivation": application.motivation}


class MeetingScheduleForm(CrispyMixin, forms.Form):
    submit_label = _("Schedule the meeting")

    scheduled_for = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    location = forms.CharField(label=_("Where"), max_length=300, help_text=_("A room or a link."))
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def clean_scheduled_for(self):
        scheduled_for = self.cleaned_data["scheduled_for"]
        if scheduled_for < timezone.now():
            raise forms.ValidationError(
                _("A meeting can only be scheduled for a time still to come.")
            )
        return scheduled_for


class MeetingRecordForm(CrispyMixin, forms.Form):
    submit_label = _("Record the meeting")

    held_at = forms.DateTimeField(
        label=_("Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    notes = forms.CharField(label=_("Meeting notes"), widget=forms.Textarea(attrs={"rows": 4}))

    def clean_held_at(self):
        held_at = self.cleaned_data["held_at"]
        if held_at > timezone.now():
            raise forms.ValidationError(_("A meeting can only be recorded once it was held."))
        return held_at


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class ReadinessForm(CrispyMixin, forms.Form):
    """The four criteria of 1.1, each scored 1–5 with a comment (R1.3)."""

    submit_label = _("Save the scores")

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = existing or {}
        for criterion in ReadinessCriterion:
            score = existing.get(criterion.value)
            self.fields[f"{criterion.value}_score"] = forms.TypedChoiceField(
                label=criterion.label,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                initial=score.score if score else None,
                help_text=_("1 = not ready, 5 = fully ready"),
            )
            self.fields[f"{criterion.value}_comment"] = forms.CharField(
                label=_("Comment on “%s”") % criterion.label,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=score.comment if score else None,
            )

        self.helper.layout = Layout(
            *(
                item
                for criterion in ReadinessCriterion
                for item in (
                    InlineRadios(f"{criterion.value}_score"),
                    Field(f"{criterion.value}_comment"),
                )
            )
        )

    def scores(self) -> dict[str, tuple[int, str]]:
        return {
            criterion.value: (
                self.cleaned_data[f"{criterion.value}_score"],
                self.cleaned_data[f"{criterion.value}_comment"].strip(),
            )
            for criterion in ReadinessCriterion
        }


class ReadinessDecisionForm(CrispyMixin, forms.Form):
    submit_label = _("Record the decision")

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept for approval")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Reason, as the partner will read it"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ApprovalFactsForm(CrispyMixin, forms.Form):
    submit_label = _("Save the facts")

    overlap_note = forms.CharField(
        label=_("Portfolio overlap"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Marketplace solutions and certified ones covering the same need (R2.2)."),
    )
    overlapping_solutions = forms.ModelMultipleChoiceField(
        label=_("Overlapping solutions"), queryset=Solution.objects.none(), required=False
    )
    roadmap_conflict = forms.BooleanField(
        label=_("R&D plans similar functionality within a year (R2.3)"), required=False
    )
    roadmap_note = forms.CharField(
        label=_("Roadmap note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    customer_requests = forms.IntegerField(
        label=_("Customer requests"),
        min_value=0,
        help_text=_(
            "How many customers asked for this solution or its functionality: the leaders "
            "weigh customer demand (R2.4)."
        ),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["overlapping_solutions"].queryset = Solution.objects.filter(
            is_published=True
        ).exclude(pk=application.solution_id)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("roadmap_conflict") and not cleaned.get("roadmap_note", "").strip():
            self.add_error("roadmap_note", _("Say what R&D plans and when."))
        return cleaned


class LeaderDecisionForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", "—"), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, decision: str, **kwargs):
        super().__init__(*args, **kwargs)
        if decision == "approve":
            self.fields["priority"].required = True
        if decision == "resume":
            self.fields["comment"].required = False
        if decision in ("decline_approval",):
            del self.fields["priority"]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    stage = forms.TypedChoiceField(
        label=_("Stage"),
        choices=[("", _("All stages")), *Stage.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Open requests"))]
        + [(s.value, s.label) for s in ApplicationState if s != ApplicationState.DRAFT],
        required=False,
    )
    marketplace = forms.ChoiceField(
        label=_("Marketplace"), choices=[("", _("All")), *Marketplace.choices], required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[("", _("Any")), *Priority.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[("", "")]
        + [(key, key) for key in QUEUE_SORTS]
        + [(f"-{key}", f"-{key}") for key in QUEUE_SORTS],
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": _(
                "The queue cannot be sorted by “%(value)s”: it is shown in its usual order."
            )
        },
    )

    def __init__(self, *args, team=(), **kwargs):
        """`team`: the people the assignee filter offers."""
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Anyone or nobody")),
            (ASSIGNED_TO_ME, _("Me (my requests)")),
            (UNASSIGNED, _("No analyst yet")),
            *((str(member.pk), member.get_full_name() or member.username) for member in team),
        ]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"
