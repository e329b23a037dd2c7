"""Helpers of the tests of the DoD review pages (workflow/views/review*.py)."""

from django.urls import reverse

from catalogue.badge import grant as certification_grant
from tests.factories.dod import (
    in_review,
    partner_of,
    provide_materials,
)
from tests.factories.workflow import VersionFactory
from tests.workflow.markup import attr, find_all, text, texts
from workflow import services as app_services
from workflow.enums import ApplicationState
from workflow.models import Application
from workflow.services.materials import compatibility_confirm

S = ApplicationState

EDITION_ONE_TITLES = [
    "Functionality works as described, with no blocking defects.",
    "Compatible with the Creatio products and versions declared; no conflict with the R&D roadmap.",
    "Packages meet the publication requirements (naming, prefix, no replacement of base "
    "schemas); a contact for questions is given.",
    "Documentation is complete: set-up, user guide, test cases.",
    "Localised for the target market; the test report matches the ad-hoc results.",
    "Self set-up: a user can set the solution up from the instructions alone (a demo mode "
    "without the developer if external services need manual set-up).",
    "UX consistent with the base Creatio products.",
    "Demo data: one or two records in each section, or a demo package.",
    "Security and reliability of the external services run by the developer.",
    "Performance and fault tolerance of the integration architecture.",
]

NEEDS_FINDING = "Write at least one finding or recommendation for the partner first (R3.8)."

CRITERIA_UNMET = "Every DoD criterion must be checked and passed in this round (R3.6, R3.7)."

NOT_VERIFIED = "The reviewer must verify backward compatibility first (R6.2)."


def certified_update(analyst, *, critical_fix=False) -> Application:
    """An update of a certified solution, submitted with the partner's compatibility note."""
    first = in_review(analyst)
    Application.objects.filter(pk=first.pk).update(state=S.QUALITY_PASSED)
    first.refresh_from_db()
    certification_grant(application=first, by=analyst)
    partner = partner_of(first)
    update = app_services.update_request_open(
        by=partner,
        solution=first.solution,
        version=VersionFactory(solution=first.solution, number="2.0.0"),
        motivation="New features.",
        critical_fix=critical_fix,
    )
    provide_materials(update, partner)
    compatibility_confirm(application=update, by=partner, note="Same API; settings migrate.")
    app_services.materials_submit(application=update, by=partner)
    return update


def review_url(application, name="review", **kwargs):
    return reverse(name, kwargs={"pk": application.pk, **kwargs})


def review_page(client, application):
    return client.get(review_url(application))


def card(response, number):
    (node,) = find_all(response, data_testid=f"criterion-{number}")
    return node


def result_choices(node):
    return [attr(radio, "value") for radio in find_all(node, "input", name="result")]


def post_check(client, application, number, result, comment="Checked.", files=()):
    data = {"result": result, "comment": comment, "seen_state": S.IN_REVIEW}
    if files:
        data["evidence"] = list(files)
    return client.post(review_url(application, "review_check", number=number), data)


def action_labels(response):
    (actions,) = find_all(response, data_testid="review-actions")
    return [
        (text(node), "disabled" if any(k == "disabled" for k, _ in node.attributes) else "enabled")
        for node in find_all(actions)
        if node.name in ("a", "button")
    ]


def blocked(response):
    return [text(node) for node in find_all(response, data_testid="blocked")]


def findings_rows(response):
    (table,) = find_all(response, "table", data_testid="findings")
    return [texts(row, "td") for row in find_all(table, "tr")[1:]]
