"""Texts the system writes into a record, kept as facts and rendered when they are read.

A record that says something in the system's own words (a meeting's date on a request's
timeline, why the KPI job revoked a badge) stores a *code* and its *parameters* (dates as ISO
strings, numbers as numbers), never an English sentence: `render` turns them into the
sentence in the active language when someone reads it, so that one row reads in English to
one person and in Russian to another. What a person typed is stored as typed and shown as
typed (`text_of`).

Each code is registered once, by the app whose fact it is, with a function that renders its
parameters: `template` builds the usual one, a translatable sentence whose date and time
parameters are formatted in the reader's format. An app above the record's own app registers
its codes in its `AppConfig.ready()` (the KPI job's reasons are rendered by `kpi`, stored on
the catalogue's badge history).
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

Renderer = Callable[[dict], str]


@dataclass(frozen=True, eq=False)
class Text:
    """A system text to store: its code and parameters (JSON: dates as ISO strings)."""

    code: str
    params: dict = field(default_factory=dict)

    def __str__(self):
        return render(self.code, self.params)


def stored(value: "Text | str") -> tuple[str, dict, str]:
    """What a record stores for `value`: (code, parameters, typed text), the code empty for
    what a person typed and the typed text empty for a system text."""
    if isinstance(value, Text):
        return value.code, dict(value.params), ""
    return "", {}, value


_TEXTS: dict[str, Renderer] = {}


def register(code: str, render: Renderer) -> None:
    """Make `code` renderable; the same code registered twice with another function is a
    mistake (two apps claiming one fact)."""
    known = _TEXTS.get(code)
    if known is not None and known is not render:
        raise ValueError(f"System text {code!r} is registered already.")
    _TEXTS[code] = render


def when(value: str) -> str:
    """An ISO date-time in the reader's time zone and date-time format."""
    moment = parse_datetime(value)
    if moment is None:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def day(value: str) -> str:
    """An ISO date in the reader's date format."""
    parsed = parse_date(value)
    return value if parsed is None else formats.date_format(parsed, "DATE_FORMAT")


def template(msgid: str, *, datetimes: Iterable[str] = (), dates: Iterable[str] = ()) -> Renderer:
    """A renderer of one sentence: `msgid` (marked for translation where it is written, with
    `gettext_noop`) translated in the active language, its parameters filled in, the named
    date-time and date parameters formatted for the reader."""
    datetimes, dates = tuple(datetimes), tuple(dates)

    def render(params: dict) -> str:
        values = dict(params)
        for name in datetimes:
            if values.get(name):
                values[name] = when(values[name])
        for name in dates:
            if values.get(name):
                values[name] = day(values[name])
        return translation.gettext(msgid) % values

    return render


def render(code: str, params: dict | None = None) -> str:
    """The system's text `code` in the active language."""
    try:
        renderer = _TEXTS[code]
    except KeyError:
        raise LookupError(f"No system text {code!r} is registered.") from None
    return renderer(params or {})


def text_of(code: str, params: dict | None, typed: str) -> str:
    """What a record says: its system text in the active language, else what a person typed.
    A code no longer registered, or facts that do not fit its sentence, are logged and the
    typed text is shown instead: a page never fails on one odd row."""
    if not code:
        return typed
    try:
        return render(code, params)
    except (LookupError, TypeError, ValueError) as error:
        logger.warning(
            "System text %r cannot be rendered (%s); showing the stored text.", code, error
        )
        return typed


def recognise(msgid: str, text: str) -> tuple[str, dict] | None:
    """(language, parameters as strings) when `text` is exactly the sentence `msgid` as it
    reads in one of the portal's languages, else None: how a data migration turns an older
    row's sentence back into its facts."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            sentence = translation.gettext(msgid)
        pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", re.escape(sentence))
        match = re.fullmatch(pattern, text, flags=re.DOTALL)
        if match:
            return language, match.groupdict()
    return None


def write_back(apps, records: Iterable[tuple[str, str, str]], codes: Iterable[str]) -> None:
    """For a data migration going back: the system texts `codes` of each (app label, model,
    text field) written into the text field as English sentences, their facts cleared."""
    codes = list(codes)
    with translation.override("en"):
        for app_label, name, field in records:
            for row in apps.get_model(app_label, name).objects.filter(text_code__in=codes):
                setattr(row, field, render(row.text_code, row.text_params))
                row.text_code, row.text_params = "", {}
                row.save(update_fields=[field, "text_code", "text_params"])


class WithSystemText(models.Model):
    """A record that says something either in a person's words (its own text field) or in
    the system's: then `text_code` and `text_params` hold the facts, and `shown(typed)`
    renders them in the reader's language."""

    text_code = models.CharField(
        gettext_lazy("system text"), max_length=60, blank=True, editable=False
    )
    text_params = models.JSONField(
        gettext_lazy("system text's facts"), default=dict, blank=True, editable=False
    )

    class Meta:
        abstract = True

    def shown(self, typed: str) -> str:
        """The system's text in the active language, else `typed` (the person's words)."""
        return text_of(self.text_code, self.text_params, typed)
