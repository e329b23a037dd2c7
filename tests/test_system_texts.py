"""Texts the system writes are stored as facts and read in the reader's language.

The Russian of the sentences is added to the active catalogue here (`russian`), so that the
tests say what a Russian reader sees whatever the tracked .mo holds yet.
"""

from datetime import UTC, datetime
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real
from django_fsm_log.models import StateLog

from catalogue import badge
from catalogue.enums import CertificationStatus
from catalogue.models import CertificationEvent
from kpi import texts as kpi_texts
from kpi.judging import Target
from kpi.models import KPI, Breach, KPISnapshot
from kpi.periods import parse_period
from kpi.selectors import KPICell
from workflow import services
from workflow import texts as workflow_texts
from workflow.enums import ApplicationState, Priority
from workflow.models import Application, Material, TimelineEntry

from .factories.accounts import UserFactory
from .factories.workflow import (
    ApplicationFactory,
    ApprovalFactsFactory,
    CertificationFactory,
    MaterialFactory,
    actor,
    with_state_records,
)

pytestmark = pytest.mark.django_db
S = ApplicationState

WHEN = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)
RUSSIAN = {
    "Meeting on %(when)s, %(where)s.": "Встреча %(when)s, место: %(where)s.",
    "Re-confirmed from version %(version)s.": "Подтверждено повторно из версии %(version)s.",
    "Stages 1–4 passed.": "Этапы 1–4 пройдены.",
    "Priority": "Приоритет",
    "Medium": "Средний",
    "%(kpi)s failed in %(period)s: %(figures)s, target %(target)s (%(basis)s)": (
        "%(kpi)s: не выполнено за %(period)s: %(figures)s, цель — %(target)s (%(basis)s)"
    ),
    "Cases overdue on response": "Обращения с просрочкой реакции",
    "%(numerator)s of %(denominator)s = %(value)s": "%(numerator)s из %(denominator)s = %(value)s",
    "%(comparison)s %(value)s": "%(comparison)s %(value)s",
    "at most": "не более",
    "on the month's final figures": "по окончательным показателям месяца",
    "no answer from the %(active)s customers active at the end of the half-year": (
        "нет ответа ни от одного из %(active)s клиентов, активных в конце полугодия"
    ),
}
REASON_EN = (
    "Cases overdue on response failed in 2026-10: 2 of 10 = 20 %, target at most 1 % "
    "(on the month's final figures)"
)
REASON_RU = (
    "Обращения с просрочкой реакции: не выполнено за 2026-10: 2 из 10 = 20 %, "
    "цель — не более 1 % (по окончательным показателям месяца)"
)


@pytest.fixture
def russian(monkeypatch):
    """The Russian of the sentences under test, in the catalogue `gettext` reads for "ru"."""
    catalogue = trans_real.translation("ru")._catalog._catalogs[0]
    for msgid, msgstr in RUSSIAN.items():
        monkeypatch.setitem(catalogue, msgid, msgstr)


def in_language(language, render):
    with translation.override(language):
        return render()


def overdue_reason():
    """The reason the KPI job gives for 2 of 10 cases late on response in October 2026."""
    target = Target("at_most", Decimal("0.0100"))
    failed = [(KPI.RESPONSE_OVERDUE_RATE, 2, 10, None, target, Breach.Basis.FINAL)]
    return kpi_texts.failed_reason(parse_period("2026-10"), failed)


# --- A request's timeline ---------------------------------------------------------------------


def test_a_meeting_on_the_timeline_reads_in_each_readers_language(client, russian):
    application = with_state_records(ApplicationFactory(state=ApplicationState.SUBMITTED))
    services.meeting_schedule(
        application=application, by=actor("analyst"), scheduled_for=WHEN, location="Room 9"
    )
    client.force_login(actor("own_partner", application))
    url = reverse("application_detail", args=[application.pk])

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    russian_page = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").text

    assert "Meeting on 6 May 2030, 09:00 UTC, Room 9." in english
    assert "Встреча 6 мая 2030, 09:00 UTC, место: Room 9." in russian_page
    entry = TimelineEntry.objects.for_(application).get(transition="schedule_meeting")
    assert entry.description is None  # the facts are stored, not an English sentence
    assert (entry.system_text.text_code, entry.system_text.text_params) == (
        workflow_texts.MEETING_SCHEDULED,
        {"when": "2030-05-06T09:00:00+00:00", "where": "Room 9"},
    )


def test_a_comment_a_person_typed_stays_as_typed_in_every_language(client, russian):
    application = with_state_records(ApplicationFactory(state=ApplicationState.SUBMITTED))
    partner = actor("own_partner", application)
    services.application_withdraw(application=application, by=partner, reason="Meeting on Friday.")
    entry = TimelineEntry.objects.for_(application).get(transition="withdraw")

    shown = [in_language(code, lambda: entry.comment_text) for code in ("en", "ru")]

    assert shown == ["Meeting on Friday.", "Meeting on Friday."]


def test_the_leaders_priority_reads_in_each_language_and_their_words_as_typed(russian):
    """R2.5: the priority chosen is on the timeline, in the reader's language."""
    application = ApplicationFactory(state=ApplicationState.AWAITING_APPROVAL)
    ApprovalFactsFactory(application=application)

    services.leader_decide(
        application=application,
        by=actor("leader", application),
        decision="approve",
        priority=Priority.MEDIUM,
        comment="Broad need.",
    )

    entry = TimelineEntry.objects.for_(application).select_related("system_text").get()
    assert [in_language(code, lambda: entry.comment_text) for code in ("en", "ru")] == [
        "Priority: Medium. Broad need.",
        "Приоритет: Средний. Broad need.",
    ]


# --- The badge's history and the public badge ---------------------------------------------------


def test_the_kpi_jobs_reason_is_stored_once_and_read_in_each_language(russian):
    certification = CertificationFactory()

    event = badge.revoke(certification=certification, by=badge.SYSTEM, reason=overdue_reason())

    stored = CertificationEvent.objects.get(pk=event.pk)
    assert (stored.reason, stored.text_code) == ("", kpi_texts.KPI_FAILED)
    assert in_language("en", lambda: stored.reason_text) == REASON_EN
    assert in_language("ru", lambda: stored.reason_text) == REASON_RU
    assert in_language("ru", lambda: certification.reason_text) == REASON_RU


def test_the_public_badge_gives_the_reason_in_the_language_asked_each_cached_apart(client, russian):
    """R7.1: a revoked badge says why, to each reader in their language; the English copy a
    first reader left in the cache is not what a Russian reader gets."""
    certification = CertificationFactory(solution__slug="lapsed")
    badge.revoke(certification=certification, by=badge.SYSTEM, reason=overdue_reason())
    url = reverse("badge_json", args=["lapsed"])

    first = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    by_header = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()
    by_parameter = client.get(url, {"lang": "ru"}, HTTP_ACCEPT_LANGUAGE="en").json()
    english_again = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()

    assert [body["reason"] for body in (first, by_header, by_parameter, english_again)] == [
        REASON_EN,
        REASON_RU,
        REASON_RU,
        REASON_EN,
    ]
    assert by_header["status"] == "revoked"


def test_each_analyst_reads_the_revocation_mail_in_their_language(on_commit, russian):
    UserFactory(analyst=True, email="anna@marketplace.example", language="en")
    UserFactory(analyst=True, email="igor@marketplace.example", language="ru")
    certification = CertificationFactory()

    on_commit(badge.revoke, certification=certification, by=badge.SYSTEM, reason=overdue_reason())

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert REASON_EN in bodies["anna@marketplace.example"]
    assert REASON_RU in bodies["igor@marketplace.example"]


def test_a_badge_granted_after_the_stages_reads_in_the_readers_language(russian):
    application = CertificationFactory().application

    certification = badge.grant(
        application=application, by=actor("analyst"), reason=workflow_texts.stages_passed()
    )

    stored = certification.events.get(action=CertificationEvent.Action.VERSION_UPDATED)
    assert stored.reason == ""
    assert [in_language(code, lambda: stored.reason_text) for code in ("en", "ru")] == [
        "Stages 1–4 passed.",
        "Этапы 1–4 пройдены.",
    ]


# --- Materials and breaches -------------------------------------------------------------------


def test_a_re_confirmed_materials_note_reads_in_each_language(russian):
    material = MaterialFactory(
        text_code=workflow_texts.MATERIAL_RECONFIRMED, text_params={"version": "1.0.0"}
    )

    shown = [in_language(code, lambda: material.note_text) for code in ("en", "ru")]

    assert shown == [
        "Re-confirmed from version 1.0.0.",
        "Подтверждено повторно из версии 1.0.0.",
    ]


@pytest.mark.parametrize(
    ("code", "params"),
    [("retired.code", {}), (workflow_texts.MATERIAL_RECONFIRMED, {})],
    ids=["code no longer registered", "facts missing"],
)
def test_a_row_whose_text_cannot_be_rendered_shows_what_is_stored(code, params, caplog):
    material = MaterialFactory(note="Kept as typed.", text_code=code, text_params=params)

    assert material.note_text == "Kept as typed."
    assert "cannot be rendered" in caplog.text


def test_a_breachs_figures_read_in_each_language(russian):
    figures = kpi_texts.figures(KPI.RESPONSE_OVERDUE_RATE, 2, 10)
    breach = Breach(
        kpi=KPI.RESPONSE_OVERDUE_RATE, text_code=figures.code, text_params=figures.params
    )

    shown = [in_language(code, lambda: breach.detail_text) for code in ("en", "ru")]

    assert shown == ["2 of 10 = 20 %", "2 из 10 = 20 %"]


def test_a_breachs_figures_write_a_decimal_as_the_reader_does(russian):
    figures = kpi_texts.figures(KPI.CSAT_POSITIVE_SHARE, 61, 80)

    shown = [in_language(code, lambda: str(figures)) for code in ("en", "ru")]

    assert shown == ["61 of 80 = 76.25 %", "61 из 80 = 76,25 %"]


def test_a_kpis_target_on_the_kpi_page_reads_in_each_language(russian):
    snapshot = KPISnapshot(
        kpi=KPI.RESPONSE_OVERDUE_RATE,
        target="at most 1 %",
        comparison="at_most",
        target_value=Decimal("0.0100"),
    )
    cell = KPICell(kpi=KPI.RESPONSE_OVERDUE_RATE, snapshot=snapshot)

    shown = [in_language(code, lambda: cell.target) for code in ("en", "ru")]

    assert shown == ["at most 1 %", "не более 1 %"]


# --- Rows written before the facts ---------------------------------------------------------------


def _migration(app_label, name):
    return import_module(f"{app_label}.migrations.{name}")


def older_entry(application, transition, source, state, description):
    """A timeline entry as the portal wrote it before it kept facts."""
    return StateLog.objects.create(
        content_type=ContentType.objects.get_for_model(Application),
        object_id=application.pk,
        transition=transition,
        source_state=source,
        state=state,
        description=description,
    )


def older_event(reason, actor=None):
    """A revocation as the portal wrote it before it kept facts."""
    certification = CertificationFactory(revoked=True)
    return CertificationEvent.objects.create(
        certification=certification,
        action=CertificationEvent.Action.REVOKED,
        status=CertificationStatus.REVOKED,
        version=certification.version,
        reason=reason,
        actor=actor,
    )


def test_older_english_sentences_become_facts_and_peoples_words_stay(russian):
    application = with_state_records(ApplicationFactory(state=ApplicationState.MEETING_SCHEDULED))
    old = older_entry(
        application,
        "schedule_meeting",
        S.SUBMITTED,
        S.MEETING_SCHEDULED,
        "Meeting on 2030-05-06 09:00 UTC, Room 9, floor 2.",
    )
    decided = older_entry(
        application,
        "approve",
        S.AWAITING_APPROVAL,
        S.AWAITING_MATERIALS,
        "Priority: Medium. Broad need.",
    )
    typed = older_entry(
        application,
        "reschedule_meeting",
        S.MEETING_SCHEDULED,
        S.MEETING_SCHEDULED,
        "Meeting on Friday, as agreed by phone.",
    )
    by_job = older_event(REASON_EN)
    by_analyst = older_event("Audit failed: no escalation process.", actor=actor("analyst"))

    _migration("workflow", "0005_older_sentences_as_facts").forward(apps, None)
    _migration("kpi", "0004_older_sentences_as_facts").forward(apps, None)

    entries = {e.pk: e for e in TimelineEntry.objects.select_related("system_text")}
    assert in_language("ru", lambda: entries[old.pk].comment_text) == (
        "Встреча 6 мая 2030, 09:00 UTC, место: Room 9, floor 2."
    )
    assert entries[old.pk].description is None
    assert in_language("ru", lambda: entries[decided.pk].comment_text) == (
        "Приоритет: Средний. Broad need."
    )
    assert in_language("ru", lambda: entries[typed.pk].comment_text) == (
        "Meeting on Friday, as agreed by phone."
    )
    by_job.refresh_from_db()
    by_analyst.refresh_from_db()
    assert (by_job.reason, by_job.text_code) == ("", kpi_texts.KPI_FAILED)
    assert in_language("ru", lambda: by_job.reason_text) == REASON_RU
    assert in_language("en", lambda: by_job.reason_text) == REASON_EN
    assert (by_analyst.text_code, by_analyst.reason_text) == (
        "",
        "Audit failed: no escalation process.",
    )


def test_older_breach_figures_become_facts():
    breach = Breach.objects.create(
        solution=CertificationFactory().solution,
        period="2026-10",
        kpi=KPI.RESPONSE_OVERDUE_RATE,
        action=Breach.Action.REVOKED,
        detail="2 of 10 = 20 %",
    )

    _migration("kpi", "0004_older_sentences_as_facts").forward(apps, None)

    breach.refresh_from_db()
    assert (breach.detail, breach.text_code, breach.text_params) == (
        "",
        kpi_texts.FIGURES,
        {"kpi": KPI.RESPONSE_OVERDUE_RATE, "numerator": 2, "denominator": 10},
    )
    assert breach.detail_text == "2 of 10 = 20 %"


def test_older_snapshot_targets_become_facts(russian):
    snapshot = KPISnapshot.objects.create(
        solution=CertificationFactory().solution,
        period="2026-10",
        kpi=KPI.RESPONSE_OVERDUE_RATE,
        numerator=2,
        denominator=10,
        value=Decimal("0.2"),
        target="at most 1 %",
        status="fail",
        evaluated_at=WHEN,
        as_of=WHEN,
    )

    _migration("kpi", "0005_snapshot_target_as_facts").forward(apps, None)

    snapshot.refresh_from_db()
    assert (snapshot.comparison, snapshot.target_value) == ("at_most", Decimal("0.0100"))
    cell = KPICell(kpi=snapshot.kpi, snapshot=snapshot)
    assert in_language("ru", lambda: cell.target) == "не более 1 %"


def test_going_back_writes_the_facts_as_english_sentences():
    material = MaterialFactory(
        text_code=workflow_texts.MATERIAL_RECONFIRMED, text_params={"version": "1.0.0"}
    )

    _migration("workflow", "0005_older_sentences_as_facts").backward(apps, None)

    material = Material.objects.get(pk=material.pk)
    assert (material.note, material.text_code) == ("Re-confirmed from version 1.0.0.", "")
