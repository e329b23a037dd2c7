"""The ten DoD criteria in English and in Russian, each reader's in their language (3.2)."""

import pytest
from django.urls import reverse
from django.utils import translation

from dod import services
from dod.models import Criterion
from tests.factories.dod import in_review
from tests.workflow.markup import field_value, find_all, text
from tests.workflow.review_pages.helpers import EDITION_ONE_TITLES, review_page

pytestmark = pytest.mark.django_db

# The regulation's own words (3.2 of the Russian original) for two legible items.
UX_RU = (
    "Соответствие стандартам UX: решение должно быть согласовано с логикой и UX базовых "
    "продуктов Creatio."
)
UX_HOW_RU = "Эксперты Маркетплейс анализируют приложение на предмет соответствия стандартам UX."
DEMO_HOW_RU = (
    "Проверка наличия минимальных данных после установки пакета или проверка разработанного "
    "демо-пакета."
)


def edition_one():
    return list(Criterion.objects.filter(version__number=1).order_by("number"))


def test_edition_one_has_every_criterion_in_both_languages():
    criteria = edition_one()

    assert [c.number for c in criteria if c.title and c.title_ru] == list(range(1, 11))
    assert [c.number for c in criteria if c.how_checked and c.how_checked_ru] == list(range(1, 11))
    assert (criteria[6].title_ru, criteria[6].how_checked_ru) == (UX_RU, UX_HOW_RU)
    assert criteria[7].how_checked_ru == DEMO_HOW_RU
    assert criteria[9].title_ru.startswith("Быстродействие и отказоустойчивость: ")


def test_a_criterion_reads_in_the_readers_language():
    ux = edition_one()[6]

    with translation.override("ru"):
        russian = (str(ux), ux.title_text, ux.how_checked_text)
    with translation.override("en"):
        english = (ux.title_text, ux.how_checked_text)

    assert russian == (f"7. {UX_RU}", UX_RU, UX_HOW_RU)
    assert english == ("UX consistent with the base Creatio products.", "Expert review.")


def test_a_criterion_without_its_russian_reads_in_english_to_a_russian_reader():
    ux = edition_one()[6]
    ux.title_ru = ""

    with translation.override("ru"):
        shown = ux.title_text

    assert shown == "UX consistent with the base Creatio products."


def test_review_page_shows_the_criteria_in_the_reviewers_language(client, analyst):
    """R3.6: each criterion is checked as its "how it is checked" says, in words the reviewer
    reads."""
    application = in_review(analyst)
    client.force_login(analyst)

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    russian = review_page(client, application)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    english = review_page(client, application)

    criteria = edition_one()
    assert [text(node) for node in find_all(russian, data_testid="title")] == [
        f"{c.number}. {c.title_ru}" for c in criteria
    ]
    assert [
        text(node).endswith(c.how_checked_ru)
        for node, c in zip(find_all(russian, data_testid="how-checked"), criteria, strict=True)
    ] == [True] * 10
    assert [text(node) for node in find_all(english, data_testid="title")] == [
        f"{n}. {title}" for n, title in enumerate(EDITION_ONE_TITLES, start=1)
    ]


def test_new_edition_form_shows_both_languages_of_each_criterion(client, analyst):
    client.force_login(analyst)

    response = client.get(reverse("admin:dod_criteriaversion_new"))

    criteria = edition_one()
    assert [field_value(response, f"criteria-{i}-title") for i in range(10)] == EDITION_ONE_TITLES
    assert [field_value(response, f"criteria-{i}-title_ru") for i in range(10)] == [
        c.title_ru for c in criteria
    ]
    assert [field_value(response, f"criteria-{i}-how_checked_ru") for i in range(10)] == [
        c.how_checked_ru for c in criteria
    ]


def test_a_new_edition_carries_the_russian_over_and_takes_a_revised_one(analyst):
    edition = services.criteria_revise(
        by=analyst, changes={7: {"title_ru": "Соответствие стандартам UX Creatio."}}, note="RU."
    )

    revised = {c.number: c for c in edition.criteria.all()}
    assert revised[7].title_ru == "Соответствие стандартам UX Creatio."
    assert revised[7].how_checked_ru == UX_HOW_RU
    assert revised[8].how_checked_ru == DEMO_HOW_RU
