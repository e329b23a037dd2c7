from django.db.models import QuerySet

from accounts.rules import is_marketplace_team

from .models import Solution


def solutions_visible_to(user) -> QuerySet[Solution]:
    qs = Solution.objects.select_related("partner")
    if is_marketplace_team(user):
        return qs
    if user.is_authenticated and user.partner_id:
        return qs.filter(partner_id=user.partner_id)
    return qs.none()
