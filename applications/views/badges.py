"""The public badge: what the Marketplace showcase reads about a solution (R7.1)."""

from csp.constants import NONE
from csp.decorators import csp
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


# Approximate advance widths of Verdana (the badge's first font), in ems: enough to size the
# badge; `textLength` in the SVG then fits the text exactly whatever font the viewer has.
_NARROW = dict.fromkeys("ijlI.,:;·|!' ", 0.33)
_DIGITS = dict.fromkeys("0123456789", 0.64)
_EM = {**_NARROW, **_DIGITS, "f": 0.35, "r": 0.43, "t": 0.39, "m": 0.97, "w": 0.82, "✓": 0.8}
BADGE_FONT_SIZE = 13
BADGE_PADDING = 10


def _text_width(text: str, *, bold: bool = False) -> int:
    ems = sum(_EM.get(char, 0.72 if char.isupper() else 0.61) for char in text)
    return round(ems * BADGE_FONT_SIZE * (1.1 if bold else 1))


# The image loads nothing and runs nothing, even when opened on its own.
@csp({"default-src": [NONE], "frame-ancestors": [NONE]})
@cache_control(public=True, max_age=300)
def badge_svg(request, slug):
    """The badge as an image: "✓ Certified" on green with the certified version beside it
    while the badge is on, a grey label otherwise."""
    badge = badge_of(_published(slug))
    label, colour = {
        "certified": ("✓ " + _("Certified"), "#198754"),
        "at_risk": ("✓ " + _("Certified"), "#198754"),
        "revoked": (_("Certification revoked"), "#6c757d"),
        "not_certified": (_("Not certified"), "#6c757d"),
    }[badge["status"]]
    version = badge["certified_version"] if badge["certified"] else ""
    text_width = _text_width(label, bold=True)
    label_width = text_width + 2 * BADGE_PADDING
    version_text_width = _text_width(version) if version else 0
    version_width = version_text_width + 2 * BADGE_PADDING if version else 0
    return render(
        request,
        "applications/badge.svg",
        {
            "badge": badge,
            "label": label,
            "colour": colour,
            "version": version,
            "width": label_width + version_width,
            "label_width": label_width,
            "text_width": text_width,
            "version_width": version_width,
            "version_text_width": version_text_width,
            "padding": BADGE_PADDING,
            "version_x": label_width + BADGE_PADDING,
        },
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
