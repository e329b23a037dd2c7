import io
import zipfile

import pytest
from django.urls import reverse

from tests.factories.accounts import UserFactory
from tests.factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    MaterialFactory,
    SolutionFactory,
)
from workflow.enums import ApplicationState, MaterialKind

pytestmark = pytest.mark.django_db


def _with_sales_materials(certification):
    return {
        kind: MaterialFactory(
            application=certification.application,
            kind=kind,
            with_file=True,
            content=f"{certification.solution.slug} {kind}".encode(),
        )
        for kind in (MaterialKind.SALES, MaterialKind.VIDEO, MaterialKind.PRODUCT_TEST)
    }


@pytest.fixture
def seller(client):
    user = UserFactory(sales=True)
    client.force_login(user)
    return user


def test_certified_materials_of_the_certified_version_are_listed_and_download(client, seller):
    """R7.2: a certified solution's materials 7-9 of the certified version are listed on its
    sales page and download; a later version's, still under review, are not offered."""
    certification = CertificationFactory(solution__description="Syncs invoices both ways")
    materials = _with_sales_materials(certification)
    later = ApplicationFactory(solution=certification.solution, state=ApplicationState.IN_REVIEW)
    newer = MaterialFactory(application=later, kind=MaterialKind.PRODUCT_TEST, with_file=True)
    slug = certification.solution.slug

    page = client.get(reverse("sales_solution", args=[slug]))

    assert page.status_code == 200
    assert "Syncs invoices both ways" in page.content.decode()
    for material in materials.values():
        url = reverse("sales_material_download", args=[slug, material.pk])
        assert url in page.content.decode()
        download = client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == f"{slug} {material.kind}".encode()
    newer_url = reverse("sales_material_download", args=[slug, newer.pk])
    assert newer_url not in page.content.decode()
    assert client.get(newer_url).status_code == 404


def test_other_materials_do_not_download(client, seller):
    """R7.2: only materials 7-9 reach the sales staff; any other material answers 404."""
    certification = CertificationFactory()
    packages = MaterialFactory(
        application=certification.application, kind=MaterialKind.PACKAGES, with_file=True
    )

    url = reverse("sales_material_download", args=[certification.solution.slug, packages.pk])

    assert client.get(url).status_code == 404


def test_revoked_solution_disappears(client, seller):
    """R7.2: a revoked solution leaves the list; its page and downloads answer 404."""
    kept = CertificationFactory(at_risk=True, solution__name="Kept at risk")
    revoked = CertificationFactory(revoked=True, solution__name="Revoked one")
    SolutionFactory(name="Never certified")
    material = _with_sales_materials(revoked)[MaterialKind.SALES]

    listing = client.get(reverse("sales_solutions")).content.decode()

    assert kept.solution.name in listing
    assert "Revoked one" not in listing and "Never certified" not in listing
    slug = revoked.solution.slug
    assert client.get(reverse("sales_solution", args=[slug])).status_code == 404
    url = reverse("sales_material_download", args=[slug, material.pk])
    assert client.get(url).status_code == 404


def test_search_and_marketplace_filter(client, seller):
    """R7.2: the list is searched by name, partner and features and filtered by marketplace."""
    CertificationFactory(solution__name="Alpha", solution__description="invoice sync")
    CertificationFactory(
        solution__name="Beta", solution__marketplace="terrasoft", solution__partner__name="Zeta"
    )
    url = reverse("sales_solutions")

    def names(**query):
        return [
            row.split("</a>")[0].rsplit(">", 1)[1]
            for row in client.get(url, query)
            .content.decode()
            .split('data-testid="sales-solution"')[1:]
        ]

    assert names(q="invoice") == ["Alpha"]
    assert names(q="zeta") == ["Beta"]
    assert names(marketplace="terrasoft") == ["Beta"]
    empty = client.get(url, {"q": "nothing like it"}).content.decode()
    assert 'data-testid="sales-empty"' in empty


def test_list_query_count_is_flat(client, seller, django_assert_max_num_queries):
    CertificationFactory.create_batch(3)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("sales_solutions"))
    CertificationFactory.create_batch(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("sales_solutions"))


def test_zip_holds_exactly_the_certified_solutions_product_tests(client, seller):
    """R7.2: the exam's ZIP holds the product test of every certified solution, none other."""
    first, second = CertificationFactory(), CertificationFactory(at_risk=True)
    revoked = CertificationFactory(revoked=True)
    for certification in (first, second, revoked):
        _with_sales_materials(certification)

    response = client.get(reverse("sales_product_tests_zip"))

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    contents = sorted(archive.read(name) for name in archive.namelist())
    assert contents == sorted(f"{c.solution.slug} product_test".encode() for c in (first, second))
    assert all("/" not in name for name in archive.namelist())


@pytest.mark.parametrize("role", ["analyst", "leader"])
def test_analysts_and_leaders_read_the_sales_pages(client, role):
    """R7.2: analysts and leaders may read the sales pages too."""
    client.force_login(UserFactory(**{role: True}))
    assert client.get(reverse("sales_solutions")).status_code == 200


def test_partner_and_anonymous_are_refused(client):
    """R7.2: partners are refused the sales pages; an anonymous visitor is sent to log in."""
    certification = CertificationFactory()
    url = reverse("sales_solution", args=[certification.solution.slug])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(partner_member=True, partner=certification.solution.partner))
    assert client.get(url).status_code == 403
    assert client.get(reverse("sales_product_tests_zip")).status_code == 403


def test_sales_user_is_refused_everywhere_else(client, seller):
    """R7.2: a sales user sees no queue, no request and no admin, and logs in to /sales/."""
    certification = CertificationFactory()
    application = certification.application

    assert client.get(reverse("queue")).status_code == 403
    assert client.get(reverse("application_detail", args=[application.pk])).status_code == 404
    assert (
        client.get(reverse("solution_detail", args=[certification.solution.slug])).status_code
        == 404
    )
    assert client.get("/admin/").status_code in (302, 404)
    assert client.get(reverse("dashboard")).url == reverse("sales_solutions")
    navigation = client.get(reverse("sales_solutions")).content.decode()
    assert f'href="{reverse("sales_solutions")}">Sales enablement' in navigation
    assert f'href="{reverse("queue")}"' not in navigation
