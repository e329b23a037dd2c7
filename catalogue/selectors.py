from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .enums import CertificationStatus
from .models import Certification, Solution
from .rules import visible


def solutions_visible_to(user) -> QuerySet[Solution]:
    """The solutions `catalogue.view_solution` lets `user` see."""
    return visible(user, Solution.objects.select_related("partner"), "partner_id")


def certifications_visible_to(user) -> QuerySet[Certification]:
    """The certifications `catalogue.view_certification` lets `user` see."""
    return visible(
        user, Certification.objects.select_related("solution__partner"), "solution__partner_id"
    )


def visible_certification(user, slug: str) -> Certification:
    """The certification of the solution `slug`, for its partner and the Marketplace team;
    Http404 for anyone else, as for a solution never certified."""
    return get_object_or_404(
        Certification.objects.select_related("solution__partner", "version", "application"),
        solution__in=solutions_visible_to(user),
        solution__slug=slug,
    )


BADGE_STATUS = {
    CertificationStatus.CERTIFIED: "certified",
    CertificationStatus.AT_RISK: "at_risk",
    CertificationStatus.REVOKED: "revoked",
}


def badge_of(solution: Solution) -> dict:
    """The badge's facts; `certified` is true exactly while the badge is on. The reason of a
    revocation is in the active language."""
    certification: Certification | None = getattr(solution, "certification", None)
    if certification is None:
        return {
            "solution": solution.slug,
            "name": solution.name,
            "certified": False,
            "status": "not_certified",
            "certified_version": None,
            "since": None,
            "reason": None,
        }
    revoked = certification.status == CertificationStatus.REVOKED
    return {
        "solution": solution.slug,
        "name": solution.name,
        "certified": certification.badge_on,
        "status": BADGE_STATUS[certification.status],
        "certified_version": certification.version.number,
        "since": certification.since.date().isoformat(),
        # The reason is told only for a revoked badge: the last event is read only then.
        "reason": (certification.reason_text or None) if revoked else None,
    }


def published_solution(slug) -> Solution:
    """The published solution `slug` with its certification; Http404 otherwise."""
    return get_object_or_404(
        Solution.objects.select_related("certification__version"), slug=slug, is_published=True
    )


def certified_solutions(*, q: str = "", marketplace: str = "", category: str = ""):
    """The published solutions with the badge on, by name, with the visitor's filters."""
    certified = Certification.objects.filter(
        status__in=[CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK],
        solution__is_published=True,
    )
    if q:
        certified = certified.filter(
            Q(solution__name__icontains=q) | Q(solution__partner__name__icontains=q)
        )
    if marketplace:
        certified = certified.filter(solution__marketplace=marketplace)
    if category:
        certified = certified.filter(solution__category__iexact=category)
    return certified.select_related("solution__partner", "version").order_by("solution__name", "pk")


def certification_history(certification: Certification):
    """The certification's events, oldest first, with who acted and on which version."""
    return certification.events.select_related("actor", "version").order_by("at", "pk")
