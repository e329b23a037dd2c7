from .rules import is_analyst, is_auditor, is_leader, is_marketplace_team, is_partner, is_sales


def roles(request):
    """What the navigation needs to know about the signed-in user."""
    user = request.user
    return {
        "user_is_partner": is_partner(user),
        "user_is_analyst": is_analyst(user),
        "user_is_leader": is_leader(user),
        "user_is_auditor": is_auditor(user),
        "user_is_team": is_marketplace_team(user),
        "user_is_sales": is_sales(user),
    }
