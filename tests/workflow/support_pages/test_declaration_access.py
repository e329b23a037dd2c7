"""Stage 4 pages of a request: the partner's support standards, the team's audit and the"""

import pytest

from catalogue.enums import Marketplace
from tests.factories.support_audit import (
    SupportDeclarationFactory,
)
from tests.factories.workflow import ApplicationFactory
from tests.workflow.markup import attr, by_testid, field_value, find_all, texts
from tests.workflow.support_pages.helpers import (
    CREATIO_REGIONS,
    S,
    action_labels,
    partner_of,
    quality_passed,
    under_audit,
    url,
)

pytestmark = pytest.mark.django_db


# --- 1. The declaration: who sees what -----------------------------------------------------------


def test_declaration_page_offers_the_partner_an_empty_form_with_every_marketplace_region(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "state") == "Quality certification passed"
    assert [attr(row, "data-testid") for row in find_all(response, "tr")[1:]] == [
        f"region-{region}" for region in CREATIO_REGIONS
    ]
    assert field_value(response, "system_name") is None
    assert field_value(response, "apac-language") == [""]
    assert by_testid(response, "no-draft") == "Nothing saved yet."
    assert action_labels(response, "submit-area") == [
        ("Save draft", "enabled"),
        ("Submit the support standards", "enabled"),
    ]


def test_declaration_page_of_a_terrasoft_solution_asks_for_russia_only(client):
    application = quality_passed(solution__marketplace=Marketplace.TERRASOFT)
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    (grid,) = find_all(response, data_testid="hours-grid")
    assert texts(grid, data_testid="region-label") == ["Russia, MSK (UTC+3)"]


def test_declaration_page_before_quality_certification_says_when_it_opens(client):
    application = ApplicationFactory(state=S.IN_REVIEW)
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "not-yet") == (
        "Support standards are declared once quality certification has passed. They can be "
        "edited in these states: Quality certification passed, Remediating support "
        "nonconformities."
    )
    assert find_all(response, data_testid="declaration-form") == []


def test_declaration_page_without_a_declaration_shows_the_team_an_empty_state(client, analyst):
    application = quality_passed()
    client.force_login(analyst)

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "no-declaration") == "No support standards declared yet."
    assert find_all(response, data_testid="declaration-form") == []
    assert find_all(response, data_testid="submit-area") == []


def test_declaration_page_is_read_only_for_the_team(client, analyst):
    declaration = SupportDeclarationFactory(escalation_name="Ivan Boss", escalation_role="ceo")
    client.force_login(analyst)

    response = client.get(url("support_declaration", declaration.application))

    assert find_all(response, data_testid="declaration-form") == []
    assert by_testid(response, "declaration-conforms") == "Meets regulation 4.1–4.2."
    assert by_testid(response, "packages") == "Basic, Business, Premium"
    assert by_testid(response, "channels") == "E-mail, Customer portal"
    assert by_testid(response, "escalation") == (
        "Ivan Boss, CEO — olga.head@partner.example · +1 555 0100"
    )
    (table,) = find_all(response, "table", data_testid="region-hours")
    week = [*["09:00–18:00"] * 5, "closed", "closed"]
    assert [texts(row, "th") + texts(row, "td") for row in find_all(table, "tr")[1:]] == [
        ["Americas, EST (UTC−5)", "English", *week],
        ["Americas, PST (UTC−8)", "English", *week],
        ["APAC, GST (UTC+4)", "English", *week],
        ["EMEA (UTC+1)", "English", *week],
    ]


def test_declaration_page_is_read_only_for_the_partner_once_submitted(client):
    application = under_audit()
    client.force_login(partner_of(application))

    response = client.get(url("support_declaration", application))

    assert by_testid(response, "read-only") == "Read-only: the support standards went to the audit."
    assert find_all(response, data_testid="declaration-form") == []
    assert find_all(response, data_testid="submit-area") == []


def test_declaration_page_prefills_the_saved_declaration(client):
    declaration = SupportDeclarationFactory()
    client.force_login(partner_of(declaration.application))

    response = client.get(url("support_declaration", declaration.application))

    assert field_value(response, "system_name") == "Service Desk"
    assert field_value(response, "channels") == ["email", "portal"]
    assert field_value(response, "packages") == ["basic", "business", "premium"]
    assert field_value(response, "emea-language") == ["en"]
    assert field_value(response, "emea-open-4") == "09:00"
    assert field_value(response, "emea-close-4") == "18:00"
    assert field_value(response, "emea-open-5") is None
    assert by_testid(response, "declaration-conforms") == (
        "The saved draft meets regulation 4.1–4.2."
    )
    assert action_labels(response, "submit-area") == [
        ("Save draft", "enabled"),
        ("Submit the support standards", "enabled"),
    ]
