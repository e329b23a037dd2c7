"""The workflow's API, under /api/v1/: solutions and their versions, certification requests,
their timeline, and the transitions a caller may take now, read and fired.

Every write goes through the services the pages call (workflow.services), with the same
django-rules permissions and django-fsm conditions; the views only parse the data, call one
service and say its refusal as JSON:

- 400: field-level messages (`{"field": ["…"]}`), a condition not met in `non_field_errors`;
- 403: the caller may see the record but its role may not take the step;
- 404: a record the caller may not see reads as a missing one (another partner's, say);
- 409: the request is not in a state where the step runs: it was taken already, or someone
  else moved the request meanwhile (`seen_state`, or a concurrent transition).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.rules import is_partner
from catalogue.enums import Marketplace
from catalogue.models import Solution, SolutionVersion
from catalogue.rules import require
from catalogue.selectors import solutions_visible_to
from certportal.errors import ActionRefused

from . import api_serializers as io
from . import selectors, services
from .enums import ApplicationKind, ApplicationState
from .models import Application
from .selectors import applications_visible_to, states_of_stage
from .services import review, support

# --- Refusals ----------------------------------------------------------------------------------


def invalid(error: DjangoValidationError) -> ValidationError:
    """A service's ValidationError as the API's field-level 400."""
    if hasattr(error, "error_dict"):
        return ValidationError(
            {
                ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
                for field, messages in error.message_dict.items()
            }
        )
    return ValidationError({"non_field_errors": error.messages})


def refused(error: ActionRefused) -> ValidationError:
    return ValidationError({"non_field_errors": [str(reason) for reason in error.reasons]})


def conflict(application: Application, detail: str) -> Response:
    return Response({"detail": detail, "state": application.state}, status=status.HTTP_409_CONFLICT)


def _moved_on(application: Application) -> str:
    return _(
        "Someone else changed this request meanwhile: it is now “%(state)s”. Nothing was "
        "saved; read it again and decide."
    ) % {"state": application.get_state_display()}


# --- Solutions and versions --------------------------------------------------------------------


def visible_solution(user, slug: str) -> Solution:
    return get_object_or_404(solutions_visible_to(user).select_related("certification"), slug=slug)


@extend_schema(
    tags=["solutions"],
    summary="Read a solution",
    description="One solution by its slug, published or not: a partner reads its own "
    "organisation's, the Marketplace team every one; any other answers 404.",
    responses=io.answers({200: io.SolutionDetailSerializer}),
)
class SolutionDetailView(generics.RetrieveAPIView):
    serializer_class = io.SolutionDetailSerializer

    def get_object(self):
        return visible_solution(self.request.user, self.kwargs["slug"])


@extend_schema(
    tags=["solutions"],
    summary="Register a solution",
    description="A member of a partner organisation registers a solution of its organisation, "
    "as on the Solutions page (the same service and checks). The list of published solutions "
    "stays `GET /api/v1/solutions/`; the new one is read at `/api/v1/solutions/<slug>/` "
    "(the `Location` header).",
    responses=io.answers({201: io.SolutionDetailSerializer}, body=True, write=True),
)
class SolutionRegisterView(generics.CreateAPIView):
    serializer_class = io.SolutionDetailSerializer

    def create(self, request, *args, **kwargs):
        require(request.user, "catalogue.add_solution")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        solution = Solution(**serializer.validated_data)
        try:
            serializer.instance = services.solution_register(
                by=self.request.user, solution=solution
            )
        except DjangoValidationError as error:
            raise invalid(error) from error

    def get_success_headers(self, data):
        return {"Location": f"/api/v1/solutions/{data['slug']}/"}


@extend_schema_view(
    get=extend_schema(
        tags=["solutions"],
        summary="List a solution's versions",
        description="The solution's registered versions, newest first, a page at a time.",
        parameters=[
            OpenApiParameter(
                "released_after",
                OpenApiTypes.DATE,
                description="Only those released on this day or later.",
            )
        ],
        responses=io.answers({200: io.VersionSerializer(many=True)}, query=True),
    ),
    post=extend_schema(
        tags=["solutions"],
        summary="Register a version",
        description="Your organisation's solution gets a new version, as on its page.",
        responses=io.answers({201: io.VersionSerializer}, body=True, write=True),
    ),
)
class VersionListView(generics.ListCreateAPIView):
    serializer_class = io.VersionSerializer

    def solution(self) -> Solution:
        if not hasattr(self, "_solution"):
            self._solution = visible_solution(self.request.user, self.kwargs["slug"])
        return self._solution

    def get_queryset(self):
        filters = io.VersionFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        versions = (
            self.solution().versions.select_related("solution").order_by("-created_at", "-pk")
        )
        if after := filters.validated_data.get("released_after"):
            versions = versions.filter(released_on__gte=after)
        return versions

    def create(self, request, *args, **kwargs):
        require(request.user, "catalogue.add_solutionversion", self.solution())
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        version = SolutionVersion(solution=self.solution(), **serializer.validated_data)
        try:
            serializer.instance = services.version_add(by=self.request.user, version=version)
        except DjangoValidationError as error:
            raise invalid(error) from error


# --- Requests ----------------------------------------------------------------------------------


def visible_request(user, pk: int) -> Application:
    return get_object_or_404(applications_visible_to(user), pk=pk)


@extend_schema_view(
    get=extend_schema(
        tags=["requests"],
        summary="List certification requests",
        description="The requests the caller may see (a partner its organisation's, the "
        "Marketplace team every one), newest first, a page at a time, filtered by the "
        "parameters given.",
        parameters=[
            OpenApiParameter("state", enum=ApplicationState.values, description="In this state."),
            OpenApiParameter(
                "stage", OpenApiTypes.INT, enum=[1, 2, 3, 4, 5], description="In this stage."
            ),
            OpenApiParameter("solution", description="Of this solution (its slug)."),
            OpenApiParameter(
                "marketplace", enum=[m.value for m in Marketplace], description="On this one."
            ),
            OpenApiParameter("kind", enum=ApplicationKind.values, description="Of this kind."),
        ],
        responses=io.answers({200: io.RequestSerializer(many=True)}, query=True),
    ),
    post=extend_schema(
        tags=["requests"],
        summary="File a certification request",
        description="A member of a partner organisation files a request for a version of one "
        "of its published solutions (R1.1): a draft to submit with the `submit` transition. "
        "With `kind` `update` or `critical_fix`, a certified solution's new version opens "
        "its update, straight to stage 3 (R3.2).",
        request=io.RequestCreateSerializer,
        responses=io.answers({201: io.RequestSerializer}, body=True, write=True),
    ),
)
class RequestListView(generics.ListCreateAPIView):
    serializer_class = io.RequestSerializer

    def get_serializer_class(self):
        return io.RequestCreateSerializer if self.request.method == "POST" else io.RequestSerializer

    def get_queryset(self):
        filters = io.RequestFilter(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        requests = applications_visible_to(self.request.user).order_by("-created_at", "-pk")
        if "state" in given:
            requests = requests.filter(state=given["state"])
        if "stage" in given:
            requests = requests.filter(state__in=states_of_stage(int(given["stage"])))
        if "solution" in given:
            requests = requests.filter(solution__slug=given["solution"])
        if "marketplace" in given:
            requests = requests.filter(solution__marketplace=given["marketplace"])
        if "kind" in given:
            requests = requests.filter(kind=given["kind"])
        return requests

    def create(self, request, *args, **kwargs):
        # Filed for one of the caller's own solutions: only a partner's member ever may.
        if not is_partner(request.user):
            raise PermissionDenied
        given = io.RequestCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        application = file_request(request.user, given.validated_data)
        shown = io.RequestSerializer(visible_request(request.user, application.pk))
        return Response(
            shown.data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/requests/{application.pk}/"},
        )


def file_request(user, data: dict) -> Application:
    """A first request (a draft) or an update of a certified solution, as the pages file them."""
    solution = solutions_visible_to(user).filter(slug=data["solution"]).first()
    if solution is None:
        raise ValidationError(
            {"solution": [_("No solution “%(slug)s” of yours.") % {"slug": data["solution"]}]}
        )
    version = solution.versions.filter(number=data["version"].strip()).first()
    if version is None:
        raise ValidationError(
            {
                "version": [
                    _("%(solution)s has no version %(number)s: register it first.")
                    % {"solution": solution.name, "number": data["version"]}
                ]
            }
        )
    try:
        if data["kind"] == ApplicationKind.INITIAL:
            return services.application_create(
                by=user, solution=solution, version=version, motivation=data["motivation"]
            )
        return services.update_request_open(
            by=user,
            solution=solution,
            version=version,
            motivation=data["motivation"],
            critical_fix=data["kind"] == ApplicationKind.CRITICAL_FIX,
        )
    except DjangoValidationError as error:
        raise invalid(error) from error
    except ActionRefused as error:
        raise refused(error) from error


@extend_schema(
    tags=["requests"],
    summary="Read a certification request",
    description="Its solution, version, state, stage and priority.",
    responses=io.answers({200: io.RequestSerializer}),
)
class RequestDetailView(generics.RetrieveAPIView):
    serializer_class = io.RequestSerializer

    def get_object(self):
        return visible_request(self.request.user, self.kwargs["pk"])


@extend_schema(
    tags=["requests"],
    summary="Read a request's timeline",
    description="Every transition it went through, oldest first: who, when, from which state "
    "to which, and the comment (the system's words in the reader's language, "
    "`Accept-Language`). Nothing is ever removed from it.",
    parameters=[OpenApiParameter("transition", description="Only this transition's entries.")],
    responses=io.answers({200: io.TimelineEntrySerializer(many=True)}, query=True),
)
class TimelineView(generics.ListAPIView):
    serializer_class = io.TimelineEntrySerializer

    def get_queryset(self):
        entries = selectors.timeline(visible_request(self.request.user, self.kwargs["pk"]))
        if transition := self.request.query_params.get("transition"):
            entries = entries.filter(transition=transition)
        return entries


# --- Transitions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A transition as the API fires it: the data it takes and the service that takes it."""

    data: type[serializers.Serializer]
    fire: Callable[[Application, object, dict], object]


def _with_comment(service):
    return lambda application, by, data: service(
        application=application, by=by, comment=data["comment"]
    )


def _edit_draft(application, by, data):
    number = data.get("version")
    version = application.version
    if number is not None:
        version = application.solution.versions.filter(number=number.strip()).first()
        if version is None:
            raise ValidationError({"version": [_("No such version of this solution.")]})
    return services.application_edit(
        application=application,
        by=by,
        version=version,
        motivation=data.get("motivation", application.motivation),
    )


def _schedule(application, by, data):
    return services.meeting_schedule(
        application=application,
        by=by,
        scheduled_for=data["scheduled_for"],
        location=data["location"],
        agenda=data["agenda"],
    )


def _record(application, by, data):
    return services.meeting_record(
        application=application, by=by, held_at=data["held_at"], notes=data["notes"]
    )


def _readiness(accept: bool):
    return lambda application, by, data: services.readiness_decide(
        application=application, by=by, accept=accept, comment=data["comment"]
    )


def _decide(decision: str):
    return lambda application, by, data: services.leader_decide(
        application=application,
        by=by,
        decision=decision,
        comment=data["comment"],
        priority=data.get("priority"),
    )


def _withdraw(application, by, data):
    return services.application_withdraw(application=application, by=by, reason=data["comment"])


# Every transition of a request but `open_update`, which opens an update as it is filed
# (POST /api/v1/requests/ with `kind`).
STEPS = {
    "submit": Step(io.CommentInput, _with_comment(services.application_submit)),
    "edit_draft": Step(io.EditDraftInput, _edit_draft),
    "schedule_meeting": Step(io.MeetingScheduleInput, _schedule),
    "reschedule_meeting": Step(io.MeetingScheduleInput, _schedule),
    "hold_meeting": Step(io.MeetingRecordInput, _record),
    "accept": Step(io.RequiredCommentInput, _readiness(True)),
    "decline_readiness": Step(io.RequiredCommentInput, _readiness(False)),
    "approve": Step(io.ApproveInput, _decide("approve")),
    "defer": Step(io.DecisionInput, _decide("defer")),
    "resume": Step(io.ResumeInput, _decide("resume")),
    "decline_approval": Step(io.RequiredCommentInput, _decide("decline_approval")),
    "submit_materials": Step(io.CommentInput, _with_comment(services.materials_submit)),
    "start_review": Step(io.CommentInput, _with_comment(review.review_start)),
    "request_changes": Step(io.CommentInput, _with_comment(review.review_request_changes)),
    "pass_quality": Step(io.CommentInput, _with_comment(review.review_pass)),
    "pass_update": Step(io.CommentInput, _with_comment(review.review_pass)),
    "decline_quality": Step(io.RequiredCommentInput, _with_comment(review.review_decline)),
    "submit_support": Step(io.CommentInput, _with_comment(support.support_submit)),
    "report_nonconformities": Step(io.CommentInput, _with_comment(support.nonconformities_report)),
    "request_reaudit": Step(io.CommentInput, _with_comment(support.reaudit_request)),
    "pass_support": Step(io.CommentInput, _with_comment(support.support_pass)),
    "certify": Step(io.CommentInput, _with_comment(support.certify)),
    "decline_support": Step(io.RequiredCommentInput, _with_comment(support.support_decline)),
    "withdraw": Step(io.RequiredCommentInput, _withdraw),
}


def _transition(application: Application, name: str):
    """The django-fsm transition `name` from the request's state, or None."""
    meta = getattr(Application, name)._django_fsm
    return (
        meta.get_transition(application.state) if meta.has_transition(application.state) else None
    )


def _on_path(application: Application, transition) -> bool:
    """Whether the request's kind takes this route (a first certification, an update)."""
    return all(cond(application) for cond in transition.conditions if getattr(cond, "path", False))


def _fields(step: Step) -> list[dict]:
    shown = []
    for name, field in step.data().fields.items():
        if name == "seen_state":
            continue
        kind = "datetime" if isinstance(field, serializers.DateTimeField) else "string"
        entry = {
            "name": name,
            "type": kind,
            "required": field.required,
            "help_text": str(field.help_text or ""),
        }
        if isinstance(field, serializers.ChoiceField):
            entry["type"] = "integer" if all(isinstance(c, int) for c in field.choices) else kind
            entry["choices"] = [str(choice) for choice in field.choices]
        shown.append(entry)
    return shown


def _described(application: Application, name: str, reasons=()) -> dict:
    transition = _transition(application, name)
    return {
        "name": name,
        "label": str(transition.custom.get("label", name)),
        "target": transition.target,
        "fields": _fields(STEPS[name]),
        "reasons": [str(reason) for reason in reasons],
    }


def transitions_of(application: Application, user) -> dict:
    """What `user` may do with the request now and what a condition still blocks, as the
    request page decides its buttons (services.actions_for, with the step's own data
    settling what its form would); moving the meeting is offered beside recording it."""
    available, blocked = services.actions_for(application, user, with_form=True)
    if "hold_meeting" in available:
        available.insert(available.index("hold_meeting"), "reschedule_meeting")
    return {
        "state": application.state,
        "available": [_described(application, name) for name in available if name in STEPS],
        "blocked": [
            _described(application, name, reasons)
            for name, reasons in blocked.items()
            if name in STEPS
        ],
    }


@extend_schema(
    tags=["requests"],
    summary="The transitions you may take now",
    description="What the caller may do with the request now (its role's transitions that "
    "the state and conditions allow), each with the data it takes; and what a condition "
    "still blocks, with the reasons. The request's page shows the same buttons.",
    responses=io.answers({200: io.TransitionsSerializer}),
)
class TransitionListView(APIView):
    def get(self, request, pk):
        application = visible_request(request.user, pk)
        return Response(io.TransitionsSerializer(transitions_of(application, request.user)).data)


@extend_schema(
    tags=["requests"],
    summary="Take a transition",
    description="Fire the transition `name` with its data (see the transitions list for "
    "each one's fields), through the same service, permission and conditions as the pages. "
    "Send `seen_state` to be refused (409) if someone else moved the request since you read "
    "it. Firing a transition the request already left answers 409.",
    parameters=[
        OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(STEPS))
    ],
    request={"application/json": io.AnyStepInput},
    responses=io.answers(
        {200: OpenApiResponse(io.RequestSerializer, description="The request, moved on.")},
        body=True,
        write=True,
    )
    | {409: io.CONFLICT},
)
class TransitionFireView(APIView):
    def post(self, request, pk, name):
        application = visible_request(request.user, pk)
        step = STEPS.get(name)
        if step is None:
            return Response(
                {"detail": _("No transition “%(name)s”.") % {"name": name}},
                status=status.HTTP_404_NOT_FOUND,
            )
        seen = request.data.get("seen_state") if isinstance(request.data, dict) else None
        if seen and seen != application.state:
            return conflict(application, _moved_on(application))
        transition = _transition(application, name)
        if transition is None or not _on_path(application, transition):
            return conflict(
                application,
                _("This request is “%(state)s”: that action is not possible now.")
                % {"state": application.get_state_display()},
            )
        if not transition.has_perm(application, request.user):
            return Response(
                {"detail": _("Your role may not take this step.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        data = step.data(data=request.data)
        data.is_valid(raise_exception=True)
        loaded = application.state
        try:
            step.fire(application, request.user, data.validated_data)
        except ConcurrentTransition:
            current = Application.objects.get(pk=pk)
            return conflict(current, _moved_on(current))
        except ActionRefused as error:
            current = Application.objects.get(pk=pk)
            if current.state != loaded:
                return conflict(current, _moved_on(current))
            raise refused(error) from error
        except DjangoValidationError as error:
            raise invalid(error) from error
        return Response(io.RequestSerializer(visible_request(request.user, pk)).data)
