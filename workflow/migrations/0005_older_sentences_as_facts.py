"""The sentences the workflow wrote in English (or in the writer's language) before it kept
facts, turned back into their system text's code and parameters where they match exactly: a
meeting's date and place and the leaders' priority on a request's timeline, a re-confirmed
material's note, the reason of a badge granted after stage 4. Anything else is left as it is
(a person's words)."""

from datetime import UTC, datetime

from django.db import migrations
from django.utils import translation

from certportal.system_texts import recognise, render, write_back
from workflow import texts
from workflow.enums import Priority

LEADER_DECISIONS = ("approve", "defer", "decline_approval", "resume")
SENTENCES = {
    texts.MEETING_SCHEDULED: "Meeting on %(when)s, %(where)s.",
    texts.MEETING_HELD: "Set-up meeting held on %(when)s.",
}


def _iso(when: str) -> str | None:
    """The moment an older sentence wrote as "2026-03-01 10:00 UTC" (always UTC), as ISO."""
    try:
        moment = datetime.strptime(when, "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.isoformat()


def _priority_fact(description: str):
    """ "Priority: Medium. Broad need." as the leaders' priority and their comment."""
    for language in ("en", "ru"):
        with translation.override(language):
            for priority, label in Priority.choices:
                head = f"{translation.gettext('Priority')}: {label}."
                if description != head and not description.startswith(f"{head} "):
                    continue
                params = {"priority": priority, "comment": description[len(head) :].strip()}
                if render(texts.PRIORITY_SET, params) == description:
                    return texts.PRIORITY_SET, params
    return None


def _timeline_fact(transition: str, description: str):
    if transition in LEADER_DECISIONS:
        return _priority_fact(description)
    for code, msgid in SENTENCES.items():
        found = recognise(msgid, description)
        if found is None:
            continue
        params = found[1]
        params["when"] = _iso(params["when"])
        if params["when"] is not None:
            return code, params
    return None


def forward(apps, schema_editor):
    StateLog = apps.get_model("django_fsm_log", "StateLog")
    TimelineText = apps.get_model("workflow", "TimelineText")
    Material = apps.get_model("workflow", "Material")
    CertificationEvent = apps.get_model("catalogue", "CertificationEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    requests = ContentType.objects.filter(app_label="workflow", model="application").first()
    if requests is not None:
        entries = StateLog.objects.filter(
            content_type=requests,
            transition__in=[
                "schedule_meeting",
                "reschedule_meeting",
                "hold_meeting",
                *LEADER_DECISIONS,
            ],
            system_text__isnull=True,
        ).exclude(description=None)
        for entry in entries.iterator():
            fact = _timeline_fact(entry.transition, entry.description)
            if fact is None:
                continue
            TimelineText.objects.create(state_log=entry, text_code=fact[0], text_params=fact[1])
            entry.description = None
            entry.save(update_fields=["description"])
    for material in Material.objects.filter(text_code="", carried_over_from__isnull=False):
        found = recognise("Re-confirmed from version %(version)s.", material.note)
        if found is not None:
            material.text_code, material.text_params = texts.MATERIAL_RECONFIRMED, found[1]
            material.note = ""
            material.save(update_fields=["text_code", "text_params", "note"])
    grants = CertificationEvent.objects.filter(
        text_code="", action__in=["granted", "version_updated"]
    )
    for event in grants:
        if recognise("Stages 1–4 passed.", event.reason) is not None:
            event.text_code, event.text_params, event.reason = texts.STAGES_PASSED, {}, ""
            event.save(update_fields=["text_code", "text_params", "reason"])


def backward(apps, schema_editor):
    """The workflow's facts written back as English sentences, before the fields that hold
    them go (a later migration back removes them)."""
    TimelineText = apps.get_model("workflow", "TimelineText")
    StateLog = apps.get_model("django_fsm_log", "StateLog")
    codes = [*SENTENCES, texts.PRIORITY_SET, texts.MATERIAL_RECONFIRMED, texts.STAGES_PASSED]
    with translation.override("en"):
        for fact in TimelineText.objects.filter(text_code__in=codes):
            text = render(fact.text_code, fact.text_params)
            StateLog.objects.filter(pk=fact.state_log_id).update(description=text)
    TimelineText.objects.filter(text_code__in=codes).delete()
    write_back(
        apps,
        [("workflow", "Material", "note"), ("catalogue", "CertificationEvent", "reason")],
        codes,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0004_system_texts_of_timeline_and_materials"),
        ("catalogue", "0003_system_text_of_badge_events"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
