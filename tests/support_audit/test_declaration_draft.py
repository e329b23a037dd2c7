"""The support declaration never loses work: a draft is saved at any time and says what is
still unmet; "Copy to all weekdays"; submitting still needs every standard of 4.1–4.2; a save
made on an older copy does not silently replace a newer one."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from certportal.errors import ActionRefused
from support_audit.models import SupportDeclaration
from support_audit.services import DeclarationInput
from tests.factories.accounts import UserFactory
from tests.factories.support_audit import SupportDeclarationFactory
from tests.workflow.markup import (
    alerts,
    by_testid,
    confirming,
    errors,
    field_value,
    find_all,
    texts,
)
from tests.workflow.support_pages.helpers import (
    CREATIO_REGIONS,
    S,
    declaration_data,
    partner_of,
    post_declaration,
    quality_passed,
    state_now,
    url,
)
from workflow.services import support as flow

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def only(application, **values) -> dict:
    """The form as a partner sends it with nothing but `values` filled in."""
    return {"seen_state": state_now(application), "action": "draft", **values}


def saved(application) -> SupportDeclaration:
    return SupportDeclaration.objects.get(application=application)


# --- A draft at any time --------------------------------------------------------------------


def test_a_draft_with_almost_nothing_in_it_is_saved_and_lists_what_is_unmet(client):
    """R4.1: a draft is kept whatever it lacks; the page lists each rule still unmet, in words
    first and with its ID."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = client.post(
        url("support_declaration", application), only(application, system_name="Desk")
    )
    page = client.get(response.url)

    assert saved(application).system_name == "Desk"
    assert saved(application).presale_business_days is None
    assert alerts(page) == [
        "Draft saved. The list below says what is still to meet before you submit."
    ]
    assert field_value(page, "system_name") == "Desk"
    (unmet,) = find_all(page, data_testid="declaration-unmet")
    assert texts(unmet, "li") == [
        "Give the support system's address (R4.1).",
        "Name the channels customers reach support by (R4.1).",
        "The support system must register every case from every channel (R4.1).",
        "Customers must be able to register cases on the vendor's partner portal (R4.2).",
        "All three packages are served; missing: Basic, Business, Premium (R4.3).",
        "Pre-sale questions are answered within two business days at most (R4.4).",
        "Support is given in every region of the marketplace; missing: Americas, EST (UTC−5), "
        "Americas, PST (UTC−8), APAC, GST (UTC+4), EMEA (UTC+1) (R4.5).",
        "The first escalation goes to a head of department or the CEO (R4.6).",
        "Give the first escalation contact's name (R4.6).",
        "Give their e-mail (R4.6).",
        "Give their phone (R4.6).",
    ]
    assert state_now(application) == S.QUALITY_PASSED


def test_a_draft_that_breaks_a_rule_is_saved_as_it_is(client):
    """R4.3: a draft without the Premium package is saved; the list says it is missing."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, packages=["basic", "business"])
    page = client.get(response.url)

    assert saved(application).packages == ["basic", "business"]
    assert texts(page, data_testid="declaration-unmet") == [
        "Still to meet before you submit: All three packages are served; missing: Premium (R4.3)."
    ]
    assert field_value(page, "packages") == ["basic", "business"]


def test_the_stored_draft_is_shown_again_on_return(client):
    """R4.5: a region's hours saved in a draft come back as they were left, half-days too."""
    application = quality_passed()
    partner = partner_of(application)
    client.force_login(partner)
    client.post(
        url("support_declaration", application),
        only(
            application, **{"emea-language": "en", "emea-open-0": "09:00", "apac-open-2": "08:00"}
        ),
    )
    client.logout()
    client.force_login(partner)

    page = client.get(url("support_declaration", application))

    assert field_value(page, "emea-language") == ["en"]
    assert field_value(page, "emea-open-0") == "09:00"
    assert field_value(page, "apac-open-2") == "08:00"
    assert field_value(page, "apac-close-2") is None
    assert (
        "APAC, GST (UTC+4), Wed: give both the opening and the closing time, or neither for a "
        "closed day (R4.5)."
    ) in texts(find_all(page, data_testid="declaration-unmet")[0], "li")


def test_malformed_values_are_refused_beside_their_fields_and_the_rest_is_saved(client):
    """R4.4: a number that is not one is refused beside its field; the well-formed values are
    saved, the stored value of the malformed field is kept, and everything typed is shown."""
    declaration = SupportDeclarationFactory(presale_business_days=1)
    application = declaration.application
    client.force_login(partner_of(application))

    response = post_declaration(
        client,
        application,
        presale_business_days="two",
        system_url="not an address",
        escalation_email="olga@",
        system_name="Northwind Desk",
    )

    assert alerts(response) == [
        "Draft saved, except the values marked below, which are not well formed: correct them "
        "and save again."
    ]
    assert errors(response) == [
        "Enter a valid URL.",
        "Enter a whole number.",
        "Enter a valid email address.",
    ]
    assert field_value(response, "presale_business_days") == "two"
    assert field_value(response, "system_url") == "not an address"
    assert field_value(response, "system_name") == "Northwind Desk"
    declaration.refresh_from_db()
    assert declaration.system_name == "Northwind Desk"
    assert declaration.presale_business_days == 1
    assert declaration.system_url == "https://support.partner.example"
    assert declaration.escalation_email == "olga.head@partner.example"


@time_machine.travel(NOON, tick=False)
def test_the_page_says_when_the_draft_was_last_saved(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    client.post(url("support_declaration", application), only(application, system_name="Desk"))
    page = client.get(url("support_declaration", application))

    assert by_testid(page, "draft-saved") == "Draft last saved: 18 Nov 2026, 12:00 UTC"


# --- Submitting: every standard, or nothing sent -------------------------------------------------


def test_submit_with_standards_unmet_refuses_with_every_message_and_keeps_the_draft(client):
    """R4.2, R4.6: submitting a declaration short of two standards says both beside their fields,
    sends nothing, and keeps everything entered, saved."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(
        client, application, action="submit", partner_portal_consent=None, escalation_role="other"
    )

    assert errors(response) == [
        "Not submitted: meet the standards marked below first. Your draft is saved.",
        "Customers must be able to register cases on the vendor's partner portal (R4.2).",
        "The first escalation goes to a head of department or the CEO (R4.6).",
    ]
    assert field_value(response, "escalation_role") == ["other"]
    assert field_value(response, "system_name") == "Northwind Service Desk"
    assert state_now(application) == S.QUALITY_PASSED
    assert saved(application).escalation_role == "other"


def test_submit_of_a_conforming_declaration_saves_it_and_asks_for_the_confirmation(client):
    """R4.7: the standards entered and submitted are saved, and go to the audit once the
    partner confirms the step that cannot be undone."""
    application = quality_passed()
    client.force_login(partner_of(application))

    response = post_declaration(client, application, action="submit")

    assert response.url == reverse("support_declaration_submit", args=[application.pk])
    assert saved(application).system_name == "Northwind Service Desk"
    assert state_now(application) == S.QUALITY_PASSED
    page = client.get(response.url)
    assert alerts(page) == [
        "Draft saved: it meets regulation 4.1–4.2. Confirm the submission below."
    ]

    done = client.post(response.url, confirming(), follow=True)

    assert state_now(application) == S.SUPPORT_REVIEW
    assert "Support standards submitted. The Marketplace team will audit your support." in alerts(
        done
    )


def test_overnight_hours_are_accepted_and_submitted(client):
    """R4.5: EMEA support 19:00–10:00 on weekdays is a valid declaration."""
    application = quality_passed()
    client.force_login(partner_of(application))
    nights = {
        f"emea-{edge}-{d}": t
        for d in range(5)
        for edge, t in (("open", "19:00"), ("close", "10:00"))
    }

    response = post_declaration(client, application, action="submit", **nights)

    assert saved(application).regions.get(region="emea").hours == {
        str(day): ["19:00", "10:00"] for day in range(5)
    }
    assert response.url == reverse("support_declaration_submit", args=[application.pk])


# --- Two tabs ------------------------------------------------------------------------------------


def test_saving_an_older_copy_does_not_replace_the_newer_one_silently(client):
    """A page loaded before someone else saved refuses to overwrite the newer declaration, says
    so, keeps the input, and replaces it only when saved again deliberately."""
    declaration = SupportDeclarationFactory()
    application = declaration.application
    partner = partner_of(application)
    client.force_login(partner)
    old_page = client.get(url("support_declaration", application))
    old_version = field_value(old_page, "version")
    post_declaration(client, application, version=old_version, system_name="Newer desk")

    response = post_declaration(client, application, version=old_version, system_name="Older desk")

    (message,) = errors(response)
    assert message.startswith("These support standards were saved meanwhile, at ")
    assert message.endswith(
        "(in another tab or by a colleague). Nothing was saved, so as not to lose that version; "
        "your input is kept below. Open the page again to see it, or save again to replace it "
        "with yours."
    )
    assert saved(application).system_name == "Newer desk"
    assert field_value(response, "system_name") == "Older desk"
    again = client.post(
        url("support_declaration", application),
        declaration_data(
            application, version=field_value(response, "version"), system_name="Older desk"
        ),
    )
    assert again.status_code == 302
    assert saved(application).system_name == "Older desk"


def test_the_service_refuses_a_save_on_an_older_version():
    declaration = SupportDeclarationFactory()
    application = declaration.application
    data = DeclarationInput(
        system_name="Desk",
        system_url="",
        channels=[],
        all_channels_registered=False,
        partner_portal_consent=False,
        packages=[],
        presale_business_days=None,
        escalation_name="",
        escalation_role="",
        escalation_email="",
        escalation_phone="",
    )
    by = partner_of(application)
    flow.declaration_save(application=application, by=by, data=data, version=declaration.version)

    with pytest.raises(ActionRefused):
        flow.declaration_save(
            application=application, by=by, data=data, version=declaration.version
        )

    assert saved(application).version == declaration.version + 1


# --- Copy Monday to all weekdays -----------------------------------------------------------------


def test_each_region_offers_to_copy_mondays_hours_to_the_other_weekdays(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    page = client.get(url("support_declaration", application))

    buttons = find_all(page, data_testid="copy-monday")
    assert [dict(button.attributes).get("value") for button in buttons] == CREATIO_REGIONS
    assert texts(page, data_testid="copy-monday") == ["Copy to all weekdays"] * 4


def test_copy_monday_without_a_script_shows_the_form_again_with_the_copy(client):
    """R4.5: the button works without JavaScript: Monday 08:00–16:00 in EMEA fills Tuesday to
    Friday, leaves the weekend and the other regions alone, and saves nothing yet."""
    application = quality_passed()
    client.force_login(partner_of(application))
    data = only(
        application,
        system_name="Desk",
        **{"emea-open-0": "08:00", "emea-close-0": "16:00", "apac-open-1": "07:00"},
    )
    data["copy_monday"] = "emea"
    del data["action"]

    response = client.post(url("support_declaration", application), data)

    assert alerts(response) == [
        "Monday's hours are copied to Tuesday–Friday. Save the draft to keep them."
    ]
    assert [field_value(response, f"emea-open-{day}") for day in range(7)] == (
        ["08:00"] * 5 + [None, None]
    )
    assert [field_value(response, f"emea-close-{day}") for day in range(5)] == ["16:00"] * 5
    assert field_value(response, "apac-open-1") == "07:00"
    assert field_value(response, "apac-open-2") is None
    assert field_value(response, "system_name") == "Desk"
    assert errors(response) == []
    assert SupportDeclaration.objects.count() == 0


def test_the_page_loads_the_script_that_copies_in_the_browser(client):
    application = quality_passed()
    client.force_login(partner_of(application))

    page = client.get(url("support_declaration", application))

    sources = [dict(node.attributes).get("src") for node in find_all(page, "script")]
    assert "/static/js/declaration.js" in sources


def test_the_team_sees_an_incomplete_draft_with_what_it_lacks(client):
    """R4.4: an analyst looking at a draft without the pre-sale answer time sees a dash and the
    rule it does not meet yet."""
    application = quality_passed()
    client.force_login(partner_of(application))
    client.post(url("support_declaration", application), only(application, system_name="Desk"))
    analyst = UserFactory(analyst=True)
    client.force_login(analyst)

    page = client.get(url("support_declaration", application))

    assert by_testid(page, "presale") == "—"
    assert by_testid(page, "system") == "Desk"
    assert by_testid(page, "escalation") == "—"
    assert "Pre-sale questions are answered within two business days at most (R4.4)." in texts(
        find_all(page, data_testid="declaration-problems")[0], "li"
    )
