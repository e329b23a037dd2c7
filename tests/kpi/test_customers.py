"""Customers of certified solutions: the CSV import and command, and the figures read from them
(versions in use, share on the current version, NPS participation)."""

from datetime import date, timedelta
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalogue.badge import grant as certification_grant
from kpi.customers import (
    CUSTOMER_COLUMNS,
    customer_overview,
    import_customers,
    import_customers_csv,
    nps_participation,
    version_key,
)
from kpi.importing import ImportRejected, RowError
from kpi.models import Customer
from tests.factories.accounts import UserFactory
from tests.factories.kpi import CustomerFactory, NPSAnswerFactory
from tests.kpi.commands import run
from workflow.enums import ApplicationState

from ..factories.workflow import (
    ApplicationFactory,
    CertificationFactory,
    SolutionFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
# Files may leave the contact e-mail out (see the tests of the contract below for the column).
HEADER = ",".join(column for column in CUSTOMER_COLUMNS if column != "contact_email")


CONTRACT = {"support_package": "business", "region": "emea"}


def write_csv(tmp_path, *lines, name="customers.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def solution():
    return SolutionFactory(slug="telephony")


def certified(version="2.0.0"):
    """A solution certified on `version`."""
    return CertificationFactory(application__version__number=version).solution


# Import ----------------------------------------------------------------------------------


def test_customers_import_from_csv_and_print_the_counts(tmp_path, solution):
    path = write_csv(
        tmp_path,
        "telephony,ACME,1.4.0,business,emea,2027-03-31",
        "telephony,Globex,1.3.2,business,emea,",
    )

    output = run("import_customers", path)

    assert output.strip() == "Customers: 2 created, 0 updated."
    assert list(
        Customer.objects.filter(solution=solution).values_list(
            "customer_id", "installed_version", "active_until"
        )
    ) == [("ACME", "1.4.0", date(2027, 3, 31)), ("Globex", "1.3.2", None)]


def test_importing_a_customer_again_updates_it_instead_of_duplicating_it(tmp_path, solution):
    run("import_customers", write_csv(tmp_path, "telephony,ACME,1.4.0,business,emea,2026-12-31"))

    output = run(
        "import_customers",
        write_csv(
            tmp_path,
            "telephony,ACME,1.5.0,business,emea,2027-12-31",
            "telephony,Initech,1.5.0,business,emea,",
            name="2.csv",
        ),
    )

    assert output.strip() == "Customers: 1 created, 1 updated."
    acme = Customer.objects.get(solution=solution, customer_id="ACME")
    assert (acme.installed_version, acme.active_until) == ("1.5.0", date(2027, 12, 31))
    assert Customer.objects.filter(solution=solution).count() == 2


def test_the_same_customer_id_of_two_solutions_is_two_customers(solution):
    other = SolutionFactory(slug="crm-sync")

    result = import_customers(
        [
            {
                "solution": "telephony",
                "customer_id": "ACME",
                "installed_version": "1.0",
                **CONTRACT,
            },
            {"solution": "crm-sync", "customer_id": "ACME", "installed_version": "3.1", **CONTRACT},
        ]
    )

    assert (result.created, result.updated) == (2, 0)
    assert Customer.objects.get(solution=other).installed_version == "3.1"


def test_the_same_customer_twice_in_a_batch_is_refused_not_merged(solution):
    with pytest.raises(ImportRejected) as raised:
        import_customers_csv(
            f"{HEADER}\ntelephony,ACME,1.0,business,emea,\ntelephony,ACME,1.1,business,emea,\n"
        )

    assert raised.value.errors == [
        RowError(3, "customer_id", "customer “ACME” is already on line 2 of this batch")
    ]
    assert Customer.objects.count() == 0


def test_bad_rows_are_reported_with_line_column_reason_and_nothing_is_stored(tmp_path, solution):
    path = write_csv(
        tmp_path,
        "telephony,ACME,1.4.0,business,emea,2027-03-31",
        "nowhere,Globex,1.4.0,business,emea,2027-03-31",
        "telephony,Initech,1.4.0,business,emea,31.03.2027",
        "telephony,Umbrella,1.4.0,business,emea,2027-02-30",
        f"telephony,Hooli,1.{'0' * 40},business,emea,",
        "telephony,,1.4.0,business,emea,",
        "telephony,Stark,,business,emea,",
        "telephony,Wayne,latest build,business,emea,",
    )

    with pytest.raises(CommandError) as raised:
        run("import_customers", path)

    assert str(raised.value) == "7 bad rows; nothing was imported."
    assert raised.value.printed.splitlines() == [
        "line 3, column solution: unknown solution “nowhere”",
        "line 4, column active_until: bad date “31.03.2027”: expected YYYY-MM-DD",
        "line 5, column active_until: bad date “2027-02-30”: expected YYYY-MM-DD",
        "line 6, column installed_version: longer than 40 characters",
        "line 7, column customer_id: a value is required",
        "line 8, column installed_version: a value is required",
        "line 9, column installed_version: “latest build” is not a version number such as 1.4.0",
    ]
    assert Customer.objects.count() == 0


def test_the_contract_and_the_contact_e_mail_are_stored(tmp_path, solution):
    """R5.4, R5.5: the customer's package and region decide the SLA of its cases."""
    header = ",".join(CUSTOMER_COLUMNS)
    path = tmp_path / "customers.csv"
    path.write_text(
        f"{header}\ntelephony,ACME,1.4.0,Premium,APAC,2027-03-31,it@acme.example\n"
        "telephony,Globex,1.3.2,basic,americas_west,2027-03-31,\n",
        encoding="utf-8",
    )

    run("import_customers", path)

    assert list(
        Customer.objects.values_list("customer_id", "support_package", "region", "contact_email")
    ) == [
        ("ACME", "premium", "apac", "it@acme.example"),
        ("Globex", "basic", "americas_west", ""),
    ]


def test_a_contract_outside_the_packages_and_the_marketplaces_regions_is_refused(solution):
    header = ",".join(CUSTOMER_COLUMNS)

    with pytest.raises(ImportRejected) as raised:
        import_customers_csv(
            f"{header}\ntelephony,ACME,1.4.0,gold,emea,,\n"
            "telephony,Globex,1.4.0,basic,russia,,\n"
            "telephony,Initech,1.4.0,basic,,,\n"
            "telephony,Umbrella,1.4.0,,emea,,\n"
            "telephony,Hooli,1.4.0,basic,emea,,not-an-address\n"
        )

    assert [str(error) for error in raised.value.errors] == [
        "line 2, column support_package: unknown support package “gold”: one of basic, "
        "business, premium",
        "line 3, column region: “russia” is not a region of this solution's marketplace: one of "
        "americas_east, americas_west, apac, emea",
        "line 4, column region: a value is required",
        "line 5, column support_package: a value is required",
        "line 6, column contact_email: “not-an-address” is not an e-mail address",
    ]
    assert Customer.objects.count() == 0


def test_a_failed_command_exits_with_a_non_zero_status(tmp_path, solution):
    path = write_csv(tmp_path, "telephony,ACME,1.4.0,business,emea,someday")

    with pytest.raises(CommandError) as raised:
        call_command("import_customers", str(path), stdout=StringIO(), stderr=StringIO())

    assert raised.value.returncode == 1
    assert Customer.objects.count() == 0


def test_a_missing_file_is_reported(tmp_path):
    with pytest.raises(CommandError) as raised:
        run("import_customers", tmp_path / "absent.csv")

    assert str(raised.value).startswith(f"Cannot read {tmp_path / 'absent.csv'}:")


def test_a_header_without_a_required_column_is_refused(solution):
    with pytest.raises(ImportRejected) as raised:
        import_customers_csv("solution,customer_id,active_until\ntelephony,ACME,2027-01-01\n")

    header = ",".join(CUSTOMER_COLUMNS)
    assert raised.value.errors == [
        RowError(1, "installed_version", f"missing column: the header line is {header}"),
        RowError(1, "support_package", f"missing column: the header line is {header}"),
        RowError(1, "region", f"missing column: the header line is {header}"),
    ]
    assert Customer.objects.count() == 0


def test_an_unknown_field_of_a_dict_row_is_refused(solution):
    row = {"solution": "telephony", "customer_id": "ACME", "installed_version": "1.0", **CONTRACT}

    with pytest.raises(ImportRejected) as raised:
        import_customers([{**row, "seats": "40"}])

    assert raised.value.errors == [RowError(1, "seats", "unknown column")]


def test_dict_rows_may_carry_dates(solution):
    import_customers(
        [
            {
                "solution": "telephony",
                "customer_id": "ACME",
                "installed_version": "2024.3+build.15",
                **CONTRACT,
                "active_until": date(2027, 1, 1),
            }
        ]
    )

    assert Customer.objects.get().active_until == date(2027, 1, 1)


# Figures ---------------------------------------------------------------------------------


def test_versions_sort_by_their_numeric_parts():
    versions = ["1.9.2", "1.10.0", "1.2", "1.10.0-beta", "10.0", "1.10.0.1"]

    assert sorted(versions, key=version_key, reverse=True) == [
        "10.0",
        "1.10.0.1",
        "1.10.0",
        "1.10.0-beta",
        "1.9.2",
        "1.2",
    ]


def test_versions_in_use_count_only_customers_with_an_active_subscription():
    """R6.3 The versions the partner must support are those of customers whose subscription
    or paid support runs today or later; a subscription that ended yesterday, or none, drops
    out."""
    solution = certified("1.10.0")
    CustomerFactory(solution=solution, installed_version="1.10.0", active_until=TODAY)
    CustomerFactory(
        solution=solution, installed_version="1.10.0", active_until=TODAY + timedelta(days=1)
    )
    CustomerFactory(solution=solution, installed_version="1.9.2", active_until=TODAY)
    CustomerFactory(
        solution=solution, installed_version="1.8.0", active_until=TODAY - timedelta(days=1)
    )
    CustomerFactory(solution=solution, installed_version="1.7.0", active_until=None)

    overview = customer_overview(solution, today=TODAY)

    assert overview.versions_in_use == [("1.10.0", 2), ("1.9.2", 1)]
    assert (overview.active, overview.inactive) == (3, 2)
    assert overview.today == TODAY


def test_a_subscription_ending_today_still_counts_and_drops_out_tomorrow():
    """R6.3 A customer whose subscription ends today is still supported today, not tomorrow."""
    solution = certified("2.0.0")
    CustomerFactory(solution=solution, installed_version="1.0.0", active_until=TODAY)

    today = customer_overview(solution, today=TODAY)
    tomorrow = customer_overview(solution, today=TODAY + timedelta(days=1))

    assert today.versions_in_use == [("1.0.0", 1)]
    assert tomorrow.versions_in_use == []
    assert (tomorrow.active, tomorrow.inactive) == (0, 1)


def test_the_share_on_the_current_version_is_exact_and_lists_those_behind():
    """R6.4 The share of active customers on the certified version is exact (2 of 3, not
    0.67), and those behind are listed by customer id; lapsed customers are in neither."""
    solution = certified("2.0.0")
    for customer_id, version in [("D", "2.0.0"), ("B", "1.0.0"), ("A", "2.0.0")]:
        CustomerFactory(
            solution=solution,
            customer_id=customer_id,
            installed_version=version,
            active_until=TODAY,
        )
    CustomerFactory(
        solution=solution,
        customer_id="C",
        installed_version="1.0.0",
        active_until=TODAY - timedelta(days=1),
    )

    overview = customer_overview(solution, today=TODAY)

    assert overview.current_version == "2.0.0"
    assert overview.on_current == 2
    assert overview.share_on_current == Fraction(2, 3)
    assert [c.customer_id for c in overview.behind] == ["B"]


def test_a_new_certified_version_puts_its_customers_behind():
    """R6.4 When the certified version moves on, customers on the previous one are behind."""
    certification = CertificationFactory(application__version__number="2.0.0")
    solution = certification.solution
    CustomerFactory(solution=solution, customer_id="A", installed_version="2.0.0")
    CustomerFactory(solution=solution, customer_id="B", installed_version="2.1.0")
    update = ApplicationFactory(
        solution=solution,
        version=VersionFactory(solution=solution, number="2.1.0"),
        state=ApplicationState.CERTIFIED,
    )
    before = customer_overview(solution)

    certification_grant(application=update, by=UserFactory(analyst=True))
    after = customer_overview(solution)

    assert [c.customer_id for c in before.behind] == ["B"]
    assert after.current_version == "2.1.0"
    assert [c.customer_id for c in after.behind] == ["A"]
    assert after.share_on_current == Fraction(1, 2)


def test_without_a_certification_the_newest_released_version_is_current():
    solution = SolutionFactory()
    VersionFactory(solution=solution, number="1.9.2", released_on=date(2026, 5, 1))
    VersionFactory(solution=solution, number="1.10.0", released_on=date(2026, 9, 1))
    VersionFactory(solution=solution, number="1.11.0", released_on=None)
    CustomerFactory(solution=solution, installed_version="1.9.2", active_until=TODAY)

    overview = customer_overview(solution, today=TODAY)

    assert overview.current_version == "1.10.0"
    assert overview.share_on_current == Fraction(0, 1)


def test_no_active_customer_gives_no_share_and_no_version_nothing_behind():
    solution = SolutionFactory()
    CustomerFactory(solution=solution, installed_version="1.0.0", active_until=None)

    overview = customer_overview(solution, today=TODAY)

    assert overview.current_version is None
    assert overview.share_on_current is None
    assert (overview.active, overview.on_current, list(overview.behind)) == (0, 0, [])


@pytest.mark.parametrize("customers", [1, 5])
def test_the_overview_takes_the_same_queries_for_any_number_of_customers(
    customers, django_assert_num_queries
):
    solution = certified("2.0.0")
    for number in range(customers):
        CustomerFactory(solution=solution, installed_version=f"1.{number}.0", active_until=TODAY)

    with django_assert_num_queries(3):
        overview = customer_overview(solution, today=TODAY)
        behind = list(overview.behind)

    assert len(behind) == customers
    assert len(overview.versions_in_use) == customers


def test_nps_participation_counts_answers_of_active_customers_to_that_survey():
    """R5.1 The survey goes to the active customers: of them, those who answered this
    half-year's survey are counted; answers to an earlier survey, from lapsed customers, from
    respondents who are not customers or to another solution do not count."""
    solution = certified()
    other = certified()
    for customer_id in ("A", "B", "C", "D"):
        CustomerFactory(solution=solution, customer_id=customer_id, active_until=TODAY)
    CustomerFactory(solution=solution, customer_id="L", active_until=TODAY - timedelta(days=1))
    NPSAnswerFactory(solution=solution, respondent="A", half_year="2026-H2")
    NPSAnswerFactory(solution=solution, respondent="B", half_year="2026-H2", score=2)
    NPSAnswerFactory(solution=solution, respondent="C", half_year="2026-H1")
    NPSAnswerFactory(solution=solution, respondent="L", half_year="2026-H2")
    NPSAnswerFactory(solution=solution, respondent="stranger", half_year="2026-H2")
    NPSAnswerFactory(solution=other, respondent="D", half_year="2026-H2")

    assert nps_participation(solution, "2026-H2", today=TODAY) == (2, 4)
    assert nps_participation(solution, "2026-H1", today=TODAY) == (1, 4)


def test_nps_participation_without_customers_is_zero_of_zero():
    assert nps_participation(SolutionFactory(), "2026-H2", today=TODAY) == (0, 0)


def test_nps_participation_wants_a_half_year():
    with pytest.raises(ValueError):
        nps_participation(SolutionFactory(), "2026-10", today=TODAY)
