"""The texts the request workflow writes on its records, as facts (certportal.system_texts).

Each is stored as its code and parameters and rendered in the reader's language: a request's
timeline (the set-up meeting, the priority the leaders set), a re-confirmed material's note,
the reason of a badge granted after stage 4.
"""

from datetime import datetime

from django.utils.translation import gettext, gettext_noop

from certportal.system_texts import Text, register, template

from .enums import Priority

MEETING_SCHEDULED = "workflow.meeting_scheduled"
MEETING_HELD = "workflow.meeting_held"
STAGES_PASSED = "workflow.stages_passed"
MATERIAL_RECONFIRMED = "workflow.material_reconfirmed"
PRIORITY_SET = "workflow.priority_set"

register(
    MEETING_SCHEDULED,
    template(gettext_noop("Meeting on %(when)s, %(where)s."), datetimes=["when"]),
)
register(
    MEETING_HELD, template(gettext_noop("Set-up meeting held on %(when)s."), datetimes=["when"])
)
register(STAGES_PASSED, template(gettext_noop("Stages 1–4 passed.")))
register(MATERIAL_RECONFIRMED, template(gettext_noop("Re-confirmed from version %(version)s.")))


def _priority_set(params: dict) -> str:
    """ "Priority: Medium. Broad need." — the leaders' priority, then their own words."""
    label = Priority(params["priority"]).label
    return f"{gettext('Priority')}: {label}. {params.get('comment', '')}".strip()


register(PRIORITY_SET, _priority_set)


def meeting_scheduled(when: datetime, where: str) -> Text:
    return Text(MEETING_SCHEDULED, {"when": when.isoformat(), "where": where})


def meeting_held(when: datetime) -> Text:
    return Text(MEETING_HELD, {"when": when.isoformat()})


def stages_passed() -> Text:
    return Text(STAGES_PASSED)


def priority_set(priority: int, comment: str) -> Text:
    """The leaders' decision with a priority: the priority as a fact, their comment as typed."""
    return Text(PRIORITY_SET, {"priority": int(priority), "comment": comment.strip()})
