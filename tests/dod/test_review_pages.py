"""What the reviewers see and do on the review pages, and the DoD administration."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

from catalogue.badge import grant as certification_grant
from catalogue.models import Certification
from dod import services
from dod.enums import CheckResult, FindingStatus, RoundOutcome, Severity
from dod.models import CheckEvidence, CriteriaVersion, Criterion, Finding, ReviewRound
from tests.factories.dod import (
    CriterionCheckFactory,
    FindingAnswerFactory,
    FindingFactory,
    ReviewRoundFactory,
    in_review,
    partner_of,
    provide_materials,
    submitted,
)
from workflow import services as app_services
from workflow.enums import ApplicationState, MaterialKind
from workflow.models import Application
from workflow.services import review
from workflow.services.materials import compatibility_confirm

from ..factories.workflow import ApplicationFactory, VersionFactory, actor
from ..workflow.markup import alerts, attr, by_testid, errors, field_value, find_all, text, texts

S = ApplicationState
pytestmark = pytest.mark.django_db

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


# --- Who sees the page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["own_partner", "other_partner"])
def test_review_page_is_not_found_for_partners(client, analyst, role):
    application = in_review(analyst)
    client.force_login(actor(role, application))

    response = review_page(client, application)

    assert response.status_code == 404


def test_review_page_of_a_missing_request_is_not_found(client, analyst):
    client.force_login(analyst)

    response = client.get(reverse("review", kwargs={"pk": 9999}))

    assert response.status_code == 404


def test_review_page_sends_a_visitor_to_log_in(client, analyst):
    application = in_review(analyst)

    response = review_page(client, application)

    assert response.url == f"{reverse('login')}?next={review_url(application)}"


@pytest.mark.parametrize(
    ("role", "state", "shown"),
    [
        ("analyst", S.AWAITING_MATERIALS, True),
        ("rnd_expert", S.IN_REVIEW, True),
        ("leader", S.CHANGES_REQUESTED, True),
        ("analyst", S.AWAITING_APPROVAL, False),
        ("own_partner", S.IN_REVIEW, False),
    ],
)
def test_request_page_links_the_team_to_the_review_in_stage_three(client, role, state, shown):
    application = ApplicationFactory(state=state)
    client.force_login(actor(role, application))

    response = client.get(reverse("application_detail", args=[application.pk]))

    links = find_all(response, data_testid="review-link")
    assert [attr(a, "href") for link in links for a in find_all(link, "a")] == (
        [review_url(application)] if shown else []
    )


# --- The header and the start of a round ------------------------------------------------------


def test_review_page_before_the_review_says_which_edition_will_be_pinned(client, analyst):
    application = submitted()
    client.force_login(analyst)

    response = review_page(client, application)

    assert by_testid(response, "kind") == "First certification"
    assert by_testid(response, "edition") == (
        "Not pinned yet: edition 1, in force now, is pinned when the review starts."
    )
    assert by_testid(response, "round") == "No round yet"
    assert action_labels(response) == [("Start the review", "enabled"), ("Decline", "enabled")]
    assert by_testid(response, "no-rounds") == (
        "No review round yet: the first one starts once the partner has submitted the materials."
    )


def test_review_page_offers_no_start_to_an_rnd_expert(client, rnd_expert):
    application = submitted()
    client.force_login(rnd_expert)

    response = review_page(client, application)

    assert action_labels(response) == []


def test_start_the_review_opens_round_one_on_the_edition_in_force(client, analyst):
    application = submitted()
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_start"), {"seen_state": S.SUBMITTED_FOR_REVIEW}
    )
    page = client.get(response.url)

    edition = CriteriaVersion.objects.get(number=1)
    assert response.url == review_url(application)
    assert alerts(page) == [
        "Review round started; the request is checked against its pinned DoD edition."
    ]
    assert by_testid(page, "state") == "In quality review"
    assert by_testid(page, "edition") == (
        f"Edition 1, in force since {date_filter(edition.created_at, 'SHORT_DATE_FORMAT')}"
    )
    assert by_testid(page, "round").startswith("Round 1, open since ")
    assert [text(node) for node in find_all(page, data_testid="title")] == [
        f"{n}. {title}" for n, title in enumerate(EDITION_ONE_TITLES, start=1)
    ]


def test_start_the_review_from_a_stale_page_changes_nothing(client, analyst):
    application = submitted()
    app_services.application_withdraw(
        application=application, by=partner_of(application), reason="Changed our minds."
    )
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_start"), {"seen_state": S.SUBMITTED_FOR_REVIEW}, follow=True
    )

    assert alerts(response) == [
        "Someone else changed this request while you were working on it: it is now "
        "“Withdrawn”. Nothing was saved; your input is kept below. Check and send again."
    ]
    assert ReviewRound.objects.filter(application=application).count() == 0


def test_review_page_header_of_a_critical_fix_shows_its_review_due_time(client, analyst):
    update = certified_update(analyst, critical_fix=True)
    client.force_login(analyst)

    response = review_page(client, update)

    assert by_testid(response, "kind") == (
        f"Critical fix (replaces the certified version {update.previous_version.number})"
    )
    assert by_testid(response, "review-due") == date_filter(
        timezone.localtime(update.review_due_at), "DATETIME_FORMAT"
    )


def test_review_page_marks_an_overdue_critical_fix(client, analyst):
    update = certified_update(analyst, critical_fix=True)
    Application.objects.filter(pk=update.pk).update(
        review_due_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(analyst)

    response = review_page(client, update)

    assert by_testid(response, "review-due").endswith(" overdue")


# --- The criteria -----------------------------------------------------------------------------


def test_review_page_shows_each_criterion_with_how_it_is_checked(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert [text(node) for node in find_all(response, data_testid="how-checked")] == [
        f"How it is checked: {c.how_checked}"
        for c in Criterion.objects.filter(version__number=1).order_by("number")
    ]
    assert [text(node) for node in find_all(response, data_testid="reviewer")] == (
        ["Marketplace analyst"] * 8 + ["R&D expert"] * 2
    )
    assert by_testid(response, "criteria-summary") == "0 of 10 criteria passed."


@pytest.mark.parametrize(
    ("external", "choices"), [(False, ["pass", "fail", "na"]), (True, ["pass", "fail"])]
)
def test_review_page_offers_not_applicable_only_where_allowed(
    client, analyst, rnd_expert, external, choices
):
    """R3.7: "not applicable" is offered for DoD 9–10 only, and only without external services."""
    application = in_review(analyst, external=external)

    client.force_login(rnd_expert)
    as_rnd = review_page(client, application)
    client.force_login(analyst)
    as_analyst = review_page(client, application)

    assert [result_choices(card(as_rnd, n)) for n in (9, 10)] == [choices, choices]
    assert [result_choices(card(as_analyst, n)) for n in range(1, 9)] == [["pass", "fail"]] * 8


def test_analyst_sees_the_integration_criteria_read_only(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert [bool(find_all(card(response, n), "form")) for n in range(1, 11)] == (
        [True] * 8 + [False] * 2
    )
    assert [text(node) for node in find_all(response, data_testid="read-only")] == [
        "Read-only for you: this criterion is checked by the R&D expert."
    ] * 2


def test_rnd_expert_sees_the_analysts_criteria_read_only(client, analyst, rnd_expert):
    application = in_review(analyst)
    client.force_login(rnd_expert)

    response = review_page(client, application)

    assert [bool(find_all(card(response, n), "form")) for n in range(1, 11)] == (
        [False] * 8 + [True] * 2
    )
    assert action_labels(response) == []


def test_leader_sees_the_review_read_only(client, analyst):
    application = in_review(analyst)
    client.force_login(actor("leader"))

    response = review_page(client, application)

    assert find_all(response, "form", id="raise-finding") == []
    assert [bool(find_all(card(response, n), "form")) for n in range(1, 11)] == [False] * 10
    assert action_labels(response) == []


@pytest.mark.parametrize("number", [9, 10])
def test_analyst_cannot_check_an_integration_criterion(client, analyst, number):
    application = in_review(analyst)
    client.force_login(analyst)

    response = post_check(client, application, number, CheckResult.PASS)

    assert response.status_code == 403
    assert application.review_rounds.get().checks.count() == 0


@pytest.mark.parametrize("number", [1, 4, 8])
def test_rnd_expert_cannot_check_an_analyst_criterion(client, analyst, rnd_expert, number):
    application = in_review(analyst)
    client.force_login(rnd_expert)

    response = post_check(client, application, number, CheckResult.PASS)

    assert response.status_code == 403
    assert application.review_rounds.get().checks.count() == 0


def test_check_saves_result_comment_and_evidence_files(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = post_check(
        client,
        application,
        1,
        CheckResult.FAIL,
        comment="Saving a call record fails.",
        files=[
            SimpleUploadedFile("steps.txt", b"Open a call; press Save.\n"),
            SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ],
    )
    page = client.get(review_url(application))

    assert response.url == review_url(application) + "#criterion-1"
    (this_round,) = find_all(card(page, 1), data_testid="this-round")
    assert by_testid(this_round, "result") == "Fail"
    assert by_testid(this_round, "comment") == "Saving a call record fails."
    assert texts(this_round, "a") == ["steps.txt", "screen.png"]
    assert field_value(card(page, 1), "comment") == "Saving a call record fails."


def test_check_keeps_the_input_when_an_evidence_file_is_refused(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = post_check(
        client,
        application,
        2,
        CheckResult.PASS,
        comment="Works on 8.1.",
        files=[SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")],
    )

    assert errors(response) == [
        "The name “report.pdf” says a PDF document, but the content is not of a recognised type."
    ]
    assert field_value(card(response, 2), "comment") == "Works on 8.1."
    assert application.review_rounds.get().checks.count() == 0


def test_check_sent_after_the_round_closed_saves_nothing(client, analyst):
    application = in_review(analyst)
    review.finding_raise(application=application, by=analyst, severity="minor", text="Typo.")
    review.review_request_changes(application=application, by=analyst, comment="Fix it.")
    client.force_login(analyst)

    response = post_check(client, application, 1, CheckResult.PASS)

    assert alerts(response) == [
        "Someone else changed this request while you were working on it: it is now "
        "“Changes requested”. Nothing was saved; your input is kept below. Check and send again."
    ]
    assert application.review_rounds.get().checks.count() == 0


def test_evidence_file_downloads_for_the_team(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)
    post_check(
        client, application, 1, "fail", files=[SimpleUploadedFile("log.txt", b"Crash at 10:02\n")]
    )
    evidence = CheckEvidence.objects.get()

    response = client.get(review_url(application, "review_evidence", evidence_pk=evidence.pk))

    assert b"".join(response.streaming_content) == b"Crash at 10:02\n"
    assert response["Content-Disposition"] == 'attachment; filename="log.txt"'


# --- Findings ---------------------------------------------------------------------------------


def test_findings_show_an_empty_state(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert findings_rows(response) == [["No findings yet."]]


def test_raise_a_finding_from_the_review_page(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)
    fourth = Criterion.objects.get(version__number=1, number=4)

    response = client.post(
        review_url(application, "review_finding_raise"),
        {
            "severity": Severity.BLOCKER,
            "criterion": fourth.pk,
            "text": "The user guide has no section on reports.",
            "seen_state": S.IN_REVIEW,
        },
        follow=True,
    )

    assert alerts(response) == ["Finding raised; the partner will see it."]
    assert findings_rows(response) == [
        [
            "Blocker",
            "4",
            "The user guide has no section on reports. Round 1, Anna Analyst",
            "Open",
            "No answer yet.",
            "Resolve",
        ]
    ]


def test_raise_a_finding_needs_its_text(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_finding_raise"),
        {"severity": Severity.MINOR, "text": "", "seen_state": S.IN_REVIEW},
    )

    assert errors(response) == ["This field is required."]
    assert field_value(response, "severity") == [Severity.MINOR]
    assert Finding.objects.count() == 0


def test_resolve_a_finding_from_the_review_page(client, analyst):
    application = in_review(analyst)
    finding = review.finding_raise(
        application=application, by=analyst, severity=Severity.MAJOR, text="No demo data."
    )
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_finding_resolve", finding_pk=finding.pk),
        {"seen_state": S.IN_REVIEW},
        follow=True,
    )

    assert alerts(response) == ["Finding resolved."]
    assert findings_rows(response) == [
        [
            "Major",
            "—",
            "No demo data. Round 1, Anna Analyst",
            "Resolved in round 1",
            "No answer yet.",
            "",
        ]
    ]


def _changes_requested_with(analyst, severity, text) -> Application:
    application = in_review(analyst)
    review.finding_raise(application=application, by=analyst, severity=severity, text=text)
    review.review_request_changes(application=application, by=analyst, comment="Rework.")
    return application


def test_partner_sees_the_findings_of_the_review(client, analyst):
    """R3.8: the findings written in the review reach the partner, to fix the errors."""
    application = _changes_requested_with(analyst, Severity.MAJOR, "Saving a call fails.")
    client.force_login(partner_of(application))

    response = client.get(reverse("findings", args=[application.pk]))

    assert texts(response, data_testid="severity") == ["Major"]
    assert texts(response, data_testid="text") == ["Saving a call fails."]


def test_partner_sees_the_recommendations_of_the_review(client, analyst):
    """R7.3: the expert quality review gives the partner recommendations."""
    application = _changes_requested_with(
        analyst, Severity.RECOMMENDATION, "Add a setup wizard for the first run."
    )
    client.force_login(partner_of(application))

    response = client.get(reverse("findings", args=[application.pk]))

    assert texts(response, data_testid="severity") == ["Recommendation"]
    assert texts(response, data_testid="text") == ["Add a setup wizard for the first run."]


# --- Outcomes ---------------------------------------------------------------------------------


def test_outcome_buttons_say_why_they_are_not_possible_yet(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    assert action_labels(response) == [
        ("Request changes", "disabled"),
        ("Pass", "disabled"),
        ("Decline", "enabled"),
    ]
    assert blocked(response) == [
        f"Request changes is not possible yet: {NEEDS_FINDING}",
        f"Pass is not possible yet: {CRITERIA_UNMET}",
    ]


def test_request_changes_without_a_finding_is_refused_on_its_page(client, analyst):
    """R3.8: changes are requested only with findings for the partner."""
    application = in_review(analyst)
    client.force_login(analyst)
    url = review_url(application, "review_outcome", outcome="request-changes")

    shown = client.get(url)
    response = client.post(url, {"comment": "Rework.", "seen_state": S.IN_REVIEW})

    assert by_testid(shown, "blocked") == f"Not possible yet: {NEEDS_FINDING}"
    assert errors(response) == [NEEDS_FINDING]
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_pass_with_a_failed_criterion_is_refused_on_its_page(client, analyst):
    """R3.1: a request whose DoD check failed does not go on to stage 4."""
    application = in_review(analyst)
    client.force_login(analyst)
    post_check(client, application, 3, CheckResult.FAIL)

    response = client.post(
        review_url(application, "review_outcome", outcome="pass"),
        {"comment": "", "seen_state": S.IN_REVIEW},
    )

    assert errors(response) == [CRITERIA_UNMET]
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_decline_needs_a_reason(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_outcome", outcome="decline"),
        {"comment": "", "seen_state": S.IN_REVIEW},
    )

    assert errors(response) == ["This field is required."]
    application.refresh_from_db()
    assert application.state == S.IN_REVIEW


def test_decline_closes_the_request_and_its_round(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.post(
        review_url(application, "review_outcome", outcome="decline"),
        {"comment": "Duplicates a base product feature.", "seen_state": S.IN_REVIEW},
        follow=True,
    )

    assert alerts(response) == [
        "Decline: done. The request is now “Declined”; the partner has been told."
    ]
    assert by_testid(response, "round") == "Round 1, closed: Declined"
    (round_one,) = find_all(response, data_testid="round-1")
    assert by_testid(round_one, "outcome") == "Declined"


def test_outcome_page_of_an_unknown_outcome_is_not_found(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = client.get(review_url(application, "review_outcome", outcome="approve"))

    assert response.status_code == 404


# --- The rework loop --------------------------------------------------------------------------


def test_rework_loop_through_the_review_pages(client, analyst, rnd_expert):
    application = submitted()
    partner = partner_of(application)
    client.force_login(analyst)
    client.post(review_url(application, "review_start"), {"seen_state": S.SUBMITTED_FOR_REVIEW})
    for number in range(1, 9):
        post_check(
            client, application, number, "fail" if number == 4 else "pass", f"Round 1: {number}."
        )
    client.post(
        review_url(application, "review_finding_raise"),
        {
            "severity": Severity.BLOCKER,
            "criterion": Criterion.objects.get(version__number=1, number=4).pk,
            "text": "The set-up guide skips the licence step.",
            "seen_state": S.IN_REVIEW,
        },
    )
    client.force_login(rnd_expert)
    for number in (9, 10):
        post_check(client, application, number, "na", "No external service.")
    client.force_login(analyst)
    client.post(
        review_url(application, "review_outcome", outcome="request-changes"),
        {"comment": "Please fix the guide.", "seen_state": S.IN_REVIEW},
    )
    finding = Finding.objects.get(application=application)
    application.refresh_from_db()
    review.finding_answer(finding=finding, by=partner, text="Added the licence step.")
    app_services.material_upload(
        application=application,
        by=partner,
        kind=MaterialKind.SETUP_GUIDE,
        upload=SimpleUploadedFile("setup-v2.txt", b"1. Install.\n2. Enter the licence.\n"),
    )
    app_services.materials_submit(application=application, by=partner)
    client.post(review_url(application, "review_start"), {"seen_state": S.SUBMITTED_FOR_REVIEW})

    round_two = review_page(client, application)

    assert by_testid(round_two, "round").startswith("Round 2, open since ")
    (materials,) = find_all(round_two, "table", data_testid="changed-materials")
    assert [texts(row, "td")[:3] for row in find_all(materials, "tr")[1:]] == [
        ["2. Set-up and installation instructions", "2", "setup-v2.txt"]
    ]
    assert [
        text(node).split(" — ")[0] for node in find_all(round_two, data_testid="answered-findings")
    ] == ["Blocker The set-up guide skips the licence step. “Added the licence step.”"]
    (previous,) = find_all(card(round_two, 4), data_testid="previous-round")
    (this_round,) = find_all(card(round_two, 4), data_testid="this-round")
    assert (by_testid(previous, "result"), by_testid(previous, "comment")) == (
        "Fail",
        "Round 1: 4.",
    )
    assert by_testid(this_round, "result") == "Not checked"

    for number in range(1, 9):
        post_check(client, application, number, "pass", f"Round 2: {number}.")
    client.force_login(rnd_expert)
    for number in (9, 10):
        post_check(client, application, number, "na", "No external service.")
    client.force_login(analyst)
    client.post(
        review_url(application, "review_finding_resolve", finding_pk=finding.pk),
        {"seen_state": S.IN_REVIEW},
    )
    done = client.post(
        review_url(application, "review_outcome", outcome="pass"),
        {"comment": "All criteria met.", "seen_state": S.IN_REVIEW},
        follow=True,
    )

    assert alerts(done)[-1] == (
        "Pass: done. The request is now “Quality certification passed”; the partner has been told."
    )
    assert by_testid(done, "state") == "Quality certification passed"
    assert [
        by_testid(node, "outcome")
        for n in (1, 2)
        for node in find_all(done, data_testid=f"round-{n}")
    ] == ["Changes requested", "Passed"]
    (round_one,) = find_all(done, data_testid="round-1")
    (checks,) = find_all(round_one, "table", data_testid="checks")
    assert [texts(row, "td")[:3] for row in find_all(checks, "tr")][3] == [
        "4",
        "Fail",
        "Round 1: 4.",
    ]
    assert [r.outcome for r in ReviewRound.objects.filter(application=application)] == [
        RoundOutcome.CHANGES_REQUESTED,
        RoundOutcome.PASSED,
    ]


def test_update_review_verifies_compatibility_before_the_pass(client, analyst, rnd_expert):
    """R6.2: the reviewer verifies the backward compatibility the partner declared."""
    update = certified_update(analyst)
    review.review_start(application=update, by=analyst)
    for criterion in Criterion.objects.filter(version__number=1):
        review.check_record(
            application=update,
            by=rnd_expert if criterion.number > 8 else analyst,
            criterion=criterion,
            result="na" if criterion.number > 8 else "pass",
            comment="OK.",
        )
    client.force_login(analyst)

    before = review_page(client, update)
    verified = client.post(
        review_url(update, "review_compatibility"), {"seen_state": S.IN_REVIEW}, follow=True
    )
    done = client.post(
        review_url(update, "review_outcome", outcome="pass"),
        {"comment": "Update accepted.", "seen_state": S.IN_REVIEW},
        follow=True,
    )

    assert by_testid(before, "compatibility-note") == "Same API; settings migrate."
    assert by_testid(before, "compatibility-verified") == "not yet"
    assert blocked(before) == [
        f"Request changes is not possible yet: {NEEDS_FINDING}",
        f"Pass is not possible yet: {NOT_VERIFIED}",
    ]
    assert alerts(verified) == ["Backward compatibility with the previous version verified (R6.2)."]
    assert by_testid(verified, "compatibility-verified") == "yes"
    assert by_testid(done, "state") == "Certified"
    assert Certification.objects.get(solution=update.solution).version.number == "2.0.0"


# --- Time in states, query counts -------------------------------------------------------------


def test_review_page_shows_the_time_spent_in_each_state(client, analyst):
    application = in_review(analyst)
    client.force_login(analyst)

    response = review_page(client, application)

    (table,) = find_all(response, "table", data_testid="time-in-states")
    assert [texts(row, "td") for row in find_all(table, "tr")] == [
        ["Materials submitted for review", "0 minutes"],
        ["In quality review", "0 minutes"],
    ]


def test_review_page_without_a_timeline_says_not_submitted(client, analyst):
    application = ApplicationFactory(state=S.AWAITING_MATERIALS)
    client.force_login(analyst)

    response = review_page(client, application)

    assert by_testid(response, "time-in-states") == "Not submitted yet."


# Session, user, roles, the request; rounds with checks, evidence and criteria; findings with
# answers; what changed since the previous round; the actions' conditions; the timeline.
REVIEW_PAGE_QUERIES = 22


def _rounds_of(application, count, analyst, rnd_expert):
    """`count` rounds, the earlier ones closed; each has ten checks with evidence, a finding
    answered by the partner, and material revisions uploaded after it."""
    for number in range(1, count + 1):
        last = number == count
        round_ = ReviewRoundFactory(application=application, number=number, closed=not last)
        for criterion in Criterion.objects.filter(version=round_.criteria_version):
            check = CriterionCheckFactory(
                round=round_,
                criterion=criterion,
                checked_by=rnd_expert if criterion.reviewer == "rnd" else analyst,
            )
            CheckEvidence.objects.create(
                check_record=check,
                file=f"evidence/{number}-{criterion.number}.txt",
                original_name=f"{number}-{criterion.number}.txt",
                uploaded_by=analyst,
            )
        finding = FindingFactory(round=round_, criterion=criterion, raised_by=analyst)
        FindingAnswerFactory(finding=finding)
        if not last:
            provide_materials(application, at=timezone.now() + timedelta(seconds=number))


@pytest.mark.parametrize("count", [2, 4])
def test_review_page_query_count_does_not_grow(
    client, django_assert_num_queries, analyst, rnd_expert, count
):
    application = ApplicationFactory(state=S.IN_REVIEW)
    _rounds_of(application, count, analyst, rnd_expert)
    client.force_login(analyst)
    ContentType.objects.clear_cache()  # counted the same whichever test ran before

    with django_assert_num_queries(REVIEW_PAGE_QUERIES):
        response = review_page(client, application)

    assert len(findings_rows(response)) == count
    assert len(find_all(response, data_testid="checks")) == count
    assert len(find_all(response, data_testid="evidence")) == 20  # this round and the one before


# --- DoD administration -----------------------------------------------------------------------


def admin_rows(response):
    (table,) = find_all(response, "table", id="result_list")
    return [texts(row, "th") + texts(row, "td") for row in find_all(table, "tr")[1:]]


def revision_data(*, seen=1, note="Clearer wording.", **changes):
    """The "New edition" form as edition 1 prefills it, with `changes` ({"title_3": ...})."""
    data = {
        "criteria-TOTAL_FORMS": "10",
        "criteria-INITIAL_FORMS": "10",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "note": note,
        "seen_edition": str(seen),
    }
    for index, criterion in enumerate(
        Criterion.objects.filter(version__number=1).order_by("number")
    ):
        prefix = f"criteria-{index}-"
        data[prefix + "number"] = str(criterion.number)
        for name in ("title", "how_checked", "reviewer"):
            data[prefix + name] = changes.get(
                f"{name}_{criterion.number}", getattr(criterion, name)
            )
        external = changes.get(
            f"external_services_only_{criterion.number}", criterion.external_services_only
        )
        if external:
            data[prefix + "external_services_only"] = "on"
    return data


def test_dod_editions_list_shows_how_many_requests_are_pinned(client, analyst):
    in_review(analyst)
    in_review(analyst)
    client.force_login(analyst)

    response = client.get(reverse("admin:dod_criteriaversion_changelist"))

    assert [row[0::4] for row in admin_rows(response)] == [["1", "2"]]
    assert admin_rows(response)[0][1] == "Seeded from regulation 3.2."
    assert [text(a) for a in find_all(response, "a", id="new-edition")] == ["New edition"]


def test_dod_edition_shows_its_criteria_read_only(client, analyst):
    client.force_login(analyst)
    edition = CriteriaVersion.objects.get(number=1)

    response = client.get(reverse("admin:dod_criteriaversion_change", args=[edition.pk]))

    assert response.status_code == 200
    assert find_all(response, "input", name="_save") == []
    assert texts(response, "td", **{"class": "field-title"}) == EDITION_ONE_TITLES


@pytest.mark.parametrize("url_name", ["add", "delete"])
def test_dod_edition_is_never_added_or_deleted_in_place(client, analyst, url_name):
    client.force_login(analyst)
    edition = CriteriaVersion.objects.get(number=1)
    args = [edition.pk] if url_name == "delete" else []

    response = client.post(
        reverse(f"admin:dod_criteriaversion_{url_name}", args=args), {"post": "yes"}
    )

    assert response.status_code == 403
    assert CriteriaVersion.objects.count() == 1


def test_new_edition_form_starts_from_the_edition_in_force(client, analyst):
    client.force_login(analyst)

    response = client.get(reverse("admin:dod_criteriaversion_new"))

    assert [field_value(response, f"criteria-{i}-title") for i in range(10)] == EDITION_ONE_TITLES
    assert [field_value(response, f"criteria-{i}-reviewer") for i in range(10)] == (
        [["analyst"]] * 8 + [["rnd"]] * 2
    )
    assert [field_value(response, f"criteria-{i}-external_services_only") for i in range(10)] == (
        [False] * 8 + [True] * 2
    )


def test_new_edition_puts_edition_two_in_force_and_pinned_requests_keep_theirs(client, analyst):
    pinned = in_review(analyst)
    client.force_login(analyst)

    response = client.post(
        reverse("admin:dod_criteriaversion_new"),
        revision_data(note="Criterion 5 names the languages.", title_5="Localised: EN and RU."),
        follow=True,
    )

    edition = CriteriaVersion.in_force()
    assert (edition.number, edition.note, edition.created_by) == (
        2,
        "Criterion 5 names the languages.",
        analyst,
    )
    assert list(edition.criteria.order_by("number").values_list("title", flat=True)) == [
        *EDITION_ONE_TITLES[:4],
        "Localised: EN and RU.",
        *EDITION_ONE_TITLES[5:],
    ]
    assert texts(response, "ul", **{"class": "messagelist"}) == [
        "Edition 2 is in force. Requests already in review keep the edition they were pinned to."
    ]
    pinned.refresh_from_db()
    assert pinned.criteria_version.number == 1


def test_new_edition_without_a_change_is_refused(client, analyst):
    client.force_login(analyst)

    response = client.post(reverse("admin:dod_criteriaversion_new"), revision_data())

    assert errors(response) == ["Nothing changed: edit at least one criterion for a new edition."]
    assert CriteriaVersion.objects.count() == 1


def test_new_edition_from_a_stale_page_is_refused(client, analyst):
    services.criteria_revise(by=analyst, changes={2: {"title": "Compatible."}}, note="Short.")
    client.force_login(analyst)

    response = client.post(
        reverse("admin:dod_criteriaversion_new"), revision_data(seen=1, title_3="Packages.")
    )

    assert errors(response) == [
        "Edition 2 was made while you were editing. Nothing was saved: reload the page to start "
        "from it."
    ]
    assert CriteriaVersion.objects.count() == 2


@pytest.mark.parametrize("role", ["rnd_expert", "auditor"])
def test_new_edition_is_refused_to_viewing_roles(client, role):
    client.force_login(actor(role))

    listing = client.get(reverse("admin:dod_criteriaversion_changelist"))
    response = client.post(reverse("admin:dod_criteriaversion_new"), revision_data(title_1="X"))

    assert find_all(listing, "a", id="new-edition") == []
    assert response.status_code == 403
    assert CriteriaVersion.objects.count() == 1


@pytest.mark.parametrize("model", ["reviewround", "finding", "criterioncheck"])
def test_review_records_are_read_only_in_the_admin(client, analyst, model):
    application = in_review(analyst)
    round_ = application.review_rounds.get()
    record = {
        "reviewround": round_,
        "finding": FindingFactory(round=round_, raised_by=analyst, status=FindingStatus.OPEN),
        "criterioncheck": CriterionCheckFactory(round=round_, checked_by=analyst),
    }[model]
    client.force_login(analyst)

    listing = client.get(reverse(f"admin:dod_{model}_changelist"))
    page = client.get(reverse(f"admin:dod_{model}_change", args=[record.pk]))

    assert len(admin_rows(listing)) == 1
    assert page.status_code == 200
    assert find_all(page, "input", name="_save") == []
