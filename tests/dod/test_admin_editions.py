"""What the reviewers see and do on the review pages, and the DoD administration."""

import pytest
from django.urls import reverse

from dod import services
from dod.enums import FindingStatus
from dod.models import CriteriaVersion, Criterion
from tests.factories.dod import (
    CriterionCheckFactory,
    FindingFactory,
    in_review,
)
from tests.factories.workflow import actor
from tests.workflow.markup import errors, field_value, find_all, text, texts
from tests.workflow.review_pages.helpers import EDITION_ONE_TITLES

pytestmark = pytest.mark.django_db


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
        for name in ("title", "how_checked", "title_ru", "how_checked_ru", "reviewer"):
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
