"""What the workflow's API reads and writes (workflow.api): solutions, versions, requests,
their timeline and transitions, each field described for the OpenAPI schema; and the errors
the schema documents for them.

Input serializers validate only the shape of the data; the rules (who may, in which state,
on which conditions) stay in workflow.services and the transitions, as for the pages.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from catalogue.enums import Marketplace
from catalogue.models import Solution, SolutionVersion
from kpi import api_schema as doc

from .enums import STAGE_OF_STATE, ApplicationKind, ApplicationState, Priority, Stage
from .models import Application, TimelineEntry

# --- Solutions and versions ------------------------------------------------------------------


class SolutionDetailSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(
        source="partner.name", read_only=True, help_text="The partner organisation's name."
    )
    certified = serializers.SerializerMethodField(
        help_text="Whether the certification badge is on (certified, or certified at risk)."
    )

    class Meta:
        model = Solution
        fields = [
            "slug",
            "name",
            "partner",
            "marketplace",
            "category",
            "description",
            "is_published",
            "marketplace_url",
            "uses_external_services",
            "certified",
            "created_at",
        ]
        read_only_fields = ["partner", "certified", "created_at"]
        extra_kwargs = {
            "slug": {
                "help_text": "The solution's address on the portal, unique; e.g. `nw-calendar`."
            },
            "name": {"help_text": "Unique among your organisation's solutions."},
            "marketplace": {"help_text": "The Marketplace the solution is published on."},
            "is_published": {
                "help_text": "Published on the Marketplace: only such a solution can be certified "
                "(R1.1); `marketplace_url` is then required."
            },
        }

    def get_certified(self, solution) -> bool:
        certification = getattr(solution, "certification", None)
        return certification is not None and certification.badge_on

    def validate(self, attrs):
        if attrs.get("is_published") and not attrs.get("marketplace_url"):
            raise serializers.ValidationError(
                {"marketplace_url": [_("Give the Marketplace page of a published solution.")]}
            )
        return attrs


class VersionSerializer(serializers.ModelSerializer):
    solution = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The solution's slug."
    )

    class Meta:
        model = SolutionVersion
        fields = ["number", "solution", "released_on", "notes", "created_at"]
        read_only_fields = ["solution", "created_at"]
        extra_kwargs = {
            "number": {"help_text": "As published: numbers and dots, e.g. `1.4.0` or `2.0.1-rc1`."}
        }
        # The number's uniqueness per solution is the service's to check (full_clean).
        validators = []


# --- Requests ----------------------------------------------------------------------------------


class RequestSerializer(serializers.ModelSerializer):
    solution = serializers.CharField(
        source="solution.slug", read_only=True, help_text="The solution's slug."
    )
    solution_name = serializers.CharField(source="solution.name", read_only=True)
    partner = serializers.CharField(source="solution.partner.name", read_only=True)
    marketplace = serializers.ChoiceField(
        source="solution.marketplace", choices=Marketplace.choices, read_only=True
    )
    version = serializers.CharField(
        source="version.number", read_only=True, help_text="The version to certify."
    )
    state_label = serializers.CharField(
        source="get_state_display", read_only=True, help_text="The state in the reader's language."
    )
    stage = serializers.SerializerMethodField(
        help_text="The stage (1–5) the request is in; for a closed one, null."
    )
    stage_reached = serializers.SerializerMethodField(
        help_text="The stage shown on the progress bar: for a closed request, where it stopped."
    )
    priority_label = serializers.CharField(
        source="get_priority_display", read_only=True, allow_null=True
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "solution",
            "solution_name",
            "partner",
            "marketplace",
            "version",
            "kind",
            "state",
            "state_label",
            "stage",
            "stage_reached",
            "priority",
            "priority_label",
            "motivation",
            "created_at",
            "submitted_at",
            "state_changed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "priority": {"help_text": "Set by the leaders (R2.5): 1 high, 2 medium, 3 low."},
            "state_changed_at": {"help_text": "Since when the request is in its state."},
        }

    def get_stage(self, application) -> int | None:
        stage = STAGE_OF_STATE.get(application.state)
        return int(stage) if stage is not None else None

    def get_stage_reached(self, application) -> int:
        return int(application.stage_reached)


class RequestCreateSerializer(serializers.Serializer):
    solution = serializers.SlugField(help_text="The slug of one of your organisation's solutions.")
    version = serializers.CharField(
        max_length=40, help_text="The number of one of the solution's registered versions."
    )
    motivation = serializers.CharField(
        help_text="The customers' needs the solution covers and why it should be certified."
    )
    kind = serializers.ChoiceField(
        choices=ApplicationKind.choices,
        default=ApplicationKind.INITIAL,
        help_text=(
            "`initial` files a draft request (submit it with the `submit` transition); `update` "
            "or `critical_fix` opens the update of a certified solution, straight to stage 3."
        ),
    )


class TimelineEntrySerializer(serializers.ModelSerializer):
    transition = serializers.CharField(help_text="The transition's name.")
    source_state = serializers.CharField(help_text="The state it left.")
    state = serializers.CharField(help_text="The state it reached.")
    by = serializers.SerializerMethodField(
        help_text="Who took the step (full name or user name); null for a scheduled job."
    )
    comment = serializers.CharField(
        source="comment_text",
        help_text="The comment: typed by a person as typed, the system's words in the reader's "
        "language.",
    )

    class Meta:
        model = TimelineEntry
        fields = ["timestamp", "transition", "source_state", "state", "by", "comment"]

    def get_by(self, entry) -> str | None:
        if entry.by is None:
            return None
        return entry.by.get_full_name() or entry.by.username


# --- Transitions --------------------------------------------------------------------------------


class FieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=["string", "datetime", "integer"])
    required = serializers.BooleanField()
    help_text = serializers.CharField(allow_blank=True)
    choices = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="The values it takes, if fixed."
    )


class TransitionSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Fire it with POST …/transitions/<name>/.")
    label = serializers.CharField(help_text="The button's label, in the reader's language.")
    target = serializers.ChoiceField(choices=ApplicationState.choices)
    fields = FieldSerializer(many=True, help_text="The data the transition takes.")
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why it cannot be taken yet (a condition not met); empty when it can.",
    )


class TransitionsSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ApplicationState.choices)
    available = TransitionSerializer(many=True, help_text="What you may do now.")
    blocked = TransitionSerializer(
        many=True, help_text="What your role could do here but for a condition, with the reasons."
    )


class _Guarded(serializers.Serializer):
    seen_state = serializers.ChoiceField(
        choices=ApplicationState.choices,
        required=False,
        help_text="The state you read the request in. When it has moved on since (someone "
        "else acted), the answer is 409 and nothing is written.",
    )


class CommentInput(_Guarded):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="For the timeline; the partner reads it.",
    )


class RequiredCommentInput(_Guarded):
    comment = serializers.CharField(help_text="Why: the timeline keeps it, the partner reads it.")


class EditDraftInput(_Guarded):
    version = serializers.CharField(
        max_length=40, required=False, help_text="Another registered version's number."
    )
    motivation = serializers.CharField(required=False, help_text="The new motivation.")


class MeetingScheduleInput(_Guarded):
    scheduled_for = serializers.DateTimeField(help_text="When, still to come.")
    location = serializers.CharField(max_length=300, help_text="A room or a link.")
    agenda = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_scheduled_for(self, value):
        if value < timezone.now():
            raise serializers.ValidationError(
                _("A meeting can only be scheduled for a time still to come.")
            )
        return value


class MeetingRecordInput(_Guarded):
    held_at = serializers.DateTimeField(help_text="When it was held, not in the future.")
    notes = serializers.CharField(help_text="The meeting's notes, for the team only.")

    def validate_held_at(self, value):
        if value > timezone.now():
            raise serializers.ValidationError(_("A meeting can only be recorded once it was held."))
        return value


class DecisionInput(RequiredCommentInput):
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        allow_null=True,
        help_text="1 high (a broad need the base products do not cover), 2 medium, 3 low (R2.5).",
    )


class ApproveInput(DecisionInput):
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        help_text="1 high (a broad need the base products do not cover), 2 medium, 3 low (R2.5).",
    )


class ResumeInput(CommentInput):
    priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        allow_null=True,
        help_text="A new priority, if it changed: 1 high, 2 medium, 3 low (R2.5).",
    )


class RequestFilter(serializers.Serializer):
    """The list's query parameters, checked: a wrong value answers 400 naming it."""

    state = serializers.ChoiceField(choices=ApplicationState.choices, required=False)
    stage = serializers.ChoiceField(choices=[(int(s), s.label) for s in Stage], required=False)
    solution = serializers.SlugField(required=False)
    marketplace = serializers.ChoiceField(choices=Marketplace.choices, required=False)
    kind = serializers.ChoiceField(choices=ApplicationKind.choices, required=False)


class VersionFilter(serializers.Serializer):
    released_after = serializers.DateField(required=False)


# --- The answers' schema ----------------------------------------------------------------------

FIELD_MESSAGES = {
    "type": "object",
    "description": "Field-level messages: each field named with its messages; what concerns "
    "the whole request (a condition not met) under `non_field_errors`; or `detail` when the "
    "body is no JSON at all.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the step cannot run in this state.")
    state = serializers.ChoiceField(
        choices=ApplicationState.choices, help_text="The request's state now."
    )


class AnyStepInput(_Guarded):
    """Every field a transition may take, for the schema: which ones a transition takes, and
    which it requires, is in its entry of the transitions list."""

    comment = serializers.CharField(required=False, allow_blank=True)
    version = serializers.CharField(max_length=40, required=False)
    motivation = serializers.CharField(required=False)
    scheduled_for = serializers.DateTimeField(required=False)
    location = serializers.CharField(max_length=300, required=False)
    agenda = serializers.CharField(required=False, allow_blank=True)
    held_at = serializers.DateTimeField(required=False)
    notes = serializers.CharField(required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)


# --- The schema's shared answers ---------------------------------------------------------------

BAD_DATA = OpenApiResponse(
    FIELD_MESSAGES,
    description="Nothing was written: field-level messages, and under `non_field_errors` what "
    "concerns the whole request (a rule or a condition not met).",
    examples=[
        OpenApiExample(
            "A field and a condition",
            {
                "comment": ["This field is required."],
                "non_field_errors": ["All four readiness criteria must be scored first (R1.3)."],
            },
        )
    ],
)
BAD_QUERY = OpenApiResponse(
    FIELD_MESSAGES,
    description="A query parameter's value is wrong; each one named with its messages, e.g. "
    '`{"state": ["…is not a valid choice."]}`.',
)
NOT_SEEN = OpenApiResponse(
    doc.Detail,
    description="No such record, or one the caller may not see (another partner's); or a page "
    "past the last one.",
)
FORBIDDEN = OpenApiResponse(
    doc.Detail, description="The caller may see the record but its role may not do this."
)
CONFLICT = OpenApiResponse(
    ConflictSerializer,
    description="The request is not in a state where the step runs: it was taken already, or "
    "someone else moved the request meanwhile. Nothing was written.",
    examples=[
        OpenApiExample(
            "Taken already",
            {
                "detail": "This request is “Submitted”: that action is not possible now.",
                "state": "submitted",
            },
        )
    ],
)


def answers(ok: dict, *, query=False, body=False, write=False) -> dict:
    """The answers of one operation: `ok`, then every error it may give."""
    errors = {401: doc.UNAUTHENTICATED, 404: NOT_SEEN, 429: doc.THROTTLED}
    if query:
        errors[400] = BAD_QUERY
    if body:
        errors[400] = BAD_DATA
        errors[415] = doc.UNSUPPORTED
    if write:
        errors[403] = FORBIDDEN
    return {**ok, **errors}
