"""How the partner API describes itself in its OpenAPI schema (drf-spectacular): the token
scheme, the bodies a batch takes and the errors every endpoint may answer."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """`Authorization: Token <secret>` (kpi.api_auth.ApiTokenAuthentication)."""

    target_class = "kpi.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Token"
        )
        scheme["description"] = (
            "A partner's API token, created on the profile page (it starts with `cp_`), sent as "
            "`Authorization: Token <secret>`. It acts for its owner's organisation only."
        )
        return scheme


def _detail(name: str) -> type[serializers.Serializer]:
    return inline_serializer(name, {"detail": serializers.CharField()})


Detail = _detail("Detail")

BadBatch = inline_serializer(
    "BadBatch",
    {
        "detail": serializers.CharField(
            required=False, help_text="What is wrong with the whole body (not a JSON list)."
        ),
        "errors": inline_serializer(
            "RowError",
            {
                "line": serializers.IntegerField(help_text="The row's number, from 1."),
                "column": serializers.CharField(help_text="The field, or `-` for the whole row."),
                "reason": serializers.CharField(),
            },
            many=True,
            required=False,
        ),
    },
)

ImportResult = inline_serializer(
    "ImportResult",
    {
        "created": serializers.IntegerField(help_text="Rows stored for the first time."),
        "updated": serializers.IntegerField(help_text="Rows that replaced a stored one."),
    },
)

UNAUTHENTICATED = OpenApiResponse(Detail, description="No token, or an unknown or expired one.")
THROTTLED = OpenApiResponse(
    Detail, description="Too many requests; the Retry-After header says when to try again."
)
FORBIDDEN_PARTNER = OpenApiResponse(
    Detail, description="The caller is not a member of a partner organisation."
)
TOO_LARGE = OpenApiResponse(
    Detail, description="More rows than the batch limit, or a body over the size limit."
)
BAD_BATCH = OpenApiResponse(
    BadBatch,
    description=(
        "Nothing was stored. Either `detail` (the body is not a JSON list) or `errors`: every "
        "bad row's line, column and reason, e.g. "
        '`{"errors": [{"line": 2, "column": "score", "reason": "not a whole number"}]}`.'
    ),
)
UNSUPPORTED = OpenApiResponse(Detail, description="The body is not sent as application/json.")


def batch_of(name: str, columns, required, help_texts=None) -> serializers.Serializer:
    """A JSON list of objects with the CSV file's field names; values as in the file."""
    help_texts = help_texts or {}
    return inline_serializer(
        name,
        {
            column: serializers.CharField(
                required=column in required,
                allow_blank=column not in required,
                help_text=help_texts.get(column, ""),
            )
            for column in columns
        },
        many=True,
    )
