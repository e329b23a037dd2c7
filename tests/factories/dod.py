import factory
from django.db.models import Max
from django.utils import timezone

from dod.enums import CheckResult, FindingStatus, Reviewer, RoundOutcome, Severity
from dod.models import (
    CriteriaVersion,
    Criterion,
    CriterionCheck,
    Finding,
    FindingAnswer,
    ReviewRound,
)
from workflow.enums import ApplicationState
from workflow.materials import SPECS, required_kinds
from workflow.models import Application, Material
from workflow.services.materials import materials_submit
from workflow.services.review import review_start

from .accounts import UserFactory
from .workflow import ApplicationFactory


def _next_edition() -> int:
    return (CriteriaVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1


class CriterionFactory(factory.django.DjangoModelFactory):
    """A criterion of a new edition; `integration=True` makes it one of R&D's DoD 9–10."""

    class Meta:
        model = Criterion

    version = factory.SubFactory("tests.factories.dod.CriteriaVersionFactory", criteria=0)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda c: f"Criterion {c.number}")
    how_checked = "Ad-hoc check."
    reviewer = Reviewer.ANALYST
    external_services_only = False

    class Params:
        integration = factory.Trait(reviewer=Reviewer.RND, external_services_only=True)


class CriteriaVersionFactory(factory.django.DjangoModelFactory):
    """A new edition, in force from now on, with ten criteria (9–10 R&D's) unless `criteria=n`."""

    class Meta:
        model = CriteriaVersion
        skip_postgeneration_save = True

    number = factory.LazyFunction(_next_edition)
    note = "Reworded."

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if create:
            for number in range(1, (10 if extracted is None else extracted) + 1):
                CriterionFactory(version=self, number=number, integration=number >= 9)


class ReviewRoundFactory(factory.django.DjangoModelFactory):
    """A round of a request in review, pinned (with its request) to the edition in force."""

    class Meta:
        model = ReviewRound

    application = factory.SubFactory(ApplicationFactory, state=ApplicationState.IN_REVIEW)
    number = 1
    criteria_version = factory.LazyAttribute(
        lambda r: r.application.criteria_version or CriteriaVersion.in_force()
    )
    submitted_at = factory.LazyFunction(timezone.now)
    started_by = factory.SubFactory(UserFactory, analyst=True)

    class Params:
        closed = factory.Trait(
            closed_at=factory.LazyFunction(timezone.now),
            outcome=RoundOutcome.CHANGES_REQUESTED,
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        round_ = super()._create(model_class, *args, **kwargs)
        application = round_.application
        if application.criteria_version_id is None:
            Application.objects.filter(pk=application.pk).update(
                criteria_version=round_.criteria_version
            )
            application.criteria_version = round_.criteria_version
        return round_


class CriterionCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionCheck

    round = factory.SubFactory(ReviewRoundFactory)
    criterion = factory.LazyAttribute(
        lambda c: c.round.criteria_version.criteria.order_by("number").first()
    )
    result = CheckResult.PASS
    comment = "Checked as described."
    checked_by = factory.SubFactory(UserFactory, analyst=True)

    class Params:
        failed = factory.Trait(result=CheckResult.FAIL, comment="Does not work as described.")
        not_applicable = factory.Trait(result=CheckResult.NOT_APPLICABLE, comment="No service.")


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    round = factory.SubFactory(ReviewRoundFactory)
    application = factory.SelfAttribute("round.application")
    severity = Severity.MAJOR
    text = factory.Sequence(lambda n: f"Finding {n}: the set-up guide skips a step.")
    raised_by = factory.SubFactory(UserFactory, analyst=True)

    class Params:
        blocker = factory.Trait(severity=Severity.BLOCKER)
        recommendation = factory.Trait(severity=Severity.RECOMMENDATION)
        resolved = factory.Trait(
            status=FindingStatus.RESOLVED, resolved_in=factory.SelfAttribute("round")
        )


class FindingAnswerFactory(factory.django.DjangoModelFactory):
    """The partner's answer to a finding, by a member of the partner that owns the request."""

    class Meta:
        model = FindingAnswer

    finding = factory.SubFactory(FindingFactory)
    text = "Fixed in the new revision."
    by = factory.LazyAttribute(
        lambda a: UserFactory(role="Partner", partner=a.finding.application.solution.partner)
    )


def check_every_criterion(round_, *, result=CheckResult.PASS, analyst=None, rnd_expert=None):
    """Record `result` on every criterion of the round's edition, by the right reviewer."""
    analyst = analyst or UserFactory(analyst=True)
    rnd_expert = rnd_expert or UserFactory(rnd_expert=True)
    return [
        CriterionCheckFactory(
            round=round_,
            criterion=criterion,
            result=result,
            checked_by=rnd_expert if criterion.reviewer == Reviewer.RND else analyst,
        )
        for criterion in round_.criteria_version.criteria.order_by("number")
    ]


def provide_materials(application, by=None, *, at=None):
    """A complete revision of every material the request needs (3.1), stored by reference.

    Tests that exercise uploads themselves go through workflow.services.material_upload.
    """
    by = by or UserFactory(role="Partner", partner=application.solution.partner)
    made = []
    for kind in required_kinds(application):
        spec = SPECS[kind]
        last = Material.objects.filter(application=application, kind=kind).aggregate(
            n=Max("revision")
        )["n"]
        made.append(
            Material.objects.create(
                application=application,
                kind=kind,
                revision=(last or 0) + 1,
                file=f"requests/{application.pk}/{kind}/{kind}.bin",
                original_name=f"{kind}.bin",
                url="https://demo.example/stand" if spec.accepts_url else "",
                uploaded_by=by,
                uploaded_at=at or timezone.now(),
            )
        )
    return made


def partner_of(application):
    return UserFactory(role="Partner", partner=application.solution.partner)


def submitted(*, external=False, **kwargs) -> Application:
    """A first certification whose complete materials the partner has just submitted."""
    application = ApplicationFactory(
        state=ApplicationState.AWAITING_MATERIALS,
        solution__uses_external_services=external,
        **kwargs,
    )
    partner = partner_of(application)
    provide_materials(application, partner)
    materials_submit(application=application, by=partner)
    return application


def in_review(analyst, **kwargs) -> Application:
    application = submitted(**kwargs)
    review_start(application=application, by=analyst)
    return application
