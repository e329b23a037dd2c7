"""An action of a remediation plan marked done: confirmed, with what was done (required) and
an optional evidence file or link, shown on the plan and to the auditors at the re-audit."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from support_audit.models import RemediationItem
from tests.factories.certification import RemediationPlanFactory as RegularPlanFactory
from tests.factories.dod import partner_of
from tests.factories.support_audit import (
    NonconformityFactory,
    RemediationItemFactory,
    RemediationPlanFactory,
)
from tests.factories.workflow import CertificationFactory, actor
from tests.workflow.markup import (
    alerts,
    attr,
    by_testid,
    confirming,
    errors,
    field_value,
    find_all,
    text,
)
from tests.workflow.support_pages.helpers import under_audit
from workflow.enums import ApplicationState
from workflow.services import support

S = ApplicationState
pytestmark = pytest.mark.django_db

NOTE = "Two night-shift agents hired; the rota is in the support system."


@pytest.fixture
def analyst():
    return actor("analyst")


@pytest.fixture
def in_remediation(analyst):
    """A request in remediation, its one action (“Hire a night shift.”) still to do."""
    application = under_audit()
    audit = NonconformityFactory(audit__application=application).audit
    item = RemediationItemFactory(
        plan=RemediationPlanFactory(audit=audit), description="Hire a night shift."
    )
    support.nonconformities_report(application=application, by=analyst, comment="Fix it.")
    application.refresh_from_db()
    return application, item


def done_url(application, item) -> str:
    return reverse("support_item_done", args=[application.pk, item.pk])


def evidence(name="rota.txt", content=b"Mon-Sun 22:00-06:00: two agents.\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_mark_done_opens_a_confirmation_with_a_note_and_evidence(client, in_remediation):
    application, item = in_remediation
    client.force_login(partner_of(application))

    remediation = client.get(reverse("support_remediation", args=[application.pk]))
    page = client.get(done_url(application, item))

    (form,) = [
        f for f in find_all(remediation, "form") if attr(f, "action") == done_url(application, item)
    ]
    assert (attr(form, "method"), text(form)) == ("get", "Mark done")
    assert by_testid(page, "consequence").startswith("“Hire a night shift.” (Olga Head, due ")
    assert "is marked done for good: it cannot be undone." in by_testid(page, "consequence")
    assert [attr(node, "name") for node in find_all(page, "textarea")] == ["note"]
    assert attr(find_all(page, "input", name="evidence")[0], "type") == "file"
    assert attr(find_all(page, "input", name="link")[0], "type") == "url"
    assert attr(find_all(page, "input", type="submit")[0], "value") == "Mark done"
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


def test_a_post_without_the_confirmation_marks_nothing(client, in_remediation):
    application, item = in_remediation
    client.force_login(partner_of(application))

    response = client.post(done_url(application, item), {"seen_state": S.REMEDIATION, "note": NOTE})

    assert response.status_code == 200
    assert alerts(response) == ["Nothing was done yet: check what will happen and confirm."]
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


def test_mark_done_needs_a_note(client, in_remediation):
    application, item = in_remediation
    client.force_login(partner_of(application))

    response = client.post(
        done_url(application, item),
        confirming({"seen_state": S.REMEDIATION, "note": "  ", "link": "https://example.com/x"}),
    )

    assert errors(response) == ["This field is required."]
    assert field_value(response, "link") == "https://example.com/x"
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


def test_mark_done_with_a_note_a_file_and_a_link_is_shown_on_the_plan(client, in_remediation):
    """R4.7: the partner reports each action of the agreed plan done, with its evidence."""
    application, item = in_remediation
    partner = partner_of(application)
    client.force_login(partner)

    response = client.post(
        done_url(application, item),
        confirming(
            {
                "seen_state": S.REMEDIATION,
                "note": NOTE,
                "link": "https://support.example.com/rota",
                "evidence": evidence(),
            }
        ),
        follow=True,
    )

    done = RemediationItem.objects.get(pk=item.pk)
    assert (done.done_by, done.done_note, done.done_link, done.done_evidence_name) == (
        partner,
        NOTE,
        "https://support.example.com/rota",
        "rota.txt",
    )
    assert alerts(response) == ["Marked done: Hire a night shift."]
    assert by_testid(response, "item-done-note") == NOTE
    assert by_testid(response, "item-done-record").startswith(
        f"Marked done by {partner.get_full_name() or partner.username}, "
    )
    assert by_testid(response, "item-done-link") == "https://support.example.com/rota"
    (link,) = find_all(response, data_testid="item-done-evidence")
    download = client.get(attr(link, "href"))
    assert b"".join(download.streaming_content) == b"Mon-Sun 22:00-06:00: two agents.\n"


def test_the_auditors_read_the_note_at_the_re_audit(client, in_remediation, analyst):
    """R4.7: at the re-audit the analysts see what the partner did for each action."""
    application, item = in_remediation
    partner = partner_of(application)
    support.plan_item_done(item=item, by=partner, note=NOTE, link="https://example.com/rota")
    support.reaudit_request(application=application, by=partner)
    client.force_login(analyst)

    page = client.get(reverse("support_audit", args=[application.pk]))

    assert by_testid(page, "item-done-note") == NOTE
    assert by_testid(page, "item-done-link") == "https://example.com/rota"


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", b"0" * (5 * 1024**2))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "refusal"),
    [
        (
            "rota.exe",
            b"MZ\x90\x00 not a document",
            "“rota.exe” is not of a type accepted here (.csv, .docx, .jpeg, .jpg, .json, .log, "
            ".md, .pdf, .png, .pptx, .txt, .xlsx, .xml, .yaml, .yml, .zip).",
        ),
        (
            "rota.pdf",
            b"this is not a PDF at all",
            "The name “rota.pdf” says a PDF document, but the content is plain text.",
        ),
        ("rota.zip", _zip_bomb(), "The archive member “big.txt” expands more than 100 times."),
    ],
    ids=["program", "disguised", "zip-bomb"],
)
def test_an_unsafe_evidence_file_is_refused_before_it_is_stored(
    client, in_remediation, storage_files, name, content, refusal
):
    application, item = in_remediation
    client.force_login(partner_of(application))

    response = client.post(
        done_url(application, item),
        confirming(
            {
                "seen_state": S.REMEDIATION,
                "note": NOTE,
                "evidence": SimpleUploadedFile(name, content),
            }
        ),
    )

    assert response.status_code == 200
    assert errors(response) == [refusal]
    assert field_value(response, "note") == NOTE
    stored = RemediationItem.objects.get(pk=item.pk)
    assert (stored.done_at, stored.done_evidence.name) == (None, "")
    assert storage_files() == []


@pytest.fixture
def storage_files(settings):
    """The files in the private storage of the test."""

    def files():
        root = settings.STORAGES["materials"]["OPTIONS"]["location"]
        return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files


def test_an_action_done_already_is_not_marked_again(client, in_remediation):
    application, item = in_remediation
    partner = partner_of(application)
    support.plan_item_done(item=item, by=partner, note=NOTE)
    client.force_login(partner)

    response = client.get(done_url(application, item), follow=True)

    assert alerts(response) == ["This action is marked done already."]
    assert RemediationItem.objects.get(pk=item.pk).done_note == NOTE


def test_another_partner_cannot_mark_an_action_done(client, in_remediation):
    application, item = in_remediation
    client.force_login(actor("other_partner"))

    response = client.post(done_url(application, item), confirming({"note": NOTE}))

    assert response.status_code == 404
    assert RemediationItem.objects.get(pk=item.pk).done_at is None


# --- A regular audit's plan, on the certificate --------------------------------------------------


def test_an_action_of_a_regular_plan_is_marked_done_from_the_certificate(client):
    """R5.8: the partner carries out the plan agreed after a regular audit."""
    certification = CertificationFactory()
    plan = RegularPlanFactory(audit__solution=certification.solution)
    item = plan.items.get()
    partner = actor("own_partner", certification.solution)
    client.force_login(partner)
    url = reverse("remediation_item_done", args=[certification.solution.slug, item.pk])

    without_note = client.post(url, confirming({"note": ""}))
    response = client.post(
        url, confirming({"note": NOTE, "evidence": evidence("chat.txt")}), follow=True
    )

    assert errors(without_note) == ["This field is required."]
    assert alerts(response) == [f"Marked done: {item.description}"]
    assert by_testid(response, "item-done-record").endswith(f": {NOTE} · chat.txt")
    done = RemediationItem.objects.get(pk=item.pk)
    assert (done.done_by, done.done_note, done.done_evidence_name) == (partner, NOTE, "chat.txt")
