import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from catalogue.models import Solution
from kpi.evaluation import evaluate_period
from kpi.periods import parse_period


class Command(BaseCommand):
    help = _("Evaluate the support KPIs of a month or half-year, as the monthly job does.")

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help=_('"2026-10" or "2026-H2"'))
        parser.add_argument("--solution", help=_("Only the solution with this slug"))
        parser.add_argument(
            "--as-of", dest="as_of", help=_("Evaluation time, ISO 8601 (default: now)")
        )
        parser.add_argument("--json", action="store_true", help=_("Print the results as JSON"))

    def handle(self, *args, period, solution=None, as_of=None, json=False, **options):
        try:
            parsed = parse_period(period)
        except ValueError as error:
            raise CommandError(str(error)) from error
        moment = timezone.now()
        if as_of:
            moment = parse_datetime(as_of)
            if moment is None:
                raise CommandError(_("--as-of is an ISO 8601 date and time."))
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        solutions = None
        if solution:
            solutions = Solution.objects.filter(slug=solution)
            if not solutions.exists():
                raise CommandError(_("No solution %(slug)s.") % {"slug": solution})
        results = evaluate_period(parsed, solutions=solutions, as_of=moment)
        if json:
            self.stdout.write(_dumps(results))
            return
        for result in results:
            state = _("final") if result["final"] else _("provisional")
            self.stdout.write(
                f"{result['solution']} {result['period']} ({state}): {result['action']}"
            )
            for name, kpi in result["kpis"].items():
                value = "—" if kpi["value"] is None else kpi["value"]
                self.stdout.write(
                    f"  {name}: {value} ({kpi['numerator']}/{kpi['denominator']}, "
                    f"{kpi['target']}) {kpi['status']}"
                )


def _dumps(results) -> str:
    return json.dumps(results, ensure_ascii=False, indent=2)
