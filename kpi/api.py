"""The partner API: support cases, NPS answers and customers sent as JSON, the public
solution list, and a solution's KPI snapshots and breaches.

Writes are all or nothing, as the CSV imports are (kpi.importing): a partner may send only the
data of its own solutions, and any bad row rejects the batch with every bad row reported.
"""

from fractions import Fraction

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue import public_cache
from catalogue.enums import CertificationStatus
from catalogue.models import Solution
from catalogue.selectors import solutions_visible_to

from . import api_schema as doc
from .customers import CUSTOMER_COLUMNS, CUSTOMER_REQUIRED, import_customers
from .importing import (
    CASE_COLUMNS,
    CASE_REQUIRED,
    NPS_COLUMNS,
    NPS_REQUIRED,
    ImportRejected,
    RowError,
    Scope,
    import_cases,
    import_nps,
)
from .judging import format_value, stored_target
from .models import KPI, Breach, KPISnapshot

BADGE_ON = (CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK)


class IsPartner(permissions.BasePermission):
    """A member of a partner organisation."""

    message = gettext_lazy("Only members of a partner organisation may send data.")

    def has_permission(self, request, view):
        return request.user.has_perm("kpi.use_api")


def _errors(errors: list[RowError]) -> Response:
    return Response(
        {
            "errors": [
                {"line": error.line, "column": error.column, "reason": str(error.reason)}
                for error in errors
            ]
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def non_objects(rows: list) -> list[RowError]:
    """Rows of the body that are not JSON objects, and values holding a NUL character (no
    database column can store one, and no CSV file holds one)."""
    errors = []
    for line, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append(RowError(line, "-", _("expected a JSON object")))
            continue
        errors.extend(
            RowError(line, str(column).replace("\x00", ""), _("contains a NUL character"))
            for column, value in row.items()
            if "\x00" in column or (isinstance(value, str) and "\x00" in value)
        )
    return errors


def partner_scope(partner_id: int) -> Scope:
    """A partner writes only its own solutions; unknown slugs and other partners' read alike,
    so that a partner learns nothing about other partners."""
    return Scope(
        Solution.objects.filter(partner_id=partner_id),
        lambda slug: _("no solution “%(slug)s” of your organisation") % {"slug": slug},
    )


class _ImportView(APIView):
    """POST a JSON list of objects with the CSV's field names."""

    permission_classes = [permissions.IsAuthenticated, IsPartner]
    importer = None

    def post(self, request):
        rows = request.data
        if not isinstance(rows, list):
            return Response(
                {"detail": _("The body must be a JSON list of objects.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if len(rows) > settings.API_MAX_ROWS_PER_BATCH:
            return Response(
                {
                    "detail": _(
                        "A batch holds at most %(limit)d rows; this one has %(count)d. "
                        "Nothing was stored: send it in smaller batches."
                    )
                    % {"limit": settings.API_MAX_ROWS_PER_BATCH, "count": len(rows)}
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        errors = non_objects(rows)
        if errors:
            return _errors(errors)
        try:
            result = type(self).importer(rows, partner_scope(request.user.partner_id))
        except ImportRejected as rejected:
            return _errors(rejected.errors)
        return Response(
            {"created": result.created, "updated": result.updated},
            status=status.HTTP_201_CREATED,
        )


def import_schema(what: str, description: str, body):
    """The schema of one import endpoint: its body, its answer and its errors."""
    return extend_schema(
        tags=["import"],
        summary=f"Send {what}",
        description=(
            f"{description}\n\nThe body is a JSON list of objects with the CSV file's field "
            "names, at most the batch limit (10,000 rows unless configured otherwise). All or "
            "nothing: one bad row rejects the batch, and the answer lists every bad row. Only "
            "your organisation's solutions: any other slug reads as unknown."
        ),
        request={"application/json": body},
        responses={
            201: OpenApiResponse(doc.ImportResult, description="The batch was stored."),
            400: doc.BAD_BATCH,
            401: doc.UNAUTHENTICATED,
            403: doc.FORBIDDEN_PARTNER,
            413: doc.TOO_LARGE,
            415: doc.UNSUPPORTED,
            429: doc.THROTTLED,
        },
    )


@import_schema(
    "support cases",
    "Support cases of your solutions; a case sent again (same solution and `case_id`) "
    "replaces the stored one. The deadlines are computed, never sent.",
    doc.batch_of("CaseRow", CASE_COLUMNS, CASE_REQUIRED),
)
class CaseImportView(_ImportView):
    importer = staticmethod(import_cases)


@import_schema(
    "NPS answers",
    "Customers' NPS answers (`score` 0 to 10); an answer sent again replaces the stored one.",
    doc.batch_of("NPSRow", NPS_COLUMNS, NPS_REQUIRED),
)
class NPSImportView(_ImportView):
    importer = staticmethod(import_nps)


@import_schema(
    "customers",
    "Your solutions' customers with their installed version, support package and region; "
    "a customer sent again (same solution and `customer_id`) is updated.",
    doc.batch_of("CustomerRow", CUSTOMER_COLUMNS, CUSTOMER_REQUIRED),
)
class CustomerImportView(_ImportView):
    importer = staticmethod(import_customers)


class SolutionSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.name")
    certified = serializers.SerializerMethodField()

    class Meta:
        model = Solution
        fields = ["slug", "name", "partner", "certified"]

    def get_certified(self, solution) -> bool:
        # What the public badge says (catalogue.selectors.badge_of): on or off.
        certification = getattr(solution, "certification", None)
        return certification is not None and certification.badge_on


@extend_schema(
    tags=["solutions"],
    summary="List the published solutions",
    description=(
        "Published solutions with their partner and whether the certification badge is on, "
        "by name, a page at a time. Public: no token needed. A page may be up to a minute old."
    ),
    auth=[],
    parameters=[
        OpenApiParameter(
            "certified",
            OpenApiTypes.BOOL,
            description="Only those with the badge on (`true`) or off (`false`).",
        ),
    ],
    responses={
        200: OpenApiResponse(SolutionSerializer(many=True), description="A page of solutions."),
        400: OpenApiResponse(
            inline_serializer(
                "CertifiedError",
                {"certified": serializers.ListField(child=serializers.CharField())},
            ),
            description="`certified` is neither true nor false.",
        ),
        401: OpenApiResponse(
            doc.Detail, description="An unknown or expired token was sent; send none instead."
        ),
        404: OpenApiResponse(doc.Detail, description="A page past the last one."),
        429: doc.THROTTLED,
    },
)
class SolutionListView(generics.ListAPIView):
    """Published solutions, `?certified=true|false` to keep those with the badge on or off,
    a page at a time (`count`, `next`, `previous`, `results`; `?page=n`, 404 past the end).

    A page is cached for a minute per address and query string, and forgotten on every change
    of a solution or a badge (catalogue.public_cache); browsers and CDNs may keep it as
    long."""

    permission_classes = [permissions.AllowAny]
    serializer_class = SolutionSerializer

    def list(self, request, *args, **kwargs):
        # `next` and `previous` are absolute addresses: the host is part of the key.
        query = f"{request.scheme}://{request.get_host()}?{request.GET.urlencode()}"

        def shared_key():
            current = public_cache.generation()
            return public_cache.list_key("api-solutions", query, "", current) if current else None

        def compute():
            page = super(SolutionListView, self).list(request, *args, **kwargs).data
            return {**page, "results": [dict(row) for row in page["results"]]}

        data = public_cache.cached(
            f"public:api-solutions:{query}", shared_key, compute, public_cache.LIST_TIMEOUT
        )
        response = Response(data)
        patch_cache_control(response, public=True, max_age=public_cache.LIST_TIMEOUT)
        return response

    def get_queryset(self):
        solutions = (
            Solution.objects.filter(is_published=True)
            .select_related("partner", "certification")
            .only("slug", "name", "partner__name", "certification__status")
            .order_by("name", "pk")
        )
        certified = self.request.query_params.get("certified")
        if certified is None or certified == "":
            return solutions
        value = certified.strip().lower()
        if value in {"true", "1", "yes"}:
            return solutions.filter(certification__status__in=BADGE_ON)
        if value in {"false", "0", "no"}:
            return solutions.exclude(certification__status__in=BADGE_ON)
        raise ValidationError({"certified": [_("Expected true or false.")]})


# --- A solution's KPI snapshots and breaches -----------------------------------------------


def visible_solution(request, slug) -> Solution:
    """The solution, if the caller may see its KPIs; 404 for another partner's or a missing
    one."""
    solution = get_object_or_404(solutions_visible_to(request.user), slug=slug)
    if not request.user.has_perm("kpi.view_kpis", solution):
        raise Http404
    return solution


class PeriodFilters(serializers.Serializer):
    """`kpi`, and a range of months: a half-year (the NPS KPIs) is kept when it overlaps it."""

    kpi = serializers.ChoiceField(choices=KPI.choices, required=False)
    month_from = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        help_text="The first month, YYYY-MM.",
        error_messages={"invalid": gettext_lazy("A month is written YYYY-MM, e.g. 2026-10.")},
    )
    month_to = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        help_text="The last month, YYYY-MM.",
        error_messages={"invalid": gettext_lazy("A month is written YYYY-MM, e.g. 2026-10.")},
    )

    def validate(self, data):
        if (
            data.get("month_from")
            and data.get("month_to")
            and data["month_from"] > data["month_to"]
        ):
            raise ValidationError({"month_to": [_("The last month comes before the first.")]})
        return data


def in_months(queryset, *, month_from: str | None, month_to: str | None):
    """The rows whose period overlaps the months: a month inside, a half-year touching them."""
    months = Q(period__regex=r"^\d{4}-\d{2}$")
    halves = Q(period__regex=r"^\d{4}-H[12]$")
    if month_from:
        year, month = int(month_from[:4]), int(month_from[5:])
        months &= Q(period__gte=month_from)
        # A half-year reaches `month_from` when it ends on or after it.
        halves &= Q(period__gt=f"{year}-H9") | Q(
            period__in=[f"{year}-H2", *([f"{year}-H1"] if month <= 6 else [])]
        )
    if month_to:
        year, month = int(month_to[:4]), int(month_to[5:])
        months &= Q(period__lte=month_to)
        halves &= Q(period__lt=f"{year}-") | Q(
            period__in=[f"{year}-H1", *([f"{year}-H2"] if month >= 7 else [])]
        )
    return queryset.filter(months | halves)


def filtered(request, queryset, filters_class):
    query = filters_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    wanted = {name: value for name, value in query.validated_data.items() if value}
    if "kpi" in wanted:
        queryset = queryset.filter(kpi=wanted["kpi"])
    for name in ("status", "action"):
        if name in wanted:
            queryset = queryset.filter(**{name: wanted[name]})
    if "final" in query.validated_data and query.validated_data["final"] is not None:
        queryset = queryset.filter(provisional=not query.validated_data["final"])
    if "month_from" in wanted or "month_to" in wanted:
        queryset = in_months(
            queryset, month_from=wanted.get("month_from"), month_to=wanted.get("month_to")
        )
    return queryset


class SnapshotFilters(PeriodFilters):
    status = serializers.ChoiceField(choices=KPISnapshot.Status.choices, required=False)
    final = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only final (`true`) or provisional (`false`) figures.",
    )


class BreachFilters(PeriodFilters):
    action = serializers.ChoiceField(choices=Breach.Action.choices, required=False)


def _number(value) -> float | None:
    return None if value is None else float(value)


class SnapshotSerializer(serializers.ModelSerializer):
    kpi_label = serializers.CharField(source="get_kpi_display")
    period_kind = serializers.SerializerMethodField(help_text="`month` or `half_year`.")
    value = serializers.SerializerMethodField(
        help_text="A rate as a fraction (0.07 is 7 %), a count, or a mean score; null without data."
    )
    value_text = serializers.SerializerMethodField(help_text="The value as the pages show it.")
    target = serializers.SerializerMethodField(
        help_text="The target it was judged against, in the reader's language."
    )
    target_value = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display")
    final = serializers.SerializerMethodField(
        help_text="The month is final: every case in it resolved or past its deadline."
    )

    class Meta:
        model = KPISnapshot
        fields = [
            "kpi",
            "kpi_label",
            "period",
            "period_kind",
            "value",
            "value_text",
            "numerator",
            "denominator",
            "target",
            "comparison",
            "target_value",
            "status",
            "status_label",
            "provisional",
            "final",
            "evaluated_at",
        ]

    def get_period_kind(self, snapshot) -> str:
        return "half_year" if "H" in snapshot.period else "month"

    def get_value(self, snapshot) -> float | None:
        if snapshot.kpi == KPI.ESCALATIONS and snapshot.value is not None:
            return snapshot.numerator
        return _number(snapshot.value)

    def get_value_text(self, snapshot) -> str:
        value = None if snapshot.value is None else Fraction(snapshot.value)
        if snapshot.kpi == KPI.ESCALATIONS and value is not None:
            value = Fraction(snapshot.numerator)
        return format_value(snapshot.kpi, value)

    def get_target(self, snapshot) -> str:
        return stored_target(snapshot.kpi, snapshot)

    def get_target_value(self, snapshot) -> float | None:
        return _number(snapshot.target_value)

    def get_final(self, snapshot) -> bool:
        return not snapshot.provisional


class BreachSerializer(serializers.ModelSerializer):
    kpi_label = serializers.CharField(source="get_kpi_display")
    action_label = serializers.CharField(source="get_action_display")
    basis_label = serializers.CharField(source="get_basis_display")
    detail = serializers.CharField(
        source="detail_text", help_text="The figures behind it, in the reader's language."
    )

    class Meta:
        model = Breach
        fields = [
            "kpi",
            "kpi_label",
            "period",
            "action",
            "action_label",
            "basis",
            "basis_label",
            "detail",
            "recorded_at",
        ]


def period_schema(summary: str, description: str, serializer, filters_class, errors: str):
    return extend_schema(
        tags=["kpi"],
        summary=summary,
        description=description,
        parameters=[
            filters_class,
            OpenApiParameter("page", OpenApiTypes.INT, description="The page (50 a page)."),
        ],
        responses={
            200: OpenApiResponse(serializer(many=True), description="A page, newest first."),
            400: OpenApiResponse(
                inline_serializer(
                    errors,
                    {
                        name: serializers.ListField(child=serializers.CharField(), required=False)
                        for name in filters_class().fields
                    },
                ),
                description="A query parameter's value is wrong: a message per parameter.",
            ),
            401: doc.UNAUTHENTICATED,
            404: OpenApiResponse(
                doc.Detail,
                description="No such solution, or another organisation's (both answer alike); "
                "or a page past the last one.",
            ),
            429: doc.THROTTLED,
        },
    )


@period_schema(
    "List a solution's KPI snapshots",
    "Each KPI of each period as the scheduled job last evaluated it (months; half-years for "
    "the NPS survey): value, counts, the target it was judged against, pass or fail, and "
    "whether the figures are final or still provisional. Filter by `kpi`, `status`, `final` "
    "and a range of months (`month_from`, `month_to`, YYYY-MM; a half-year is kept when it "
    "overlaps the range).",
    SnapshotSerializer,
    SnapshotFilters,
    "SnapshotFilterErrors",
)
class SnapshotListView(generics.ListAPIView):
    serializer_class = SnapshotSerializer

    def get_queryset(self):
        solution = visible_solution(self.request, self.kwargs["slug"])
        snapshots = KPISnapshot.objects.filter(solution=solution).order_by("-period", "kpi")
        return filtered(self.request, snapshots, SnapshotFilters)


@period_schema(
    "List a solution's KPI breaches",
    "Each KPI that missed its target for a period, and what was done (badge revoked, "
    "covered by a remediation plan, analysts decide), judged on final figures or before "
    "them when no later data could undo it (R5.8). Filter by `kpi`, `action` and a range of "
    "months (`month_from`, `month_to`, YYYY-MM).",
    BreachSerializer,
    BreachFilters,
    "BreachFilterErrors",
)
class BreachListView(generics.ListAPIView):
    serializer_class = BreachSerializer

    def get_queryset(self):
        solution = visible_solution(self.request, self.kwargs["slug"])
        breaches = Breach.objects.filter(solution=solution).order_by("-period", "kpi")
        return filtered(self.request, breaches, BreachFilters)
