from django.db.models import QuerySet

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
