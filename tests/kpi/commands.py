"""Running the import commands from tests."""

from io import StringIO

from django.core.management import CommandError, call_command


def run(command, path):
    """Call the command; its printed output, or CommandError with the errors printed."""
    out, err = StringIO(), StringIO()
    try:
        call_command(command, str(path), stdout=out, stderr=err)
    except CommandError as error:
        error.printed = err.getvalue()
        raise
    return out.getvalue()
