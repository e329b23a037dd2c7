"""Import NPS survey answers from a CSV file (all or nothing)."""

from django.utils.translation import gettext_lazy as _

from kpi.importing import import_nps_csv
from kpi.management.base import ImportCommand


class Command(ImportCommand):
    help = _("Import NPS answers from a CSV file: all rows or none.")
    importer = staticmethod(import_nps_csv)
    done = _("NPS answers: %(created)s created, %(updated)s updated.")
