import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

CODE = re.compile(r"`([^`]+)`")
EMPHASIS = re.compile(r"\*([^*]+)\*")


@register.filter
def inline_markdown(text: str) -> str:
    """A cell of docs/rules.md as HTML: its `code` and *emphasis*, everything else escaped."""
    escaped = str(conditional_escape(text))
    escaped = CODE.sub(r"<code>\1</code>", escaped)
    return mark_safe(EMPHASIS.sub(r"<em>\1</em>", escaped))  # the text was escaped above
