"""Reads of a solution's KPI page: its certification, the monthly and half-yearly KPIs the job
stored, breaches, pre-sale questions (R4.4) and customers (R6.3, R6.4).

Every read is one query or a fixed few: the page costs the same whatever the data.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import BooleanField, Count, ExpressionWrapper, F, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.enums import CertificationStatus
from catalogue.models import Certification, CertificationEvent, Solution
from support_audit.models import RemediationPlan
from support_audit.selectors import items_with_done_record

from . import judging
from .counting import overdue
from .customers import CustomerOverview, customer_overview, nps_participation
from .early_warnings import WarningText, warning_text
from .models import KPI, Breach, KPISnapshot, KPIWarning, MonthReopening, NPSAnswer, SupportCase
from .periods import Period, half_years_of, month_of, recent_months, reporting_zone
from .surveys import survey_progress

MONTHS_SHOWN = 12
NOT_CERTIFIED = "not_certified"
STATUS_LABELS = {
    **dict(CertificationStatus.choices),
    NOT_CERTIFIED: _("Not certified"),
}


@dataclass(frozen=True)
class CertificationState:
    """What the badge says now: certified, at risk, revoked or not certified."""

    status: str
    version: str | None
    since: datetime | None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def certification_state(solution: Solution) -> CertificationState:
    """The solution's certification; `solution` comes with `certification__version` selected."""
    try:
        certification = solution.certification
    except Certification.DoesNotExist:
        return CertificationState(NOT_CERTIFIED, None, None)
    return CertificationState(
        certification.status, certification.version.number, certification.since
    )


# --- Periods -----------------------------------------------------------------------------


# --- Monthly case KPIs -------------------------------------------------------------------


@dataclass(frozen=True)
class KPICell:
    """One KPI of one period as the job stored it; no snapshot reads as "no data"."""

    kpi: str
    snapshot: KPISnapshot | None

    @property
    def status(self) -> str:
        return self.snapshot.status if self.snapshot else judging.NO_DATA

    @property
    def status_label(self) -> str:
        return KPISnapshot.Status(self.status).label

    @property
    def has_value(self) -> bool:
        return self.snapshot is not None and self.snapshot.value is not None

    @property
    def is_rate(self) -> bool:
        return self.kpi in judging.RATE_KPIS

    @property
    def percent(self) -> Decimal | None:
        """A rate in per cent (the template shows one decimal)."""
        return self.snapshot.value * 100 if self.has_value else None

    @property
    def number(self) -> Decimal | int | None:
        """A count as a whole number, a mean score as stored."""
        if not self.has_value:
            return None
        if self.kpi == KPI.ESCALATIONS:
            return self.snapshot.numerator  # the count is the value
        value = self.snapshot.value
        return int(value) if value == value.to_integral_value() else value

    @property
    def numerator(self) -> int | None:
        return self.snapshot.numerator if self.snapshot else None

    @property
    def denominator(self) -> int | None:
        return self.snapshot.denominator if self.snapshot else None

    @property
    def target(self) -> str:
        """The target in the reader's language."""
        return judging.stored_target(self.kpi, self.snapshot) if self.snapshot else ""


@dataclass(frozen=True)
class MonthRow:
    period: Period
    cells: list[KPICell]
    current: bool  # the month not over yet: its figures are "so far", never enforced

    @property
    def provisional(self) -> bool:
        return self.current or any(
            cell.snapshot is not None and cell.snapshot.provisional for cell in self.cells
        )

    @property
    def final(self) -> bool:
        """Over, and every case in it resolved or past its deadline when last evaluated."""
        return not self.provisional and any(cell.snapshot is not None for cell in self.cells)

    @property
    def evaluated_at(self) -> datetime | None:
        times = [cell.snapshot.evaluated_at for cell in self.cells if cell.snapshot is not None]
        return max(times, default=None)


def _snapshots(solution: Solution, periods: list[str], kpis) -> dict[tuple[str, str], KPISnapshot]:
    rows = KPISnapshot.objects.filter(solution=solution, period__in=periods, kpi__in=list(kpis))
    return {(row.period, row.kpi): row for row in rows}


def monthly_kpis(solution: Solution, months: list[Period]) -> list[MonthRow]:
    """One row per month, one cell per case KPI, from the stored snapshots (one query)."""
    stored = _snapshots(solution, [month.name for month in months], judging.CASE_KPIS)
    return [
        MonthRow(
            period=month,
            cells=[KPICell(str(kpi), stored.get((month.name, kpi))) for kpi in judging.CASE_KPIS],
            current=index == 0,
        )
        for index, month in enumerate(months)
    ]


# --- NPS ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HalfYearRow:
    period: Period
    mean: KPICell  # decides (R5.1)
    classic: KPICell  # shown beside it, decides nothing
    answers: int  # every answer stored for the half-year
    answered: int  # active customers who answered
    active: int  # active customers the survey goes to
    over: bool
    # The survey was due: the half-year ended while the solution was certified.
    due: bool
    # The portal's own survey of the half-year: customers invited, and those who answered.
    invited: int = 0
    invited_answered: int = 0

    @property
    def survey_missing(self) -> bool:
        return self.mean.status == judging.MISSING or (self.due and self.answers == 0)


def half_yearly_nps(
    solution: Solution,
    half_years: list[Period],
    *,
    as_of: datetime,
    today: date,
    certified_since: datetime | None = None,
) -> list[HalfYearRow]:
    """The NPS of each half-year, with how many of the active customers answered; a survey is
    due for each half-year over that ended after `certified_since`."""
    names = [period.name for period in half_years]
    stored = _snapshots(solution, names, judging.NPS_KPIS)
    answers = dict(
        NPSAnswer.objects.filter(solution=solution, half_year__in=names)
        .order_by()
        .values("half_year")
        .annotate(n=Count("pk"))
        .values_list("half_year", "n")
    )
    progress = survey_progress(solution, names)
    rows = []
    for period in half_years:
        invited, invited_answered = progress.get(period.name, (0, 0))
        # Participation of a half-year over counts the customers active on its last day.
        last_day = (period.end - timedelta(days=1)).date()
        answered, active = nps_participation(solution, period.name, today=min(today, last_day))
        rows.append(
            HalfYearRow(
                period=period,
                mean=KPICell(KPI.NPS_MEAN.value, stored.get((period.name, KPI.NPS_MEAN))),
                classic=KPICell(KPI.NPS_CLASSIC.value, stored.get((period.name, KPI.NPS_CLASSIC))),
                answers=answers.get(period.name, 0),
                answered=answered,
                active=active,
                over=period.is_over(as_of),
                due=(
                    period.is_over(as_of)
                    and certified_since is not None
                    and period.end > certified_since
                ),
                invited=invited,
                invited_answered=invited_answered,
            )
        )
    return rows


# --- Breaches ----------------------------------------------------------------------------


def breaches(solution: Solution, periods: list[Period]) -> list[Breach]:
    """The breaches recorded for the periods shown, newest first."""
    return list(
        Breach.objects.filter(
            solution=solution, period__in=[period.name for period in periods]
        ).order_by("-period", "kpi")
    )


# --- Before and after the verdict -------------------------------------------------------


@dataclass(frozen=True)
class WarningRow:
    """A KPI of a month not final yet that the partner was warned of (kpi.early_warnings)."""

    period: str
    text: WarningText
    warned_at: datetime


def month_warnings(solution: Solution, months: list[MonthRow]) -> list[WarningRow]:
    """The warnings of the months shown that are not final yet, one per KPI, as first sent
    (one query)."""
    names = [row.period.name for row in months if row.provisional]
    first = {}
    for warning in KPIWarning.objects.filter(solution=solution, period__in=names).order_by(
        "-period", "kpi", "recorded_at", "pk"
    ):
        first.setdefault((warning.period, warning.kpi), warning)
    return [
        WarningRow(period, warning_text(warning), warning.recorded_at)
        for (period, _kpi), warning in first.items()
    ]


@dataclass(frozen=True)
class LateCase:
    """A case that arrived after its month's figures were final."""

    case: SupportCase
    period: str
    counted: bool  # the month was evaluated again (re-opened) since it arrived


LATE_CASES_SHOWN = 50


def late_cases(solution: Solution, months: list[MonthRow]) -> list[LateCase]:
    """The cases of the months shown that arrived after their month was final, newest
    arrival first (one query; the first LATE_CASES_SHOWN)."""
    evaluated = {row.period.name: row.evaluated_at for row in months}
    rows = SupportCase.objects.filter(
        solution=solution,
        arrived_late_at__isnull=False,
        registered_at__gte=months[-1].period.start,
        registered_at__lt=months[0].period.end,
    ).order_by("-arrived_late_at", "case_id")[:LATE_CASES_SHOWN]
    cases = []
    for case in rows:
        period = month_of(case.registered_at)
        last = evaluated.get(period)
        cases.append(LateCase(case, period, last is not None and last > case.arrived_late_at))
    return cases


def reopenings(solution: Solution, periods: list[Period]) -> list[MonthReopening]:
    """The re-openings of the months shown, newest first."""
    return list(
        MonthReopening.objects.filter(
            solution=solution, period__in=[period.name for period in periods]
        )
        .select_related("by")
        .order_by("-at")
    )


# --- Pre-sale questions (R4.4) -----------------------------------------------------------


@dataclass(frozen=True)
class PresaleRow:
    period: Period
    questions: int
    late: int  # answered after the response deadline, or unanswered past it


def presale_by_month(
    solution: Solution, months: list[Period], *, as_of: datetime
) -> list[PresaleRow]:
    """Pre-sale questions registered in each month and how many missed their response
    deadline (answered after it, or not answered and past it at `as_of`), in one query."""
    late = overdue("first_response_at", "response_due_at", as_of)
    zone = reporting_zone()
    counts = {}
    for row in (
        SupportCase.objects.filter(
            solution=solution,
            presale=True,
            registered_at__gte=months[-1].start,
            registered_at__lt=months[0].end,
        )
        .annotate(month=TruncMonth("registered_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(questions=Count("pk"), late=Count("pk", filter=late))
    ):
        month = row["month"]
        if not isinstance(month, datetime):  # SQLite gives the day
            month = datetime.combine(month, datetime.min.time(), tzinfo=zone)
        counts[month_of(month)] = (row["questions"], row["late"])
    return [PresaleRow(month, *counts.get(month.name, (0, 0))) for month in months]


# --- Cases and their computed deadlines ---------------------------------------------------

LATEST_CASES = 20
EXPORT_COLUMNS = (
    "case_id",
    "customer",
    "presale",
    "support_package",
    "region",
    "priority",
    "registered_at",
    "response_due_at",
    "first_response_at",
    "resolution_due_at",
    "resolved_at",
    "escalation_level",
    "csat",
)


def cases_with_deadlines(solution: Solution, *, as_of: datetime) -> QuerySet:
    """The solution's cases, newest first, with the deadlines the portal computed from the
    customer's SLA and whether each step is late at `as_of` (R5.4, R5.5)."""
    return (
        SupportCase.objects.filter(solution=solution)
        .order_by("-registered_at", "-pk")
        .annotate(
            response_late=ExpressionWrapper(
                overdue("first_response_at", "response_due_at", as_of),
                output_field=BooleanField(),
            ),
            resolution_late=ExpressionWrapper(
                overdue("resolved_at", "resolution_due_at", as_of),
                output_field=BooleanField(),
            ),
        )
    )


# --- Remediation plans and the badge history -------------------------------------------


def remediation_plans(solution: Solution) -> list[RemediationPlan]:
    """Every remediation plan of the solution, in force first, then newest, with its actions
    (two queries)."""
    plans = list(
        RemediationPlan.objects.filter(solution=solution)
        .select_related("audit", "agreed_by")
        .prefetch_related(items_with_done_record())
        .order_by(F("closed_at").desc(nulls_first=True), "-agreed_at", "-pk")
    )
    for plan in plans:
        plan.kpi_labels = [KPI(kpi).label for kpi in plan.covers_kpis if kpi in KPI.values]
    return plans


def badge_history(solution: Solution) -> list[CertificationEvent]:
    """The certification's events, newest first, with who acted and on which version (one
    query; none for a solution never certified)."""
    return list(
        CertificationEvent.objects.filter(certification__solution=solution)
        .select_related("actor", "version")
        .order_by("-at", "-pk")
    )


# --- The page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KPIPage:
    certification: CertificationState
    months: list[MonthRow]
    half_years: list[HalfYearRow]
    breaches: list[Breach]
    presale: list[PresaleRow]
    customers: CustomerOverview
    warnings: list[WarningRow]
    late_cases: list[LateCase]
    reopenings: list[MonthReopening]
    latest_cases: list[SupportCase]
    remediation_plans: list[RemediationPlan]
    badge_history: list[CertificationEvent]

    @property
    def share_on_current_percent(self) -> Fraction | None:
        share = self.customers.share_on_current
        return None if share is None else share * 100


def kpi_page(solution: Solution, *, as_of: datetime | None = None) -> KPIPage:
    """Everything the KPI page shows but the list of customers behind, which it paginates from
    `customers.behind`. `solution` comes with `certification__version` selected."""
    as_of = as_of or timezone.now()
    today = as_of.astimezone(reporting_zone()).date()
    months = recent_months(as_of, MONTHS_SHOWN)
    half_years = half_years_of(months)
    certification = certification_state(solution)
    month_rows = monthly_kpis(solution, months)
    return KPIPage(
        certification=certification,
        months=month_rows,
        half_years=half_yearly_nps(
            solution, half_years, as_of=as_of, today=today, certified_since=certification.since
        ),
        breaches=breaches(solution, [*months, *half_years]),
        presale=presale_by_month(solution, months, as_of=as_of),
        customers=customer_overview(solution, today=today),
        warnings=month_warnings(solution, month_rows),
        late_cases=late_cases(solution, month_rows),
        reopenings=reopenings(solution, months),
        latest_cases=list(cases_with_deadlines(solution, as_of=as_of)[:LATEST_CASES]),
        remediation_plans=remediation_plans(solution),
        badge_history=badge_history(solution),
    )
