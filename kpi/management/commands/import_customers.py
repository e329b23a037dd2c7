"""Import customers of certified solutions from a CSV file (all or nothing)."""

from django.utils.translation import gettext_lazy as _

from kpi.customers import import_customers_csv
from kpi.management.base import ImportCommand


class Command(ImportCommand):
    help = _("Import customers from a CSV file: all rows or none.")
    importer = staticmethod(import_customers_csv)
    done = _("Customers: %(created)s created, %(updated)s updated.")
