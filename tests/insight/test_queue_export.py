"""The analysts' queue downloaded as CSV and XLSX: its filters kept, every page, the same
visibility as the page."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.enums import Marketplace
from tests.factories.accounts import UserFactory
from tests.factories.workflow import ApplicationFactory, SolutionFactory
from workflow.enums import ApplicationState

pytestmark = pytest.mark.django_db

S = ApplicationState
URL = reverse("queue")


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(c if isinstance(c, bytes) else c.encode() for c in response)
    return response.content


@pytest.fixture
def queue(settings):
    """Five open Creatio requests (more than a page of two), one Terrasoft, one declined."""
    settings.QUEUE_PAGE_SIZE = 2
    creatio = [
        ApplicationFactory(
            solution=SolutionFactory(marketplace=Marketplace.CREATIO), state=S.SUBMITTED
        )
        for _ in range(5)
    ]
    terrasoft = ApplicationFactory(
        solution=SolutionFactory(marketplace=Marketplace.TERRASOFT), state=S.IN_REVIEW
    )
    ApplicationFactory(state=S.DECLINED)
    return {"creatio": creatio, "terrasoft": terrasoft}


def test_the_csv_holds_exactly_the_filtered_rows_of_every_page(client, queue):
    client.force_login(UserFactory(analyst=True))

    response = client.get(URL, {"marketplace": Marketplace.CREATIO, "export": "csv", "page": "2"})

    rows = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Request", "Solution", "Version"]
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(a.pk for a in queue["creatio"])
    assert {row[5] for row in rows[1:]} == {"marketplace.creatio.com"}
    assert response["Content-Disposition"].startswith('attachment; filename="queue-')


def test_the_xlsx_holds_the_open_requests_in_the_queues_order(client, queue):
    client.force_login(UserFactory(analyst=True))

    response = client.get(URL, {"export": "xlsx", "sort": "-id"})

    workbook = load_workbook(io.BytesIO(_content(response)))
    rows = list(workbook["Queue"].iter_rows(values_only=True))
    open_requests = [*queue["creatio"], queue["terrasoft"]]
    assert [row[0] for row in rows[1:]] == sorted((a.pk for a in open_requests), reverse=True)
    assert rows[1][6] == "In quality review"


def test_the_queue_offers_its_downloads_with_its_filters(client, queue):
    client.force_login(UserFactory(analyst=True))

    response = client.get(URL, {"marketplace": Marketplace.CREATIO})

    assert b"?marketplace=creatio&amp;export=csv" in response.content


def test_a_partner_cannot_download_the_queue(client, queue):
    client.force_login(UserFactory(partner_member=True))

    assert client.get(URL, {"export": "csv"}).status_code == 403
