"""Stage 4 pages of a request: the partner's support standards, the team's audit and the"""

import pytest
from django.template.defaultfilters import date as date_filter

from support_audit.models import (
    RemediationItem,
)
from tests.factories.support_audit import (
    NonconformityFactory,
    RemediationItemFactory,
    RemediationPlanFactory,
    SupportDeclarationFactory,
)
from tests.factories.workflow import ApplicationFactory
from tests.workflow.markup import by_testid, confirming, errors, field_value, find_all
from tests.workflow.support_pages.helpers import (
    STALE,
    S,
    action_labels,
    blocked,
    item_rows,
    partner_of,
    under_audit,
    url,
)
from workflow import services as app_services
from workflow.models import Application
from workflow.services import support

pytestmark = pytest.mark.django_db


# --- 3. The remediation page ----------------------------------------------------------------------


def test_remediation_page_without_a_report_shows_the_partner_an_empty_state(client):
    application = under_audit()
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    assert by_testid(response, "no-reports") == "No nonconformity report has been sent to you."


def test_remediation_page_hides_an_audit_not_yet_reported_from_the_partner(client):
    application = under_audit()
    RemediationItemFactory(plan__audit__application=application)
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    assert find_all(response, data_testid="report") == []


def test_remediation_page_shows_the_team_an_unsent_report_as_such(client, analyst):
    application = under_audit()
    RemediationItemFactory(plan__audit__application=application)
    client.force_login(analyst)

    response = client.get(url("support_remediation", application))

    assert by_testid(response, "not-sent") == "not sent to the partner yet"


def reported(analyst, **item) -> tuple[Application, RemediationItem]:
    """A request whose nonconformity report, with a one-action plan, went to the partner."""
    application = under_audit()
    audit = NonconformityFactory(audit__application=application).audit
    action = RemediationItemFactory(plan=RemediationPlanFactory(audit=audit), **item)
    support.nonconformities_report(application=application, by=analyst, comment="Fix it.")
    return application, action


def test_remediation_page_flags_an_overdue_item_for_the_partner(client, analyst):
    application, late = reported(analyst, overdue=True, description="Hire a night shift.")
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    due = date_filter(late.due_on, "SHORT_DATE_FORMAT")
    assert item_rows(response) == [["Hire a night shift.", "Olga Head", due, "overdue"]]
    assert find_all(response, data_testid="not-sent") == []


def test_mark_done_from_a_stale_page_changes_nothing(client):
    application = ApplicationFactory(state=S.REMEDIATION)
    item = RemediationItemFactory(plan__audit__application=application)
    partner = partner_of(application)
    app_services.application_withdraw(application=application, by=partner, reason="Not now.")
    client.force_login(partner)

    response = client.post(
        url("support_item_done", application, item_pk=item.pk),
        confirming({"seen_state": S.REMEDIATION, "note": "Done as agreed."}),
        follow=True,
    )

    assert errors(response) == [STALE % "Withdrawn"]
    assert field_value(response, "note") == "Done as agreed."
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


def test_mark_done_after_the_request_was_declined_is_refused(client, analyst):
    application, item = reported(analyst)
    support.support_decline(application=application, by=analyst, comment="No APAC support.")
    client.force_login(partner_of(application))

    response = client.post(
        url("support_item_done", application, item_pk=item.pk),
        confirming({"seen_state": S.DECLINED, "note": "Done as agreed."}),
        follow=True,
    )

    assert errors(response) == ["Plan items are marked done while the remediation is under way."]
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


def test_reaudit_is_not_possible_with_an_item_still_open(client):
    application = ApplicationFactory(state=S.REMEDIATION)
    SupportDeclarationFactory(application=application)
    RemediationItemFactory(plan__audit__application=application)
    client.force_login(partner_of(application))

    response = client.get(url("support_remediation", application))

    assert action_labels(response, "reaudit-area") == [("Ask for the re-audit", "disabled")]
    assert blocked(response) == [
        "Ask for the re-audit is not possible yet: Every item of the remediation plan must be "
        "done first."
    ]
