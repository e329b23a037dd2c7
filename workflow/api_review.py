"""The API of a request's stage 3 and of a solution's certificate (docs/api.md): the materials
and their upload, the DoD review with its findings and the partner's answers, the certificate
with its history and the badge.

Every write goes through the service the pages call (workflow.services), so the same rules
hold: the same permission, the same upload checks before anything is stored (certportal.uploads),
the same states. Who may see what is the pages' rule too: a partner its own organisation's
requests and solutions (any other answers 404), the Marketplace team every one.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition
from rest_framework import generics, parsers, serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.models import CertificationEvent
from catalogue.rules import require
from catalogue.selectors import certification_history, solutions_visible_to, visible_certification
from certportal.errors import ActionRefused
from certportal.interaction import stale_copy_message
from certportal.uploads import CappedUploadHandler, UploadRejected
from dod.enums import RoundOutcome
from dod.models import Finding
from dod.selectors import evidence_of, findings_of, rounds_of, unanswered_findings

from . import api_review_schema as doc
from . import selectors, services
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
from .materials import SPECS, incompleteness, is_complete, is_required
from .models import Application
from .services import review


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def act(service, /, **kwargs):
    """Call a page's service and answer its refusals as the API does: a refused upload or a
    rule of the form as field-level messages (400), a step the state does not allow or a
    stale copy as 409. A missing permission is DRF's 403."""
    try:
        return service(**kwargs)
    except UploadRejected as rejected:
        raise ValidationError({"file": [str(rejected.message)]}) from None
    except DjangoValidationError as error:
        raise ValidationError({"non_field_errors": error.messages}) from None
    except ActionRefused as refused:
        raise Conflict(" ".join(str(reason) for reason in refused.reasons)) from None
    except ConcurrentTransition:
        raise Conflict(stale_copy_message()) from None


def visible_request(request, pk) -> Application:
    """The request, if the caller may see it; 404 for another partner's or a missing one."""
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)


def filters(request, serializer_class) -> dict:
    """The query's filters, validated: 400 with a message per bad parameter."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {name: value for name, value in query.validated_data.items() if value not in ("", None)}


# --- Materials ---------------------------------------------------------------------------


def material_rows(application: Application, kinds=None) -> list[dict]:
    """The ten materials (or `kinds`) of the request, each with its revisions, newest first:
    two queries whatever the number of revisions."""
    revisions = selectors.material_revisions(application)
    rows = []
    for number, kind in enumerate(MaterialKind, start=1):
        if kinds is not None and kind not in kinds:
            continue
        items = revisions.get(kind.value, [])
        required = is_required(kind, application)
        complete = bool(items) and is_complete(items[0], application)
        if not items:
            state = "missing" if required else "none"
        else:
            state = "provided" if complete else "incomplete"
        problem = incompleteness(kind, items[0], application) if state == "incomplete" else ""
        rows.append(
            {
                "kind": kind.value,
                "number": number,
                "label": kind.label,
                "required": required,
                "status": state,
                "problem": problem,
                "revisions": items,
            }
        )
    return rows


class MaterialFilters(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MaterialKind.choices, required=False)
    status = serializers.ChoiceField(choices=list(MATERIAL_STATUSES), required=False)


@doc.materials_list
class MaterialListView(generics.ListAPIView):
    serializer_class = MaterialSerializer

    def get_queryset(self):
        application = visible_request(self.request, self.kwargs["pk"])
        require(self.request.user, "workflow.view_material", application)
        wanted = filters(self.request, MaterialFilters)
        rows = material_rows(application, [wanted["kind"]] if "kind" in wanted else None)
        return [row for row in rows if wanted.get("status", row["status"]) == row["status"]]


def material_kind(value: str) -> MaterialKind:
    if value not in MaterialKind.values:
        raise Http404
    return MaterialKind(value)


@doc.material_detail
class MaterialView(APIView):
    """One material (GET) and a new revision of it (POST, multipart)."""

    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body (the session's CSRF check does): each file streams
        # to disk and stops being stored past the material's limit, as on the page.
        if request.method == "POST":
            kind = kwargs["kind"] if kwargs["kind"] in MaterialKind.values else None
            limit = SPECS[kind].policy.size_limit() if kind else 0
            self.handler = CappedUploadHandler(request._request, limit=limit)
            request._request.upload_handlers = [self.handler]
        super().initial(request, *args, **kwargs)

    def get(self, request, pk, kind):
        application = visible_request(request, pk)
        require(request.user, "workflow.view_material", application)
        (row,) = material_rows(application, [material_kind(kind)])
        return Response(MaterialSerializer(row, context={"request": request}).data)

    def post(self, request, pk, kind):
        application = visible_request(request, pk)
        kind = material_kind(kind)
        require(request.user, "workflow.upload_material", application)
        body = MaterialUploadSerializer(data=request.data)
        if self.handler.too_large:
            message = _("The file “%(name)s” is larger than the limit of %(limit)s.") % {
                "name": self.handler.too_large,
                "limit": filesizeformat(self.handler.limit),
            }
            return Response({"file": [message]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        added = act(
            services.material_upload,
            application=application,
            by=request.user,
            kind=kind,
            upload=data.get("file"),
            url=data.get("url", ""),
            note=data.get("note", "").strip(),
            answers=data.get("answers") or None,
        )
        return Response(
            RevisionSerializer(added, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# --- The DoD review ------------------------------------------------------------------------


class RoundFilters(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[("open", _("Open")), *RoundOutcome.choices], required=False
    )


@doc.review
class ReviewView(generics.ListAPIView):
    serializer_class = RoundSerializer

    def get_queryset(self):
        self.application = visible_request(self.request, self.kwargs["pk"])
        require(self.request.user, "workflow.view_material", self.application)
        wanted = filters(self.request, RoundFilters).get("outcome")
        rounds = rounds_of(self.application)
        if wanted:
            rounds = [r for r in rounds if (r.outcome or "open") == wanted]
        return rounds

    def get_serializer_context(self):
        context = super().get_serializer_context()
        application = getattr(self, "application", None)
        if application is None:  # the schema's own look at the view
            return context
        findings: dict[int, list[Finding]] = {}
        for finding in findings_of(application):
            findings.setdefault(finding.round_id, []).append(finding)
        evidence: dict[tuple, list] = {}
        for item in evidence_of(application):
            key = (item.check_record.round_id, item.check_record.criterion_id)
            evidence.setdefault(key, []).append(item)
        return {
            **context,
            "application": application,
            "team": self.request.user.has_perm("workflow.view_internal_notes", application),
            "findings": findings,
            "evidence": evidence,
            "awaiting": set(unanswered_findings(application).values_list("pk", flat=True)),
        }


@doc.finding_answer
class FindingAnswerView(APIView):
    parser_classes = [parsers.JSONParser]

    def post(self, request, pk, finding_id):
        application = visible_request(request, pk)
        finding = get_object_or_404(Finding, pk=finding_id, application=application)
        finding.application = application
        require(request.user, "workflow.upload_material", application)
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answer = act(
            review.finding_answer,
            finding=finding,
            by=request.user,
            text=body.validated_data["text"],
        )
        return Response(AnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


# --- The certificate and the badge ---------------------------------------------------------


@doc.certificate
class CertificateView(APIView):
    def get(self, request, slug):
        certification = visible_certification(request.user, slug)
        certification.history = list(certification_history(certification))
        return Response(CertificateSerializer(certification).data)


class HistoryFilters(serializers.Serializer):
    action = serializers.ChoiceField(choices=CertificationEvent.Action.choices, required=False)


@doc.certificate_history
class CertificateHistoryView(generics.ListAPIView):
    serializer_class = CertificationEventSerializer

    def get_queryset(self):
        certification = visible_certification(self.request.user, self.kwargs["slug"])
        events = certification_history(certification)
        wanted = filters(self.request, HistoryFilters)
        return events.filter(**wanted)


@doc.badge
class BadgeView(APIView):
    def get(self, request, slug):
        solution = get_object_or_404(
            solutions_visible_to(request.user).select_related("certification__version"),
            slug=slug,
        )
        certification = getattr(solution, "certification", None)
        if certification is None:
            badge = {
                "solution": solution.slug,
                "state": "not_certified",
                "state_label": _("Not certified"),
                "badge_on": False,
                "version": None,
                "since": None,
                "reason": "",
            }
        else:
            last = certification.events.order_by("-at", "-pk").first()
            badge = {
                "solution": solution.slug,
                "state": certification.status,
                "state_label": certification.get_status_display(),
                "badge_on": certification.badge_on,
                "version": certification.version.number,
                "since": last.at if last else certification.since,
                "reason": last.reason_text if last else "",
            }
        return Response(BadgeSerializer(badge).data)
