"""Stage 4 pages of a request: the partner's support standards, the team's audit and the"""

import pytest

from catalogue.enums import Marketplace
from support_audit.models import (
    SupportDeclaration,
)
from tests.factories.support_audit import (
    SupportDeclarationFactory,
)
from tests.workflow.markup import (
    alerts,
    by_testid,
    confirming,
    errors,
    field_value,
    find_all,
    text,
    texts,
)
from tests.workflow.support_pages.helpers import (
    NOT_ALLOWED,
    STALE,
    S,
    action_labels,
    declaration_data,
    field_error,
    partner_of,
    post_declaration,
    quality_passed,
    state_now,
    url,
)
from workflow import services as app_services
from workflow.models import Application

pytestmark = pytest.mark.django_db


# --- 1. The declaration: each standard, quoted beside its field ----------------------------------


def assert_kept(response, application, **changes):
    """Everything typed is shown again: the values the form was sent with."""
    data = declaration_data(application, **changes)
    assert field_value(response, "system_name") == data["system_name"]
    assert field_value(response, "system_url") == data["system_url"]
    assert field_value(response, "channels") == data["channels"]
    assert field_value(response, "packages") == data["packages"]
    assert field_value(response, "presale_business_days") == data["presale_business_days"]
    assert field_value(response, "escalation_name") == data["escalation_name"]
    assert field_value(response, "escalation_role") == [data["escalation_role"]]
    assert field_value(response, "emea-open-0") == data.get("emea-open-0")
    assert field_value(response, "all_channels_registered") is ("all_channels_registered" in data)
    assert field_value(response, "partner_portal_consent") is ("partner_portal_consent" in data)


def assert_not_submitted_but_saved(application):
    """A refused submission keeps the request where it was and the draft saved."""
    assert state_now(application) == S.QUALITY_PASSED
    assert SupportDeclaration.objects.filter(application=application).count() == 1


def test_declaration_without_the_premium_package_is_refused_beside_the_packages(client):
    """R4.3: all three packages are served; the form says which is missing."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(
        client, application, action="submit", packages=["basic", "business"]
    )

    assert field_error(response, "packages") == (
        "All three packages are served; missing: Premium (R4.3)."
    )
    assert errors(response) == [
        "Not submitted: meet the standards marked below first. Your draft is saved.",
        "All three packages are served; missing: Premium (R4.3).",
    ]
    assert_kept(response, application, packages=["basic", "business"])
    assert_not_submitted_but_saved(application)


def test_declaration_with_presale_answers_in_three_days_is_refused(client):
    """R4.4: pre-sale questions are answered within two business days."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, action="submit", presale_business_days="3")

    assert field_error(response, "presale_business_days") == (
        "Pre-sale questions are answered within two business days at most (R4.4)."
    )
    assert_kept(response, application, presale_business_days="3")
    assert_not_submitted_but_saved(application)


def test_declaration_without_a_region_of_the_marketplace_is_refused(client):
    """R4.5: support is given in every region of marketplace.creatio.com; APAC is missing."""
    application = quality_passed()
    client.force_login(partner_of(application))
    without_apac = {"apac-language": ""} | {
        f"apac-{e}-{d}": None for e in ("open", "close") for d in range(5)
    }

    response = post_declaration(client, application, action="submit", **without_apac)

    assert texts(response, data_testid="regions-error") == [
        "Support is given in every region of the marketplace; missing: APAC, GST (UTC+4) (R4.5)."
    ]
    assert field_value(response, "apac-language") == [""]
    assert field_value(response, "emea-language") == ["en"]
    assert_kept(response, application, **without_apac)
    assert_not_submitted_but_saved(application)


def test_declaration_in_the_wrong_language_is_refused(client):
    """R4.5: marketplace.terrasoft.ru customers are supported in Russian."""
    application = quality_passed(solution__marketplace=Marketplace.TERRASOFT)
    client.force_login(partner_of(application))

    response = post_declaration(client, application, action="submit", **{"russia-language": "en"})

    assert texts(response, data_testid="regions-error") == [
        "Support in Russia, MSK (UTC+3) is given in Russian (R4.5)."
    ]
    assert field_value(response, "russia-language") == ["en"]
    assert field_value(response, "russia-open-2") == "09:00"
    assert_not_submitted_but_saved(application)


def test_declaration_with_a_first_escalation_to_another_role_is_refused(client):
    """The first escalation goes to a head of department or the CEO (R4.6)."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, action="submit", escalation_role="other")

    assert field_error(response, "escalation_role") == (
        "The first escalation goes to a head of department or the CEO (R4.6)."
    )
    assert_kept(response, application, escalation_role="other")
    assert_not_submitted_but_saved(application)


def test_declaration_without_registering_every_channel_is_refused(client):
    """R4.1: the support system registers every case from every channel."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, action="submit", all_channels_registered=None)

    assert field_error(response, "all_channels_registered") == (
        "The support system must register every case from every channel (R4.1)."
    )
    assert_kept(response, application, all_channels_registered=None)
    assert_not_submitted_but_saved(application)


def test_declaration_without_the_partner_portal_consent_is_refused(client):
    """R4.2: customers can also register cases on the vendor's partner portal."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, action="submit", partner_portal_consent=None)

    assert field_error(response, "partner_portal_consent") == (
        "Customers must be able to register cases on the vendor's partner portal (R4.2)."
    )
    assert_kept(response, application, partner_portal_consent=None)
    assert_not_submitted_but_saved(application)


def test_declaration_with_half_a_day_of_hours_is_not_submitted_and_says_which_day(client):
    """R4.5: a day of support hours has both its opening and its closing time."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, action="submit", **{"emea-close-1": None})

    assert texts(response, data_testid="regions-error") == [
        "EMEA (UTC+1), Tue: give both the opening and the closing time, or neither for a "
        "closed day (R4.5)."
    ]
    assert field_value(response, "emea-open-1") == "09:00"
    assert field_value(response, "emea-close-1") is None
    assert_not_submitted_but_saved(application)


def test_declaration_with_a_time_that_is_not_one_says_which_cell_and_keeps_the_rest(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, **{"emea-open-5": "25:00"})

    assert texts(response, data_testid="hours-error") == [
        "EMEA (UTC+1), Sat, opens: Enter a valid time."
    ]
    assert field_value(response, "emea-open-5") == "25:00"
    assert field_value(response, "system_name") == "Northwind Service Desk"
    saved = SupportDeclaration.objects.get(application=application)
    assert saved.system_name == "Northwind Service Desk"
    assert "5" not in saved.regions.get(region="emea").hours


def test_declaration_that_conforms_is_saved_and_can_be_submitted(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(
        client, application, **{"emea-open-5": "10:00", "emea-close-5": "14:00"}
    )
    page = client.get(response.url)

    declaration = SupportDeclaration.objects.get(application=application)
    assert alerts(page) == ["Draft saved: it meets regulation 4.1–4.2 and can be submitted."]
    assert declaration.regions.get(region="emea").hours == {
        **{str(day): ["09:00", "18:00"] for day in range(5)},
        "5": ["10:00", "14:00"],
    }
    assert field_value(page, "emea-open-5") == "10:00"
    assert action_labels(page, "submit-area") == [
        ("Save draft", "enabled"),
        ("Submit the support standards", "enabled"),
    ]


def test_declaration_saved_by_the_team_is_not_allowed(client, analyst):
    application = quality_passed()
    client.force_login(analyst)

    response = post_declaration(client, application)

    assert text(find_all(response, "main")[0]) == NOT_ALLOWED
    assert SupportDeclaration.objects.count() == 0


def test_submit_the_support_standards_sends_them_to_the_audit(client):
    declaration = SupportDeclarationFactory()
    application = declaration.application
    client.force_login(partner_of(application))

    response = client.post(
        url("support_declaration_submit", application),
        confirming({"seen_state": S.QUALITY_PASSED}),
        follow=True,
    )

    assert alerts(response) == [
        "Support standards submitted. The Marketplace team will audit your support."
    ]
    assert by_testid(response, "state") == "Support standards under audit"


def test_submit_the_support_standards_from_a_stale_page_changes_nothing(client):
    declaration = SupportDeclarationFactory()
    application = declaration.application
    partner = partner_of(application)
    app_services.application_withdraw(application=application, by=partner, reason="Not now.")
    client.force_login(partner)

    response = client.post(
        url("support_declaration_submit", application),
        confirming({"seen_state": S.QUALITY_PASSED}),
        follow=True,
    )

    assert alerts(response) == [STALE % "Withdrawn"]
    assert Application.objects.get(pk=application.pk).state == S.WITHDRAWN
