"""Demo data: one request in each interesting state, made through the services so that every
timeline and e-mail is real. Idempotent: a second run finds everything and changes nothing."""

import gzip
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.enums import Role
from catalogue.enums import Marketplace
from catalogue.models import Partner, Solution, SolutionVersion
from dod.enums import CheckResult, Severity
from dod.selectors import criteria_for
from support_audit.enums import (
    MARKETPLACE_LANGUAGE,
    MARKETPLACE_REGIONS,
    AuditPurpose,
    AuditType,
)
from support_audit.services import DeclarationInput
from workflow import selectors, services
from workflow.enums import MaterialKind, Priority, ReadinessCriterion
from workflow.materials import SPECS, required_kinds
from workflow.models import Application
from workflow.services import review, support

from .kpis import seed_kpis

DEMO_PASSWORD = "demo-pass-2026"

USERS = [
    # username, role, partner slug, first, last, staff, superuser
    ("partner", Role.PARTNER, "northwind", "Nina", "Partner", False, False),
    ("partner2", Role.PARTNER, "contoso", "Oleg", "Contoso", False, False),
    ("analyst", Role.ANALYST, None, "Anna", "Analyst", True, False),
    ("leader", Role.LEADER, None, "Lev", "Leader", True, False),
    ("rnd", Role.RND_EXPERT, None, "Roman", "Architect", True, False),
    ("auditor", Role.AUDITOR, None, "Alla", "Auditor", True, False),
    ("sales", Role.SALES, None, "Sergei", "Seller", False, False),
    ("admin", None, None, "Ada", "Admin", True, True),
]

PARTNERS = {
    "northwind": ("Northwind Integrations", "hello@northwind.example"),
    "contoso": ("Contoso Labs", "team@contoso.example"),
}

SOLUTIONS = [
    # slug, partner, name, marketplace, category, published, external
    (
        "nw-telephony",
        "northwind",
        "Northwind Telephony Connector",
        Marketplace.CREATIO,
        "Telephony",
        True,
        True,
    ),
    (
        "nw-docs",
        "northwind",
        "Northwind Document Flow",
        Marketplace.CREATIO,
        "Document flow",
        True,
        False,
    ),
    ("nw-maps", "northwind", "Northwind Maps", Marketplace.TERRASOFT, "Geo", True, False),
    (
        "nw-calendar",
        "northwind",
        "Northwind Calendar Sync",
        Marketplace.CREATIO,
        "Calendar",
        True,
        False,
    ),
    (
        "nw-forms",
        "northwind",
        "Northwind Web Forms",
        Marketplace.CREATIO,
        "Lead capture",
        True,
        False,
    ),
    ("nw-chat", "northwind", "Northwind Chat Bot", Marketplace.CREATIO, "Messaging", True, True),
    ("nw-sms", "northwind", "Northwind SMS", Marketplace.TERRASOFT, "Messaging", True, True),
    (
        "nw-beta",
        "northwind",
        "Northwind Beta Tools",
        Marketplace.CREATIO,
        "Utilities",
        False,
        False,
    ),
    # Certified earlier and watched by the KPI jobs (stage 5, see demo/kpis.py).
    (
        "nw-inventory",
        "northwind",
        "Northwind Inventory Sync",
        Marketplace.CREATIO,
        "ERP integration",
        True,
        False,
    ),
    ("nw-quotes", "northwind", "Northwind Quotes", Marketplace.CREATIO, "Sales", True, False),
    (
        "nw-portal",
        "northwind",
        "Northwind Customer Portal",
        Marketplace.TERRASOFT,
        "Self-service",
        True,
        False,
    ),
    (
        "nw-payments",
        "northwind",
        "Northwind Payments",
        Marketplace.CREATIO,
        "Payments",
        True,
        True,
    ),
    (
        "contoso-esign",
        "contoso",
        "Contoso e-Signature",
        Marketplace.CREATIO,
        "Document flow",
        True,
        True,
    ),
]


# Certified through stages 1–4 besides nw-calendar, so that the KPI jobs have several
# solutions to watch.
CERTIFIED = ("nw-inventory", "nw-quotes", "nw-portal", "nw-payments")


def seed(stdout=None) -> dict[str, int]:
    """Create what is missing; return how many objects of each kind were created."""
    created = {"users": 0, "solutions": 0, "requests": 0}
    with _files_removed_on_failure(), transaction.atomic():
        partners = {
            slug: Partner.objects.get_or_create(
                slug=slug, defaults={"name": name, "contact_email": email}
            )[0]
            for slug, (name, email) in PARTNERS.items()
        }
        users = {}
        User = get_user_model()
        for username, role, partner, first, last, staff, superuser in USERS:
            user, new = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@demo.example",
                    "partner": partners.get(partner),
                    "is_staff": staff,
                    "is_superuser": superuser,
                },
            )
            if new:
                user.set_password(DEMO_PASSWORD)
                user.save()
                if role:
                    user.groups.add(Group.objects.get(name=role.value))
                created["users"] += 1
            users[username] = user
        for slug, partner, name, marketplace, category, published, external in SOLUTIONS:
            solution, new = Solution.objects.get_or_create(
                slug=slug,
                defaults={
                    "partner": partners[partner],
                    "name": name,
                    "marketplace": marketplace,
                    "category": category,
                    "is_published": published,
                    "uses_external_services": external,
                    "marketplace_url": f"https://marketplace.example/{slug}" if published else "",
                    "description": f"{name}: a demo solution.",
                },
            )
            created["solutions"] += new
            SolutionVersion.objects.get_or_create(
                solution=solution,
                number="1.0.0",
                defaults={"released_on": timezone.localdate() - timedelta(days=90)},
            )
        requests_before = Application.objects.count()
        if not requests_before:
            _requests(users)
        for slug in CERTIFIED:
            if not Application.objects.filter(solution__slug=slug).exists():
                _certify(slug, users)
        created["requests"] = Application.objects.count() - requests_before
        created.update(seed_kpis(users, stdout=stdout))
    return created


@contextmanager
def _files_removed_on_failure():
    """A failed seed rolls its rows back; this removes the files it stored on the way, which
    the rollback cannot reach."""
    stored = []

    def remember(sender, instance, **kwargs):
        for field in instance._meta.concrete_fields:
            if isinstance(field, models.FileField) and getattr(instance, field.attname):
                stored.append((field.storage, getattr(instance, field.attname).name))

    post_save.connect(remember, weak=False, dispatch_uid="demo-stored-files")
    try:
        yield
    except BaseException:
        for storage, name in stored:
            storage.delete(name)
        raise
    finally:
        post_save.disconnect(dispatch_uid="demo-stored-files")


def _request(slug, by) -> Application:
    solution = Solution.objects.get(slug=slug)
    return services.application_create(
        by=by,
        solution=solution,
        version=solution.versions.get(number="1.0.0"),
        motivation=f"Customers of {solution.category.lower()} ask for a certified, supported "
        "solution they can buy with confidence.",
    )


def _through_stage_one(application, analyst):
    services.meeting_schedule(
        application=application,
        by=analyst,
        scheduled_for=timezone.now() - timedelta(days=7),
        location="https://meet.example/setup",
        agenda="Programme overview, support resources, roadmap.",
    )
    services.meeting_record(
        application=application,
        by=analyst,
        held_at=timezone.now() - timedelta(days=7),
        notes="The partner has a support team of four and a public roadmap.",
    )
    services.readiness_scores_save(
        application=application,
        by=analyst,
        scores={c.value: (4, "Convincing answers at the meeting.") for c in ReadinessCriterion},
    )
    services.readiness_decide(
        application=application, by=analyst, accept=True, comment="Ready for certification."
    )


def overlap_note_of(overlapping) -> str:
    """The analyst's reading of the portfolio, written from what the portfolio holds (a fixed
    sentence contradicted the overlap table beside it on the leaders' page)."""
    if not overlapping:
        return "No other published solution in this business area."
    names = ", ".join(
        f"{s.name} ({'certified or in certification' if s.in_certification else 'not certified'})"
        for s in overlapping
    )
    return f"Other published solutions in this business area: {names}."


def _facts(application, by, *, conflict=False):
    overlapping = list(selectors.overlap_candidates(application))
    services.approval_facts_save(
        application=application,
        by=by,
        facts=services.ApprovalFactsInput(
            overlap_note=overlap_note_of(overlapping),
            overlapping_solutions=tuple(overlapping),
            roadmap_conflict=conflict,
            roadmap_note="R&D plans a built-in equivalent next spring." if conflict else "",
            customer_requests=12,
        ),
    )


def _requests(users) -> None:
    partner, analyst, leader = users["partner"], users["analyst"], users["leader"]
    # A draft the partner has not submitted yet.
    _request("nw-docs", partner)
    # Submitted, waiting for the analyst to schedule the meeting.
    submitted = _request("nw-maps", partner)
    services.application_submit(application=submitted, by=partner)
    # Waiting for the leaders, facts prepared.
    waiting = _request("nw-telephony", partner)
    services.application_submit(application=waiting, by=partner)
    _through_stage_one(waiting, analyst)
    _facts(waiting, analyst)
    # Approved, awaiting materials (stage 3).
    approved = _request("nw-chat", partner)
    services.application_submit(application=approved, by=partner)
    _through_stage_one(approved, analyst)
    _facts(approved, leader)
    services.leader_decide(
        application=approved,
        by=leader,
        decision="approve",
        priority=Priority.HIGH,
        comment="Broad need, no overlap with the roadmap.",
    )
    # Waiting for the leaders with a roadmap conflict: only "decline" is possible. Filed after
    # the chat bot of the same area is approved: its facts name the chat bot as in
    # certification, as the overlap table beside them does.
    conflict = _request("nw-sms", partner)
    services.application_submit(application=conflict, by=partner)
    _through_stage_one(conflict, analyst)
    _facts(conflict, analyst, conflict=True)
    # Another partner's request, in the meeting stage.
    other = _request("contoso-esign", users["partner2"])
    services.application_submit(application=other, by=users["partner2"])
    services.meeting_schedule(
        application=other,
        by=analyst,
        scheduled_for=timezone.now() + timedelta(days=3),
        location="Room 4",
    )
    _stage_three(users)


def _approved(slug, users) -> Application:
    partner, analyst, leader = users["partner"], users["analyst"], users["leader"]
    application = _request(slug, partner)
    services.application_submit(application=application, by=partner)
    _through_stage_one(application, analyst)
    _facts(application, leader)
    services.leader_decide(
        application=application,
        by=leader,
        decision="approve",
        priority=Priority.MEDIUM,
        comment="Approved for certification.",
    )
    return application


def _demo_file(kind: MaterialKind, slug: str) -> SimpleUploadedFile:
    if kind in (MaterialKind.PACKAGES, MaterialKind.DEMO):
        payload = gzip.compress(f"{slug} {kind} package\n".encode() * 200)
        return SimpleUploadedFile(f"{slug}-{kind}.gz", payload)
    text = f"{MaterialKind(kind).label} for {slug}.\n".encode()
    return SimpleUploadedFile(f"{slug}-{kind}.txt", text * 20)


def _provide_materials(application, partner) -> None:
    slug = application.solution.slug
    for kind in required_kinds(application):
        spec = SPECS[kind]
        if spec.file_kinds:
            upload, url = _demo_file(kind, slug), ""
            if kind == MaterialKind.DEMO and application.solution.uses_external_services:
                url = f"https://demo.example/{slug}"
        else:
            upload, url = None, f"https://docs.example/{slug}/{kind}"
        if kind == MaterialKind.VIDEO:
            upload, url = None, f"https://video.example/{slug}"
        # Material 6 is answered part by part (R3.4).
        answers = {part.key: f"{part.label} of {slug}: described." for part in spec.parts}
        services.material_upload(
            application=application, by=partner, kind=kind, upload=upload, url=url, answers=answers
        )


def _stage_three(users) -> None:
    partner, analyst = users["partner"], users["analyst"]

    # In review, round 2: round 1 asked for changes, the partner reworked the set-up guide.
    forms = _approved("nw-forms", users)
    _provide_materials(forms, partner)
    services.materials_submit(application=forms, by=partner)
    review.review_start(application=forms, by=analyst)
    finding = review.finding_raise(
        application=forms,
        by=analyst,
        severity=Severity.MAJOR,
        text="The set-up guide skips the step that enables the web form's landing page.",
        criterion=criteria_for(forms).get(number=6),
    )
    advice = review.finding_raise(
        application=forms,
        by=analyst,
        severity=Severity.RECOMMENDATION,
        text="Add a screenshot of the finished form to the user guide.",
    )
    review.review_request_changes(
        application=forms, by=analyst, comment="One major finding to fix; see the findings."
    )
    review.finding_answer(
        finding=finding, by=partner, text="Added section 2.3 with the landing-page step."
    )
    review.finding_answer(finding=advice, by=partner, text="Screenshot added on page 4.")
    services.material_upload(
        application=forms,
        by=partner,
        kind=MaterialKind.SETUP_GUIDE,
        url="https://docs.example/nw-forms/setup-v2",
        note="Section 2.3 added.",
    )
    services.materials_submit(application=forms, by=partner, comment="Findings answered.")
    review.review_start(application=forms, by=analyst)

    # Certified through all four stages, with an update of its next version open.
    calendar = _certify("nw-calendar", users)
    newer = SolutionVersion.objects.create(
        solution=calendar.solution, number="1.1.0", released_on=timezone.localdate()
    )
    services.update_request_open(
        by=partner,
        solution=calendar.solution,
        version=newer,
        motivation="Two-way sync with shared calendars.",
    )


def _certify(slug, users) -> Application:
    """A request taken through stages 1–4 to "Certified"."""
    partner, analyst, rnd = users["partner"], users["analyst"], users["rnd"]
    application = _approved(slug, users)
    _provide_materials(application, partner)
    services.materials_submit(application=application, by=partner)
    review.review_start(application=application, by=analyst)
    for criterion in criteria_for(application):
        reviewer = rnd if criterion.reviewer == "rnd" else analyst
        result = (
            CheckResult.NOT_APPLICABLE
            if criterion.allows_not_applicable(application)
            else CheckResult.PASS
        )
        review.check_record(
            application=application,
            by=reviewer,
            criterion=criterion,
            result=result,
            comment="Checked as described.",
        )
    review.review_pass(application=application, by=analyst, comment="Every criterion met.")
    _stage_four(application, users)
    return application


def _declaration(marketplace):
    office_hours = {str(day): ["09:00", "18:00"] for day in range(5)}
    return DeclarationInput(
        system_name="Northwind Service Desk",
        system_url="https://support.northwind.example",
        channels=["email", "phone", "portal"],
        all_channels_registered=True,
        partner_portal_consent=True,
        packages=["basic", "business", "premium"],
        presale_business_days=2,
        escalation_name="Olga Head",
        escalation_role="head_of_department",
        escalation_email="olga.head@northwind.example",
        escalation_phone="+1 555 0100",
        regions={
            region: {"language": MARKETPLACE_LANGUAGE[marketplace], "hours": office_hours}
            for region in MARKETPLACE_REGIONS[marketplace]
        },
    )


def _stage_four(application, users) -> None:
    partner, analyst = users["partner"], users["analyst"]
    support.declaration_save(
        application=application,
        by=partner,
        data=_declaration(application.solution.marketplace),
    )
    support.support_submit(application=application, by=partner)
    support.audit_record(
        solution=application.solution,
        application=application,
        by=analyst,
        purpose=AuditPurpose.CERTIFICATION,
        type=AuditType.PAST_CASES,
        held_on=timezone.localdate() - timedelta(days=2),
        checklist=[{"item": "Cases registered from every channel", "ok": True}],
        summary="Twenty past cases analysed: all registered, all answered in time.",
    )
    support.support_pass(application=application, by=analyst, comment="Support conforms.")
    support.certify(application=application, by=analyst)
