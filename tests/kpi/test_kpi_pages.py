"""A solution's KPI page: who sees it, the figures it shows, and the partner's CSV uploads."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kpi.customers import CUSTOMER_COLUMNS
from kpi.evaluation import evaluate_period
from kpi.importing import CASE_COLUMNS, NPS_COLUMNS, import_cases
from kpi.models import KPI, Breach, Customer, KPISnapshot, NPSAnswer, SupportCase
from kpi.periods import half_years_of, recent_months
from kpi.selectors import MONTHS_SHOWN
from tests.factories.kpi import CustomerFactory, NPSAnswerFactory, SupportCaseFactory

from ..factories.workflow import CertificationFactory, SolutionFactory, VersionFactory, actor
from ..workflow.markup import alerts, by_testid, errors, find_all, text, texts

pytestmark = pytest.mark.django_db

NOT_FOUND = "Not found There is nothing here, or it is not yours to see."


@pytest.fixture
def solution():
    """Phone Link of Acme, version 2.4.0 certified on 1 March 2024."""
    return CertificationFactory(
        solution__name="Phone Link",
        solution__slug="phone-link",
        solution__partner__name="Acme",
        application__version__number="2.4.0",
        since=datetime(2024, 3, 1, 9, 0, tzinfo=UTC),
    ).solution


@pytest.fixture
def partner(solution):
    return actor("own_partner", solution)


@pytest.fixture
def months():
    """The twelve months the page shows, newest (the current one) first."""
    return recent_months(timezone.now(), MONTHS_SHOWN)


def kpi_page(client, solution, **params):
    return client.get(reverse("solution_kpis", args=[solution.slug]), params)


def upload(client, solution, kind, content: bytes, name="data.csv"):
    return client.post(
        reverse("kpi_upload", args=[solution.slug, kind]),
        {f"{kind}-file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def csv_bytes(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return buffer.getvalue().encode()


@pytest.fixture
def acme(solution):
    """Customers acme (Business in EMEA) and r1 of the solution."""
    return [
        CustomerFactory(solution=solution, customer_id=name, support_package="business")
        for name in ("acme", "r1")
    ]


def case(slug, case_id, **values):
    return {
        "solution": slug,
        "case_id": case_id,
        "customer": "acme",
        "registered_at": "2026-10-05T10:00:00+00:00",
        "first_response_at": "2026-10-05T11:00:00+00:00",
        **values,
    }


def snapshot(solution, period, kpi, numerator, denominator, value, status, **extra):
    targets = {
        KPI.RESPONSE_OVERDUE_RATE: "at most 1 %",
        KPI.RESOLUTION_OVERDUE_RATE: "at most 5 %",
        KPI.CSAT_RESPONSE_RATE: "at least 7 %",
        KPI.CSAT_POSITIVE_SHARE: "at least 80 %",
        KPI.ESCALATIONS: "at most 2",
        KPI.NPS_MEAN: "at least 7.5",
        KPI.NPS_CLASSIC: "",
    }
    now = timezone.now()
    return KPISnapshot.objects.create(
        solution=solution,
        period=period,
        kpi=kpi,
        numerator=numerator,
        denominator=denominator,
        value=None if value is None else Decimal(value),
        target=targets[kpi],
        status=status,
        evaluated_at=now,
        as_of=now,
        **extra,
    )


def cell(response, month, kpi) -> str:
    (row,) = find_all(response, "tr", data_testid=f"month-{month.name}")
    (node,) = find_all(row, "td", data_testid=f"cell-{kpi}")
    return text(node)


def refusal(response) -> str:
    """The headline of a refused upload, first on the page."""
    (box,) = find_all(response, data_testid="upload-errors")
    (headline,) = find_all(box, "h2")
    return text(headline)


def upload_boxes(response) -> list[str]:
    return [text(node) for node in find_all(response, "h3", **{"class": "card-title"})]


# --- Who sees the page -----------------------------------------------------------------------


def test_kpi_page_shows_the_partner_its_certification_and_upload_forms(client, solution, partner):
    client.force_login(partner)

    response = kpi_page(client, solution)

    assert response.status_code == 200
    assert by_testid(response, "certification-state").startswith(
        "Certified · certified version 2.4.0, since"
    )
    assert upload_boxes(response) == ["Support cases", "NPS answers", "Customers"]


def test_kpi_page_of_another_partners_solution_is_not_found(client, solution):
    client.force_login(actor("other_partner"))

    response = kpi_page(client, solution)

    (main,) = find_all(response, "main")
    assert (response.status_code, text(main)) == (404, NOT_FOUND)
    assert "Phone Link" not in response.content.decode()


def test_kpi_page_sends_an_anonymous_visitor_to_log_in(client, solution):
    response = kpi_page(client, solution)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["analyst", "leader", "auditor"])
def test_kpi_page_shows_the_team_the_figures_without_upload_forms(client, solution, role):
    client.force_login(actor(role))

    response = kpi_page(client, solution)

    assert response.status_code == 200
    assert find_all(response, data_testid="months") != []
    assert (upload_boxes(response), find_all(response, "form", enctype="multipart/form-data")) == (
        [],
        [],
    )


def test_an_analyst_cannot_upload_data(client, solution):
    client.force_login(actor("analyst"))

    response = upload(
        client, solution, "cases", csv_bytes(CASE_COLUMNS, [case("phone-link", "C1")])
    )

    assert response.status_code == 403
    assert SupportCase.objects.count() == 0


def test_another_partner_cannot_upload_to_the_solution(client, solution):
    client.force_login(actor("other_partner"))

    response = upload(
        client, solution, "cases", csv_bytes(CASE_COLUMNS, [case("phone-link", "C1")])
    )

    assert response.status_code == 404
    assert SupportCase.objects.count() == 0


def test_kpi_page_of_a_solution_never_certified_says_so(client):
    solution = SolutionFactory(slug="fresh")
    client.force_login(actor("own_partner", solution))

    response = kpi_page(client, solution)

    assert by_testid(response, "certification-state") == "Not certified"


def test_kpi_page_of_a_revoked_solution_says_revoked(client):
    solution = CertificationFactory(revoked=True, application__version__number="3.1.0").solution
    client.force_login(actor("own_partner", solution))

    response = kpi_page(client, solution)

    assert by_testid(response, "certification-state").startswith(
        "Revoked · certified version 3.1.0"
    )


def test_solution_page_and_certificate_link_to_the_kpi_page(client, solution, partner):
    client.force_login(partner)
    url = reverse("solution_kpis", args=["phone-link"])

    pages = [
        client.get(reverse("solution_detail", args=["phone-link"])),
        client.get(reverse("certificate", args=["phone-link"])),
    ]

    assert [
        [node.attributes for node in find_all(find_all(page, data_testid="kpi-link")[0], "a")]
        for page in pages
    ] == [[[("href", url)]], [[("href", url)]]]


# --- The figures -------------------------------------------------------------------------------


def test_monthly_table_shows_a_failed_kpi_with_its_figures(client, solution, partner, months):
    """R5.4: a month with too many cases overdue on response shows "fail" and its figures."""
    month = months[2]
    snapshot(solution, month.name, KPI.RESPONSE_OVERDUE_RATE, 2, 160, "0.0125", "fail")
    snapshot(solution, month.name, KPI.ESCALATIONS, 1, 160, "1", "pass")
    snapshot(solution, month.name, KPI.CSAT_POSITIVE_SHARE, 0, 0, None, "no_data")
    client.force_login(partner)

    response = kpi_page(client, solution)

    assert [
        cell(response, month, kpi)
        for kpi in ("response_overdue_rate", "escalations", "csat_positive_share")
    ] == [
        "1.3 % 2 / 160 target at most 1 % ✗ fail",
        "1 1 / 160 target at most 2 ✓ pass",
        "target at least 80 % – no data",
    ]


def test_monthly_table_has_twelve_months_and_labels_the_current_one_so_far(
    client, solution, partner, months
):
    snapshot(
        solution, months[0].name, KPI.CSAT_RESPONSE_RATE, 3, 30, "0.1", "pass", provisional=True
    )
    client.force_login(partner)

    response = kpi_page(client, solution)

    rows = find_all(find_all(response, "table", data_testid="months")[0], "tr")[1:]
    assert len(rows) == 12
    assert texts(response, data_testid="so-far") == ["so far — not enforced"]
    assert cell(response, months[0], "csat_response_rate") == (
        "10.0 % 3 / 30 target at least 7 % ✓ pass"
    )


def test_a_month_without_data_shows_no_data_for_every_kpi(client, solution, partner, months):
    client.force_login(partner)

    response = kpi_page(client, solution)

    assert [cell(response, months[5], kpi) for kpi in ("response_overdue_rate", "escalations")] == [
        "– no data",
        "– no data",
    ]


def test_half_years_show_the_nps_mean_beside_the_classic_nps(client, solution, partner, months):
    """R5.1: the NPS mean decides; the classic NPS is shown beside it and the answers of the
    active customers are counted."""
    half_years = half_years_of(months)
    done = half_years[1]
    snapshot(solution, done.name, KPI.NPS_MEAN, 23, 3, "7.666667", "pass")
    snapshot(solution, done.name, KPI.NPS_CLASSIC, 1, 3, "33.333333", "pass")
    customers = CustomerFactory.create_batch(4, solution=solution)
    for customer, score in zip(customers, (9, 8, 6), strict=False):
        NPSAnswerFactory(
            solution=solution, respondent=customer.customer_id, half_year=done.name, score=score
        )
    client.force_login(partner)

    response = kpi_page(client, solution)

    (row,) = find_all(response, "tr", data_testid=f"half-year-{done.name}")
    assert texts(row, "td") == [
        "7.67 from 3 answers target at least 7.5 ✓ pass",
        "33.3 shown, decides nothing",
        "3",
        "3 of 4",
    ]


def test_a_half_year_without_answers_warns_that_the_survey_is_missing(
    client, solution, partner, months
):
    """R5.1: a half-year over with no answer gives "no data" and a warning."""
    done = half_years_of(months)[1]
    client.force_login(partner)

    response = kpi_page(client, solution)

    assert f"No survey answers for {done.name} — the survey is missing." in alerts(response)


def test_a_missing_survey_shows_its_status_breach_and_participation(
    client, solution, partner, months
):
    """R5.1: the half-year that ended with active customers and no answer is `missing`, a
    breach the analysts decide on; participation is 0 of the customers active at its end."""
    done = half_years_of(months)[1]
    CustomerFactory.create_batch(3, solution=solution)
    evaluate_period(done.name, solutions=[solution])
    client.force_login(partner)

    response = kpi_page(client, solution)

    (row,) = find_all(response, "tr", data_testid=f"half-year-{done.name}")
    assert texts(row, "td") == ["target at least 7.5 ✗ survey missing", "no data", "0", "0 of 3"]
    assert (
        f"No survey answers for {done.name} — the survey is missing. The survey of the active "
        "customers runs twice a year (R5.1): a missing survey is a breach the analysts decide on."
    ) in alerts(response)
    (table,) = find_all(response, "table", data_testid="breaches")
    (breach,) = find_all(table, "tr")[1:]
    assert texts(breach, "td")[:4] == [
        done.name,
        "NPS survey mean score",
        "no answer from the 3 customers active at the end of the half-year",
        "Analysts decide",
    ]


def test_no_survey_is_missing_before_the_solution_was_certified(client, months):
    since = months[0].start  # certified this month: no half-year ended since
    solution = CertificationFactory(since=since).solution
    client.force_login(actor("own_partner", solution))

    response = kpi_page(client, solution)

    assert find_all(response, data_testid="survey-missing") == []


def test_breaches_show_their_action_and_figures(client, solution, partner, months):
    """R5.8: what the job did about a failed KPI is shown with its figures."""
    Breach.objects.create(
        solution=solution,
        period=months[1].name,
        kpi=KPI.RESPONSE_OVERDUE_RATE,
        action=Breach.Action.REVOKED,
        detail="3 of 120 = 2.5 %",
    )
    client.force_login(partner)

    response = kpi_page(client, solution)

    (table,) = find_all(response, "table", data_testid="breaches")
    assert texts(find_all(table, "tr")[1], "td")[:4] == [
        months[1].name,
        "Cases overdue on response",
        "3 of 120 = 2.5 %",
        "Badge revoked",
    ]


def test_presale_questions_are_counted_on_their_own(client, solution, partner, months):
    """R4.4: pre-sale questions of the month, and those answered late or unanswered past their
    deadline, are reported apart from the case KPIs."""
    now = timezone.now()
    start = months[0].start
    registered = max(start, now - timedelta(days=1))
    SupportCaseFactory(solution=solution, presale=True, registered_at=registered)
    SupportCaseFactory(
        solution=solution, presale=True, registered_at=registered, late_response=True
    )
    SupportCaseFactory(
        solution=solution,
        presale=True,
        open=True,
        registered_at=registered,
        response_due_at=registered + timedelta(microseconds=1),
    )
    SupportCaseFactory(solution=solution, late_response=True, registered_at=registered)
    client.force_login(partner)

    response = kpi_page(client, solution)

    (row,) = find_all(response, "tr", data_testid=f"presale-{months[0].name}")
    assert texts(row, "td") == ["3", "✗ 2 late"]


# --- Customers ----------------------------------------------------------------------------------


def test_customers_section_lists_versions_in_use_and_those_behind(
    client, solution, partner, monkeypatch
):
    """R6.3, R6.4: the versions active customers use, the share on the current version and
    the active customers behind it, page by page."""
    monkeypatch.setattr("kpi.views.CUSTOMERS_PER_PAGE", 2)
    CustomerFactory(solution=solution, customer_id="a-current", installed_version="2.4.0")
    for name in ("b-old", "c-old", "d-old"):
        CustomerFactory(solution=solution, customer_id=name, installed_version="2.3.1")
    CustomerFactory(
        solution=solution,
        customer_id="e-lapsed",
        installed_version="1.0.0",
        active_until=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(partner)

    first = kpi_page(client, solution)
    second = kpi_page(client, solution, page=2)

    (versions,) = find_all(first, "table", data_testid="versions-in-use")
    assert [texts(row, "td") for row in find_all(versions, "tr")[1:]] == [
        ["2.4.0 current", "1"],
        ["2.3.1", "3"],
    ]
    assert by_testid(first, "share-on-current") == (
        "On the current version 2.4.0: 25.0 % (1 of 4 active customers, R6.4)."
    )
    assert [
        [texts(row, "td")[0] for row in find_all(find_all(page, data_testid="behind")[0], "tr")[1:]]
        for page in (first, second)
    ] == [["b-old", "c-old"], ["d-old"]]


def test_customers_section_without_customers_says_none_reported(client, solution, partner):
    client.force_login(partner)

    response = kpi_page(client, solution)

    assert by_testid(response, "no-customers") == (
        "No customer reported yet. Upload the list of customers below."
    )


# --- Uploads ------------------------------------------------------------------------------------


def test_uploading_cases_imports_them_and_says_how_many(client, solution, partner, acme):
    client.force_login(partner)
    content = csv_bytes(CASE_COLUMNS, [case("phone-link", "C1"), case("phone-link", "C2")])

    response = upload(client, solution, "cases", content)

    assert response.status_code == 302
    assert response["Location"] == reverse("solution_kpis", args=["phone-link"])
    assert sorted(SupportCase.objects.values_list("case_id", flat=True)) == ["C1", "C2"]
    assert alerts(client.get(response["Location"]))[0] == "Support cases: 2 created, 0 updated."


def test_uploading_cases_again_updates_them(client, solution, partner, acme):
    client.force_login(partner)
    first = upload(client, solution, "cases", csv_bytes(CASE_COLUMNS, [case("phone-link", "C1")]))
    client.get(first["Location"])  # the partner reads the first upload's message

    response = upload(
        client, solution, "cases", csv_bytes(CASE_COLUMNS, [case("phone-link", "C1", csat="5")])
    )

    assert alerts(client.get(response["Location"]))[0] == "Support cases: 0 created, 1 updated."
    assert list(SupportCase.objects.values_list("csat", flat=True)) == [5]


def test_uploading_nps_answers_and_customers(client, solution, partner, acme):
    client.force_login(partner)
    nps = csv_bytes(
        NPS_COLUMNS,
        [
            {
                "solution": "phone-link",
                "respondent": "r1",
                "answered_at": "2026-10-01T10:00:00+00:00",
                "score": "9",
            }
        ],
    )
    customers = csv_bytes(
        CUSTOMER_COLUMNS,
        [
            {
                "solution": "phone-link",
                "customer_id": "globex",
                "installed_version": "2.4.0",
                "support_package": "premium",
                "region": "apac",
                "active_until": "2030-01-01",
            }
        ],
    )

    results = []
    for kind, content in (("nps", nps), ("customers", customers)):
        response = upload(client, solution, kind, content)
        results.append((response.status_code, alerts(client.get(response["Location"]))[0]))

    assert results == [
        (302, "NPS answers: 1 created, 0 updated."),
        (302, "Customers: 1 created, 0 updated."),
    ]
    assert (NPSAnswer.objects.count(), Customer.objects.count()) == (1, 3)


def test_a_file_with_bad_rows_is_refused_whole_with_every_bad_row_listed(
    client, solution, partner, acme
):
    client.force_login(partner)
    content = csv_bytes(
        CASE_COLUMNS,
        [
            case("phone-link", "C1"),
            case("phone-link", "C2", csat="0"),
            case("phone-link", "C3", first_response_at="2026-10-05T09:00:00+00:00"),
        ],
    )

    response = upload(client, solution, "cases", content)

    assert response.status_code == 200
    assert (refusal(response), errors(response)) == (
        "Nothing was imported. Support cases: the file was refused whole.",
        [
            "line 3, column csat: 0 is out of range 1–5",
            "line 4, column first_response_at: response before registration",
        ],
    )
    assert SupportCase.objects.count() == 0


def test_a_row_of_another_solution_is_refused(client, solution, partner, acme):
    """Even a solution of the same partner: the page takes only its own solution's rows."""
    SolutionFactory(partner=solution.partner, slug="other-own")
    client.force_login(partner)
    content = csv_bytes(
        CASE_COLUMNS,
        [case("phone-link", "C1"), case("other-own", "C2"), case("phone-link", "C3", csat="9")],
    )

    response = upload(client, solution, "cases", content)

    assert errors(response) == [
        "line 3, column solution: “other-own” is not this solution: only rows of “phone-link” "
        "are accepted here",
        "line 4, column csat: 9 is out of range 1–5",
    ]
    assert SupportCase.objects.count() == 0


def test_a_good_file_with_a_row_of_another_own_solution_stores_nothing(
    client, solution, partner, acme
):
    other = SolutionFactory(partner=solution.partner, slug="other-own")
    client.force_login(partner)
    answer = {"respondent": "r1", "answered_at": "2026-10-01T10:00:00+00:00", "score": "9"}
    content = csv_bytes(
        NPS_COLUMNS, [{"solution": "phone-link", **answer}, {"solution": "other-own", **answer}]
    )

    response = upload(client, solution, "nps", content)

    assert (refusal(response), errors(response)) == (
        "Nothing was imported. NPS answers: the file was refused whole.",
        [
            "line 3, column solution: “other-own” is not this solution: only rows of "
            "“phone-link” are accepted here"
        ],
    )
    assert (NPSAnswer.objects.filter(solution__in=[solution, other]).count()) == 0


def test_an_unknown_solution_row_is_reported_once(client, solution, partner):
    client.force_login(partner)
    content = csv_bytes(
        NPS_COLUMNS,
        [
            {
                "solution": "nowhere",
                "respondent": "r1",
                "answered_at": "2026-10-01T10:00:00+00:00",
                "score": "7",
            }
        ],
    )

    response = upload(client, solution, "nps", content)

    assert errors(response) == [
        "line 2, column solution: “nowhere” is not this solution: only rows of “phone-link” "
        "are accepted here"
    ]
    assert NPSAnswer.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(client, solution, partner, settings):
    settings.KPI_UPLOAD_MAX_BYTES = 100
    client.force_login(partner)
    content = csv_bytes(CASE_COLUMNS, [case("phone-link", f"C{n}") for n in range(5)])

    response = upload(client, solution, "cases", content)

    assert (refusal(response), errors(response)) == (
        "Nothing was imported. Support cases: the file was refused whole.",
        [f"The file is {len(content)} bytes; files of at most 100 bytes are accepted."],
    )
    assert SupportCase.objects.count() == 0


def test_a_file_not_in_utf8_is_refused(client, solution, partner):
    client.force_login(partner)
    content = "solution,customer_id,installed_version,support_package,region,active_until\n"
    content += "phone-link,Société,2.4.0,basic,emea,\n"

    response = upload(client, solution, "customers", content.encode("cp1252"))

    assert (refusal(response), errors(response)) == (
        "Nothing was imported. Customers: the file was refused whole.",
        [
            "The file is not UTF-8 text (it was saved in a Windows code page, such as "
            "Windows-1251 or Windows-1252): save it as “CSV UTF-8” and send it again."
        ],
    )
    assert Customer.objects.count() == 0


def test_a_utf16_file_is_refused_with_its_own_message(client, solution, partner):
    client.force_login(partner)
    content = "solution,customer_id,installed_version,support_package,region,active_until\n"

    response = upload(client, solution, "customers", content.encode("utf-16"))

    assert errors(response) == [
        "The file is UTF-16 text, not UTF-8: save it as “CSV UTF-8 (comma delimited)” and send "
        "it again."
    ]


def test_a_semicolon_separated_file_is_refused_with_its_own_message(client, solution, partner):
    client.force_login(partner)
    content = "solution;customer_id;installed_version;support_package;region;active_until\n"
    content += "phone-link;acme;2.4.0;basic;emea;\n"

    response = upload(client, solution, "customers", content.encode())

    assert errors(response) == [
        "line 1, column -: the values are separated by semicolons: save the file as “CSV UTF-8 "
        "(comma delimited)”, with commas between the values"
    ]
    assert Customer.objects.count() == 0


def test_a_case_file_with_deadline_columns_is_refused_whole(client, solution, partner, acme):
    """R5.4, R5.5: deadlines come from the customer's SLA, never from the file."""
    client.force_login(partner)
    columns = [*CASE_COLUMNS, "response_due_at"]
    rows = [case("phone-link", "C1", response_due_at="2026-10-12T10:00:00+00:00")]

    response = upload(client, solution, "cases", csv_bytes(columns, rows))

    assert errors(response) == [
        "line 1, column response_due_at: deadlines are not accepted: the portal computes them "
        "from the customer's SLA (its support package and region); remove this column"
    ]
    assert SupportCase.objects.count() == 0


def test_the_upload_address_opened_in_the_browser_leads_to_the_kpi_page(client, solution, partner):
    client.force_login(partner)

    response = client.get(reverse("kpi_upload", args=["phone-link", "cases"]), {"page": "2"})

    assert response["Location"] == reverse("solution_kpis", args=["phone-link"]) + "?page=2"


def test_a_csv_template_starts_with_the_header_line(client, solution, partner):
    client.force_login(partner)

    response = client.get(reverse("kpi_csv_template", args=["phone-link", "customers"]))

    assert response["Content-Disposition"] == 'attachment; filename="phone-link-customers.csv"'
    assert response.content.decode().splitlines()[0] == (
        "solution,customer_id,installed_version,support_package,region,active_until,contact_email"
    )


# --- Cost -----------------------------------------------------------------------------------------


def _fill(solution, months, size):
    """`size` months of snapshots, breaches, pre-sale questions and NPS answers; 3 × `size`
    customers behind the current version."""
    for month in months[:size]:
        for kpi in KPI.values[:5]:
            snapshot(solution, month.name, kpi, 1, 10, "0.1", "pass")
        Breach.objects.create(
            solution=solution, period=month.name, kpi=KPI.ESCALATIONS, action="revoked", detail="x"
        )
        SupportCaseFactory(solution=solution, presale=True, registered_at=month.start)
    for n in range(3 * size):
        CustomerFactory(solution=solution, installed_version=f"1.{n}.0")
        NPSAnswerFactory(solution=solution, half_year=half_years_of(months)[0].name)
    VersionFactory(solution=solution)


def test_kpi_page_query_count_does_not_grow_with_the_data(client, months):
    """The same number of queries with one month of data as with ten (and ten times the
    customers, breaches, answers and pre-sale questions)."""
    counts = []
    for size in (1, 10):
        target = CertificationFactory().solution
        _fill(target, months, size)
        client.force_login(actor("own_partner", target))
        kpi_page(client, target)  # the session is read once logged in
        with CaptureQueriesContext(connection) as queries:
            response = kpi_page(client, target)
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


# --- Cases and their computed deadlines ---------------------------------------------------------


def test_the_latest_cases_show_the_deadlines_computed_from_the_customers_sla(
    client, solution, partner, acme
):
    """R5.4, R5.5: a Business case of Friday 16:00 in Berlin is due Monday 11:00 and Tuesday
    14:00 there; answered Monday 12:00, it is late on response, and still open on Wednesday,
    late on resolution."""
    import_cases(
        [
            case(
                "phone-link",
                "C1",
                registered_at="2026-11-13T16:00:00+01:00",
                first_response_at="2026-11-16T12:00:00+01:00",
            )
        ]
    )
    client.force_login(partner)

    response = kpi_page(client, solution)

    (row,) = find_all(response, "tr", data_testid="case-C1")
    assert [text(node) for node in find_all(row, "td")] == [
        "C1",
        "acme",
        "Business",
        "EMEA (UTC+1)",
        "13 Nov 2026, 15:00 UTC",
        "16 Nov 2026, 10:00 UTC",
        "16 Nov 2026, 11:00 UTC late",
        "17 Nov 2026, 13:00 UTC",
        "— late",
    ]


def test_the_cases_export_holds_every_case_with_its_deadlines(client, solution, partner, acme):
    import_cases(
        [case("phone-link", "C1", registered_at="2026-11-13T16:00:00+01:00", first_response_at="")]
    )
    client.force_login(partner)

    response = client.get(reverse("kpi_cases_export", args=["phone-link"]))

    assert response["Content-Disposition"] == 'attachment; filename="phone-link-cases.csv"'
    assert b"".join(response.streaming_content).decode().splitlines() == [
        "case_id,customer,presale,support_package,region,priority,registered_at,"
        "response_due_at,first_response_at,resolution_due_at,resolved_at,escalation_level,csat",
        "C1,acme,False,business,emea,medium,2026-11-13T15:00:00+00:00,2026-11-16T10:00:00+00:00,"
        ",2026-11-17T13:00:00+00:00,,0,",
    ]


def test_the_cases_export_of_another_partners_solution_is_not_found(client, solution):
    client.force_login(actor("other_partner", solution))

    response = client.get(reverse("kpi_cases_export", args=["phone-link"]))

    assert response.status_code == 404
