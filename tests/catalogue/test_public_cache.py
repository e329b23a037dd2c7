"""The public pages near a bare view: the badges answer from the cache with an ETag and a
CDN's Cache-Control, and every badge change forgets them; the catalogue and the solutions API
are cached per query string and forgotten likewise; the benchmark's bare view is not routed."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve, reverse
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient

from catalogue import badge, public_cache
from catalogue.models import Certification
from tests.workflow.markup import find_all, texts

from ..factories.workflow import CertificationFactory, SolutionFactory, actor

pytestmark = pytest.mark.django_db


def get_counting(client, url, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, [query["sql"] for query in queries.captured_queries]


@pytest.fixture
def certified():
    return CertificationFactory(solution__slug="phone-link", solution__name="Phone Link")


@pytest.mark.parametrize("name", ["badge_json", "badge_svg"])
def test_badge_may_be_kept_by_a_cdn_and_revalidated(client, certified, name):
    url = reverse(name, args=["phone-link"])

    first = client.get(url)
    again = client.get(url, headers={"if-none-match": first["ETag"]})

    assert first.status_code == 200
    assert set(first["Cache-Control"].split(", ")) == {
        "public",
        "max-age=300",
        "stale-while-revalidate=60",
    }
    assert first["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert "max-age=300" in again["Cache-Control"]


@pytest.mark.parametrize("name", ["badge_json", "badge_svg"])
def test_warm_badge_is_served_without_the_database(client, certified, name):
    url = reverse(name, args=["phone-link"])
    cold, cold_queries = get_counting(client, url)

    warm, warm_queries = get_counting(client, url)

    assert warm_queries == []
    assert warm.content == cold.content
    assert len(cold_queries) == 1  # the solution with its certification and version


def test_badge_on_does_not_read_the_last_event(client, certified):
    _response, queries = get_counting(client, reverse("badge_json", args=["phone-link"]))

    assert not any("certificationevent" in sql for sql in queries)


def test_revoked_badge_reads_the_last_event_for_its_reason(client, certified):
    badge.revoke(certification=certified, by=actor("analyst"), reason="KPI failed.")

    response, queries = get_counting(client, reverse("badge_json", args=["phone-link"]))

    assert response.json()["reason"] == "KPI failed."
    assert any("certificationevent" in sql for sql in queries)


@pytest.mark.parametrize("name", ["badge_json", "badge_svg"])
def test_every_badge_change_is_seen_at_once(client, certified, name):
    url = reverse(name, args=["phone-link"])
    analyst = actor("analyst")
    on = client.get(url)

    badge.revoke(certification=certified, by=analyst, reason="KPI failed.")
    off = client.get(url, headers={"if-none-match": on["ETag"]})
    badge.restore(
        certification=Certification.objects.get(pk=certified.pk), by=analyst, reason="Fixed."
    )
    back = client.get(url)

    assert off.status_code == 200
    assert off["ETag"] != on["ETag"]
    assert (b"revoked" in off.content) and (b"revoked" not in on.content)
    assert back.content == on.content


def test_a_renamed_solution_is_seen_at_once(client, certified):
    url = reverse("badge_json", args=["phone-link"])
    client.get(url)

    certified.solution.name = "Phone Link Pro"
    certified.solution.save()

    assert client.get(url).json()["name"] == "Phone Link Pro"


def test_badge_changes_are_forgotten_again_when_the_transaction_commits(
    client, certified, django_capture_on_commit_callbacks
):
    url = reverse("badge_json", args=["phone-link"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        badge.revoke(certification=certified, by=actor("analyst"), reason="KPI failed.")
    client.get(url)  # a reader between the write and the commit caches the badge

    assert cache.get(public_cache.badge_key("phone-link", "en")) is not None
    for callback in callbacks:
        callback()
    assert cache.get(public_cache.badge_key("phone-link", "en")) is None


# --- The catalogue ---------------------------------------------------------------------


def names(response):
    return [texts(card, "h2")[0] for card in find_all(response, data_testid="certified-solution")]


def test_warm_catalogue_reads_no_solution(client, certified):
    client.get(reverse("catalogue"))

    response, queries = get_counting(client, reverse("catalogue"))

    assert names(response) == ["Phone Link"]
    assert not any("workflow_" in sql for sql in queries)


def test_catalogue_shows_a_badge_change_at_once(client, certified):
    client.get(reverse("catalogue"))

    badge.revoke(certification=certified, by=actor("analyst"), reason="KPI failed.")

    assert names(client.get(reverse("catalogue"))) == []


def test_catalogue_shows_a_new_certification_at_once(client, certified):
    client.get(reverse("catalogue"))

    CertificationFactory(solution__name="Alpha Mail")

    assert names(client.get(reverse("catalogue"))) == ["Alpha Mail", "Phone Link"]


def test_catalogue_is_cached_per_language(client, certified):
    english = client.get(reverse("catalogue"), headers={"accept-language": "en"})
    russian = client.get(reverse("catalogue"), headers={"accept-language": "ru"})

    assert "Search" in english.content.decode()
    assert "Search" not in russian.content.decode()


# --- The solutions API -------------------------------------------------------------------


def test_solutions_api_pages_in_two_queries_then_none(certified, monkeypatch):
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    for n in range(4):
        CertificationFactory(solution__name=f"Solution {n}")
    api = APIClient()

    cold, cold_queries = get_counting(api, "/api/v1/solutions/?certified=true")
    warm, warm_queries = get_counting(api, "/api/v1/solutions/?certified=true")

    assert cold.json()["count"] == 5
    assert cold.json()["next"] == "http://testserver/api/v1/solutions/?certified=true&page=2"
    assert cold.json()["previous"] is None
    assert len(cold_queries) == 2  # the count and the page
    assert warm_queries == []
    assert warm.json() == cold.json()
    assert "public" in warm["Cache-Control"]


def test_solutions_api_shows_a_badge_change_at_once(certified):
    api = APIClient()
    assert api.get("/api/v1/solutions/?certified=true").json()["count"] == 1

    badge.revoke(certification=certified, by=actor("analyst"), reason="KPI failed.")

    assert api.get("/api/v1/solutions/?certified=true").json()["count"] == 0


@pytest.mark.parametrize("page", ["9", "0", "x"])
def test_solutions_api_answers_a_bad_page_with_json(certified, page):
    response = APIClient().get("/api/v1/solutions/", {"page": page})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_solutions_api_query_count_does_not_grow():
    api = APIClient()
    SolutionFactory(is_published=True)
    _response, few = get_counting(api, "/api/v1/solutions/")
    for n in range(60):
        CertificationFactory(solution__name=f"Solution {n:02}")

    response, many = get_counting(api, "/api/v1/solutions/")

    assert len(few) == len(many) == 2
    assert len(response.json()["results"]) == 50


# --- The benchmark's floor ---------------------------------------------------------------


def test_the_bare_view_is_not_routed_by_default(client, settings):
    assert settings.BENCH_BARE_VIEW is False
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")
    assert client.get("/bench/bare/").status_code == 404
