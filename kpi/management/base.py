"""The shape shared by the import commands: one CSV file in, all rows or none."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kpi.importing import ImportRejected


class ImportCommand(BaseCommand):
    """Import a CSV file with `importer`; print `done` (with created/updated) or every bad row
    on stderr and exit non-zero."""

    importer = None
    done = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("the CSV file"))

    def handle(self, *args, file, **options):
        try:
            result = type(self).importer(file)
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
        self.stdout.write(self.done % {"created": result.created, "updated": result.updated})
