"""The programme overview page: who reads it, its charts and tables, its filters, its
downloads and its flat query count."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from catalogue.enums import Marketplace
from tests.factories.accounts import UserFactory
from tests.factories.workflow import ApplicationFactory
from tests.insight import world

pytestmark = pytest.mark.django_db

URL = reverse("programme_overview")


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(c if isinstance(c, bytes) else c.encode() for c in response)
    return response.content


def _csv_sections(response) -> dict[str, list[list[str]]]:
    """The CSV's tables by title (each table follows its title, a blank line between)."""
    rows = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    sections, title = {}, None
    for row in rows:
        if not row:
            title = None
        elif title is None:
            title = row[0]
            sections[title] = []
        else:
            sections[title].append(row)
    return sections


@pytest.fixture
def analyst(client):
    user = UserFactory(analyst=True)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", ["analyst", "leader", "auditor"])
def test_the_team_roles_who_run_and_check_the_programme_read_it(client, role):
    client.force_login(UserFactory(**{role: True}))

    response = client.get(URL)

    assert response.status_code == 200
    assert b"Programme overview" in response.content


def test_a_superuser_reads_it(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("kwargs", [{"partner_member": True}, {"rnd_expert": True}])
def test_partners_and_rnd_experts_are_refused(client, kwargs):
    client.force_login(UserFactory(**kwargs))

    assert client.get(URL).status_code == 403
    assert client.get(URL + "?export=csv").status_code == 403


def test_the_public_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_navigation_links_it_for_an_analyst_not_for_a_partner(client, analyst):
    link = f'href="{URL}"'.encode()

    assert link in client.get(reverse("queue")).content
    client.force_login(UserFactory(partner_member=True))
    assert link not in client.get(reverse("catalogue")).content


def test_an_empty_programme_says_no_requests_yet(client, analyst):
    response = client.get(URL)

    assert b'data-testid="no-requests"' in response.content
    assert b"No request is waiting." in response.content


def test_the_page_shows_each_chart_with_its_series_and_table(client, analyst):
    requests = world.build()

    response = client.get(URL)

    charts = {chart.ident: chart for chart in response.context["overview"].charts}
    assert list(charts) == [
        "chart-funnel",
        "chart-states",
        "chart-time-in-stage",
        "chart-entered",
        "chart-left",
        "chart-marketplace",
        "chart-priority",
        "chart-certifications",
        "chart-breaches",
    ]
    assert charts["chart-funnel"].series[0].values == [1, 1, 0, 1, 1]
    assert [s.values[0] for s in charts["chart-time-in-stage"].series] == [20.0, 28.0, 3]
    html = response.content.decode()
    for ident in charts:
        assert f'id="{ident}"' in html
    assert html.count('<svg class="chart"') >= 8  # the empty ones say so instead
    table = html.split('id="chart-time-in-stage"')[1].split("</figure>")[0]
    assert (
        '<th scope="row">Partner request</th><td class="text-end">20.0</td>'
        '<td class="text-end">28.0</td><td class="text-end">3</td>'
    ) in table
    assert f'href="{requests["a"].get_absolute_url()}"' in html
    assert "the leaders" in html


def test_a_marketplace_filter_narrows_every_figure(client, analyst):
    world.build()

    response = client.get(URL, {"marketplace": Marketplace.TERRASOFT})

    charts = {chart.ident: chart for chart in response.context["overview"].charts}
    assert charts["chart-funnel"].series[0].values == [1, 1, 0, 0, 0]
    assert len(response.context["overview"].oldest) == 2


def test_a_from_to_period_sets_the_months_shown(client, analyst):
    world.build()

    response = client.get(URL, {"start": "2026-03", "end": "2026-05"})

    charts = {chart.ident: chart for chart in response.context["overview"].charts}
    assert len(charts["chart-entered"].categories) == 3
    assert charts["chart-entered"].series[0].values == [2, 0, 1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-13", "end": "2026-05"}, "Enter a month as YYYY-MM"),
        (
            {"start": "2026-06", "end": "2026-05"},
            "The period&#x27;s first month is after its last.",
        ),
        ({"start": "2026-06"}, "Give both months of the period"),
        ({"start": "2010-01", "end": "2026-05"}, "A period is at most 60 months long."),
        ({"months": "7"}, "Select a valid choice."),
        ({"marketplace": "moon"}, "Select a valid choice."),
    ],
)
def test_bad_filter_input_answers_with_a_message_and_the_default_period(
    client, analyst, query, message
):
    response = client.get(URL, query)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert b'data-testid="filter-fallback"' in response.content
    assert len(response.context["period"].months) == 12


def test_the_csv_holds_every_table_with_the_expected_rows(client, analyst):
    requests = world.build()

    response = client.get(URL, {"export": "csv"})

    sections = _csv_sections(response)
    assert response["Content-Disposition"].startswith('attachment; filename="programme-overview-')
    assert sections["Requests in each stage now"] == [
        ["", "Requests"],
        ["Partner request", "1"],
        ["Approval", "1"],
        ["Quality certification", "0"],
        ["Support certification", "1"],
        ["Regular audit", "1"],
    ]
    time_rows = sections["Time spent in each stage (requests that left it in the period)"]
    assert time_rows[1] == ["Partner request", "20.0", "28.0", "3"]
    assert time_rows[2] == ["Approval", "7.0", "9.4", "2"]
    assert [row[0] for row in sections["Oldest waiting"][1:]] == [
        str(requests[key].pk) for key in ("a", "c", "d")
    ]


def test_the_xlsx_has_a_sheet_per_table_with_the_same_rows(client, analyst):
    world.build()

    response = client.get(URL, {"export": "xlsx", "marketplace": Marketplace.CREATIO})

    workbook = load_workbook(io.BytesIO(_content(response)))
    assert len(workbook.sheetnames) == 10
    funnel = list(workbook[workbook.sheetnames[0]].iter_rows(values_only=True))
    assert funnel[1:] == [
        ("Partner request", 0),
        ("Approval", 0),
        ("Quality certification", 0),
        ("Support certification", 1),
        ("Regular audit", 1),
    ]
    oldest = list(workbook["Oldest waiting"].iter_rows(values_only=True))
    assert len(oldest) == 2 and oldest[1][6] == "the partner"


def test_an_unknown_export_format_is_not_found(client, analyst):
    assert client.get(URL, {"export": "pdf"}).status_code == 404


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_the_query_count_is_the_same_at_10_and_at_100_requests(client, analyst):
    world.requests(10)
    at_10 = _queries(client)
    world.requests(90)
    ApplicationFactory.create_batch(3)

    at_100 = _queries(client)

    assert at_10 == at_100
    assert at_10 > 5
