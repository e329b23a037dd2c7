import hashlib

import factory
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db.models import Max
from django.utils import timezone

from catalogue.enums import CertificationStatus, Marketplace
from catalogue.models import Certification, CertificationEvent, Partner, Solution, SolutionVersion
from workflow.enums import ApplicationState, MaterialKind, Priority, ReadinessCriterion
from workflow.models import Application, ApprovalFacts, Material, ReadinessScore, SetupMeeting

from .accounts import UserFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    contact_email = factory.LazyAttribute(lambda p: f"{p.slug}@example.com")


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Solution {n}")
    slug = factory.Sequence(lambda n: f"solution-{n}")
    marketplace = Marketplace.CREATIO
    category = "Telephony"
    is_published = True
    marketplace_url = factory.LazyAttribute(lambda s: f"https://marketplace.example/{s.slug}")

    class Params:
        unpublished = factory.Trait(is_published=False, marketplace_url="")


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SolutionVersion

    solution = factory.SubFactory(SolutionFactory)
    number = factory.Sequence(lambda n: f"1.{n}.0")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A request placed directly in a state, with what that state implies already recorded.

    States are set on the row (the field is protected, so through the queryset); tests of
    the transitions themselves go through the services.
    """

    class Meta:
        model = Application
        skip_postgeneration_save = True

    solution = factory.SubFactory(SolutionFactory)
    version = factory.SubFactory(VersionFactory, solution=factory.SelfAttribute("..solution"))
    motivation = "Customers keep asking for it."
    created_by = factory.SubFactory(
        UserFactory, role="Partner", partner=factory.SelfAttribute("..solution.partner")
    )
    state = ApplicationState.DRAFT

    @classmethod
    def _create(cls, model_class, *args, state=ApplicationState.DRAFT, **kwargs):
        application = super()._create(model_class, *args, **kwargs)
        if state != ApplicationState.DRAFT:
            model_class.objects.filter(pk=application.pk).update(state=state)
            application = model_class.objects.get(pk=application.pk)
        return application


class SetupMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SetupMeeting

    application = factory.SubFactory(ApplicationFactory)
    scheduled_for = factory.LazyFunction(timezone.now)
    location = "https://meet.example/room"
    organiser = factory.SubFactory(UserFactory, analyst=True)

    class Params:
        held = factory.Trait(held_at=factory.LazyFunction(timezone.now), notes="Went well.")


class ReadinessScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadinessScore

    application = factory.SubFactory(ApplicationFactory)
    criterion = ReadinessCriterion.SUPPORT_RESOURCES
    score = 4
    comment = "Solid."
    assessed_by = factory.SubFactory(UserFactory, analyst=True)


class ApprovalFactsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalFacts

    application = factory.SubFactory(ApplicationFactory)
    overlap_note = "No certified solution covers this."
    roadmap_conflict = False
    customer_requests = 5
    updated_by = factory.SubFactory(UserFactory, leader=True)

    class Params:
        conflict = factory.Trait(roadmap_conflict=True, roadmap_note="R&D ships it in Q3.")


def score_all_criteria(application, by=None, score=4):
    for criterion in ReadinessCriterion:
        ReadinessScoreFactory(
            application=application,
            criterion=criterion,
            score=score,
            **({"assessed_by": by} if by else {}),
        )


def ready_for_decision(application, analyst=None):
    """Meeting held and all four criteria scored: the stage-1 decision can be taken."""
    SetupMeetingFactory(
        application=application, held=True, **({"organiser": analyst} if analyst else {})
    )
    score_all_criteria(application, by=analyst)
    return application


def ready_for_approval(application, *, conflict=False, priority=Priority.HIGH):
    ApprovalFactsFactory(application=application, conflict=conflict)
    if priority is not None:
        Application.objects.filter(pk=application.pk).update(priority=priority)
        application.refresh_from_db()
    return application


# What each state implies has been recorded before it was reached.
_MEETING_HELD_STATES = {
    ApplicationState.READINESS_REVIEW,
    ApplicationState.AWAITING_APPROVAL,
    ApplicationState.DEFERRED,
    ApplicationState.AWAITING_MATERIALS,
    ApplicationState.DECLINED,
    ApplicationState.WITHDRAWN,
}
_FACTS_STATES = {
    ApplicationState.AWAITING_APPROVAL,
    ApplicationState.DEFERRED,
    ApplicationState.AWAITING_MATERIALS,
}


def with_state_records(application, analyst=None, leader=None):
    """Record what the request's state implies: the meeting, the scores, the stage-2 facts.

    A request in "meeting_scheduled" gets a meeting not yet held; from "readiness_review" on,
    a held meeting and all four scores; from "awaiting_approval" on, the facts and a priority.
    The analyst and leader who recorded them are made up unless given.
    """
    state = application.state
    if state == ApplicationState.MEETING_SCHEDULED:
        SetupMeetingFactory(application=application, **({"organiser": analyst} if analyst else {}))
    elif state in _MEETING_HELD_STATES:
        ready_for_decision(application, analyst)
    if state in _FACTS_STATES:
        ApprovalFactsFactory(application=application, **({"updated_by": leader} if leader else {}))
        Application.objects.filter(pk=application.pk).update(priority=Priority.HIGH)
        application.refresh_from_db()
    return application


ROLES = ("own_partner", "other_partner", "analyst", "leader", "rnd_expert", "auditor")


def actor(role: str, record=None):
    """A user in `role`; "own_partner" is a member of the partner owning `record`.

    `record` is a request or a solution; the other roles need none. "anonymous" is a visitor
    not logged in, "superuser" a superuser of no role.
    """
    if role == "own_partner":
        solution = record if isinstance(record, Solution) else record.solution
        return UserFactory(role="Partner", partner=solution.partner)
    if role == "other_partner":
        return UserFactory(partner_member=True)
    if role == "anonymous":
        return AnonymousUser()
    if role == "superuser":
        return UserFactory(is_superuser=True, is_staff=True)
    return UserFactory(**{role: True})


def _next_revision(application, kind) -> int:
    last = Material.objects.filter(application=application, kind=kind).aggregate(n=Max("revision"))
    return (last["n"] or 0) + 1


class MaterialFactory(factory.django.DjangoModelFactory):
    """One revision of a material: a link by default; `with_file=True` stores a small file
    (in the storage the test points STORAGES["materials"] at)."""

    class Meta:
        model = Material

    application = factory.SubFactory(ApplicationFactory, state=ApplicationState.AWAITING_MATERIALS)
    kind = MaterialKind.USER_GUIDE
    revision = factory.LazyAttribute(lambda m: _next_revision(m.application, m.kind))
    url = factory.LazyAttribute(lambda m: f"https://docs.example/{m.kind}/r{m.revision}")
    uploaded_by = factory.LazyAttribute(lambda m: m.application.created_by)

    class Params:
        content = b"%PDF-1.4\n% material\n"
        with_file = factory.Trait(
            url="",
            original_name=factory.LazyAttribute(lambda m: f"{m.kind}-r{m.revision}.pdf"),
            size=factory.LazyAttribute(lambda m: len(m.content)),
            sha256=factory.LazyAttribute(lambda m: hashlib.sha256(m.content).hexdigest()),
            content_kind="pdf",
            file=factory.LazyAttribute(
                lambda m: ContentFile(m.content, name=f"{m.kind}-r{m.revision}.pdf")
            ),
        )


class CertificationFactory(factory.django.DjangoModelFactory):
    """A solution certified with a request that passed (its version is the certified one)."""

    class Meta:
        model = Certification

    solution = factory.SubFactory(SolutionFactory)
    application = factory.SubFactory(
        ApplicationFactory,
        solution=factory.SelfAttribute("..solution"),
        state=ApplicationState.CERTIFIED,
    )
    version = factory.SelfAttribute("application.version")
    status = CertificationStatus.CERTIFIED

    class Params:
        revoked = factory.Trait(status=CertificationStatus.REVOKED)
        at_risk = factory.Trait(status=CertificationStatus.AT_RISK)


class CertificationEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificationEvent

    certification = factory.SubFactory(CertificationFactory)
    action = CertificationEvent.Action.GRANTED
    status = factory.SelfAttribute("certification.status")
    version = factory.SelfAttribute("certification.version")
    actor = factory.SubFactory(UserFactory, analyst=True)
