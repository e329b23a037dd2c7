"""A refused KPI upload is easy to find and to fix: its result comes first on the page, every
error of every row is listed (and downloadable as a report only its uploader reads), and the
template of each kind holds an example row and the allowed values."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpi.customers import CUSTOMER_COLUMNS
from kpi.importing import CASE_COLUMNS, NPS_COLUMNS, ImportRejected, RowError, import_cases
from kpi.models import CasePriority, Customer, NPSAnswer, SupportCase
from support_audit.enums import SupportPackage
from tests.factories.kpi import CustomerFactory

from ..factories.workflow import CertificationFactory, actor
from ..workflow.markup import Element, alerts, attr, errors, find_all, has_class, text
from .test_kpi_pages import case, csv_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def solution():
    """Phone Link, certified, on marketplace.creatio.com."""
    return CertificationFactory(solution__slug="phone-link").solution


@pytest.fixture
def partner(client, solution):
    user = actor("own_partner", solution)
    client.force_login(user)
    return user


@pytest.fixture
def acme(solution):
    return CustomerFactory(solution=solution, customer_id="acme", support_package="business")


def refused_cases(client, solution, rows):
    return upload(client, solution, "cases", csv_bytes(CASE_COLUMNS, rows))


def report(client, kind="cases"):
    return client.get(reverse("kpi_upload_errors", args=["phone-link", kind]))


def report_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def result_region(response):
    (region,) = find_all(response, id="result")
    return region


def heading(node) -> str:
    (found,) = find_all(node, "h2")
    return text(found)


def allowed_lines(content: str) -> list[str]:
    return [line for line in content.splitlines() if line.startswith(("#", '"#'))]


# --- Every error of every row -------------------------------------------------------------------


def test_every_error_of_a_row_is_listed_not_only_the_first(client, solution, partner, acme):
    rows = [
        case(
            "phone-link",
            "C1",
            priority="urgent",
            first_response_at="2026-10-05T09:00:00+00:00",
            escalation_level="7",
            csat="9",
            presale="maybe",
        ),
        case("phone-link", "C2"),
        case("phone-link", "", customer="nobody", registered_at="yesterday"),
    ]

    response = refused_cases(client, solution, rows)

    assert errors(response) == [
        "line 2, column presale: “maybe” is neither true nor false (nor yes/no, 1/0)",
        "line 2, column priority: unknown priority “urgent”: one of critical, high, medium, low",
        "line 2, column first_response_at: response before registration",
        "line 2, column escalation_level: 7 is out of range 0–4",
        "line 2, column csat: 9 is out of range 1–5",
        "line 4, column case_id: a value is required",
        "line 4, column customer: “nobody” is not a customer of this solution: send it in the "
        "list of customers first (a pre-sale question has presale true)",
        "line 4, column registered_at: bad time “yesterday”: expected ISO 8601 with an offset",
    ]
    assert SupportCase.objects.count() == 0


def test_a_package_and_a_region_that_both_contradict_the_contract_are_both_listed(
    client, solution, partner, acme
):
    """R5.4: the contract decides both; each contradiction is an error of its own."""
    rows = [case("phone-link", "C1", support_package="premium", region="apac")]

    response = refused_cases(client, solution, rows)

    assert errors(response) == [
        "line 2, column support_package: “premium” contradicts the contract of customer "
        "“acme”: business (Business)",
        "line 2, column region: “apac” contradicts the contract of customer “acme”: emea "
        "(EMEA (UTC+1))",
    ]


def test_every_error_of_nps_and_customer_rows_is_listed(client, solution, partner):
    nps = [{"solution": "phone-link", "respondent": "", "answered_at": "soon", "score": "11"}]
    customers = [
        {
            "solution": "phone-link",
            "customer_id": "globex",
            "installed_version": "latest",
            "support_package": "gold",
            "region": "russia",
            "active_until": "2027/01/01",
            "contact_email": "nobody",
        }
    ]

    responses = [
        upload(client, solution, "nps", csv_bytes(NPS_COLUMNS, nps)),
        upload(client, solution, "customers", csv_bytes(CUSTOMER_COLUMNS, customers)),
    ]

    assert [errors(response) for response in responses] == [
        [
            "line 2, column respondent: a value is required",
            "line 2, column answered_at: bad time “soon”: expected ISO 8601 with an offset",
            "line 2, column score: 11 is out of range 0–10",
        ],
        [
            "line 2, column installed_version: “latest” is not a version number such as 1.4.0",
            "line 2, column support_package: unknown support package “gold”: one of basic, "
            "business, premium",
            "line 2, column region: “russia” is not a region of this solution's marketplace: "
            "one of americas_east, americas_west, apac, emea",
            "line 2, column active_until: bad date “2027/01/01”: expected YYYY-MM-DD",
            "line 2, column contact_email: “nobody” is not an e-mail address",
        ],
    ]
    assert (NPSAnswer.objects.count(), Customer.objects.count()) == (0, 0)


def test_the_import_reports_every_error_with_the_value_sent(solution, acme):
    with pytest.raises(ImportRejected) as raised:
        import_cases([case(solution.slug, "C1", csat="0", escalation_level="-1")])

    assert [(error.column, error.value) for error in raised.value.errors] == [
        ("escalation_level", "-1"),
        ("csat", "0"),
    ]


def test_the_api_reports_every_error_of_every_row_in_its_format(client, solution, partner, acme):
    rows = [
        case("phone-link", "C1", csat="0", priority="soon"),
        case("phone-link", "C2", escalation_level="x"),
    ]

    response = client.post(reverse("api_cases"), rows, content_type="application/json")

    assert (response.status_code, response.json()) == (
        400,
        {
            "errors": [
                {
                    "line": 1,
                    "column": "priority",
                    "reason": "unknown priority “soon”: one of critical, high, medium, low",
                },
                {"line": 1, "column": "csat", "reason": "0 is out of range 1–5"},
                {
                    "line": 2,
                    "column": "escalation_level",
                    "reason": "“x” is not a whole number 0–4",
                },
            ]
        },
    )
    assert SupportCase.objects.count() == 0


# --- The result first on the page ---------------------------------------------------------------


def test_a_refused_file_puts_its_result_first_in_a_focused_alert(client, solution, partner, acme):
    response = refused_cases(client, solution, [case("phone-link", "C1", csat="0")])

    region = result_region(response)
    assert [attr(region, name) for name in ("role", "aria-live", "tabindex")] == [
        "alert",
        "assertive",
        "-1",
    ]
    assert "autofocus" in [name for name, _value in region.attributes]
    # The region comes right after the page's heading, before any figure.
    (main,) = find_all(response, "main")
    children = [child for child in main.children if isinstance(child, Element)]
    assert [child.name for child in children[:1]] == ["nav"]
    assert children[children.index(find_all(main, "h1")[0]) + 1] == region
    assert heading(region) == "Nothing was imported. Support cases: the file was refused whole."
    assert text(find_all(region, data_testid="upload-error-count")[0]) == (
        "1 error in 1 row. Fix the file and upload it again. "
        "Download the error report (CSV: row, column, value, message)"
    )


def test_each_upload_form_posts_to_the_result_anchor(client, solution, partner):
    response = client.get(reverse("solution_kpis", args=["phone-link"]))

    forms = find_all(response, "form", enctype="multipart/form-data")
    actions = [attr(form, "action") for form in forms]
    assert actions == [
        reverse("kpi_upload", args=["phone-link", kind]) + "#result"
        for kind in ("cases", "nps", "customers")
    ]


def test_a_good_file_puts_its_counts_first_in_the_focused_alert_once(
    client, solution, partner, acme
):
    upload(client, solution, "cases", csv_bytes(CASE_COLUMNS, [case("phone-link", "C1")]))

    first = client.get(reverse("solution_kpis", args=["phone-link"]))
    again = client.get(reverse("solution_kpis", args=["phone-link"]))

    region = result_region(first)
    assert (text(region), has_class(region, "alert-success")) == (
        "Support cases: 1 created, 0 updated.",
        True,
    )
    assert find_all(again, id="result") == []


def test_the_page_lists_the_first_errors_and_says_how_many_more(client, solution, partner, acme):
    rows = [case("phone-link", f"C{n}", csat="0") for n in range(203)]

    response = refused_cases(client, solution, rows)

    region = result_region(response)
    assert [
        text(find_all(region, data_testid="upload-error-count")[0]).split(".")[0],
        len(find_all(region, "li")),
        text(find_all(region, data_testid="more-errors")[0]),
    ] == ["203 errors in 203 rows", 200, "… and 3 more errors, in the report."]
    assert len(report_rows(report(client))) == 1 + 203


# --- The error report ---------------------------------------------------------------------------


def test_the_error_report_has_every_error_without_uploading_again(client, solution, partner, acme):
    rows = [case("phone-link", "C1", csat="0", priority="soon"), case("phone-link", "C2")]
    refused_cases(client, solution, rows)

    response = report(client)

    assert response["Content-Disposition"] == 'attachment; filename="phone-link-cases-errors.csv"'
    assert report_rows(response) == [
        ["Row", "Column", "Value", "Message"],
        ["2", "priority", "soon", "unknown priority “soon”: one of critical, high, medium, low"],
        ["2", "csat", "0", "0 is out of range 1–5"],
    ]


def test_the_error_report_quotes_cells_a_spreadsheet_would_run_as_formulas(
    client, solution, partner, acme
):
    rows = [
        case("phone-link", "C1", csat="=1+2", escalation_level="-1"),
        case("phone-link", "C2", priority="@SUM(A1)", csat="+5x"),
    ]
    refused_cases(client, solution, rows)

    cells = report_rows(report(client))[1:]

    assert [row[2] for row in cells] == ["'-1", "'=1+2", "'@SUM(A1)", "'+5x"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in cells for cell in row)


def test_a_file_level_refusal_has_a_report_without_a_column(client, solution, partner):
    content = b"solution;customer_id\nphone-link;acme\n"
    upload(client, solution, "customers", content)

    assert report_rows(report(client, "customers"))[1][:2] == ["1", ""]


@pytest.mark.parametrize("role", ["other_partner", "analyst"])
def test_nobody_else_reads_the_error_report(client, solution, partner, acme, role):
    refused_cases(client, solution, [case("phone-link", "C1", csat="0")])
    client.force_login(actor(role))

    response = report(client)

    assert response.status_code == 404


def test_another_member_of_the_same_partner_does_not_read_the_report(
    client, solution, partner, acme
):
    refused_cases(client, solution, [case("phone-link", "C1", csat="0")])
    client.force_login(actor("own_partner", solution))

    response = report(client)

    assert response.status_code == 404


def test_the_report_is_gone_once_the_file_is_imported(client, solution, partner, acme):
    refused_cases(client, solution, [case("phone-link", "C1", csat="0")])
    assert report(client).status_code == 200

    refused_cases(client, solution, [case("phone-link", "C1", csat="5")])

    assert (report(client).status_code, SupportCase.objects.count()) == (404, 1)


# --- Templates and allowed values -------------------------------------------------------------


def template(client, kind) -> str:
    response = client.get(reverse("kpi_csv_template", args=["phone-link", kind]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response.content.decode()


@pytest.mark.parametrize("kind", ["customers", "cases", "nps"])
def test_the_template_imports_as_it_is(client, solution, partner, acme, kind):
    content = template(client, kind)

    response = upload(client, solution, kind, content.encode())

    assert alerts(client.get(response["Location"]))[0].endswith(": 1 created, 0 updated.")


def test_a_case_template_without_customers_is_a_presale_question_that_imports(
    client, solution, partner
):
    content = template(client, "cases")

    upload(client, solution, "cases", content.encode())

    assert list(SupportCase.objects.values_list("case_id", "presale", "region")) == [
        ("EXAMPLE-1", True, "americas_east")
    ]


def test_the_template_lists_the_allowed_values_of_the_validators(client, solution, partner):
    lines = allowed_lines(template(client, "cases"))

    assert '"# priority: ' + ", ".join(CasePriority.values) + ' (blank: medium)"' in lines
    assert (
        '"# support_package: '
        + ", ".join(SupportPackage.values)
        + (" (blank: the customer's contract)\"")
        in lines
    )
    assert '"# escalation_level: 0, 1, 2, 3, 4 (blank: 0)"' in lines


def test_the_customer_template_lists_the_regions_of_the_solutions_marketplace(
    client, solution, partner
):
    lines = allowed_lines(template(client, "customers"))

    assert (
        '"# region: americas_east, americas_west, apac, emea (required, a region of the '
        "solution's marketplace)\""
    ) in lines


def test_the_page_lists_the_allowed_values_beside_each_form(client, solution, partner):
    response = client.get(reverse("solution_kpis", args=["phone-link"]))

    (box,) = find_all(response, data_testid="allowed-cases")
    terms = [text(node) for node in find_all(box, "dt")]
    values = dict(zip(terms, [text(node) for node in find_all(box, "dd")], strict=True))
    assert values["priority"] == "critical, high, medium, low (blank: medium)"
    assert values["presale"] == "true, false (also yes/no, 1/0; blank: false)"


# --- Bad files ------------------------------------------------------------------------------------


HEADER = ",".join(CUSTOMER_COLUMNS)
GOOD = "phone-link,globex,2.4.0,premium,apac,2030-01-01,"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n", "line 1, column -: the file is empty"),
        (
            (HEADER + "\n").encode(),
            "line 2, column -: the file has a header line but no rows to import",
        ),
        (
            (HEADER + "\nphone-link,Рога и копыта,2.4.0,basic,emea,,\n").encode("cp1251"),
            "The file is not UTF-8 text (it was saved in a Windows code page, such as "
            "Windows-1251 or Windows-1252): save it as “CSV UTF-8” and send it again.",
        ),
        (
            (HEADER.replace(",", ";") + "\n" + GOOD.replace(",", ";") + "\n").encode(),
            "line 1, column -: the values are separated by semicolons: save the file as “CSV "
            "UTF-8 (comma delimited)”, with commas between the values",
        ),
    ],
    ids=["0-byte", "blank", "header-only", "cp1251", "semicolons"],
)
def test_a_bad_file_gets_one_clear_message(client, solution, partner, content, message):
    response = upload(client, solution, "customers", content)

    assert (heading(result_region(response)), errors(response)) == (
        "Nothing was imported. Customers: the file was refused whole.",
        [message],
    )
    assert Customer.objects.count() == 0


def test_a_file_with_a_byte_order_mark_imports(client, solution, partner):
    content = ("\ufeff" + HEADER + "\n" + GOOD + "\n").encode()

    upload(client, solution, "customers", content)

    assert list(Customer.objects.values_list("customer_id", flat=True)) == ["globex"]


def test_a_header_missing_a_column_is_reported_once_not_on_every_row(client, solution, partner):
    header = HEADER.replace("installed_version,", "")
    rows = "".join(f"phone-link,c{n},premium,apac,2030-01-01,\n" for n in range(3))

    response = upload(client, solution, "customers", (header + "\n" + rows).encode())

    assert errors(response) == [
        f"line 1, column installed_version: missing column: the header line is {HEADER}"
    ]


def test_an_extra_column_is_reported_and_the_rows_are_checked_too(client, solution, partner):
    content = HEADER + ",seats\n" + GOOD + ",40\nphone-link,initech,2.4.0,gold,apac,,,5\n"

    response = upload(client, solution, "customers", content.encode())

    assert errors(response) == [
        f"line 1, column seats: unknown column: the header line is {HEADER}",
        "line 3, column support_package: unknown support package “gold”: one of basic, "
        "business, premium",
    ]


def test_a_file_over_the_row_limit_is_refused_with_the_limit(client, solution, partner, settings):
    settings.KPI_UPLOAD_MAX_ROWS = 3
    content = HEADER + "\n" + "".join(GOOD.replace("globex", f"c{n}") + "\n" for n in range(4))

    response = upload(client, solution, "customers", content.encode())

    assert errors(response) == [
        "The file has 4 rows; files of at most 3 rows are accepted: split it into several "
        "files and upload each."
    ]
    assert Customer.objects.count() == 0


def test_a_file_at_the_row_limit_with_comment_lines_imports(client, solution, partner, settings):
    settings.KPI_UPLOAD_MAX_ROWS = 2
    content = HEADER + "\n" + GOOD + "\n" + GOOD.replace("globex", "initech") + "\n# a note\n"

    upload(client, solution, "customers", content.encode())

    assert Customer.objects.count() == 2


def test_row_errors_keep_their_line_order(solution, acme):
    with pytest.raises(ImportRejected) as raised:
        import_cases([case(solution.slug, "C1", csat="0"), case(solution.slug, "C1")])

    assert raised.value.errors == [
        RowError(1, "csat", "0 is out of range 1–5"),
        RowError(2, "case_id", "case “C1” is already on line 1 of this batch"),
    ]


def test_the_error_report_is_in_the_language_of_the_upload(client, solution, partner, acme):
    client.post(
        reverse("kpi_upload", args=["phone-link", "cases"]),
        {
            "cases-file": SimpleUploadedFile(
                "cases.csv", csv_bytes(CASE_COLUMNS, [case("phone-link", "C1", csat="0")])
            )
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    rows = report_rows(report(client))

    assert rows[1] == ["2", "csat", "0", "0 вне диапазона 1–5"]
