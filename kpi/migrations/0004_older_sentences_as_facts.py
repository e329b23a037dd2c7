"""The sentences the KPI job wrote before it kept facts, turned back into them where they
match exactly: the reason it gave a badge's revocation or "at risk" (each failed KPI's counts,
target and basis) and a breach's figures. A sentence is converted only when its facts render
it again word for word; anything else (the NPS mean, whose sum of scores the sentence does not
give, a person's words) is left as it is."""

from decimal import Decimal, InvalidOperation

from django.db import migrations
from django.utils import translation

from certportal.system_texts import recognise, render, write_back
from kpi import judging, texts
from kpi.models import KPI, Comparison

CLAUSE = "%(kpi)s failed in %(period)s: %(figures)s, target %(target)s (%(basis)s)"
FIGURES = {
    KPI.ESCALATIONS: "%(numerator)s escalated of %(denominator)s cases",
    KPI.CSAT_RESPONSE_RATE: "%(numerator)s of %(denominator)s = %(value)s",
    KPI.CSAT_POSITIVE_SHARE: "%(numerator)s of %(denominator)s = %(value)s",
    KPI.RESPONSE_OVERDUE_RATE: "%(numerator)s of %(denominator)s = %(value)s",
    KPI.RESOLUTION_OVERDUE_RATE: "%(numerator)s of %(denominator)s = %(value)s",
}
SURVEY_MISSING = "no answer from the %(active)s customers active at the end of the half-year"


def _counts(kpi: str, text: str):
    """(numerator, denominator) of a KPI's figures as an older sentence gave them."""
    found = recognise(FIGURES[kpi], text) if kpi in FIGURES else None
    if found is None:
        return None
    try:
        return int(found[1]["numerator"]), int(found[1]["denominator"])
    except ValueError:
        return None


def _target(kpi: str, text: str):
    """(comparison, value) of a target written as "at most 1 %"."""
    for comparison, label in Comparison.choices:
        prefix = f"{label} "
        if not text.startswith(prefix):
            continue
        shown = text.removeprefix(prefix)
        rate = kpi in judging.RATE_KPIS
        try:
            value = Decimal(shown.removesuffix(" %")) / (100 if rate else 1)
        except InvalidOperation:
            return None
        return comparison, str(value)
    return None


def _failure(clause: str, language: str):
    found = recognise(CLAUSE, clause)
    if found is None or found[0] != language:
        return None
    parts = found[1]
    kpi = {str(label): value for value, label in KPI.choices}.get(parts["kpi"])
    counts = _counts(kpi, parts["figures"]) if kpi else None
    target = _target(kpi, parts["target"]) if counts else None
    bases = {str(note): basis for basis, note in texts.BASIS_NOTES.items()}
    bases[translation.gettext("on final figures")] = None
    if target is None or parts["basis"] not in bases:
        return None
    return parts["period"], {
        "kpi": kpi,
        "numerator": counts[0],
        "denominator": counts[1],
        "comparison": target[0],
        "target": target[1],
        "basis": bases[parts["basis"]],
    }


def _reason_fact(reason: str):
    """The facts of a reason the job wrote, when they render it again exactly."""
    for language in ("en", "ru"):
        with translation.override(language):
            failures = [_failure(clause, language) for clause in reason.split("; ")]
            if not failures or None in failures or len({f[0] for f in failures}) != 1:
                continue
            params = {"period": failures[0][0], "failures": [f[1] for f in failures]}
            if render(texts.KPI_FAILED, params) == reason:
                return params
    return None


def _breach_fact(breach):
    found = recognise(SURVEY_MISSING, breach.detail)
    if found is not None and found[1]["active"].isdigit():
        return texts.SURVEY_MISSING, {"active": int(found[1]["active"])}
    for language in ("en", "ru"):
        with translation.override(language):
            counts = _counts(breach.kpi, breach.detail)
            if counts is None:
                continue
            params = {"kpi": breach.kpi, "numerator": counts[0], "denominator": counts[1]}
            if render(texts.FIGURES, params) == breach.detail:
                return texts.FIGURES, params
    return None


def forward(apps, schema_editor):
    CertificationEvent = apps.get_model("catalogue", "CertificationEvent")
    Breach = apps.get_model("kpi", "Breach")
    # The job acts with nobody as actor; what an analyst typed is theirs.
    for event in CertificationEvent.objects.filter(
        text_code="", actor__isnull=True, action__in=["revoked", "at_risk"]
    ):
        params = _reason_fact(event.reason)
        if params is not None:
            event.text_code, event.text_params, event.reason = texts.KPI_FAILED, params, ""
            event.save(update_fields=["text_code", "text_params", "reason"])
    for breach in Breach.objects.filter(text_code=""):
        fact = _breach_fact(breach)
        if fact is not None:
            breach.text_code, breach.text_params = fact
            breach.detail = ""
            breach.save(update_fields=["text_code", "text_params", "detail"])


def backward(apps, schema_editor):
    """The facts written back as English sentences, before the fields that hold them go."""
    write_back(
        apps,
        [("catalogue", "CertificationEvent", "reason"), ("kpi", "Breach", "detail")],
        [texts.KPI_FAILED, texts.FIGURES, texts.SURVEY_MISSING],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0003_system_text_of_breaches"),
        ("catalogue", "0003_system_text_of_badge_events"),
    ]

    operations = [migrations.RunPython(forward, backward)]
