"""Stage 3 in a real browser: the partner's materials, the reviewers' rounds and findings."""

import gzip
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import PASSWORD, shot, unavailable
from tests.factories.accounts import UserFactory
from workflow.enums import ApplicationState, MaterialKind
from workflow.models import Material

from ..factories.workflow import (
    ApplicationFactory,
    MaterialFactory,
    SolutionFactory,
    with_state_records,
)

if reason := unavailable():
    pytest.skip(f"Browser tests skipped: {reason}.", allow_module_level=True)

# Imported only once the package is known to be installed.
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

K = MaterialKind
SOLUTION = "Acme Call Recorder"
PACKAGE_R1 = "acme-call-recorder-1.0.0.gz"
PACKAGE_R2 = "acme-call-recorder-1.0.1.gz"
FINDING = "Schema names lack the partner prefix “UsrAcme”; rename them and upload the package."
ANSWER = "Every schema now carries the UsrAcme prefix: see package revision 2."
NOT_FOUND = "There is nothing here, or it is not yours to see."
# For a first certification of a solution without external services (R3.3–R3.5).
REQUIRED = [
    K.PACKAGES,
    K.SETUP_GUIDE,
    K.USER_GUIDE,
    K.TEST_CASES,
    K.DEMO,
    K.SALES,
    K.VIDEO,
    K.PRODUCT_TEST,
]


@pytest.fixture
def partner():
    return UserFactory(
        partner_member=True,
        username="nina",
        first_name="Nina",
        last_name="Partner",
        password=PASSWORD,
        partner__name="Acme Integrations",
    )


@pytest.fixture
def analyst():
    return UserFactory(
        analyst=True, username="anna", first_name="Anna", last_name="Analyst", password=PASSWORD
    )


@pytest.fixture
def rnd_expert():
    return UserFactory(
        rnd_expert=True, username="roman", first_name="Roman", last_name="Expert", password=PASSWORD
    )


@pytest.fixture
def sign_in(log_in):
    """`sign_in(user)`: `log_in`'s page, in a browser that prefers reduced motion.

    Bootstrap then scrolls to an anchor at once instead of smoothly, so the long review
    page is not animated after every saved check while the test waits for it to settle.
    """

    def run(user):
        page = log_in(user)
        page.emulate_media(reduced_motion="reduce")
        return page

    return run


@pytest.fixture
def approved(partner):
    """The partner's first certification request, approved by the leaders: awaiting materials."""
    solution = SolutionFactory(
        partner=partner.partner,
        name=SOLUTION,
        slug="acme-call-recorder",
        uses_external_services=False,
    )
    return with_state_records(
        ApplicationFactory(
            solution=solution,
            version__number="1.0.0",
            created_by=partner,
            state=ApplicationState.AWAITING_MATERIALS,
        )
    )


@pytest.fixture
def files(tmp_path):
    """Real files on disk, as the partner would pick them: `files(name, content)`.

    A ".gz" file holds `content` gzipped, unless `gzipped=False` (a file that lies).
    """
    folder = tmp_path / "to-upload"
    folder.mkdir()

    def make(name: str, content: bytes, *, gzipped: bool | None = None) -> Path:
        path = folder / name
        if name.endswith(".gz") if gzipped is None else gzipped:
            with gzip.open(path, "wb") as stream:
                stream.write(content)
        else:
            path.write_bytes(content)
        return path

    return make


def field(scope, label: str):
    """The form field labelled exactly `label` (crispy marks required ones with "*")."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?:?\s*$"))


def alert(page, text: str):
    return page.get_by_role("alert").filter(has_text=text)


def material(page, kind: MaterialKind):
    return page.get_by_test_id(f"material-{kind.value}")


def upload(page, kind: MaterialKind, *, file: Path | None = None, link: str = "", note=""):
    """Fill the material's upload form and send it (the form must be open)."""
    form = material(page, kind).get_by_test_id("upload-form")
    if file is not None:
        field(form, "File").set_input_files(file)
    if link:
        field(form, "Link").fill(link)
    if note:
        field(form, "Note for the reviewers").fill(note)
    form.get_by_role("button", name=re.compile("^Upload")).click()


def uploaded(page, kind: MaterialKind, revision: int) -> None:
    expect(alert(page, f"{kind.label}: revision {revision} added.")).to_be_visible()
    expect(material(page, kind).get_by_test_id("status")).to_have_text("Provided")


def check(page, number: int, result: str, comment: str, *, evidence: Path | None = None):
    """Record this round's check of one criterion on the review page."""
    card = page.get_by_test_id(f"criterion-{number}")
    card.get_by_label(result, exact=True).check()
    field(card, "Comment").fill(comment)
    if evidence is not None:
        field(card, "Evidence files").set_input_files(evidence)
    card.get_by_role("button", name="Save the check").click()
    expect(alert(page, f"Criterion {number}: check saved.")).to_be_visible()
    this_round = page.get_by_test_id(f"criterion-{number}").get_by_test_id("this-round")
    expect(this_round.get_by_test_id("result")).to_have_text(result)
    expect(this_round.get_by_test_id("comment")).to_have_text(comment)


def open_review(page, pk: int) -> None:
    """From the queue, the request and its Review page, as a reviewer finds them."""
    page.get_by_role("link", name="Queue").click()
    page.get_by_role("row").filter(has_text=SOLUTION).get_by_role(
        "link", name=f"{SOLUTION} 1.0.0"
    ).click()
    page.get_by_test_id("review-link").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name=f"Quality review: {SOLUTION} 1.0.0")).to_be_visible()
    assert page.url.endswith(f"/review/{pk}/"), page.url


def confirm_outcome(page, outcome: str, comment: str, state: str, *, screenshot: str) -> None:
    """Take an outcome from the review page through its confirmation page."""
    page.get_by_test_id("review-actions").get_by_role("link", name=outcome, exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile(rf"^{outcome}: request #\d+$"))
    ).to_be_visible()
    expect(page.get_by_test_id("blocked")).to_have_count(0)
    field(page, "Comment for the partner").fill(comment)
    shot(page, screenshot)
    page.get_by_role("button", name=outcome, exact=True).click()
    expect(
        alert(page, f"{outcome}: done. The request is now “{state}”; the partner has been told.")
    ).to_be_visible()
    expect(page.get_by_test_id("state")).to_have_text(state)


def test_quality_certification_in_two_rounds(
    sign_in, files, edition, approved, partner, analyst, rnd_expert
):
    pk = approved.pk
    titles = {c.number: c.title for c in edition.criteria.all()}
    package_r1 = files(PACKAGE_R1, b'{"schemas": ["CallRecord", "CallRecordPage"]}\n' * 40)

    # --- 1. The partner provides the materials and submits them.
    nina = sign_in(partner)
    nina.get_by_test_id(f"request-{pk}").get_by_role("link", name=f"{SOLUTION} 1.0.0").click()
    expect(nina.get_by_test_id("state")).to_have_text("Approved, awaiting materials")
    nina.get_by_test_id("quality-links").get_by_role("link", name="Materials").click()
    expect(nina.get_by_role("heading", name=f"Materials of {SOLUTION} 1.0.0")).to_be_visible()
    expect(nina.get_by_test_id("progress")).to_have_text("0 of 8 required materials provided.")
    expect(nina.get_by_test_id("missing").get_by_role("listitem")).to_have_text(
        [str(kind.label) for kind in REQUIRED]
    )
    expect(material(nina, K.EXTERNAL_SERVICES).get_by_test_id("requirement")).to_have_text(
        "Not required here"
    )
    expect(nina.get_by_test_id("submit")).to_be_disabled()
    expect(nina.get_by_text("Available once everything above is done.")).to_be_visible()

    upload(nina, K.PACKAGES, file=package_r1, note="First public build.")
    uploaded(nina, K.PACKAGES, 1)
    latest = material(nina, K.PACKAGES).get_by_test_id("latest")
    expect(latest).to_contain_text("Revision 1 · " + PACKAGE_R1)
    expect(latest).to_contain_text("by Nina Partner")
    expect(latest).to_contain_text("First public build.")
    expect(latest.get_by_test_id("download")).to_have_text(PACKAGE_R1)
    expect(nina.get_by_test_id("progress")).to_have_text("1 of 8 required materials provided.")
    expect(nina.get_by_test_id("missing").get_by_role("listitem")).to_have_count(7)

    upload(nina, K.SETUP_GUIDE, link="https://docs.example/acme/setup")
    uploaded(nina, K.SETUP_GUIDE, 1)
    upload(nina, K.USER_GUIDE, link="https://docs.example/acme/user-guide")
    uploaded(nina, K.USER_GUIDE, 1)
    upload(nina, K.TEST_CASES, file=files("test-report.pdf", b"%PDF-1.4\n% test cases\n"))
    uploaded(nina, K.TEST_CASES, 1)
    upload(nina, K.DEMO, file=files("demo-data.gz", b"Contact;Call\nAlice;2025-09-01\n"))
    uploaded(nina, K.DEMO, 1)
    upload(nina, K.SALES, file=files("sales-deck.pdf", b"%PDF-1.4\n% sales\n"))
    uploaded(nina, K.SALES, 1)
    upload(nina, K.VIDEO, link="https://video.example/acme-call-recorder")
    uploaded(nina, K.VIDEO, 1)
    expect(nina.get_by_test_id("submit")).to_be_disabled()
    upload(nina, K.PRODUCT_TEST, file=files("product-test.txt", b"1. What does it record?\n"))
    uploaded(nina, K.PRODUCT_TEST, 1)

    expect(nina.get_by_test_id("progress")).to_have_text("8 of 8 required materials provided.")
    expect(nina.get_by_test_id("missing")).to_have_count(0)
    expect(material(nina, K.VIDEO).get_by_test_id("link")).to_have_text(
        "https://video.example/acme-call-recorder"
    )
    expect(nina.get_by_test_id("submit")).to_be_enabled()
    shot(nina, "materials")
    field(nina, "Comment for the reviewers (optional)").fill("Everything for version 1.0.0.")
    nina.get_by_test_id("submit").click()
    expect(nina.get_by_test_id("consequence")).to_contain_text(
        "After submitting you can no longer add or change materials"
    )
    expect(field(nina, "Comment for the reviewers (optional)")).to_have_value(
        "Everything for version 1.0.0."
    )
    nina.get_by_role("button", name="Submit for review").click()
    expect(alert(nina, "Materials submitted for review.")).to_be_visible()
    expect(nina.get_by_test_id("state")).to_have_text("Materials submitted for review")

    # --- 2. Round 1: the analyst checks 1–8 and raises a finding; R&D checks 9–10.
    anna = sign_in(analyst)
    open_review(anna, pk)
    expect(anna.get_by_test_id("round")).to_have_text("No round yet")
    anna.get_by_role("button", name="Start the review").click()
    expect(anna.get_by_test_id("consequence")).to_contain_text("A review round opens")
    anna.get_by_role("button", name="Start the review").click()
    expect(alert(anna, "Review round started")).to_be_visible()
    expect(anna.get_by_test_id("state")).to_have_text("In quality review")
    expect(anna.get_by_test_id("criteria-summary")).to_have_text("0 of 10 criteria passed.")
    for number in (9, 10):
        card = anna.get_by_test_id(f"criterion-{number}")
        expect(card.get_by_test_id("read-only")).to_have_text(
            "Read-only for you: this criterion is checked by the R&D expert."
        )
        expect(card.get_by_role("radio")).to_have_count(0)
    for number in range(1, 9):
        if number == 3:
            log = files("package-review.log", b"CallRecord: no UsrAcme prefix\n")
            check(anna, 3, "Fail", "Schemas lack the partner prefix.", evidence=log)
        else:
            check(anna, number, "Pass", f"Criterion {number} holds.")
    expect(anna.get_by_test_id("criterion-3").get_by_test_id("evidence")).to_have_text(
        "package-review.log"
    )

    field(anna, "Severity").select_option(label="Major")
    field(anna, "Criterion").select_option(label=f"3. {titles[3]}")
    field(anna, "Finding or recommendation").fill(FINDING)
    anna.get_by_role("button", name="Raise the finding").click()
    expect(alert(anna, "Finding raised; the partner will see it.")).to_be_visible()
    expect(
        anna.get_by_test_id("findings").get_by_role("row").filter(has_text=FINDING)
    ).to_contain_text("Open")

    roman = sign_in(rnd_expert)
    open_review(roman, pk)
    expect(roman.get_by_test_id("criterion-1").get_by_test_id("read-only")).to_have_text(
        "Read-only for you: this criterion is checked by the Marketplace analyst."
    )
    expect(roman.get_by_test_id("criterion-9").get_by_role("radio")).to_have_count(3)
    for number in (9, 10):
        check(roman, number, "Not applicable", "No external service: it all runs in Creatio.")

    anna.reload()
    expect(anna.get_by_test_id("criteria-summary")).to_have_text("9 of 10 criteria passed.")
    blocked = anna.get_by_test_id("blocked").filter(has_text="Pass is not possible yet")
    expect(blocked).to_contain_text("Every DoD criterion must be checked and passed in this round")
    expect(blocked).to_contain_text("Blocker and major findings must be resolved first.")
    confirm_outcome(
        anna,
        "Request changes",
        "Please fix the schema prefix; the rest is fine.",
        "Changes requested",
        screenshot="outcome-request-changes",
    )
    expect(anna.get_by_test_id("round")).to_have_text("Round 1, closed: Changes requested")

    # --- 3. The partner answers the finding, uploads a new package, resubmits.
    nina.get_by_role("link", name="My requests").click()
    nina.get_by_test_id(f"request-{pk}").get_by_role("link", name=f"{SOLUTION} 1.0.0").click()
    expect(nina.get_by_test_id("state")).to_have_text("Changes requested")
    nina.get_by_test_id("quality-links").get_by_role("link", name="Findings").click()
    expect(nina.get_by_test_id("summary")).to_have_text(
        "1 open finding. 1 awaits your answer before you resubmit."
    )
    finding = nina.get_by_test_id("finding")
    expect(finding.get_by_test_id("severity")).to_have_text("Major")
    expect(finding.get_by_test_id("criterion")).to_have_text(f"DoD 3. {titles[3]}")
    expect(finding.get_by_test_id("text")).to_have_text(FINDING)
    expect(finding.get_by_test_id("awaiting")).to_have_text("Awaits your answer")
    expect(finding.get_by_test_id("evidence")).to_have_text("package-review.log")
    with nina.expect_download() as evidence:
        finding.get_by_test_id("evidence").click()
    assert evidence.value.suggested_filename == "package-review.log"
    shot(nina, "findings")
    field(finding, "Your answer").fill(ANSWER)
    finding.get_by_role("button", name="Send the answer").click()
    expect(alert(nina, "Answer sent.")).to_be_visible()
    finding = nina.get_by_test_id("finding")
    expect(finding.get_by_test_id("answers")).to_contain_text(ANSWER)
    expect(finding.get_by_test_id("awaiting")).to_have_count(0)
    expect(nina.get_by_test_id("summary")).to_contain_text("Every open finding is answered")

    nina.get_by_role("link", name="Materials", exact=True).click()
    packages = material(nina, K.PACKAGES)
    packages.get_by_role("button", name="Upload a new revision").click()
    package_r2 = files(PACKAGE_R2, b'{"schemas": ["UsrAcmeCallRecord"]}\n' * 40)
    upload(nina, K.PACKAGES, file=package_r2, note="Prefix UsrAcme on every schema.")
    uploaded(nina, K.PACKAGES, 2)
    packages = material(nina, K.PACKAGES)
    expect(packages.get_by_test_id("latest")).to_contain_text("Revision 2 · " + PACKAGE_R2)
    packages.get_by_role("button", name="1 earlier revision").click()
    earlier = packages.get_by_test_id("earlier")
    expect(earlier).to_be_visible()
    expect(earlier).to_contain_text("Revision 1 · " + PACKAGE_R1)
    with nina.expect_download() as download_info:
        earlier.get_by_role("link", name=PACKAGE_R1).click()
    download = download_info.value
    assert download.suggested_filename == PACKAGE_R1
    assert Path(download.path()).read_bytes() == package_r1.read_bytes()

    nina.get_by_test_id("submit").click()
    expect(nina.get_by_test_id("consequence")).to_contain_text(
        "After submitting you can no longer add or change materials"
    )
    nina.get_by_role("button", name="Submit for review").click()
    expect(alert(nina, "Materials submitted for review.")).to_be_visible()
    expect(nina.get_by_test_id("state")).to_have_text("Materials submitted for review")

    # --- 4. Round 2: what changed, round 1 beside each criterion, everything passes.
    anna.get_by_role("link", name="Queue").click()
    open_review(anna, pk)
    changes = anna.get_by_test_id("changed-materials")
    expect(changes.get_by_role("row").filter(has_text="1. Solution packages")).to_contain_text(
        PACKAGE_R2
    )
    expect(anna.get_by_test_id("answered-findings")).to_contain_text(ANSWER)
    anna.get_by_role("button", name="Start the review").click()
    expect(anna.get_by_test_id("consequence")).to_contain_text("A review round opens")
    anna.get_by_role("button", name="Start the review").click()
    expect(alert(anna, "Review round started")).to_be_visible()
    expect(anna.get_by_test_id("round")).to_contain_text("Round 2, open since")
    expect(anna.get_by_role("heading", name="What changed since round 1")).to_be_visible()
    changes = anna.get_by_test_id("changed-materials").get_by_role("row")
    expect(changes).to_have_count(2)  # the header and the one new revision
    with anna.expect_download() as revision_2:
        changes.filter(has_text="1. Solution packages").get_by_role("link", name=PACKAGE_R2).click()
    assert revision_2.value.suggested_filename == PACKAGE_R2
    assert Path(revision_2.value.path()).read_bytes() == package_r2.read_bytes()
    expect(anna.get_by_test_id("answered-findings")).to_contain_text(ANSWER)
    previous = {
        n: anna.get_by_test_id(f"criterion-{n}").get_by_test_id("previous-round") for n in titles
    }
    expect(previous[3].get_by_test_id("result")).to_have_text("Fail")
    expect(previous[3].get_by_test_id("comment")).to_have_text("Schemas lack the partner prefix.")
    expect(previous[1].get_by_test_id("result")).to_have_text("Pass")
    expect(previous[9].get_by_test_id("result")).to_have_text("Not applicable")
    for number in range(1, 9):
        check(anna, number, "Pass", "Prefix fixed in revision 2." if number == 3 else "Holds.")

    roman.reload()
    for number in (9, 10):
        check(roman, number, "Not applicable", "Still no external service.")

    anna.reload()
    expect(anna.get_by_test_id("criteria-summary")).to_have_text("10 of 10 criteria passed.")
    row = anna.get_by_test_id("findings").get_by_role("row").filter(has_text=FINDING)
    expect(row).to_contain_text(ANSWER)
    row.get_by_role("button", name="Resolve").click()
    expect(alert(anna, "Finding resolved.")).to_be_visible()
    row = anna.get_by_test_id("findings").get_by_role("row").filter(has_text=FINDING)
    expect(row).to_contain_text("Resolved in round 2")
    expect(anna.get_by_test_id("blocked").filter(has_text="Pass is not possible")).to_have_count(0)
    shot(anna, "review-round-2")
    confirm_outcome(
        anna,
        "Pass",
        "All ten criteria met.",
        "Quality certification passed",
        screenshot="outcome-pass",
    )
    expect(anna.get_by_test_id("round-2").get_by_test_id("outcome")).to_have_text("Passed")

    # --- The partner sees the outcome and every step of stage 3.
    nina.get_by_role("link", name="My requests").click()
    nina.get_by_test_id(f"request-{pk}").get_by_role("link", name=f"{SOLUTION} 1.0.0").click()
    expect(nina.get_by_test_id("state")).to_have_text("Quality certification passed")
    steps = nina.get_by_test_id("timeline").get_by_role("listitem")
    expected = [
        ("Materials submitted for review", "Approved, awaiting materials", "Nina Partner"),
        ("In quality review", "Materials submitted for review", "Anna Analyst"),
        ("Changes requested", "In quality review", "Anna Analyst"),
        ("Materials submitted for review", "Changes requested", "Nina Partner"),
        ("In quality review", "Materials submitted for review", "Anna Analyst"),
        ("Quality certification passed", "In quality review", "Anna Analyst"),
    ]
    expect(steps).to_have_count(len(expected))
    for step, (to_state, from_state, who) in zip(steps.all(), expected, strict=True):
        expect(step.locator("strong")).to_have_text(to_state)
        expect(step).to_contain_text(f"from {from_state}")
        expect(step).to_contain_text(who)
    expect(steps.nth(0)).to_contain_text("Everything for version 1.0.0.")
    expect(steps.nth(2)).to_contain_text("Please fix the schema prefix; the rest is fine.")
    expect(steps.nth(5)).to_contain_text("All ten criteria met.")
    shot(nina, "request-passed")


def test_package_named_gz_that_is_a_pdf_is_refused(sign_in, files, approved, partner, settings):
    fake = files("package.gz", b"%PDF-1.4\n% not a package at all\n", gzipped=False)

    nina = sign_in(partner)
    nina.goto(f"/requests/{approved.pk}/materials/")
    upload(nina, K.PACKAGES, file=fake)

    packages = material(nina, K.PACKAGES)
    message = "The name “package.gz” says a gzip archive, but the content is a PDF document."
    expect(packages.locator(".invalid-feedback")).to_have_text(message)
    expect(field(packages, "File")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(packages.get_by_test_id("choose-again")).to_be_visible()
    expect(packages.get_by_test_id("status")).to_have_text("Missing")
    expect(packages.get_by_test_id("latest")).to_have_text("Nothing provided yet.")
    expect(nina.get_by_test_id("download")).to_have_count(0)
    expect(nina.get_by_test_id("progress")).to_have_text("0 of 8 required materials provided.")
    shot(nina, "materials-refused")
    assert not Material.objects.exists()
    stored = Path(settings.STORAGES["materials"]["OPTIONS"]["location"])
    assert not [path for path in stored.rglob("*") if path.is_file()]


def test_material_download_of_another_partner_is_not_found(sign_in, approved, partner):
    package = MaterialFactory(application=approved, kind=K.PACKAGES, with_file=True)
    url = f"/requests/{approved.pk}/materials/{package.pk}/download/"
    intruder = UserFactory(partner_member=True, password=PASSWORD, partner__name="Rival Apps")

    nina = sign_in(partner)
    nina.goto(f"/requests/{approved.pk}/materials/")
    link = material(nina, K.PACKAGES).get_by_test_id("download")
    expect(link).to_have_attribute("href", url)
    with nina.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == package.original_name

    oscar = sign_in(intruder)
    # A second tab of the same session: its 404 is the expected answer, not a failure.
    tab = oscar.context.new_page()
    response = tab.goto(url)
    assert response.status == 404
    expect(tab.get_by_role("heading", name="Not found")).to_be_visible()
    expect(tab.get_by_text(NOT_FOUND)).to_be_visible()
    expect(tab.locator("main")).not_to_contain_text(SOLUTION)
    expect(tab.get_by_role("button", name="Log out")).to_be_visible()
    tab.close()
