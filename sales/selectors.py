"""The certified solutions as the sales staff read them (R7.2): the badge on (certified or at
risk), the certified version's features and its materials 7-9."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from catalogue.models import Certification
from catalogue.models.certification import BADGE_ON
from workflow.enums import MaterialKind
from workflow.models import Material

# The materials of 3.1 that reach the sales staff: the slide deck's material, the video and the
# product test with the sales managers' exam questions.
SALES_KINDS = (MaterialKind.SALES, MaterialKind.VIDEO, MaterialKind.PRODUCT_TEST)
# Shown with the features, not downloaded: what changed in the certified version.
FEATURE_KINDS = (MaterialKind.WHATS_NEW,)


def certified_solutions(*, q: str = "", marketplace: str = "") -> QuerySet[Certification]:
    """The certifications with the badge on, by solution name; searched in the solution's name,
    its partner's, its description and the certified version's notes."""
    certified = Certification.objects.filter(status__in=BADGE_ON)
    if q:
        certified = certified.filter(
            Q(solution__name__icontains=q)
            | Q(solution__partner__name__icontains=q)
            | Q(solution__description__icontains=q)
            | Q(version__notes__icontains=q)
        )
    if marketplace:
        certified = certified.filter(solution__marketplace=marketplace)
    return certified.select_related("solution__partner", "version").order_by("solution__name", "pk")


def certified_solution(slug: str) -> Certification:
    """The certification of the solution `slug` while its badge is on; Http404 otherwise (never
    certified, or revoked: the solution leaves the sales pages)."""
    return get_object_or_404(
        Certification.objects.select_related("solution__partner", "version", "application"),
        solution__slug=slug,
        status__in=BADGE_ON,
    )


def _latest(certification: Certification, kinds) -> dict[str, Material]:
    """The newest revision of each of `kinds` of the request that certified the version: a
    later version's request, still under review, is another request and never read here."""
    latest: dict[str, Material] = {}
    for material in Material.objects.filter(
        application_id=certification.application_id, kind__in=kinds
    ).order_by("kind", "-revision"):
        latest.setdefault(material.kind, material)
    return latest


@dataclass
class SalesMaterials:
    """The certified version's materials 7-9 in the regulation's order (None where missing)
    and its "What's new" (material 10) if the request had one."""

    items: list[tuple[str, str, Material | None]]
    whats_new: Material | None


def sales_materials(certification: Certification) -> SalesMaterials:
    latest = _latest(certification, SALES_KINDS + FEATURE_KINDS)
    return SalesMaterials(
        items=[(kind.value, kind.label, latest.get(kind.value)) for kind in SALES_KINDS],
        whats_new=latest.get(MaterialKind.WHATS_NEW.value),
    )


def sales_material(certification: Certification, material_id: int) -> Material:
    """One of the certified version's materials 7-9, its newest revision; Http404 for any
    other material (another kind, an older revision, another request's)."""
    latest = _latest(certification, SALES_KINDS)
    for material in latest.values():
        if material.pk == material_id:
            return material
    raise Http404


def product_tests() -> list[tuple[Certification, Material]]:
    """Every certified solution's product test (material 9) of its certified version, newest
    revision, by solution name; a solution whose request had none is left out. Two queries."""
    certifications = list(certified_solutions())
    by_application = {
        certification.application_id: certification for certification in certifications
    }
    latest: dict[int, Material] = {}
    for material in Material.objects.filter(
        application_id__in=by_application, kind=MaterialKind.PRODUCT_TEST
    ).order_by("application_id", "-revision"):
        latest.setdefault(material.application_id, material)
    return [
        (certification, latest[certification.application_id])
        for certification in certifications
        if certification.application_id in latest
    ]
