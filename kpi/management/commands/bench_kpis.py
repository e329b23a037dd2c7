"""Benchmark of the KPI import and evaluation on synthetic data (see docs/performance.md).

Builds bench solutions (slug "bench-…") with certifications, twelve months of support cases
and NPS answers, then measures the CSV import, a raw COPY of the same rows, the evaluation of
one month and a hand-written SQL floor for it. Everything it created is deleted at the end.
"""

import csv
import io
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.enums import ApplicationState, CertificationStatus, Marketplace
from applications.models import Application, Certification, Partner, Solution, SolutionVersion
from kpi.evaluation import evaluate_period
from kpi.importing import CASE_COLUMNS, CASE_FIELDS, import_cases_csv
from kpi.models import (
    Breach,
    Customer,
    KPISnapshot,
    KPIWarning,
    MonthReopening,
    NPSAnswer,
    SupportCase,
)
from kpi.periods import half_year_of, parse_period

PREFIX = "bench-"
USERNAME = "bench-runner"
YEAR = 2025
MONTH = f"{YEAR}-06"  # the month evaluated
BATCH = 50_000
PACKAGES = ("basic", "business", "premium")
REGIONS = ("emea", "americas_west", "americas_east", "apac")
CUSTOMERS = 50  # customers of each bench solution, whose contracts the cases name
# Simple deadlines for the bulk rows: response and resolution hours per package.
SIMPLE_HOURS = {"basic": (8, 40), "business": (4, 16), "premium": (1, 8)}
FLOOR_TABLE = "bench_kpi_floor"
COPY_TABLE = "bench_case_copy"
COUNTS = (
    ("response_overdue_rate", "response_overdue", "cases"),
    ("resolution_overdue_rate", "resolution_overdue", "cases"),
    ("csat_response_rate", "rated", "cases"),
    ("csat_positive_share", "positive", "rated"),
    ("escalations", "escalated", "cases"),
)


def _contract(customer: int) -> tuple[str, str]:
    """The support package and region of bench customer number `customer`."""
    return PACKAGES[customer % len(PACKAGES)], REGIONS[customer % len(REGIONS)]


def _bench_solutions():
    return Solution.objects.filter(slug__startswith=PREFIX)


def cleanup() -> None:
    """Delete every bench row (bench solutions, their rows, bench partners and user)."""
    solutions = _bench_solutions().values("pk")
    with transaction.atomic():
        for model in (
            KPISnapshot,
            Breach,
            KPIWarning,
            MonthReopening,
            SupportCase,
            NPSAnswer,
            Customer,
        ):
            model.objects.filter(solution__in=solutions).delete()
        Certification.objects.filter(solution__in=solutions).delete()
        Application.objects.filter(solution__in=solutions).delete()
        SolutionVersion.objects.filter(solution__in=solutions).delete()
        _bench_solutions().delete()
        Partner.objects.filter(slug__startswith=PREFIX).delete()
        get_user_model().objects.filter(username=USERNAME).delete()


class Command(BaseCommand):
    help = "Benchmark the support-case import and the KPI evaluation on synthetic data."

    def add_arguments(self, parser):
        parser.add_argument("--solutions", type=int, default=1000)
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--nps", type=int, default=100_000)
        parser.add_argument("--import-rows", dest="import_rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, solutions, cases, nps, import_rows, seed, **options):
        if solutions < 1 or cases < 0 or nps < 0 or not 0 <= import_rows <= cases:
            raise CommandError("Need --solutions ≥ 1 and 0 ≤ --import-rows ≤ --cases.")
        if Solution.objects.exclude(slug__startswith=PREFIX).exists():
            raise CommandError(
                "The database holds solutions that are not bench data; "
                "run this only against an empty database."
            )
        self.postgres = connection.vendor == "postgresql"
        self.random = random.Random(seed)
        self.now = timezone.now()
        self.year_start = datetime(YEAR, 1, 1, tzinfo=UTC)
        self.year_seconds = int(
            (datetime(YEAR + 1, 1, 1, tzinfo=UTC) - self.year_start).total_seconds()
        )
        cleanup()  # leftovers of an interrupted run
        try:
            ids = self._create_solutions(solutions)
            self._load_cases(ids, cases - import_rows)
            self._load_nps(ids, nps)
            self._analyze()
            import_rate, _seconds = self._measure_import(ids, import_rows)
            copy_rate = self._measure_copy(import_rows)
            recompute_s, queries = self._measure_evaluation(len(ids))
            floor_s = self._measure_floor()
        finally:
            self._drop_temporary_tables()
            self._say("deleting the bench data")
            cleanup()
        if copy_rate is None:
            self._say("copy_rate=n/a (PostgreSQL only)")
        else:
            self._say(
                f"copy_rate={copy_rate:.0f} import_rate/copy_rate={import_rate / copy_rate:.3f}"
            )
        self.stdout.write(
            f"import_rate={import_rate:.0f} recompute_s={recompute_s:.3f} "
            f"floor_s={floor_s:.3f} ratio={recompute_s / floor_s:.2f} queries={queries}"
        )

    # Helpers -----------------------------------------------------------------------------

    def _say(self, message):
        self.stdout.write(message)
        self.stdout.flush()

    def _moment(self) -> datetime:
        return self.year_start + timedelta(seconds=self.random.randrange(self.year_seconds))

    def _case(self, solution_id, case_id, registered):
        """Values of one synthetic case (in the order of CASE_FIELDS, deadlines simple)."""
        rnd = self.random
        customer = rnd.randrange(CUSTOMERS)
        package, region = _contract(customer)
        response_h, resolution_h = SIMPLE_HOURS[package]
        first_response = registered + timedelta(minutes=rnd.randrange(int(response_h * 63)))
        resolved = (
            None
            if rnd.random() < 0.02
            else registered + timedelta(minutes=rnd.randrange(int(resolution_h * 63)))
        )
        return (
            solution_id,
            case_id,
            f"customer-{customer}",
            package,
            rnd.choice(("critical", "high", "medium", "medium", "low")),
            region,
            registered,
            first_response,
            resolved,
            registered + timedelta(hours=response_h),
            registered + timedelta(hours=resolution_h),
            1 if rnd.random() < 0.01 else 0,
            rnd.choice((3, 4, 5, 5)) if rnd.random() < 0.1 else None,
            rnd.random() < 0.03,
            self.now,
        )

    def _copy(self, table, columns, rows):
        """COPY rows (tuples) into `table` in PostgreSQL's text format."""
        buffer = io.StringIO()
        for row in rows:
            buffer.write(
                "\t".join(
                    "\\N"
                    if value is None
                    else value.isoformat()
                    if isinstance(value, datetime)
                    else str(value)
                    for value in row
                )
            )
            buffer.write("\n")
        buffer.seek(0)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({', '.join(quote(c) for c in columns)}) FROM STDIN", buffer
            )

    # Loading -----------------------------------------------------------------------------

    def _create_solutions(self, count) -> list[int]:
        started = time.perf_counter()
        user = get_user_model().objects.create(username=USERNAME, email="bench@example.com")
        partners = Partner.objects.bulk_create(
            Partner(name=f"Bench partner {n}", slug=f"{PREFIX}partner-{n}")
            for n in range(count // 10 + 1)
        )
        solutions = Solution.objects.bulk_create(
            Solution(
                partner=partners[n // 10],
                name=f"Bench solution {n}",
                slug=f"{PREFIX}{n:05d}",
                marketplace=Marketplace.CREATIO,
                category="Telephony",
                is_published=True,
            )
            for n in range(count)
        )
        versions = SolutionVersion.objects.bulk_create(
            SolutionVersion(solution=solution, number="1.0.0") for solution in solutions
        )
        applications = Application.objects.bulk_create(
            Application(
                solution=solution,
                version=version,
                motivation="Benchmark.",
                created_by=user,
                state=ApplicationState.CERTIFIED,
            )
            for solution, version in zip(solutions, versions, strict=True)
        )
        if not self.postgres:  # SQLite returns no ids from bulk_create on every version
            by_solution = dict(
                Application.objects.filter(solution__in=solutions).values_list("solution_id", "pk")
            )
            for application in applications:
                application.pk = by_solution[application.solution.pk]
        Certification.objects.bulk_create(
            Certification(
                solution=solution,
                version=version,
                application=application,
                status=CertificationStatus.CERTIFIED,
            )
            for solution, version, application in zip(
                solutions, versions, applications, strict=True
            )
        )
        Customer.objects.bulk_create(
            (
                Customer(
                    solution=solution,
                    customer_id=f"customer-{n}",
                    installed_version="1.0.0",
                    support_package=_contract(n)[0],
                    region=_contract(n)[1],
                )
                for solution in solutions
                for n in range(CUSTOMERS)
            ),
            batch_size=5000,
        )
        self._say(f"created {count} certified solutions in {time.perf_counter() - started:.1f} s")
        return [solution.pk for solution in solutions]

    def _load_cases(self, ids, count):
        started = time.perf_counter()
        table = SupportCase._meta.db_table
        columns = [SupportCase._meta.get_field(name).column for name in CASE_FIELDS]
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            rows = [
                self._case(self.random.choice(ids), f"B-{done + n}", self._moment())
                for n in range(size)
            ]
            if self.postgres:
                self._copy(connection.ops.quote_name(table), columns, rows)
            else:
                SupportCase.objects.bulk_create(
                    [SupportCase(**dict(zip(CASE_FIELDS, row, strict=True))) for row in rows],
                    batch_size=2000,
                )
            done += size
            self._say(f"cases loaded: {done}/{count} ({time.perf_counter() - started:.1f} s)")

    def _load_nps(self, ids, count):
        started = time.perf_counter()
        done = 0
        while done < count:
            size = min(BATCH, count - done)
            answers = []
            for n in range(done, done + size):
                answered = self._moment()
                answers.append(
                    NPSAnswer(
                        solution_id=self.random.choice(ids),
                        respondent=f"r-{n}",
                        half_year=half_year_of(answered),
                        answered_at=answered,
                        score=self.random.randrange(11),
                    )
                )
            if self.postgres:
                fields = (
                    "solution_id",
                    "respondent",
                    "half_year",
                    "answered_at",
                    "score",
                    "source",
                    "comment",
                )
                self._copy(
                    connection.ops.quote_name(NPSAnswer._meta.db_table),
                    [NPSAnswer._meta.get_field(name).column for name in fields],
                    [tuple(getattr(a, name) for name in fields) for a in answers],
                )
            else:
                NPSAnswer.objects.bulk_create(answers, batch_size=2000)
            done += size
            self._say(f"NPS answers loaded: {done}/{count} ({time.perf_counter() - started:.1f} s)")

    def _analyze(self):
        if self.postgres:
            with connection.cursor() as cursor:
                for model in (SupportCase, NPSAnswer, Solution, Certification):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    # Measurements ------------------------------------------------------------------------

    def _measure_import(self, ids, count) -> tuple[float, float]:
        slugs = dict(Solution.objects.filter(pk__in=ids).values_list("pk", "slug"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "cases.csv"
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(CASE_COLUMNS)
                for n in range(count):
                    case = dict(
                        zip(
                            CASE_FIELDS,
                            self._case(self.random.choice(ids), f"I-{n}", self._moment()),
                            strict=True,
                        )
                    )
                    writer.writerow(
                        [
                            slugs[case["solution_id"]],
                            case["case_id"],
                            case["customer"],
                            case["support_package"],
                            case["priority"],
                            case["region"],
                            case["registered_at"].isoformat(),
                            case["first_response_at"].isoformat(),
                            case["resolved_at"].isoformat() if case["resolved_at"] else "",
                            case["escalation_level"],
                            "" if case["csat"] is None else case["csat"],
                            "true" if case["presale"] else "false",
                        ]
                    )
            self._say(f"importing {count} cases from CSV")
            started = time.perf_counter()
            result = import_cases_csv(path)
            seconds = time.perf_counter() - started
        if result.created != count:
            raise CommandError(f"The import created {result.created} cases, not {count}.")
        rate = count / seconds if seconds else float("inf")
        self._say(f"import: {count} cases in {seconds:.2f} s = {rate:.0f} cases/s")
        return rate, seconds

    def _measure_copy(self, count) -> float | None:
        if not self.postgres:
            self._say("raw COPY: n/a on this database")
            return None
        table = connection.ops.quote_name(SupportCase._meta.db_table)
        columns = ", ".join(
            connection.ops.quote_name(SupportCase._meta.get_field(name).column)
            for name in CASE_FIELDS
        )
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY (SELECT {columns} FROM {table} WHERE case_id LIKE 'I-%') TO STDOUT",
                buffer,
            )
            cursor.execute(f"CREATE TEMPORARY TABLE {COPY_TABLE} (LIKE {table} INCLUDING ALL)")
            buffer.seek(0)
            started = time.perf_counter()
            with transaction.atomic():
                cursor.cursor.copy_expert(f"COPY {COPY_TABLE} ({columns}) FROM STDIN", buffer)
            seconds = time.perf_counter() - started
        rate = count / seconds if seconds else float("inf")
        self._say(f"raw COPY: {count} cases in {seconds:.2f} s = {rate:.0f} cases/s")
        return rate

    def _as_of(self):
        # Just before the month ends: provisional figures, so no breach is enforced.
        return parse_period(MONTH).end - timedelta(seconds=1)

    def _measure_evaluation(self, solutions) -> tuple[float, int]:
        best, queries = None, 0
        for attempt in (1, 2):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                # Nobody is warned of the bench's made-up figures.
                results = evaluate_period(MONTH, as_of=self._as_of(), warn=False)
                seconds = time.perf_counter() - started
            if len(results) != solutions:
                raise CommandError(f"Evaluated {len(results)} solutions, not {solutions}.")
            queries = len(captured.captured_queries)
            best = seconds if best is None else min(best, seconds)
            self._say(f"evaluate_period {MONTH}, run {attempt}: {seconds:.3f} s, {queries} queries")
        return best, queries

    def _floor_sql(self) -> str:
        quote = connection.ops.quote_name
        case = SupportCase._meta.db_table
        certification = Certification._meta.db_table
        conditions = {
            "cases": "1 = 1",
            "response_overdue": "first_response_at > response_due_at OR "
            "(first_response_at IS NULL AND response_due_at < %(as_of)s)",
            "resolution_overdue": "resolved_at > resolution_due_at OR "
            "(resolved_at IS NULL AND resolution_due_at < %(as_of)s)",
            "rated": "csat IS NOT NULL",
            "positive": "csat >= 4",
            "escalated": "escalation_level >= 1",
        }
        if self.postgres:
            aggregates = ", ".join(
                f"count(*) FILTER (WHERE {condition}) AS {name}"
                for name, condition in conditions.items()
            )
        else:
            aggregates = ", ".join(
                f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {name}"
                for name, condition in conditions.items()
            )
        kpis = " UNION ALL ".join(f"SELECT '{kpi}' AS kpi" for kpi, _n, _d in COUNTS)
        numerator = " ".join(f"WHEN '{kpi}' THEN c.{n}" for kpi, n, _d in COUNTS)
        denominator = " ".join(f"WHEN '{kpi}' THEN c.{d}" for kpi, _n, d in COUNTS)
        return (
            f"WITH c AS (SELECT solution_id, {aggregates} FROM {quote(case)} "
            "WHERE presale = %(false)s AND registered_at >= %(start)s "
            "AND registered_at < %(end)s GROUP BY solution_id) "
            f"INSERT INTO {FLOOR_TABLE} (solution_id, period, kpi, numerator, denominator) "
            f"SELECT s.solution_id, %(period)s, k.kpi, "
            f"COALESCE(CASE k.kpi {numerator} END, 0), "
            f"COALESCE(CASE k.kpi {denominator} END, 0) "
            f"FROM {quote(certification)} s LEFT JOIN c ON c.solution_id = s.solution_id "
            f"CROSS JOIN ({kpis}) k WHERE 1 = 1 "
            "ON CONFLICT (solution_id, period, kpi) DO UPDATE SET "
            "numerator = excluded.numerator, denominator = excluded.denominator"
        )

    def _measure_floor(self) -> float:
        period = parse_period(MONTH)
        adapt = connection.ops.adapt_datetimefield_value
        params = {
            "false": False,
            "start": adapt(period.start),
            "end": adapt(period.end),
            "as_of": adapt(self._as_of()),
            "period": period.name,
        }
        sql = self._floor_sql()
        best = None
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE {FLOOR_TABLE} (solution_id bigint NOT NULL, "
                "period varchar(7) NOT NULL, kpi varchar(40) NOT NULL, "
                "numerator integer NOT NULL, denominator integer NOT NULL, "
                "PRIMARY KEY (solution_id, period, kpi))"
            )
            for attempt in (1, 2):
                started = time.perf_counter()
                with transaction.atomic():
                    cursor.execute(sql, params)
                seconds = time.perf_counter() - started
                best = seconds if best is None else min(best, seconds)
                self._say(f"floor SQL, run {attempt}: {seconds:.3f} s")
            cursor.execute(f"SELECT count(*) FROM {FLOOR_TABLE}")
            (rows,) = cursor.fetchone()
        if rows != KPISnapshot.objects.filter(period=period.name).count():
            raise CommandError("The floor wrote a different number of rows than the evaluation.")
        return best

    def _drop_temporary_tables(self):
        with connection.cursor() as cursor:
            for table in (FLOOR_TABLE, COPY_TABLE):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
