"""How the API of a request's stage 3 and of a solution's certificate describes itself in the
OpenAPI schema (workflow/api_review.py): each operation's parameters, answers and errors."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from catalogue.models import CertificationEvent
from dod.enums import RoundOutcome
from kpi import api_schema as common

from .api_review_serializers import (
    MATERIAL_STATUSES,
    AnswerSerializer,
    BadgeSerializer,
    CertificateSerializer,
    CertificationEventSerializer,
    MaterialSerializer,
    MaterialUploadSerializer,
    RevisionSerializer,
    RoundSerializer,
)
from .enums import MaterialKind


def _messages() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False)


def field_errors(name: str, fields: list[str]) -> serializers.Serializer:
    """A 400 body: a list of messages per bad field, or `detail` for the whole request."""
    return inline_serializer(
        name,
        {
            "detail": serializers.CharField(
                required=False, help_text="What is wrong with the whole request."
            ),
            **{field: _messages() for field in fields},
        },
    )


UploadErrors = inline_serializer(
    "MaterialUploadErrors",
    {
        "detail": serializers.CharField(required=False),
        "file": _messages(),
        "url": _messages(),
        "note": _messages(),
        # {part: [messages]} for a bad part, or a list of messages for a bad whole.
        "answers": serializers.JSONField(required=False),
        "non_field_errors": _messages(),
    },
)

QueryErrors = field_errors("QueryErrors", [])

NOT_VISIBLE = OpenApiResponse(
    common.Detail,
    description="No such request (or material, finding), or another organisation's: both "
    "answer alike. Also a page past the last one.",
)
NO_SOLUTION = OpenApiResponse(
    common.Detail,
    description="No such solution, or another organisation's: both answer alike.",
)
CONFLICT = OpenApiResponse(
    common.Detail, description="The request's state does not allow this now (`detail` says why)."
)
FORBIDDEN = OpenApiResponse(
    common.Detail,
    description="The caller sees the request but may not do this (only its partner does).",
)

KIND = OpenApiParameter(
    "kind",
    str,
    OpenApiParameter.PATH,
    enum=MaterialKind.values,
    description="The material: " + ", ".join(f"`{kind}`" for kind in MaterialKind.values),
)
PAGE = OpenApiParameter("page", OpenApiTypes.INT, description="The page, from 1 (50 a page).")


def _read(summary: str, description: str, ok, *, errors=None, not_found=NOT_VISIBLE, **kwargs):
    return extend_schema(
        summary=summary,
        description=description,
        responses={
            200: ok,
            400: OpenApiResponse(
                errors or QueryErrors,
                description="A query parameter's value is wrong: a message per parameter.",
            ),
            401: common.UNAUTHENTICATED,
            404: not_found,
            429: common.THROTTLED,
        },
        **kwargs,
    )


materials_list = _read(
    "List a request's materials",
    "The ten materials of regulation 3.1 as they stand for the request: each with its number, "
    "whether this request needs it, its status and every revision, newest first (a revision "
    "is never replaced). A revision's `download` is the pages' download address, which checks "
    "the same permission. Filter with `kind` and `status`.",
    OpenApiResponse(MaterialSerializer(many=True), description="A page of materials."),
    errors=field_errors("MaterialFilterErrors", ["kind", "status"]),
    tags=["materials"],
    parameters=[
        OpenApiParameter("kind", str, enum=MaterialKind.values, description="One material."),
        OpenApiParameter(
            "status",
            str,
            enum=list(MATERIAL_STATUSES),
            description="; ".join(f"`{key}`: {label}" for key, label in MATERIAL_STATUSES.items()),
        ),
        PAGE,
    ],
)

_material_common = extend_schema(tags=["materials"], parameters=[KIND])
_material_get = _read(
    "Read one material",
    "One material of the request with every revision, newest first.",
    OpenApiResponse(MaterialSerializer, description="The material."),
)
_material_post = extend_schema(
    summary="Upload a revision of a material",
    description=(
        "A new revision of the material, as the page's upload form: `multipart/form-data` with "
        "`file` and/or `url`, as the material takes them, an optional `note`, and for material "
        "6 its parts as `answers.<part>` fields. Only the request's partner, while the request "
        "awaits materials or changes are requested. The file is checked before anything is "
        "stored (type by content, size limit, zip bombs, nesting, member names): a refused "
        "file leaves nothing behind."
    ),
    request={"multipart/form-data": MaterialUploadSerializer},
    responses={
        201: OpenApiResponse(RevisionSerializer, description="The revision was stored."),
        400: OpenApiResponse(
            UploadErrors,
            description="Refused, nothing stored: a message per field, e.g. "
            '`{"file": ["The file is not a gzip archive or a zip archive…"]}`.',
        ),
        401: common.UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_VISIBLE,
        409: CONFLICT,
        413: OpenApiResponse(
            field_errors("FileTooLarge", ["file"]),
            description="The file is over the material's size limit (nothing was stored), or "
            "the body is over the request size limit.",
        ),
        415: OpenApiResponse(common.Detail, description="The body is not multipart form data."),
        429: common.THROTTLED,
    },
)


def _on_methods(get, post):
    def decorate(view):
        view.get = get(view.get)
        view.post = post(view.post)
        return _material_common(view)

    return decorate


material_detail = _on_methods(_material_get, _material_post)

review = _read(
    "Read a request's DoD review",
    "The review rounds of the request, oldest first: each with its DoD edition, when it "
    "began and closed and its outcome; each criterion's check (result, comment, evidence), "
    "for the Marketplace team only; and the findings raised in it with their answers. "
    "Criteria are in the reader's language. Filter with `outcome` (`open` for the round under "
    "way).",
    OpenApiResponse(RoundSerializer(many=True), description="A page of rounds."),
    errors=field_errors("RoundFilterErrors", ["outcome"]),
    tags=["review"],
    parameters=[
        OpenApiParameter(
            "outcome", str, enum=["open", *RoundOutcome.values], description="Rounds ended so."
        ),
        PAGE,
    ],
)

finding_answer = extend_schema(
    tags=["review"],
    summary="Answer a finding",
    description=(
        "The partner's answer to an open finding, as on the findings page: what was changed, "
        "and in which material revision, or why the partner disagrees. Only the request's "
        "partner, while changes are requested; a finding may be answered more than once."
    ),
    request={"application/json": AnswerSerializer},
    responses={
        201: OpenApiResponse(AnswerSerializer, description="The answer was stored."),
        400: OpenApiResponse(
            field_errors("AnswerErrors", ["text", "non_field_errors"]),
            description='Refused: a message per field, e.g. `{"text": ["This field is '
            'required."]}`; `detail` for a body that is not JSON.',
        ),
        401: common.UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NOT_VISIBLE,
        409: CONFLICT,
        415: OpenApiResponse(common.Detail, description="The body is not application/json."),
        429: common.THROTTLED,
    },
)

certificate = _read(
    "Read a solution's certificate",
    "The solution's certification: the certified version, when it was granted, its state, "
    "the next regular audit and the request that granted it, with its whole history (grants, "
    "version updates, at risk, revocations, restorations), each with its reason in the "
    "reader's language.",
    OpenApiResponse(CertificateSerializer, description="The certificate."),
    not_found=OpenApiResponse(
        common.Detail,
        description="No such solution, another organisation's, or one never certified.",
    ),
    tags=["certification"],
)

certificate_history = _read(
    "List a certificate's history",
    "The certification's changes, oldest first, a page at a time: each one's action, state "
    "after it, version, reason in the reader's language, who acted (null for the scheduled "
    "KPI job) and when. Filter with `action`.",
    OpenApiResponse(CertificationEventSerializer(many=True), description="A page of changes."),
    errors=field_errors("HistoryFilterErrors", ["action"]),
    not_found=OpenApiResponse(
        common.Detail,
        description="No such solution, another organisation's, or one never certified; or a "
        "page past the last one.",
    ),
    tags=["certification"],
    parameters=[
        OpenApiParameter(
            "action", str, enum=CertificationEvent.Action.values, description="Changes of a kind."
        ),
        PAGE,
    ],
)

badge = _read(
    "Read a solution's badge",
    "The badge's state (certified, at risk, revoked, or not certified), since when it is so "
    "and the reason of its latest change, in the reader's language. The public badge without "
    "a token is on the showcase (`/badges/<slug>.json`).",
    OpenApiResponse(BadgeSerializer, description="The badge."),
    not_found=NO_SOLUTION,
    tags=["certification"],
)
