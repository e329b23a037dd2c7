"""Stage 4 tells the people concerned: the partner receives the nonconformity report with
its plan; analysts and auditors learn that a declaration or a re-audit request waits."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_fsm_log.models import StateLog

from support_audit.enums import AuditPurpose, AuditType, NonconformitySeverity
from tests.factories.certification import ALL_CONFORMING, declare_conforming_support
from workflow.enums import ApplicationState, Transition
from workflow.models import Application
from workflow.notifications import ROUTES
from workflow.services import support
from workflow.tasks import notify_transition

from ..factories.workflow import ApplicationFactory, actor

S = ApplicationState
pytestmark = pytest.mark.django_db


def test_every_step_of_the_request_has_a_route():
    """Each transition of the state machine is named in `Transition` and routed; a new step
    without an entry fails here."""
    field = Application._meta.get_field("state")
    names = {t.name for t in field.get_all_transitions(Application)}

    assert names == set(Transition.values)
    assert set(ROUTES) == set(Transition)


@pytest.fixture
def people():
    application = ApplicationFactory(state=S.QUALITY_PASSED, solution__name="Phone Link")
    return {
        "application": application,
        "members": [application.created_by, actor("own_partner", application)],
        "analyst": actor("analyst"),
        "auditor": actor("auditor"),
        "leader": actor("leader"),
        "stranger": actor("other_partner"),
    }


def inbox() -> dict[str, list]:
    got = {}
    for message in mail.outbox:
        for address in message.to:
            got.setdefault(address, []).append(message)
    return got


def audit_with_plan(application, analyst):
    today = timezone.localdate()
    audit = support.audit_record(
        solution=application.solution,
        application=application,
        by=analyst,
        purpose=AuditPurpose.CERTIFICATION,
        type=AuditType.MYSTERY_SHOPPER,
        held_on=today,
        checklist=ALL_CONFORMING,
        summary="A chat question went unregistered.",
        nonconformities=[("Chat cases are not registered.", NonconformitySeverity.MAJOR)],
    )
    return support.plan_agree(
        audit=audit,
        by=analyst,
        items=[("Connect the chat to the help desk", "Support lead", today + timedelta(14))],
    )


def test_a_submitted_declaration_tells_the_analysts_and_auditors_and_the_partner(on_commit, people):
    application, partner = people["application"], people["members"][0]
    declare_conforming_support(application, by=partner)

    on_commit(support.support_submit, application=application, by=partner)

    wanted = {u.email for u in (*people["members"], people["analyst"], people["auditor"])}
    assert set(inbox()) == wanted


def test_the_partner_receives_the_nonconformity_report_with_the_plan(on_commit, people):
    application, partner, analyst = (
        people["application"],
        people["members"][0],
        people["analyst"],
    )
    declare_conforming_support(application, by=partner)
    support.support_submit(application=application, by=partner)
    audit_with_plan(application, analyst)
    mail.outbox.clear()

    on_commit(
        support.nonconformities_report,
        application=application,
        by=analyst,
        comment="Please remediate within two weeks.",
    )

    got = inbox()
    assert set(got) == {u.email for u in people["members"]}
    [message] = got[partner.email]
    assert message.subject == (
        f"[Certification] Request #{application.pk} (Phone Link): nonconformity report and "
        "remediation plan"
    )
    assert "A chat question went unregistered." in message.body
    assert "- [Major] Chat cases are not registered." in message.body
    assert "- Connect the chat to the help desk — Support lead, due " in message.body
    assert "Comment: Please remediate within two weeks." in message.body


def test_a_reaudit_request_tells_the_analysts_and_auditors(on_commit, people):
    application, partner, analyst = (
        people["application"],
        people["members"][0],
        people["analyst"],
    )
    declare_conforming_support(application, by=partner)
    support.support_submit(application=application, by=partner)
    plan = audit_with_plan(application, analyst)
    support.nonconformities_report(application=application, by=analyst, comment="Report.")
    support.plan_item_done(item=plan.items.get(), by=partner, note="Done.")
    mail.outbox.clear()

    on_commit(support.reaudit_request, application=application, by=partner)

    wanted = {u.email for u in (*people["members"], people["analyst"], people["auditor"])}
    assert set(inbox()) == wanted


@pytest.mark.parametrize(
    ("transition", "source", "target"),
    [
        (Transition.PASS_SUPPORT, S.SUPPORT_REVIEW, S.SUPPORT_PASSED),
        (Transition.DECLINE_SUPPORT, S.SUPPORT_REVIEW, S.DECLINED),
    ],
)
def test_the_outcome_of_stage_4_reaches_the_partner(people, transition, source, target):
    """Passing or declining stage 4 reaches the partner's members."""
    application = people["application"]
    log = StateLog.objects.create(
        content_object=application,
        transition=transition,
        source_state=source,
        state=target,
        by=people["analyst"],
    )

    notify_transition(state_log_id=log.pk)

    assert set(inbox()) == {u.email for u in people["members"]}


def test_certifying_tells_the_partner_and_the_analysts_once(on_commit, people):
    """The badge's "granted" message is the one e-mail of the certification: partner's
    members and analysts, once each."""
    application = people["application"]
    type(application).objects.filter(pk=application.pk).update(state=S.SUPPORT_PASSED)
    application.refresh_from_db()

    on_commit(support.certify, application=application, by=people["analyst"])

    got = inbox()
    assert set(got) == {u.email for u in (*people["members"], people["analyst"])}
    assert {len(messages) for messages in got.values()} == {1}
