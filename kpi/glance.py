"""A certified solution's KPIs at a glance, for its partner's home page: each monthly case KPI
of the latest month over, as pass, at risk or fail.

- **fail**: a breach is recorded for the KPI and month, or its final figures miss the target;
- **at risk**: its provisional figures miss the target (cases of the month are still open
  within their deadline, so the figures can still change; the partner was sent the early
  warning of kpi.early_warnings for the same figures);
- **pass**: its figures meet the target (provisional ones say so);
- **no data**: nothing to judge (no case in the month, or not evaluated yet).

Besides, the KPIs of the current month that already miss their target so far: the early
warnings recorded for it (kpi.early_warnings), with what would bring each back.

Three queries for any number of solutions: their snapshots and breaches of the month, and the
warnings of the current month.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from . import judging
from .early_warnings import WarningText, warning_text
from .judging import Target
from .models import KPI, Breach, KPISnapshot, KPIWarning
from .periods import Period, month_of, parse_period, previous_month
from .selectors import KPICell

PASS, AT_RISK, FAIL, NO_DATA = "pass", "at_risk", "fail", "no_data"
STATE_LABELS = {
    PASS: _("pass"),
    AT_RISK: _("at risk"),
    FAIL: _("fail"),
    NO_DATA: _("no data"),
}


@dataclass(frozen=True)
class KPIGlance:
    """One KPI of the month: its state, its figure and target, and what would bring it back
    within the target when it is at risk."""

    cell: KPICell
    state: str
    remedy: str = ""

    @property
    def kpi(self) -> str:
        return self.cell.kpi

    @property
    def label(self) -> str:
        return KPI(self.cell.kpi).label

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def provisional(self) -> bool:
        return self.cell.snapshot is not None and self.cell.snapshot.provisional


@dataclass(frozen=True)
class SolutionGlance:
    period: Period
    kpis: list[KPIGlance]
    # The current month, and its KPIs that miss their target so far (warned of).
    current: Period
    warned_so_far: list[WarningText]

    def having(self, state: str) -> list[KPIGlance]:
        return [kpi for kpi in self.kpis if kpi.state == state]

    @property
    def worst(self) -> str:
        for state in (FAIL, AT_RISK, PASS):
            if self.having(state):
                return state
        return NO_DATA


JUDGED = (KPISnapshot.Status.PASS, KPISnapshot.Status.FAIL)


def _state(snapshot: KPISnapshot | None, breached: bool) -> str:
    if breached:
        return FAIL
    if snapshot is None or snapshot.status not in JUDGED:
        return NO_DATA
    if snapshot.status == KPISnapshot.Status.PASS:
        return PASS
    return AT_RISK if snapshot.provisional else FAIL


def _remedy(snapshot: KPISnapshot) -> str:
    """What would bring a KPI at risk back within its target, from its figures."""
    if not snapshot.comparison or snapshot.target_value is None:
        return ""
    count = judging.remedy(
        snapshot.kpi,
        snapshot.numerator,
        snapshot.denominator,
        Target(snapshot.comparison, snapshot.target_value),
        month_over=True,
    )
    return str(judging.format_remedy(snapshot.kpi, count))


def kpi_glances(solution_ids, *, as_of: datetime) -> dict[int, SolutionGlance]:
    """Each solution's case KPIs of the latest month over at `as_of`, and those of the current
    month warned of so far (three queries)."""
    period = parse_period(previous_month(as_of))
    current = parse_period(month_of(as_of))
    ids = list(solution_ids)
    if not ids:
        return {}
    kpis = [str(kpi) for kpi in judging.CASE_KPIS]
    snapshots = {
        (row.solution_id, row.kpi): row
        for row in KPISnapshot.objects.filter(solution_id__in=ids, period=period.name, kpi__in=kpis)
    }
    breached = set(
        Breach.objects.filter(solution_id__in=ids, period=period.name, kpi__in=kpis).values_list(
            "solution_id", "kpi"
        )
    )
    warned: dict[int, dict[str, WarningText]] = {}
    for warning in KPIWarning.objects.filter(
        solution_id__in=ids, period=current.name, kpi__in=kpis
    ).order_by("solution_id", "kpi", "recorded_at", "pk"):
        # One row per person warned: the first tells the figures as they were warned of.
        warned.setdefault(warning.solution_id, {}).setdefault(warning.kpi, warning_text(warning))
    glances = {}
    for solution_id in ids:
        row = []
        for kpi in kpis:
            snapshot = snapshots.get((solution_id, kpi))
            state = _state(snapshot, (solution_id, kpi) in breached)
            remedy = _remedy(snapshot) if state == AT_RISK else ""
            row.append(KPIGlance(KPICell(kpi, snapshot), state, remedy))
        glances[solution_id] = SolutionGlance(
            period, row, current, list(warned.get(solution_id, {}).values())
        )
    return glances
