"""Import support cases of certified solutions from a CSV file (all or nothing)."""

from django.utils.translation import gettext_lazy as _

from kpi.importing import import_cases_csv
from kpi.management.base import ImportCommand


class Command(ImportCommand):
    help = _("Import support cases from a CSV file: all rows or none.")
    importer = staticmethod(import_cases_csv)
    done = _("Support cases: %(created)s created, %(updated)s updated.")
