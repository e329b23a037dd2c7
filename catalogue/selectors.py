from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.rules import is_marketplace_team

from .models import Certification, Solution


def solutions_visible_to(user) -> QuerySet[Solution]:
    qs = Solution.objects.select_related("partner")
    if is_marketplace_team(user):
        return qs
    if user.is_authenticated and user.partner_id:
        return qs.filter(partner_id=user.partner_id)
    return qs.none()


def visible_certification(user, slug: str) -> Certification:
    """The certification of the solution `slug`, for its partner and the Marketplace team;
    Http404 for anyone else, as for a solution never certified."""
    return get_object_or_404(
        Certification.objects.select_related("solution__partner", "version", "application"),
        solution__in=solutions_visible_to(user),
        solution__slug=slug,
    )
