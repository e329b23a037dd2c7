"""Imports of support cases and NPS answers: CSV commands and lists of dicts, all or nothing."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError

from catalogue.enums import Marketplace
from kpi import bulk
from kpi.evaluation import evaluate_period
from kpi.importing import (
    CASE_COLUMNS,
    CASE_FIELDS,
    CASE_UPDATE_FIELDS,
    NPS_COLUMNS,
    ImportRejected,
    RowError,
    import_cases,
    import_nps,
)
from kpi.models import NPSAnswer, SLAPolicy, SupportCase
from support_audit.business_hours import Region
from tests.factories.accounts import UserFactory
from tests.factories.certification import escalation_people
from tests.factories.kpi import CustomerFactory
from tests.factories.support_audit import RegionSupportFactory, SupportDeclarationFactory
from tests.kpi.commands import run

from ..factories.workflow import CertificationFactory, SolutionFactory

MOSCOW = ZoneInfo("Europe/Moscow")

pytestmark = pytest.mark.django_db


def case_row(of, case_id="C-1", /, **values):
    row = dict.fromkeys(CASE_COLUMNS, "")
    row.update(
        solution=of.slug,
        case_id=case_id,
        customer="ACME",
        priority="high",
        registered_at="2026-11-13T16:00:00+03:00",
        first_response_at="2026-11-13T17:00:00+03:00",
        presale="false",
    )
    row.update(values)
    return row


def write_csv(tmp_path, columns, rows, name="batch.csv"):
    path = tmp_path / name
    lines = [",".join(columns)] + [",".join(str(row[c]) for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def contract(solution, customer_id="ACME", package="basic", region=Region.RUSSIA, **values):
    """A customer of `solution` with its support contract."""
    return CustomerFactory(
        solution=solution,
        customer_id=customer_id,
        support_package=package,
        region=region,
        **values,
    )


@pytest.fixture
def solution():
    """A solution of terrasoft.ru whose customer ACME has a Basic contract in Russia, and whose
    customers r1 and r2 answer the NPS survey."""
    solution = SolutionFactory(slug="telephony", marketplace=Marketplace.TERRASOFT)
    contract(solution)
    for respondent in ("r1", "r2"):
        contract(solution, respondent, active_until=datetime(2027, 12, 31).date())
    return solution


# Support cases --------------------------------------------------------------------------


def test_cases_import_from_csv_and_print_the_counts(tmp_path, solution):
    path = write_csv(
        tmp_path, CASE_COLUMNS, [case_row(solution, "C-1"), case_row(solution, "C-2", csat="5")]
    )

    output = run("import_cases", path)

    assert "2 created, 0 updated" in output
    case = SupportCase.objects.get(solution=solution, case_id="C-2")
    assert case.csat == 5 and case.priority == "high" and case.presale is False
    assert case.first_response_at == datetime(2026, 11, 13, 14, 0, tzinfo=UTC)


def test_importing_a_case_again_updates_it_instead_of_duplicating_it(tmp_path, solution):
    run("import_cases", write_csv(tmp_path, CASE_COLUMNS, [case_row(solution, "C-1")]))
    again = [case_row(solution, "C-1", resolved_at="2026-11-16T10:00:00+03:00", csat="4")]
    again.append(case_row(solution, "C-2"))

    output = run("import_cases", write_csv(tmp_path, CASE_COLUMNS, again, "again.csv"))

    assert "1 created, 1 updated" in output
    assert SupportCase.objects.filter(solution=solution, case_id="C-1").count() == 1
    case = SupportCase.objects.get(solution=solution, case_id="C-1")
    assert case.csat == 4 and case.resolved_at == datetime(2026, 11, 16, 7, 0, tzinfo=UTC)


def test_the_same_case_twice_in_a_batch_is_refused_not_merged(solution):
    rows = [case_row(solution, "C-1", csat="2"), case_row(solution, "C-2")]
    rows.append(case_row(solution, "C-1", csat="5"))

    with pytest.raises(ImportRejected) as raised:
        import_cases(rows)

    assert raised.value.errors == [
        RowError(3, "case_id", "case “C-1” is already on line 1 of this batch")
    ]
    assert SupportCase.objects.count() == 0


def test_api_rows_may_carry_datetimes_and_booleans(solution):
    registered = datetime(2026, 11, 13, 13, 0, tzinfo=UTC)
    row = case_row(solution, registered_at=registered, first_response_at=None, presale=True)
    row["region"] = "russia"

    import_cases([row])

    case = SupportCase.objects.get()
    assert case.registered_at == registered and case.presale is True
    assert case.first_response_at is None and case.resolved_at is None and case.csat is None


def test_case_deadlines_are_computed_when_written():
    """R5.4, R5.5: a Basic case asked Friday 16:00 MSK is due Monday 15:00 and the next Friday
    11:00; the deadlines are stored with the case."""
    solution = SolutionFactory(marketplace=Marketplace.TERRASOFT)
    contract(solution)

    import_cases([case_row(solution, "C-1")])

    case = SupportCase.objects.get()
    assert case.response_due_at == datetime(2026, 11, 16, 15, 0, tzinfo=MOSCOW)
    assert case.resolution_due_at == datetime(2026, 11, 20, 11, 0, tzinfo=MOSCOW)


def test_premium_deadlines_count_around_the_clock(solution):
    """R5.4, R5.5: Premium on a Saturday night: due 1 h and 8 h later."""
    contract(solution, "Night Bank", package="premium")

    import_cases(
        [
            case_row(
                solution,
                customer="Night Bank",
                registered_at="2026-11-14T23:30:00Z",
                first_response_at="",
            )
        ]
    )

    case = SupportCase.objects.get()
    assert case.response_due_at == datetime(2026, 11, 15, 0, 30, tzinfo=UTC)
    assert case.resolution_due_at == datetime(2026, 11, 15, 7, 30, tzinfo=UTC)


def test_business_deadlines_skip_a_public_holiday(solution):
    """R5.4: Business from Tuesday 16:00 MSK across Unity Day is due Thursday 11:00."""
    contract(solution, "Unity Foods", package="business")

    import_cases(
        [
            case_row(
                solution,
                customer="Unity Foods",
                registered_at="2026-11-03T16:00:00+03:00",
                first_response_at="",
            )
        ]
    )

    case = SupportCase.objects.get()
    assert case.response_due_at == datetime(2026, 11, 5, 11, 0, tzinfo=MOSCOW)
    assert case.resolution_due_at == datetime(2026, 11, 6, 14, 0, tzinfo=MOSCOW)


def test_deadlines_use_the_hours_declared_for_the_region():
    """R5.4: the declared hours of the region (10–19 weekdays) make the business hours."""
    certification = CertificationFactory(solution__marketplace=Marketplace.TERRASOFT)
    declaration = SupportDeclarationFactory(application=certification.application, regions=False)
    RegionSupportFactory(
        declaration=declaration,
        region=Region.RUSSIA,
        hours={str(day): ["10:00", "19:00"] for day in range(5)},
    )
    contract(certification.solution)

    import_cases([case_row(certification.solution)])

    # 3 h on Friday (16–19), 5 h on Monday (10–15).
    assert SupportCase.objects.get().response_due_at == datetime(2026, 11, 16, 15, 0, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        ({"solution": "nope"}, "solution", "unknown solution"),
        ({"support_package": "gold"}, "support_package", "unknown support package"),
        ({"csat": "0"}, "csat", "out of range 1–5"),
        (
            {"first_response_at": "2026-11-13T15:00:00+03:00"},
            "first_response_at",
            "response before registration",
        ),
        ({"registered_at": "13.11.2026 16:00"}, "registered_at", "bad time"),
        ({"registered_at": "2026-11-13T16:00:00"}, "registered_at", "offset is missing"),
        ({"case_id": ""}, "case_id", "a value is required"),
        ({"customer": ""}, "customer", "a value is required"),
        ({"customer": "Nobody Ltd"}, "customer", "“Nobody Ltd” is not a customer of this solution"),
        ({"support_package": "premium"}, "support_package", "contradicts the contract"),
        ({"region": "emea"}, "region", "contradicts the contract"),
        ({"escalation_level": "5"}, "escalation_level", "out of range 0–4"),
        ({"presale": "maybe"}, "presale", "neither true nor false"),
        ({"region": "mars"}, "region", "unknown region"),
    ],
)
def test_a_bad_case_row_is_reported_and_nothing_is_stored(
    tmp_path, solution, values, column, reason
):
    rows = [case_row(solution, "C-1"), case_row(solution, "C-2", **values), case_row(solution)]
    path = write_csv(tmp_path, CASE_COLUMNS, rows)

    with pytest.raises(CommandError) as raised:
        run("import_cases", path)

    assert f"line 3, column {column}: " in raised.value.printed
    assert reason in raised.value.printed
    assert SupportCase.objects.count() == 0


def test_every_bad_row_is_reported(tmp_path, solution):
    rows = [
        case_row(solution, "C-1", csat="0"),
        case_row(solution, "C-2"),
        case_row(solution, "C-3", solution="nope"),
    ]

    with pytest.raises(ImportRejected) as raised:
        import_cases(rows)

    assert [(e.line, e.column) for e in raised.value.errors] == [(1, "csat"), (3, "solution")]
    assert SupportCase.objects.count() == 0


def test_a_missing_column_is_reported_on_the_header_line(tmp_path, solution):
    columns = [c for c in CASE_COLUMNS if c != "presale"]
    path = write_csv(tmp_path, columns, [case_row(solution)])

    with pytest.raises(CommandError) as raised:
        run("import_cases", path)

    assert "line 1, column presale: missing column" in raised.value.printed
    assert SupportCase.objects.count() == 0


def test_a_case_for_a_package_without_policy_is_rejected(solution):
    SLAPolicy.objects.filter(package="basic").delete()

    with pytest.raises(ImportRejected) as raised:
        import_cases([case_row(solution)])

    assert raised.value.errors == [
        RowError(
            1,
            "support_package",
            "no SLA policy of the package “basic” in force at the registration",
        )
    ]


# NPS ------------------------------------------------------------------------------------


def nps_row(solution, respondent="r1", answered_at="2026-10-01T10:00:00+03:00", score=9):
    return {
        "solution": solution.slug,
        "respondent": respondent,
        "answered_at": answered_at,
        "score": score,
    }


def test_nps_answers_import_from_csv(tmp_path, solution):
    rows = [nps_row(solution, "r1"), nps_row(solution, "r2", score=6)]

    output = run("import_nps", write_csv(tmp_path, NPS_COLUMNS, rows))

    assert "2 created, 0 updated" in output
    assert sorted(NPSAnswer.objects.values_list("respondent", "half_year", "score")) == [
        ("r1", "2026-H2", 9),
        ("r2", "2026-H2", 6),
    ]


def test_a_later_answer_in_the_same_half_year_replaces_the_earlier(tmp_path, solution):
    run("import_nps", write_csv(tmp_path, NPS_COLUMNS, [nps_row(solution, score=9)]))
    later = nps_row(solution, answered_at="2026-12-01T10:00:00+03:00", score=3)

    output = run("import_nps", write_csv(tmp_path, NPS_COLUMNS, [later], "later.csv"))

    assert "0 created, 1 updated" in output
    answer = NPSAnswer.objects.get()
    assert (answer.score, answer.half_year) == (3, "2026-H2")


def test_an_earlier_answer_does_not_replace_a_later_one(solution):
    import_nps([nps_row(solution, answered_at="2026-12-01T10:00:00+03:00", score=3)])

    import_nps([nps_row(solution, answered_at="2026-08-01T10:00:00+03:00", score=10)])

    assert NPSAnswer.objects.get().score == 3


def test_the_later_of_two_answers_in_one_batch_is_kept(solution):
    import_nps(
        [
            nps_row(solution, answered_at="2026-11-01T10:00:00+03:00", score=2),
            nps_row(solution, answered_at="2026-09-01T10:00:00+03:00", score=8),
        ]
    )

    assert NPSAnswer.objects.get().score == 2


def test_answers_in_different_half_years_are_both_kept(solution):
    import_nps(
        [
            nps_row(solution, answered_at="2026-03-01T10:00:00+03:00", score=7),
            nps_row(solution, answered_at="2026-10-01T10:00:00+03:00", score=9),
        ]
    )

    assert sorted(NPSAnswer.objects.values_list("half_year", "score")) == [
        ("2026-H1", 7),
        ("2026-H2", 9),
    ]


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        ({"score": "11"}, "score", "out of range 0–10"),
        ({"score": ""}, "score", "a value is required"),
        ({"solution": "nope"}, "solution", "unknown solution"),
        ({"answered_at": "yesterday"}, "answered_at", "bad time"),
        ({"respondent": ""}, "respondent", "a value is required"),
    ],
)
def test_a_bad_nps_row_is_reported_and_nothing_is_stored(
    tmp_path, solution, values, column, reason
):
    rows = [nps_row(solution, "r1"), {**nps_row(solution, "r2"), **values}]

    with pytest.raises(CommandError) as raised:
        run("import_nps", write_csv(tmp_path, NPS_COLUMNS, rows))

    assert f"line 3, column {column}: " in raised.value.printed
    assert reason in raised.value.printed
    assert NPSAnswer.objects.count() == 0


def test_unknown_fields_of_api_rows_are_reported(solution):
    with pytest.raises(ImportRejected) as raised:
        import_nps([{**nps_row(solution), "mood": "good"}])

    assert raised.value.errors == [RowError(1, "mood", "unknown column")]


# Escalations -----------------------------------------------------------------------------


@pytest.fixture
def escalation_matrix():
    """One person of the vendor on each of the four escalation levels."""
    people = {level: UserFactory(email=f"level{level}@vendor.example") for level in range(1, 5)}
    for level, person in people.items():
        escalation_people(level, person)
    return people


def told(mailbox) -> set[str]:
    return {address for message in mailbox for address in message.to}


def test_an_imported_open_escalated_case_reaches_levels_one_to_n(
    solution, escalation_matrix, on_commit, mailoutbox
):
    """R7.4: a case sent with escalation level 2 reaches the vendor's levels 1 and 2."""
    on_commit(import_cases, [case_row(solution, "C-9", escalation_level="2")])

    assert told(mailoutbox) == {"level1@vendor.example", "level2@vendor.example"}
    assert "C-9" in mailoutbox[0].body


def test_an_escalation_is_told_again_only_when_its_level_rises(
    solution, escalation_matrix, on_commit, mailoutbox
):
    on_commit(import_cases, [case_row(solution, "C-9", escalation_level="1")])
    on_commit(import_cases, [case_row(solution, "C-9", escalation_level="1", csat="4")])
    assert len(mailoutbox) == 1

    on_commit(import_cases, [case_row(solution, "C-9", escalation_level="3")])

    assert len(mailoutbox) == 4  # levels 1, 2 and 3
    assert told(mailoutbox[1:]) == {f"level{n}@vendor.example" for n in (1, 2, 3)}


def test_resolved_or_unescalated_cases_reach_nobody(
    solution, escalation_matrix, on_commit, mailoutbox
):
    on_commit(
        import_cases,
        [
            case_row(solution, "C-1"),
            case_row(solution, "C-2", escalation_level="2", resolved_at="2026-11-14T10:00:00Z"),
        ],
    )

    assert mailoutbox == []


def test_an_imported_presale_question_is_due_in_two_business_days(solution):
    """R4.4: a pre-sale question asked Friday 16:00 MSK is due Tuesday 16:00, not by the
    package's SLA."""
    import_cases([case_row(solution, "Q-1", presale="true", first_response_at="")])

    case = SupportCase.objects.get()
    assert case.response_due_at == datetime(2026, 11, 17, 16, 0, tzinfo=MOSCOW)


def test_times_keep_their_microseconds_and_instant_whatever_the_offset(solution):
    import_cases(
        [
            case_row(
                solution,
                registered_at="2026-11-13T16:00:00.123456+03:00",
                first_response_at="2026-11-13T05:30:00.000001-08:00",
            )
        ]
    )

    case = SupportCase.objects.get()
    assert case.registered_at == datetime(2026, 11, 13, 13, 0, 0, 123456, tzinfo=UTC)
    assert case.first_response_at == datetime(2026, 11, 13, 13, 30, 0, 1, tzinfo=UTC)


def test_an_answer_belongs_to_the_half_year_of_the_reporting_time_zone(settings, solution):
    """An answer given at 01:00 on 1 July in Moscow is in the second half-year there, as a case
    is in the month of the reporting time zone."""
    settings.KPI_REPORTING_TIME_ZONE = "Europe/Moscow"

    import_nps([nps_row(solution, answered_at="2026-07-01T01:00:00+03:00")])

    assert NPSAnswer.objects.get().half_year == "2026-H2"


# The customer's contract decides the SLA -------------------------------------------------


def test_a_case_takes_its_package_and_region_from_the_customers_contract(solution):
    """R5.4, R5.5: a row that names neither gets the contract's Basic package in Russia."""
    import_cases([case_row(solution, support_package="", region="")])

    case = SupportCase.objects.get()
    assert (case.customer, case.support_package, case.region) == ("ACME", "basic", "russia")
    assert case.response_due_at == datetime(2026, 11, 16, 15, 0, tzinfo=MOSCOW)


def test_a_package_and_region_that_match_the_contract_are_accepted(solution):
    import_cases([case_row(solution, support_package="Basic", region="russia")])

    assert SupportCase.objects.get().support_package == "basic"


def test_a_package_that_contradicts_the_contract_is_refused_with_its_reason(solution):
    """R5.4: a partner cannot give its customer a looser package than the contract's."""
    with pytest.raises(ImportRejected) as raised:
        import_cases([case_row(solution, support_package="business")])

    assert raised.value.errors == [
        RowError(
            1,
            "support_package",
            "“business” contradicts the contract of customer “ACME”: basic (Basic)",
        )
    ]


def test_a_case_of_another_solutions_customer_is_refused(solution):
    other = SolutionFactory(marketplace=Marketplace.TERRASOFT)
    contract(other, "Stranger")

    with pytest.raises(ImportRejected) as raised:
        import_cases([case_row(solution, customer="Stranger")])

    assert [(e.line, e.column) for e in raised.value.errors] == [(1, "customer")]
    assert "is not a customer of this solution" in raised.value.errors[0].reason


def test_a_customer_record_without_a_contract_refuses_its_cases(solution):
    contract(solution, "Old Record", package="", region="")

    with pytest.raises(ImportRejected) as raised:
        import_cases([case_row(solution, customer="Old Record")])

    assert raised.value.errors[0].column == "customer"
    assert "has no support package or region yet" in raised.value.errors[0].reason


def test_a_presale_question_needs_no_customer_but_names_its_region(solution):
    """R4.4: a prospect's question is due within two business days of its region."""
    question = case_row(solution, "Q-1", customer="", presale="true", region="russia")
    unplaced = case_row(solution, "Q-2", customer="Prospect", presale="true", region="")

    with pytest.raises(ImportRejected) as raised:
        import_cases([question, unplaced])
    import_cases([question])

    assert [(e.line, e.column) for e in raised.value.errors] == [(2, "region")]
    case = SupportCase.objects.get()
    assert (case.customer, case.support_package, case.region) == ("", "", "russia")
    assert case.response_due_at == datetime(2026, 11, 17, 16, 0, tzinfo=MOSCOW)


def test_deadline_columns_refuse_the_whole_file_with_the_reason(tmp_path, solution):
    """R5.4, R5.5: the portal computes every deadline; a file that sends them stores nothing."""
    columns = [*CASE_COLUMNS, "response_due_at", "resolution_due_at"]
    row = case_row(
        solution,
        response_due_at="2026-11-20T18:00:00+03:00",
        resolution_due_at="2026-11-30T18:00:00+03:00",
    )

    with pytest.raises(CommandError) as raised:
        run("import_cases", write_csv(tmp_path, columns, [row]))

    printed = raised.value.printed
    for column in ("response_due_at", "resolution_due_at"):
        assert (
            f"line 1, column {column}: deadlines are not accepted: the portal computes them "
            "from the customer's SLA" in printed
        )
    assert SupportCase.objects.count() == 0


def test_deadline_fields_of_api_rows_refuse_the_batch(solution):
    """R5.4: a batch with a deadline in any row stores nothing."""
    rows = [case_row(solution, "C-1"), case_row(solution, "C-2")]
    rows[1]["resolution_due_at"] = "2026-11-30T18:00:00+03:00"

    with pytest.raises(ImportRejected) as raised:
        import_cases(rows)

    assert [(e.line, e.column) for e in raised.value.errors] == [(2, "resolution_due_at")]
    assert "computes them from the customer's SLA" in raised.value.errors[0].reason
    assert SupportCase.objects.count() == 0


def test_a_case_is_judged_by_the_policy_in_force_when_it_was_registered(solution):
    """R5.4: Basic became 2 h from 14 November; a case of the 13th keeps the 8 h of before."""
    SLAPolicy.objects.create(
        package="basic",
        response_hours=2,
        resolution_hours=40,
        valid_from=datetime(2026, 11, 14, tzinfo=UTC),
    )

    import_cases(
        [
            case_row(solution, "C-13"),
            case_row(
                solution,
                "C-16",
                registered_at="2026-11-16T10:00:00+03:00",
                first_response_at="",
            ),
        ]
    )

    due = dict(SupportCase.objects.values_list("case_id", "response_due_at"))
    assert due["C-13"] == datetime(2026, 11, 16, 15, 0, tzinfo=MOSCOW)
    assert due["C-16"] == datetime(2026, 11, 16, 12, 0, tzinfo=MOSCOW)


# Files that are not comma-separated UTF-8 ------------------------------------------------


def _file(tmp_path, columns, rows, encoding, delimiter=","):
    lines = [delimiter.join(columns)] + [delimiter.join(str(r[c]) for c in columns) for r in rows]
    path = tmp_path / "export.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("cp1251", "it was saved in a Windows code page, such as Windows-1251"),
        ("utf-16", "The file is UTF-16 text, not UTF-8"),
    ],
)
def test_a_file_not_in_utf8_gets_a_clear_message_from_the_command(
    tmp_path, solution, encoding, reason
):
    path = _file(tmp_path, CASE_COLUMNS, [case_row(solution, customer="ООО Ромашка")], encoding)

    with pytest.raises(CommandError) as raised:
        run("import_cases", path)

    assert raised.value.printed.startswith("line 1, column -: ")
    assert reason in raised.value.printed
    assert "save it as “CSV UTF-8" in raised.value.printed
    assert SupportCase.objects.count() == 0


def test_a_semicolon_separated_file_gets_a_clear_message_from_the_command(tmp_path, solution):
    path = _file(tmp_path, CASE_COLUMNS, [case_row(solution)], "utf-8", delimiter=";")

    with pytest.raises(CommandError) as raised:
        run("import_cases", path)

    assert raised.value.printed == (
        "line 1, column -: the values are separated by semicolons: save the file as "
        "“CSV UTF-8 (comma delimited)”, with commas between the values\n"
    )


# NPS from active customers ---------------------------------------------------------------


def test_an_answer_of_a_non_customer_is_refused_with_its_reason(tmp_path, solution):
    """R5.1: the survey is of the solution's active customers; a stranger's answer counts
    nothing and the file stores nothing."""
    rows = [nps_row(solution, "r1"), nps_row(solution, "Passer-by")]

    with pytest.raises(CommandError) as raised:
        run("import_nps", write_csv(tmp_path, NPS_COLUMNS, rows))

    assert raised.value.printed == (
        "line 3, column respondent: “Passer-by” is not a customer of this solution: the survey "
        "is of its active customers (send the list of customers first)\n"
    )
    assert NPSAnswer.objects.count() == 0


def test_an_answer_is_accepted_up_to_the_last_day_of_the_subscription(solution):
    """R5.1: a customer active until 30 September answers on that day, not on 1 October."""
    contract(solution, "Lapsing", active_until=datetime(2026, 9, 30).date())

    import_nps([nps_row(solution, "Lapsing", answered_at="2026-09-30T23:59:59+00:00")])
    with pytest.raises(ImportRejected) as raised:
        import_nps([nps_row(solution, "Lapsing", answered_at="2026-10-01T00:00:00+00:00")])

    assert NPSAnswer.objects.get().respondent == "Lapsing"
    assert raised.value.errors == [
        RowError(
            1,
            "respondent",
            "customer “Lapsing” had no active subscription or paid support on 2026-10-01, "
            "the day of the answer",
        )
    ]


def test_an_answer_of_a_customer_without_a_subscription_is_refused(solution):
    """R5.1: a customer without an active subscription or paid support is not surveyed."""
    contract(solution, "Never", active_until=None)

    with pytest.raises(ImportRejected) as raised:
        import_nps([nps_row(solution, "Never")])

    assert [(e.line, e.column) for e in raised.value.errors] == [(1, "respondent")]


def test_cases_answered_a_week_late_are_judged_by_the_customers_sla(solution):
    """R5.4: 30 cases of November answered 7 days after registration are all overdue on
    response by the contract's Basic SLA, whatever the partner would have called their due
    times."""
    CertificationFactory(solution=solution)
    rows = [
        case_row(
            solution,
            f"C-{n}",
            registered_at=f"2026-11-{2 + n % 20:02d}T10:00:00+03:00",
            first_response_at=f"2026-11-{9 + n % 20:02d}T10:00:00+03:00",
        )
        for n in range(30)
    ]
    import_cases(rows)

    [result] = evaluate_period(
        "2026-11", solutions=[solution], as_of=datetime(2026, 12, 20, tzinfo=UTC)
    )

    assert result["kpis"]["response_overdue_rate"]["numerator"] == 30
    assert result["kpis"]["response_overdue_rate"]["status"] == "fail"


def test_a_new_batch_copied_into_the_table_is_stored_as_the_upsert_stores_it(solution):
    """New cases go straight into the table by one binary COPY; the same rows written through
    the temporary table and `INSERT … SELECT` are stored with the very same values: text in
    any script, times with their microseconds and instant whatever their offset, empty times
    and ratings, booleans, levels."""
    if bulk.connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    at = datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC)
    old = datetime(1999, 12, 31, 23, 59, tzinfo=UTC)
    first = (solution.pk, 'К-1 "ё", \\', "ООО «Ромашка»", "basic", "high", "russia", at, None)
    rows = [
        (*first, None, at, at, 0, None, False, at),
        (
            solution.pk,
            "C-2",
            "",
            "",
            "low",
            "emea",
            at.astimezone(MOSCOW),
            at,
            at,
            old,
            at,
            4,
            5,
            True,
            at,
        ),
    ]
    fields, key = list(CASE_FIELDS), ("solution_id", "case_id")

    def stored():
        return sorted(SupportCase.objects.values_list(*fields, "arrived_late_at"))

    assert bulk.insert_or_upsert(SupportCase, fields, key, CASE_UPDATE_FIELDS, rows) == 0
    copied = stored()
    SupportCase.objects.all().delete()
    assert bulk.upsert(SupportCase, fields, key, CASE_UPDATE_FIELDS, rows) == 0

    assert stored() == copied == sorted((*row, None) for row in rows)
    # A batch with a stored case goes through the upsert: the stored one is updated.
    changed = [(*rows[0][:2], "Other", *rows[0][3:])]
    assert bulk.insert_or_upsert(SupportCase, fields, key, CASE_UPDATE_FIELDS, changed) == 1
    assert SupportCase.objects.get(case_id=rows[0][1]).customer == "Other"


def test_values_written_loosely_are_read_as_written_plainly(solution):
    """Spaces around values, upper case, leading zeros, numbers and booleans of API rows are
    read as the plain values are (the plain ones take a shorter way)."""
    plain = case_row(solution, "C-1", escalation_level="2", csat="4", presale="false")
    loose = case_row(
        solution,
        " C-2 ",
        solution=f" {solution.slug} ",
        customer=" ACME ",
        priority=" HIGH ",
        support_package=" Basic ",
        region="RUSSIA ",
        registered_at=" 2026-11-13T16:00:00+03:00 ",
        first_response_at=" 2026-11-13T17:00:00+03:00",
        escalation_level=" 02 ",
        csat=4,
        presale=" No ",
    )

    import_cases([plain, loose])

    first, second = (
        SupportCase.objects.filter(case_id=case_id).values().get() for case_id in ("C-1", "C-2")
    )
    for values in (first, second):
        del values["id"], values["case_id"]
    assert first == second
