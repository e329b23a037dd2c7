"""Demo data: one request in each interesting state, made through the services so that every
timeline and e-mail is real. Idempotent: a second run finds everything and changes nothing."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role

from . import services
from .enums import Marketplace, Priority, ReadinessCriterion
from .models import Application, Partner, Solution, SolutionVersion

DEMO_PASSWORD = "demo-pass-2026"

USERS = [
    # username, role, partner slug, first, last, staff, superuser
    ("partner", Role.PARTNER, "northwind", "Nina", "Partner", False, False),
    ("partner2", Role.PARTNER, "contoso", "Oleg", "Contoso", False, False),
    ("analyst", Role.ANALYST, None, "Anna", "Analyst", True, False),
    ("leader", Role.LEADER, None, "Lev", "Leader", True, False),
    ("rnd", Role.RND_EXPERT, None, "Roman", "Architect", True, False),
    ("auditor", Role.AUDITOR, None, "Alla", "Auditor", True, False),
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


def seed(stdout=None) -> dict[str, int]:
    """Create what is missing; return how many objects of each kind were created."""
    created = {"users": 0, "solutions": 0, "requests": 0}
    with transaction.atomic():
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
        if not Application.objects.exists():
            created["requests"] = _requests(users)
    return created


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


def _facts(application, by, *, conflict=False):
    services.approval_facts_save(
        application=application,
        by=by,
        facts=services.ApprovalFactsInput(
            overlap_note="One other solution in this area, not certified.",
            roadmap_conflict=conflict,
            roadmap_note="R&D plans a built-in equivalent next spring." if conflict else "",
            customer_requests=12,
        ),
    )


def _requests(users) -> int:
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
    # Waiting for the leaders with a roadmap conflict: only "decline" is possible.
    conflict = _request("nw-sms", partner)
    services.application_submit(application=conflict, by=partner)
    _through_stage_one(conflict, analyst)
    _facts(conflict, analyst, conflict=True)
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
    # Another partner's request, in the meeting stage.
    other = _request("contoso-esign", users["partner2"])
    services.application_submit(application=other, by=users["partner2"])
    services.meeting_schedule(
        application=other,
        by=analyst,
        scheduled_for=timezone.now() + timedelta(days=3),
        location="Room 4",
    )
    return Application.objects.count()
