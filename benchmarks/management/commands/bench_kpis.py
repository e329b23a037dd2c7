"""Benchmark of the KPI import and evaluation on synthetic data (see docs/performance.md).

Builds bench solutions (slug "bench-…") with certifications, twelve months of support cases
and NPS answers, then measures the CSV import, a COPY of the same rows into the real table
(rolled back), the provisional evaluation of one month and a hand-written SQL floor for it,
and the monthly job's real path: the final evaluation with its enforcement (breaches, badges
revoked, history, outbox) for a month in which 5 % of the solutions fail and one in which all
fail, at two programme sizes, against a floor doing the same reads and writes in SQL, and the
same evaluation run again (nothing to do). Everything it created is deleted at the end.
"""

import csv
import io
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from celery import current_app
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_fsm_log.models import StateLog

from catalogue.enums import CertificationStatus, Marketplace
from catalogue.models import Certification, CertificationEvent, Partner, Solution, SolutionVersion
from kpi import judging
from kpi.counting import thresholds_for
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
from outbox.models import Message
from workflow.enums import ApplicationState
from workflow.models import Application

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
JUDGED_TABLE = "bench_final_judged"
MONTH_CASES = 80  # cases in the evaluated month of each solution added for a final size
FAILING_SHARE = 20  # the realistic month: one solution in 20 (5 %) fails
FINAL_AS_OF = timedelta(days=10)  # the job's run: well after every resolution deadline
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
        _forget_enforcement(solutions)
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


def _forget_enforcement(solutions) -> None:
    """Delete what enforcing did to these solutions: their badge events, state-log rows and
    outbox messages, and their month's breaches and snapshots; badges back on."""
    certifications = Certification.objects.filter(solution__in=solutions)
    events = CertificationEvent.objects.filter(certification__in=certifications)
    keys = [f"certification-event:{pk}" for pk in events.values_list("pk", flat=True)]
    for start in range(0, len(keys), 5000):
        Message.objects.filter(key__in=keys[start : start + 5000]).delete()
    events.delete()
    StateLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Certification),
        object_id__in=certifications.values("pk"),
    ).delete()
    Breach.objects.filter(solution__in=solutions).delete()
    KPISnapshot.objects.filter(solution__in=solutions, period=MONTH).delete()
    certifications.exclude(status=CertificationStatus.CERTIFIED).update(
        status=CertificationStatus.CERTIFIED
    )


class Command(BaseCommand):
    help = "Benchmark the support-case import and the KPI evaluation on synthetic data."

    def add_arguments(self, parser):
        parser.add_argument("--solutions", type=int, default=1000)
        parser.add_argument("--cases", type=int, default=1_000_000)
        parser.add_argument("--nps", type=int, default=100_000)
        parser.add_argument("--import-rows", dest="import_rows", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--final-sizes",
            dest="final_sizes",
            default="1000,10000",
            help="programme sizes (solutions) of the final evaluation with enforcement, "
            "comma-separated; solutions beyond --solutions get cases in the evaluated month "
            "only (default 1000,10000; e.g. 200,1000 for a quick run)",
        )

    def handle(self, *args, solutions, cases, nps, import_rows, seed, final_sizes, **options):
        if solutions < 1 or cases < 0 or nps < 0 or not 0 <= import_rows <= cases:
            raise CommandError("Need --solutions ≥ 1 and 0 ≤ --import-rows ≤ --cases.")
        try:
            sizes = sorted({int(size) for size in final_sizes.split(",") if size.strip()})
        except ValueError:
            sizes = []
        if not sizes or sizes[0] < 1:
            raise CommandError("--final-sizes takes programme sizes ≥ 1, e.g. 1000,10000.")
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
            finals = self._measure_final(ids, sizes)
        finally:
            self._drop_temporary_tables()
            self._say("deleting the bench data")
            cleanup()
        self._say(
            f"provisional: recompute_s={recompute_s:.3f} floor_s={floor_s:.3f} "
            f"ratio={recompute_s / floor_s:.2f} queries={queries}"
        )
        self._say("final evaluation with enforcement (the monthly job's path):")
        for (size, scenario), figures in finals.items():
            floor = figures["floor_s"]
            self._say(
                f"  {size} solutions, {scenario}: failing={figures['failing']} "
                f"final_s={figures['final_s']:.3f} "
                f"floor_s={'n/a' if floor is None else f'{floor:.3f}'} "
                f"final_ratio={self._ratio(figures['final_s'], floor)} "
                f"final_queries={figures['final_queries']} rerun_s={figures['rerun_s']:.3f} "
                f"rerun_queries={figures['rerun_queries']}"
            )
        headline = finals[(sizes[-1], "realistic")]
        if copy_rate is None:
            self._say("copy_rate=n/a (PostgreSQL only)")
        else:
            self._say(f"copy_rate={copy_rate:.0f} import_rate={import_rate:.0f}")
        self.stdout.write(
            f"import_rate={import_rate:.0f} "
            f"copy_ratio={self._ratio(import_rate, copy_rate, digits=3)} "
            f"ratio={recompute_s / floor_s:.2f} queries={queries} "
            f"final_ratio={self._ratio(headline['final_s'], headline['floor_s'])} "
            f"final_queries={headline['final_queries']} "
            f"rerun_queries={headline['rerun_queries']}"
        )

    @staticmethod
    def _ratio(value, floor, digits=2) -> str:
        return "n/a" if not floor else f"{value / floor:.{digits}f}"

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

    def _create_solutions(self, count, *, start=0, customers=True) -> list[int]:
        """Bench solutions number `start` … `start + count - 1`, certified; with their
        customers unless not `customers` (the final sizes' extra solutions need none)."""
        started = time.perf_counter()
        user = get_user_model().objects.get_or_create(
            username=USERNAME, defaults={"email": "bench@example.com"}
        )[0]
        partners = Partner.objects.bulk_create(
            Partner(name=f"Bench partner {start}-{n}", slug=f"{PREFIX}partner-{start}-{n}")
            for n in range(count // 10 + 1)
        )
        solutions = Solution.objects.bulk_create(
            Solution(
                partner=partners[n // 10],
                name=f"Bench solution {start + n}",
                slug=f"{PREFIX}{start + n:05d}",
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
                for n in range(CUSTOMERS if customers else 0)
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
        """COPY of the imported rows, as stored (new case ids), into the real cases table with
        its indexes, unique key and foreign keys checked at once, rolled back."""
        if not self.postgres:
            self._say("COPY: n/a on this database")
            return None
        quote = connection.ops.quote_name
        table = quote(SupportCase._meta.db_table)
        names = [SupportCase._meta.get_field(name).column for name in CASE_FIELDS]
        columns = ", ".join(quote(column) for column in names)
        selected = ", ".join(
            "'C-' || substr(case_id, 3)" if column == "case_id" else quote(column)
            for column in names
        )
        buffer = io.StringIO()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY (SELECT {selected} FROM {table} WHERE case_id LIKE 'I-%') TO STDOUT",
                buffer,
            )
            buffer.seek(0)
            with transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                started = time.perf_counter()
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
                seconds = time.perf_counter() - started
                transaction.set_rollback(True)
        rate = count / seconds if seconds else float("inf")
        self._say(
            f"COPY into {SupportCase._meta.db_table} (rolled back): {count} cases in "
            f"{seconds:.2f} s = {rate:.0f} cases/s"
        )
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

    # The monthly job's path: the final evaluation with its enforcement --------------------

    def _measure_final(self, ids, sizes) -> dict[tuple[int, str], dict]:
        """For each size and month (5 % failing, all failing): the floor, the job's
        evaluation, and the same evaluation again; each from a month with nothing enforced."""
        figures = {}
        ids = list(ids)
        for size in sizes:
            if size > len(ids):
                extra = self._create_solutions(size - len(ids), start=len(ids), customers=False)
                self._load_month_cases(extra)
                ids += extra
            chosen = ids[:size]
            for scenario, failing in (
                ("realistic", chosen[::FAILING_SHARE]),
                ("all fail", chosen),
            ):
                self._say(f"final evaluation, {size} solutions, {scenario}: preparing the month")
                self._prepare_month(chosen, failing)
                floor_s = self._measure_final_floor(size)
                expected = self._enforced(size) if floor_s is not None else len(failing)
                _forget_enforcement(_bench_solutions().values("pk"))
                final_s, final_queries = self._evaluate_final(size, "final, enforcing")
                self._check_enforced(size, expected)
                rerun_s, rerun_queries = self._evaluate_final(size, "again, nothing to do")
                self._check_enforced(size, expected)
                figures[(size, scenario)] = {
                    "failing": self._enforced(size)[1],
                    "floor_s": floor_s,
                    "final_s": final_s,
                    "final_queries": final_queries,
                    "rerun_s": rerun_s,
                    "rerun_queries": rerun_queries,
                }
                _forget_enforcement(_bench_solutions().values("pk"))
        return figures

    def _load_month_cases(self, ids):
        """MONTH_CASES cases in the evaluated month for each of these solutions."""
        started = time.perf_counter()
        period = parse_period(MONTH)
        seconds = int((period.end - period.start).total_seconds()) - 2 * 24 * 3600
        rows = [
            self._case(
                solution_id,
                f"M-{n}",
                period.start + timedelta(seconds=self.random.randrange(seconds)),
            )
            for solution_id in ids
            for n in range(MONTH_CASES)
        ]
        columns = [SupportCase._meta.get_field(name).column for name in CASE_FIELDS]
        if self.postgres:
            self._copy(connection.ops.quote_name(SupportCase._meta.db_table), columns, rows)
        else:
            SupportCase.objects.bulk_create(
                [SupportCase(**dict(zip(CASE_FIELDS, row, strict=True))) for row in rows],
                batch_size=2000,
            )
        self._say(
            f"{len(rows)} cases of {MONTH} for {len(ids)} more solutions loaded in "
            f"{time.perf_counter() - started:.1f} s"
        )

    def _prepare_month(self, chosen, failing):
        """Every case of the month answered and resolved in time and rated 5, not escalated;
        those of the failing solutions all answered late and escalated (two KPIs fail);
        everything enforced before forgotten."""
        _forget_enforcement(_bench_solutions().values("pk"))
        period = parse_period(MONTH)
        failing = set(failing)
        month = SupportCase.objects.filter(
            registered_at__gte=period.start, registered_at__lt=period.end
        )
        with transaction.atomic():
            month.update(
                first_response_at=F("registered_at") + timedelta(minutes=5),
                resolved_at=F("registered_at") + timedelta(minutes=30),
                csat=5,
                escalation_level=0,
            )
            for start in range(0, len(failing), 5000):
                month.filter(solution_id__in=sorted(failing)[start : start + 5000]).update(
                    first_response_at=F("response_due_at") + timedelta(minutes=1),
                    escalation_level=1,
                )
        if self.postgres and not connection.in_atomic_block:
            # The updated rows' old versions would otherwise be read by both sides.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {connection.ops.quote_name(SupportCase._meta.db_table)}")
        self._analyze()

    def _final_as_of(self):
        return parse_period(MONTH).end + FINAL_AS_OF

    def _first(self, size):
        return Solution.objects.filter(slug__startswith=PREFIX, slug__lt=f"{PREFIX}{size:05d}")

    def _evaluate_final(self, size, what) -> tuple[float, int]:
        """evaluate_period as the job calls it after the month (final figures, breaches
        enforced), the badge e-mails handed to a broker (an in-memory one: nothing is sent)."""
        app = current_app
        eager, url = app.conf.task_always_eager, app.conf.broker_url
        app.conf.task_always_eager = False
        app.conf.broker_url = "memory://localhost/"
        app._pool = None
        app.amqp._producer_pool = None
        try:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                results = evaluate_period(
                    MONTH, solutions=self._first(size), as_of=self._final_as_of(), warn=False
                )
                seconds = time.perf_counter() - started
        finally:
            app.conf.task_always_eager, app.conf.broker_url = eager, url
            app._pool = None
            app.amqp._producer_pool = None
        if len(results) != size or not all(result["final"] for result in results):
            raise CommandError(f"The final evaluation of {size} solutions was not final.")
        queries = len(captured.captured_queries)
        self._say(f"evaluate_period {MONTH} {what}: {seconds:.3f} s, {queries} queries")
        return seconds, queries

    def _enforced(self, size) -> tuple[int, int]:
        """(breaches of the month, revocations) of the first `size` solutions."""
        solutions = self._first(size)
        return (
            Breach.objects.filter(solution__in=solutions, period=MONTH).count(),
            CertificationEvent.objects.filter(
                certification__solution__in=solutions, action=CertificationEvent.Action.REVOKED
            ).count(),
        )

    def _check_enforced(self, size, expected):
        """The evaluation enforced what the floor did (or, without a floor, at most one
        revocation and two breaches per failing solution)."""
        found = self._enforced(size)
        if isinstance(expected, tuple):
            wrong = found != expected
        else:
            wrong = found[1] > expected or found[0] > 2 * expected
        if wrong:
            raise CommandError(f"Enforced (breaches, revocations) {found}, expected {expected}.")

    def _final_floor_statements(self, size) -> tuple[list[str], str, dict]:
        """The floor of the final path in SQL: count and judge the month per solution and KPI
        into a temporary table, upsert the snapshots, lock the failing solutions'
        certifications, read the breaches recorded, insert the new ones, revoke the badges
        with their events, state-log rows and outbox messages."""
        quote = connection.ops.quote_name
        period = parse_period(MONTH)
        tables = {
            "case": quote(SupportCase._meta.db_table),
            "solution": quote(Solution._meta.db_table),
            "certification": quote(Certification._meta.db_table),
            "snapshot": quote(KPISnapshot._meta.db_table),
            "breach": quote(Breach._meta.db_table),
            "event": quote(CertificationEvent._meta.db_table),
            "log": quote(StateLog._meta.db_table),
            "message": quote(Message._meta.db_table),
        }
        thresholds = thresholds_for(period)
        values = ", ".join(
            f"('{kpi}', '{thresholds[kpi].comparison}', {thresholds[kpi].value}, "
            f"'{judging.format_target(kpi, thresholds[kpi]).replace('%', '%%')}')"
            for kpi, _n, _d in COUNTS
        )
        conditions = {
            "cases": "true",
            "response_overdue": "first_response_at > response_due_at OR "
            "(first_response_at IS NULL AND response_due_at < %(as_of)s)",
            "resolution_overdue": "resolved_at > resolution_due_at OR "
            "(resolved_at IS NULL AND resolution_due_at < %(as_of)s)",
            "rated": "csat IS NOT NULL",
            "positive": "csat >= 4",
            "escalated": "escalation_level >= 1",
            "pending": "(resolved_at IS NULL OR resolved_at > %(as_of)s) "
            "AND resolution_due_at >= %(as_of)s",
        }
        aggregates = ", ".join(
            f"count(*) FILTER (WHERE {condition}) AS {name}"
            for name, condition in conditions.items()
        )
        numerator = " ".join(f"WHEN '{kpi}' THEN c.{n}" for kpi, n, _d in COUNTS)
        denominator = " ".join(f"WHEN '{kpi}' THEN c.{d}" for kpi, _n, d in COUNTS)
        chosen = (
            f"SELECT id FROM {tables['solution']} WHERE slug LIKE %(prefix)s AND slug < %(last)s"
        )
        judge = (
            f"CREATE TEMPORARY TABLE {JUDGED_TABLE} AS "
            f"WITH c AS (SELECT solution_id, {aggregates} FROM {tables['case']} "
            "WHERE presale = false AND registered_at >= %(start)s AND registered_at < %(end)s "
            f"AND solution_id IN ({chosen}) GROUP BY solution_id), "
            f"k (kpi, comparison, target, label) AS (VALUES {values}), "
            "j AS (SELECT s.id AS solution_id, k.kpi, k.comparison, k.target, k.label, "
            f"COALESCE(CASE k.kpi {numerator} END, 0) AS numerator, "
            f"COALESCE(CASE k.kpi {denominator} END, 0) AS denominator "
            f"FROM ({chosen}) s LEFT JOIN c ON c.solution_id = s.id CROSS JOIN k), "
            "v AS (SELECT *, CASE WHEN denominator <= 0 THEN NULL "
            "WHEN kpi = 'escalations' THEN numerator::numeric "
            "ELSE round(numerator::numeric / denominator, 6) END AS value FROM j) "
            "SELECT solution_id, kpi, numerator, denominator, value, label, comparison, target, "
            "CASE WHEN value IS NULL THEN 'no_data' "
            "WHEN (comparison = 'at_most' AND value <= target) "
            "OR (comparison = 'at_least' AND value >= target) THEN 'pass' "
            "ELSE 'fail' END AS status FROM v"
        )
        snapshots = (
            f"INSERT INTO {tables['snapshot']} (solution_id, period, kpi, numerator, "
            "denominator, value, target, comparison, target_value, status, provisional, "
            "evaluated_at, as_of) SELECT solution_id, %(period)s, kpi, numerator, denominator, "
            "value, label, comparison, target, status, false, now(), %(as_of)s "
            f"FROM {JUDGED_TABLE} "
            "ON CONFLICT (solution_id, period, kpi) DO UPDATE SET "
            "numerator = excluded.numerator, denominator = excluded.denominator, "
            "value = excluded.value, target = excluded.target, "
            "comparison = excluded.comparison, target_value = excluded.target_value, "
            "status = excluded.status, "
            "provisional = excluded.provisional, evaluated_at = excluded.evaluated_at, "
            "as_of = excluded.as_of"
        )
        lock = (
            f"SELECT id, status FROM {tables['certification']} WHERE solution_id IN "
            f"(SELECT solution_id FROM {JUDGED_TABLE} WHERE status = 'fail') "
            "ORDER BY id FOR UPDATE"
        )
        recorded = (
            f"SELECT solution_id, kpi, action FROM {tables['breach']} "
            f"WHERE period = %(period)s AND solution_id IN ({chosen})"
        )
        enforce = (
            f"WITH b AS (INSERT INTO {tables['breach']} (solution_id, period, kpi, action, "
            "basis, detail, text_code, text_params, recorded_at) SELECT solution_id, "
            "%(period)s, kpi, 'revoked', 'final', numerator || ' of ' || denominator, '', "
            "'{}'::jsonb, now() "
            f"FROM {JUDGED_TABLE} WHERE status = 'fail' "
            "ON CONFLICT (solution_id, period, kpi) DO NOTHING RETURNING solution_id), "
            f"ch AS (UPDATE {tables['certification']} SET status = 'revoked' "
            "WHERE solution_id IN (SELECT solution_id FROM b) "
            "AND status IN ('certified', 'at_risk') RETURNING id, version_id), "
            f"ev AS (INSERT INTO {tables['event']} (certification_id, action, status, "
            "version_id, reason, text_code, text_params, at, notified_to) SELECT id, "
            "'revoked', 'revoked', version_id, 'KPIs failed in ' || %(period)s, '', "
            "'{}'::jsonb, now(), '[]'::jsonb FROM ch RETURNING id), "
            f"lg AS (INSERT INTO {tables['log']} (timestamp, source_state, state, transition, "
            "content_type_id, object_id) SELECT now(), 'certified', 'revoked', 'revoke', "
            "%(content_type)s, id FROM ch) "
            f"INSERT INTO {tables['message']} (task, kwargs, key, state, attempts, "
            "next_attempt_at, last_error, created_at) "
            "SELECT 'support_audit.notify_certification_event', "
            "jsonb_build_object('event_id', id), 'certification-event:' || id, 'pending', 0, "
            "now(), '', now() FROM ev"
        )
        # After the commit, as the outbox dispatches: find the pending messages, mark them.
        dispatch = (
            f"UPDATE {tables['message']} SET state = 'sent', dispatched_at = now() "
            "WHERE id IN (SELECT id FROM "
            f"{tables['message']} WHERE state = 'pending' "
            "AND key LIKE 'certification-event:%%')"
        )
        adapt = connection.ops.adapt_datetimefield_value
        params = {
            "start": adapt(period.start),
            "end": adapt(period.end),
            "as_of": adapt(self._final_as_of()),
            "period": period.name,
            "prefix": f"{PREFIX}%",
            "last": f"{PREFIX}{size:05d}",
            "content_type": ContentType.objects.get_for_model(Certification).pk,
        }
        return [judge, snapshots, lock, recorded, enforce], dispatch, params

    def _measure_final_floor(self, size) -> float | None:
        if not self.postgres:
            self._say("final floor: n/a on this database")
            return None
        statements, dispatch, params = self._final_floor_statements(size)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {JUDGED_TABLE}")
            started = time.perf_counter()
            with transaction.atomic():
                for sql in statements:
                    cursor.execute(sql, params)
            cursor.execute(dispatch)
            seconds = time.perf_counter() - started
            cursor.execute(f"DROP TABLE IF EXISTS {JUDGED_TABLE}")
        self._say(f"final floor SQL: {seconds:.3f} s")
        return seconds

    def _drop_temporary_tables(self):
        with connection.cursor() as cursor:
            for table in (FLOOR_TABLE, COPY_TABLE, JUDGED_TABLE):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
