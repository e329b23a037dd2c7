"""Material 6, external services: its seven parts of 3.1 asked one by one, each required when
the solution uses external services (R3.4), kept with the revision and read part by part in
the R&D review of DoD 9–10 (R3.7)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories.workflow import ApplicationFactory, MaterialFactory, actor
from tests.workflow.markup import alerts, errors, field_value, find_all, text, texts
from tests.workflow.material_pages.helpers import (
    K,
    S,
    awaiting,
    card,
    card_text,
    document,
    materials_url,
    upload_url,
)
from workflow import services
from workflow.materials import EXTERNAL_SERVICE_PARTS, is_complete
from workflow.models import Material

pytestmark = pytest.mark.django_db

PART_LABELS = [
    "Architecture and data flow",
    "Hosting provider and location",
    "Security certificates",
    "Monitoring tools",
    "Backup tools",
    "Fault tolerance",
    "Security and access policies",
]
ANSWERS = {
    "architecture": "A Node service receives webhooks from Creatio and calls the carrier API.",
    "hosting": "AWS, eu-central-1 (Frankfurt).",
    "certificates": "AWS ISO 27001 and SOC 2 Type II, valid until 2027.",
    "monitoring": "CloudWatch alarms and Sentry; on-call engineer paged.",
    "backups": "Nightly RDS snapshots kept 30 days; restore tested quarterly.",
    "fault_tolerance": "Two availability zones; Creatio queues calls while the service is down.",
    "access_policies": "OAuth 2.0 client credentials; SSO with MFA for staff; quarterly review.",
}


def parts_data(prefix="external_services", **answers) -> dict:
    return {f"{prefix}-part-{key}": text for key, text in (ANSWERS | answers).items()}


def upload(client, application, data):
    return client.post(upload_url(application, K.EXTERNAL_SERVICES), data, follow=True)


def latest(application) -> Material:
    return Material.objects.filter(application=application, kind=K.EXTERNAL_SERVICES).latest(
        "revision"
    )


def test_the_upload_form_asks_for_the_seven_parts_one_by_one(client):
    """R3.4: material 6 asks for its seven parts, each a field of its own."""
    application = awaiting(solution__uses_external_services=True)
    client.force_login(actor("own_partner", application))

    response = client.get(materials_url(application))

    (form,) = find_all(card(response, K.EXTERNAL_SERVICES), data_testid="upload-form")
    labels = [text(node) for node in find_all(form, "label")]
    assert labels[:7] == [f"{label} *" for label in PART_LABELS]
    assert [
        field_value(response, f"external_services-part-{p.key}") for p in EXTERNAL_SERVICE_PARTS
    ] == [""] * 7


def test_the_seven_parts_in_words_complete_material_six_without_a_file(client):
    """R3.4: a solution with external services describes the seven parts; no document is
    needed besides, and the material counts as provided."""
    application = awaiting(solution__uses_external_services=True)
    client.force_login(actor("own_partner", application))

    response = upload(client, application, parts_data())

    assert alerts(response) == ["6. External services: revision 1 added."]
    assert latest(application).answers == ANSWERS
    assert card_text(response, K.EXTERNAL_SERVICES, "status") == "Provided"
    assert "6. External services" not in texts(find_all(response, data_testid="missing")[0], "li")
    (parts,) = find_all(card(response, K.EXTERNAL_SERVICES), data_testid="parts")
    assert texts(parts, data_testid="part-label") == PART_LABELS
    assert texts(parts, data_testid="part-hosting") == ["AWS, eu-central-1 (Frankfurt)."]


def test_parts_left_empty_are_each_refused_and_the_others_kept(client):
    """R3.4: with external services every part is required: each empty one says so beside it,
    nothing is saved, and what was typed is shown again."""
    application = awaiting(solution__uses_external_services=True)
    client.force_login(actor("own_partner", application))

    response = upload(client, application, parts_data(backups="", certificates="  "))

    refusal = (
        "Describe this part: the solution uses external services, so every part is needed (R3.4)."
    )
    assert errors(response) == [refusal, refusal]
    assert field_value(response, "external_services-part-hosting") == ANSWERS["hosting"]
    assert field_value(response, "external_services-part-backups") == ""
    assert not Material.objects.filter(application=application).exists()


def test_without_external_services_the_parts_are_optional(client):
    """R3.4: a solution without external services may describe some parts, or none."""
    application = awaiting(solution__uses_external_services=False)
    client.force_login(actor("own_partner", application))

    response = upload(client, application, {"external_services-part-hosting": "On premises."})

    assert alerts(response) == ["6. External services: revision 1 added."]
    assert latest(application).answers["hosting"] == "On premises."
    assert latest(application).answers["backups"] == ""


def test_an_attachment_may_go_with_the_parts(client):
    application = awaiting(solution__uses_external_services=True)
    client.force_login(actor("own_partner", application))

    upload(
        client,
        application,
        parts_data() | {"external_services-file": document("architecture.pdf")},
    )

    material = latest(application)
    assert material.original_name == "architecture.pdf"
    assert material.answers == ANSWERS


def test_a_new_revision_starts_from_the_previous_answers(client):
    """R3.4: re-submitting after a finding keeps the answers given, to change what is needed."""
    application = awaiting(solution__uses_external_services=True)
    client.force_login(actor("own_partner", application))
    upload(client, application, parts_data())

    response = client.get(materials_url(application))

    assert field_value(response, "external_services-part-monitoring") == ANSWERS["monitoring"]
    assert (
        field_value(response, "external_services-part-access_policies")
        == (ANSWERS["access_policies"])
    )
    upload(client, application, parts_data(backups="Hourly snapshots, kept 90 days."))
    assert latest(application).revision == 2
    assert latest(application).answers["backups"] == "Hourly snapshots, kept 90 days."
    assert Material.objects.get(application=application, revision=1).answers == ANSWERS


def test_the_service_refuses_missing_parts_when_external_services_are_used():
    """R3.4: the rule holds whatever calls the service, not only the page."""
    application = awaiting(solution__uses_external_services=True)

    with pytest.raises(ValidationError) as refused:
        services.material_upload(
            application=application,
            by=actor("own_partner", application),
            kind=K.EXTERNAL_SERVICES,
            answers={"architecture": "A service."},
        )

    assert refused.value.messages == [
        "The solution uses external services: describe every part (R3.4); missing: Hosting "
        "provider and location, Security certificates, Monitoring tools, Backup tools, Fault "
        "tolerance, Security and access policies."
    ]


def test_a_revision_from_before_the_parts_with_a_document_still_counts():
    """R3.4: a document uploaded before the parts were asked one by one stays complete."""
    application = awaiting(solution__uses_external_services=True)

    material = MaterialFactory(application=application, kind=K.EXTERNAL_SERVICES, with_file=True)

    assert is_complete(material, application)


def test_the_rnd_reviewer_reads_the_parts_one_by_one_on_the_review_page(client):
    """R3.7: DoD 9–10 are reviewed by R&D from material 6, shown part by part."""
    application = ApplicationFactory(
        state=S.SUBMITTED_FOR_REVIEW, solution__uses_external_services=True
    )
    MaterialFactory(application=application, kind=K.EXTERNAL_SERVICES, answers=ANSWERS)
    client.force_login(actor("rnd_expert"))

    response = client.get(reverse("review", args=[application.pk]))

    (section,) = find_all(response, data_testid="external-services")
    assert texts(section, data_testid="part-label") == PART_LABELS
    assert [
        text(node) for key in ANSWERS for node in find_all(section, data_testid=f"part-{key}")
    ] == list(ANSWERS.values())


def test_without_external_services_the_parts_are_not_marked_required(client):
    application = awaiting(solution__uses_external_services=False)
    client.force_login(actor("own_partner", application))

    response = client.get(materials_url(application))

    (form,) = find_all(card(response, K.EXTERNAL_SERVICES), data_testid="upload-form")
    assert [text(node) for node in find_all(form, "label")][:7] == PART_LABELS


def test_a_revision_with_no_file_no_link_and_no_answers_cannot_be_stored():
    application = awaiting(solution__uses_external_services=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        Material.objects.create(
            application=application,
            kind=K.EXTERNAL_SERVICES,
            revision=1,
            uploaded_by=application.created_by,
        )

    assert (
        MaterialFactory(
            application=application, kind=K.EXTERNAL_SERVICES, url="", answers=ANSWERS
        ).answers
        == ANSWERS
    )


def test_the_card_says_the_parts_are_described_in_words(client):
    application = awaiting(solution__uses_external_services=True)
    client.force_login(actor("own_partner", application))

    response = client.get(materials_url(application))

    hint = find_all(card(response, K.EXTERNAL_SERVICES), "p", **{"class": "text-muted"})[0]
    assert text(hint).endswith("Describe each part below; a document and a link may go with them.")


def test_the_review_page_of_a_solution_without_external_services_has_no_such_section(client):
    """R3.7: DoD 9–10 do not apply without external services; nothing to read for them."""
    application = ApplicationFactory(
        state=S.SUBMITTED_FOR_REVIEW, solution__uses_external_services=False
    )
    client.force_login(actor("rnd_expert"))

    response = client.get(reverse("review", args=[application.pk]))

    assert find_all(response, data_testid="external-services") == []


def test_the_review_page_says_when_material_six_is_still_missing(client):
    application = ApplicationFactory(
        state=S.SUBMITTED_FOR_REVIEW, solution__uses_external_services=True
    )
    client.force_login(actor("rnd_expert"))

    response = client.get(reverse("review", args=[application.pk]))

    assert texts(response, data_testid="no-external-services") == [
        "The partner has not described the external services yet."
    ]
