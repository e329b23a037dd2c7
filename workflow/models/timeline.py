"""A request's timeline: django-fsm-log's entries, with the system's words kept as facts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm_log.models import StateLog

from certportal.system_texts import WithSystemText


class TimelineText(WithSystemText):
    """What the system said on one timeline entry (a meeting's date and place), as its text's
    code and parameters (certportal.system_texts), rendered in the reader's language. A
    comment a person typed stays in the entry's own description. Written with the entry,
    never changed."""

    state_log = models.OneToOneField(
        StateLog,
        verbose_name=_("timeline entry"),
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="system_text",
    )

    class Meta:
        verbose_name = _("timeline text")
        verbose_name_plural = _("timeline texts")

    def __str__(self):
        return self.text_code


class TimelineEntry(StateLog):
    """A timeline entry as it is shown: `comment_text` is its comment in the reader's language.
    Read with `select_related("system_text")`."""

    class Meta:
        proxy = True
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    @property
    def comment_text(self) -> str:
        """The system's words in the active language, else the comment a person typed."""
        typed = self.description or ""
        system = getattr(self, "system_text", None)
        return typed if system is None else system.shown(typed)
