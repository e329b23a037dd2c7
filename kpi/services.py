"""Stage-5 writes of the pages: a partner's CSV file imported for one solution."""

import io

from django.utils.translation import gettext as _

from catalogue.models import Solution

from .importing import ImportResult, Scope


def solution_csv_import(*, importer, text: str, slug: str) -> ImportResult:
    """Import a CSV file with `importer` for the solution `slug` only: a row naming any other
    solution is a bad row like any other; ImportRejected."""
    scope = Scope(
        Solution.objects.filter(slug=slug),
        lambda named: (
            _("“%(named)s” is not this solution: only rows of “%(slug)s” are accepted here")
            % {"named": named, "slug": slug}
        ),
    )
    return importer(io.StringIO(text), scope)
