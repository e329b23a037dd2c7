"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from support_audit.business_hours import WorkingCalendar
from tests.factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    SolutionFactory,
    VersionFactory,
    actor,
)
from tests.workflow.markup import (
    alerts,
    attr,
    by_testid,
    confirming,
    field_value,
    find_all,
    text,
    texts,
)
from tests.workflow.material_pages.helpers import (
    S,
    awaiting,
    certified_solution,
    materials_url,
    open_update,
    provide_everything,
)
from workflow.enums import ApplicationKind
from workflow.models import Application
from workflow.services.materials import compatibility_confirm

pytestmark = pytest.mark.django_db


# --- Opening an update or a critical fix -------------------------------------------------


def test_open_update_is_refused_for_a_solution_not_certified(client):
    """R3.2: only a certified solution's new version opens an update."""
    solution = SolutionFactory()
    version = VersionFactory(solution=solution)
    client.force_login(actor("own_partner", solution))

    page = client.get(reverse("update_request_open", args=[solution.slug]))
    response = client.post(
        reverse("update_request_open", args=[solution.slug]),
        {"version": version.pk, "motivation": "New dialler."},
    )

    assert by_testid(page, "refusal") == (
        "Only a certified solution's new version opens an update (R3.2)."
    )
    assert by_testid(response, "refusal") == (
        "Only a certified solution's new version opens an update (R3.2)."
    )
    assert Application.objects.filter(solution=solution).count() == 0


def test_open_update_of_a_certified_solution_lands_in_awaiting_materials(client):
    """R3.2: a new version of a certified solution goes through stage 3 again."""
    certification, newer = certified_solution(name="Phone Link")
    client.force_login(actor("own_partner", certification.solution))

    response = client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"version": newer.pk, "motivation": "Faster dialling."},
        follow=True,
    )

    application = Application.objects.get(version=newer)
    assert response.redirect_chain == [(materials_url(application), 302)]
    assert alerts(response) == [
        f"Request #{application.pk} for version 1.1.0 is open. Provide the materials, "
        "including What's new, then submit them for review."
    ]
    assert (application.state, application.kind, application.previous_version) == (
        S.AWAITING_MATERIALS,
        ApplicationKind.UPDATE,
        certification.version,
    )
    assert by_testid(response, "state") == "Approved, awaiting materials"


def test_open_update_registers_a_new_version_typed_in(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))

    client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"new_version": "2.0.0", "motivation": "A new major version."},
    )

    application = Application.objects.get(version__number="2.0.0")
    assert application.state == S.AWAITING_MATERIALS
    assert application.version.solution == certification.solution


def test_open_update_offers_only_newer_versions_without_an_open_request(client):
    certification, _newer = certified_solution()
    busy = VersionFactory(solution=certification.solution, number="1.2.0")
    ApplicationFactory(solution=certification.solution, version=busy, state=S.SUBMITTED)
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("update_request_open", args=[certification.solution.slug]))

    (select,) = find_all(response, "select", name="version")
    assert texts(select, "option") == ["— choose a registered version —", "1.1.0"]
    assert field_value(response, "critical_fix") is False


def test_critical_fix_review_is_due_two_business_days_after_submission(client, on_commit):
    """R6.5: a critical fix is reviewed within two business days of its submission."""
    certification, newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))
    form = client.get(
        reverse("update_request_open", args=[certification.solution.slug]) + "?critical=1"
    )
    client.post(
        reverse("update_request_open", args=[certification.solution.slug]),
        {"version": newer.pk, "motivation": "Calls drop.", "critical_fix": "on"},
    )
    application = Application.objects.get(version=newer)
    provide_everything(application)
    compatibility_confirm(application=application, by=application.created_by, note="")
    start = timezone.now()

    response = on_commit(
        client.post,
        reverse("materials_submit", args=[application.pk]),
        confirming({"seen_state": S.AWAITING_MATERIALS}),
        follow=True,
    )

    end = timezone.now()
    due = Application.objects.get(pk=application.pk).review_due_at
    days, tz, country = (
        django_settings.CRITICAL_FIX_REVIEW_BUSINESS_DAYS,
        django_settings.TEAM_TIME_ZONE,
        django_settings.TEAM_HOLIDAYS_COUNTRY,
    )
    assert field_value(form, "critical_fix") is True
    assert application.kind == ApplicationKind.CRITICAL_FIX
    assert WorkingCalendar(tz=tz, country=country).add_business_days(start, days) <= due
    assert due <= WorkingCalendar(tz=tz, country=country).add_business_days(end, days)
    assert due - start >= timedelta(days=2)
    assert by_testid(response, "state") == "Materials submitted for review"


def test_critical_fix_page_says_it_is_fast_tracked(client):
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer, critical_fix=True)
    client.force_login(partner)

    response = client.get(materials_url(application))

    assert by_testid(response, "critical-fix") == (
        "Critical fix: fast-tracked outside the release cycle; the review is due 2 business "
        "days after the materials are submitted."
    )


def test_solution_page_offers_an_update_of_the_certified_version(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("solution_detail", args=[certification.solution.slug]))

    (box,) = find_all(response, data_testid="certification")
    assert texts(box, "a") == ["Open an update", "Report a critical fix"]
    assert text(box).startswith("Certified version: 1.0.0 · Certified · since ")


def test_solution_page_of_a_certified_solution_offers_no_first_certification(client):
    certification, _newer = certified_solution()
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("solution_detail", args=[certification.solution.slug]))

    assert "Request certification" not in texts(response, "a")


def test_solution_page_offers_no_update_of_a_revoked_certification(client):
    certification = CertificationFactory(revoked=True)
    client.force_login(actor("own_partner", certification.solution))

    response = client.get(reverse("solution_detail", args=[certification.solution.slug]))

    (box,) = find_all(response, data_testid="certification")
    assert texts(box, "a") == []


def test_request_page_links_to_materials_and_findings_in_stage_3(client):
    application = awaiting()
    client.force_login(actor("own_partner", application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    (links,) = find_all(response, data_testid="quality-links")
    assert [(text(a), attr(a, "href")) for a in find_all(links, "a")] == [
        ("Materials", materials_url(application)),
        ("Findings", reverse("findings", args=[application.pk])),
    ]
