"""The public badge: what the Marketplace showcase reads about a solution (R7.1)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from ..enums import CertificationStatus
from ..models import Certification, Solution

BADGE_STATUS = {
    CertificationStatus.CERTIFIED: "certified",
    CertificationStatus.AT_RISK: "at_risk",
    CertificationStatus.REVOKED: "revoked",
}


def badge_of(solution: Solution) -> dict:
    """The badge's facts; `certified` is true exactly while the badge is on."""
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
    last = certification.events.order_by("-at", "-pk").first()
    revoked = certification.status == CertificationStatus.REVOKED
    return {
        "solution": solution.slug,
        "name": solution.name,
        "certified": certification.badge_on,
        "status": BADGE_STATUS[certification.status],
        "certified_version": certification.version.number,
        "since": certification.since.date().isoformat(),
        "reason": last.reason if revoked and last else None,
    }


def _published(slug):
    return get_object_or_404(
        Solution.objects.select_related("certification__version"), slug=slug, is_published=True
    )


@cache_control(public=True, max_age=300)
def badge_json(request, slug):
    return JsonResponse(badge_of(_published(slug)))


@cache_control(public=True, max_age=300)
def badge_svg(request, slug):
    badge = badge_of(_published(slug))
    label, colour = {
        "certified": (_("Certified"), "#198754"),
        "at_risk": (_("Certified"), "#198754"),
        "revoked": (_("Certification revoked"), "#6c757d"),
        "not_certified": (_("Not certified"), "#6c757d"),
    }[badge["status"]]
    return render(
        request,
        "applications/badge.svg",
        {"label": label, "colour": colour, "badge": badge, "width": 110 + 7 * len(label)},
        content_type="image/svg+xml",
    )


def catalogue(request):
    """The public list of certified solutions, as the showcase shows them."""
    certified = (
        Certification.objects.filter(
            status__in=[CertificationStatus.CERTIFIED, CertificationStatus.AT_RISK],
            solution__is_published=True,
        )
        .select_related("solution__partner", "version")
        .order_by("solution__name")
    )
    return render(request, "applications/catalogue.html", {"certifications": certified})
