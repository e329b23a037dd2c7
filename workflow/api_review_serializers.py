"""What the API says of a request's materials, its DoD review, and a solution's certificate and
badge (workflow/api_review.py). Every text is in the reader's language (Accept-Language)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from dod.enums import CheckResult, FindingStatus, Reviewer, RoundOutcome, Severity

from .enums import MaterialKind
from .materials import EXTERNAL_SERVICE_PARTS

MATERIAL_STATUSES = {
    "provided": _("Provided: the latest revision completes it"),
    "incomplete": _("Incomplete: the latest revision does not complete it"),
    "missing": _("Missing: required and not uploaded yet"),
    "none": _("None: not required here and not uploaded"),
}
BADGE_STATES = [*CertificationStatus.values, "not_certified"]


def person(user) -> str | None:
    """A person as the pages name them: the full name, else the user name."""
    if user is None:
        return None
    return user.get_full_name() or user.username


def _absolute(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


# --- Materials ---------------------------------------------------------------------------


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(help_text="The revision number, from 1.")
    file_name = serializers.CharField(
        source="original_name", help_text="The uploaded file's name; empty for a link only."
    )
    size = serializers.IntegerField(allow_null=True, help_text="The file's size in bytes.")
    sha256 = serializers.CharField(help_text="The file's SHA-256, hex; empty without a file.")
    content_kind = serializers.CharField(
        help_text="What the file turned out to be (`gzip`, `zip`, `pdf`, …); empty without one."
    )
    url = serializers.CharField(help_text="The link given with the revision, if any.")
    note = serializers.CharField(source="note_text", help_text="The note for the reviewers.")
    answers = serializers.DictField(
        child=serializers.CharField(),
        help_text="Material 6: the parts answered in words, {part: text}; `{}` otherwise.",
    )
    reconfirmed_from = serializers.SerializerMethodField(
        help_text="The id of the certified version's revision re-confirmed unchanged, if any."
    )
    uploaded_by = serializers.SerializerMethodField()
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField(
        help_text="Where to download the file (the same permission check as the pages); "
        "null without a file."
    )

    def get_reconfirmed_from(self, material) -> int | None:
        return material.carried_over_from_id

    def get_uploaded_by(self, material) -> str:
        return person(material.uploaded_by)

    def get_download(self, material) -> str | None:
        if not material.file:
            return None
        return _absolute(
            self.context["request"], "material_download", material.application_id, material.pk
        )


class MaterialSerializer(serializers.Serializer):
    """One of the ten materials of 3.1 as it stands for the request."""

    kind = serializers.ChoiceField(choices=MaterialKind.choices)
    number = serializers.IntegerField(min_value=1, max_value=10, help_text="Its number in 3.1.")
    label = serializers.CharField()
    required = serializers.BooleanField(help_text="Whether this request must provide it.")
    status = serializers.ChoiceField(
        choices=list(MATERIAL_STATUSES.items()),
        help_text="provided, incomplete, missing, or none (not required and not uploaded).",
    )
    problem = serializers.CharField(help_text="Why the latest revision does not complete it.")
    revisions = RevisionSerializer(many=True, help_text="Newest first; none is ever replaced.")


class MaterialUploadSerializer(serializers.Serializer):
    """A new revision of one material, as multipart form data (the page's upload form)."""

    file = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="The file. Checked before it is stored: its type (by content, not name), "
        "its size limit and, for archives, zip bombs, nesting and member names.",
    )
    url = serializers.URLField(
        required=False, allow_blank=True, max_length=500, help_text="A link, where it takes one."
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=10_000, help_text="For the reviewers."
    )
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=10_000),
        required=False,
        help_text="Material 6 only: its parts as `answers.<part>` fields ("
        + ", ".join(f"`{part.key}`" for part in EXTERNAL_SERVICE_PARTS)
        + ").",
    )


# --- The DoD review ------------------------------------------------------------------------


class EvidenceSerializer(serializers.Serializer):
    file_name = serializers.CharField(source="original_name")
    uploaded_at = serializers.DateTimeField()
    download = serializers.SerializerMethodField()

    def get_download(self, evidence) -> str:
        application_id = self.context["application"].pk
        return _absolute(self.context["request"], "evidence_download", application_id, evidence.pk)


class CriterionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField(source="title_text")
    how_checked = serializers.CharField(source="how_checked_text")
    reviewer = serializers.ChoiceField(
        choices=Reviewer.choices, help_text="Who checks it: an analyst, or R&D (DoD 9–10)."
    )


class CheckSerializer(serializers.Serializer):
    criterion = CriterionSerializer()
    result = serializers.ChoiceField(choices=CheckResult.choices)
    comment = serializers.CharField()
    checked_by = serializers.SerializerMethodField()
    checked_at = serializers.DateTimeField()
    evidence = EvidenceSerializer(many=True, source="evidence.all")

    def get_checked_by(self, check) -> str:
        return person(check.checked_by)


class AnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    text = serializers.CharField(
        max_length=20_000,
        help_text="What you changed, and in which material revision, or why you disagree.",
    )
    by = serializers.SerializerMethodField()
    at = serializers.DateTimeField(read_only=True)

    def get_by(self, answer) -> str:
        return person(answer.by)

    def validate_text(self, text: str) -> str:
        text = text.strip()
        if "\x00" in text:
            raise serializers.ValidationError(_("contains a NUL character"))
        return text


class FindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    criterion = serializers.SerializerMethodField(
        help_text="The DoD criterion's number; null for a general finding."
    )
    severity = serializers.ChoiceField(choices=Severity.choices)
    text = serializers.CharField()
    status = serializers.ChoiceField(choices=FindingStatus.choices)
    raised_in_round = serializers.IntegerField(source="round.number")
    resolved_in_round = serializers.SerializerMethodField()
    raised_by = serializers.SerializerMethodField()
    raised_at = serializers.DateTimeField()
    awaiting_answer = serializers.SerializerMethodField(
        help_text="Open and not answered since the last round sent it back: answer it before "
        "resubmitting."
    )
    evidence = serializers.SerializerMethodField()
    answers = AnswerSerializer(many=True, source="answers.all")
    answer = serializers.SerializerMethodField(
        help_text="Where the partner answers it (POST), while changes are requested."
    )

    def get_criterion(self, finding) -> int | None:
        return finding.criterion.number if finding.criterion_id else None

    def get_resolved_in_round(self, finding) -> int | None:
        return finding.resolved_in.number if finding.resolved_in_id else None

    def get_raised_by(self, finding) -> str:
        return person(finding.raised_by)

    def get_awaiting_answer(self, finding) -> bool:
        return finding.pk in self.context["awaiting"]

    @extend_schema_field(EvidenceSerializer(many=True))
    def get_evidence(self, finding):
        items = self.context["evidence"].get((finding.round_id, finding.criterion_id), [])
        return EvidenceSerializer(items, many=True, context=self.context).data

    def get_answer(self, finding) -> str:
        return _absolute(
            self.context["request"], "api_finding_answer", finding.application_id, finding.pk
        )


class RoundSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    dod_edition = serializers.IntegerField(source="criteria_version.number")
    submitted_at = serializers.DateTimeField(help_text="When the materials were submitted.")
    started_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(
        choices=[("", _("Open")), *RoundOutcome.choices], help_text="Empty while the round is open."
    )
    checks = serializers.SerializerMethodField(
        help_text="Each criterion's check in this round, by number. The reviewers' working "
        "record: the Marketplace team sees it, a partner gets `[]` and reads the findings."
    )
    findings = serializers.SerializerMethodField(help_text="The findings raised in this round.")

    @extend_schema_field(CheckSerializer(many=True))
    def get_checks(self, round_):
        if not self.context["team"]:
            return []
        return CheckSerializer(round_.checks.all(), many=True, context=self.context).data

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, round_):
        findings = self.context["findings"].get(round_.pk, [])
        return FindingSerializer(findings, many=True, context=self.context).data


# --- The certificate and the badge ---------------------------------------------------------


class CertificationEventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=CertificationEvent.Action.choices)
    action_label = serializers.CharField(source="get_action_display")
    state = serializers.ChoiceField(source="status", choices=CertificationStatus.choices)
    version = serializers.CharField(source="version.number")
    reason = serializers.CharField(
        source="reason_text", help_text="Why, in the reader's language; empty when none given."
    )
    by = serializers.SerializerMethodField(help_text="Null when the scheduled KPI job acted.")
    at = serializers.DateTimeField()

    def get_by(self, event) -> str | None:
        return person(event.actor)


class CertificateSerializer(serializers.Serializer):
    solution = serializers.CharField(source="solution.slug")
    version = serializers.CharField(source="version.number", help_text="The certified version.")
    granted_at = serializers.DateTimeField(source="since")
    state = serializers.ChoiceField(source="status", choices=CertificationStatus.choices)
    state_label = serializers.CharField(source="get_status_display")
    badge_on = serializers.BooleanField()
    next_audit_due = serializers.DateField(allow_null=True)
    request = serializers.IntegerField(
        source="application_id", help_text="The certification request that granted it."
    )
    history = CertificationEventSerializer(
        many=True, help_text="Every change, oldest first; nothing is ever removed."
    )


class BadgeSerializer(serializers.Serializer):
    solution = serializers.CharField()
    state = serializers.ChoiceField(choices=BADGE_STATES)
    state_label = serializers.CharField()
    badge_on = serializers.BooleanField(help_text="Whether the showcase shows the badge (R7.1).")
    version = serializers.CharField(allow_null=True, help_text="The certified version.")
    since = serializers.DateTimeField(
        allow_null=True, help_text="Since when the badge is as it is: its latest change."
    )
    reason = serializers.CharField(
        help_text="The reason of its latest change, in the reader's language; empty if none."
    )
