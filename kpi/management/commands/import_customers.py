"""Import customers of certified solutions from a CSV file (all or nothing)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpi.customers import import_customers_csv
from kpi.importing import ImportRejected


class Command(BaseCommand):
    help = gettext_lazy("Import customers from a CSV file: all rows or none.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the CSV file"))

    def handle(self, *args, file, **options):
        try:
            result = import_customers_csv(file)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s bad rows; nothing was imported.") % {"count": len(rejected.errors)}
            ) from None
        self.stdout.write(
            _("Customers: %(created)s created, %(updated)s updated.")
            % {"created": result.created, "updated": result.updated}
        )
