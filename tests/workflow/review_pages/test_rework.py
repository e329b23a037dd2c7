"""What the reviewers see and do on the review pages, and the DoD administration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalogue.models import Certification
from dod.enums import RoundOutcome, Severity
from dod.models import Criterion, Finding, ReviewRound
from tests.factories.dod import (
    partner_of,
    submitted,
)
from tests.workflow.markup import alerts, by_testid, confirming, find_all, text, texts
from tests.workflow.review_pages.helpers import (
    NEEDS_FINDING,
    NOT_VERIFIED,
    S,
    blocked,
    card,
    certified_update,
    post_check,
    review_page,
    review_url,
)
from workflow import services as app_services
from workflow.enums import MaterialKind
from workflow.services import review

pytestmark = pytest.mark.django_db


# --- The rework loop --------------------------------------------------------------------------


def test_rework_loop_through_the_review_pages(client, analyst, rnd_expert):
    application = submitted()
    partner = partner_of(application)
    client.force_login(analyst)
    client.post(
        review_url(application, "review_start"), confirming({"seen_state": S.SUBMITTED_FOR_REVIEW})
    )
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
    client.post(
        review_url(application, "review_start"), confirming({"seen_state": S.SUBMITTED_FOR_REVIEW})
    )

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
