"""What each side is waiting for, in each state: the dashboard's “awaited from you”; for a
certified request, what its badge's state asks (certified, at risk, revoked)."""

from django.utils.translation import gettext_lazy as _

from .enums import ApplicationState as S
from .selectors import BadgeState

FOR_PARTNER = {
    S.DRAFT: _("Check the request and submit it."),
    S.SUBMITTED: _("Nothing yet: an analyst will propose the set-up meeting."),
    S.MEETING_SCHEDULED: _("Attend the set-up meeting."),
    S.READINESS_REVIEW: _("Nothing: the analyst is assessing your readiness."),
    S.AWAITING_APPROVAL: _("Nothing: the leaders are deciding on priority."),
    S.DEFERRED: _("Nothing: the leaders deferred the request and will take it up again."),
    S.AWAITING_MATERIALS: _("Provide the certification materials (stage 3)."),
    S.SUBMITTED_FOR_REVIEW: _("Nothing: the analysts will start the quality review."),
    S.IN_REVIEW: _("Nothing: the analysts are checking the Definition of Done."),
    S.CHANGES_REQUESTED: _("Answer the findings, upload the reworked materials and resubmit."),
    S.QUALITY_PASSED: _("Declare your support standards (stage 4)."),
    S.SUPPORT_REVIEW: _("Nothing: the analysts are auditing your support."),
    S.REMEDIATION: _("Carry out the remediation plan, then ask for the re-audit."),
    S.SUPPORT_PASSED: _("Nothing: the certificate is being issued."),
    S.CERTIFIED: _("Keep the support KPIs on target: the solution is certified."),
    S.DECLINED: _("Nothing: the request was declined."),
    S.WITHDRAWN: _("Nothing: you withdrew the request."),
}

FOR_TEAM = {
    S.DRAFT: _("Nothing: the partner has not submitted it yet."),
    S.SUBMITTED: _("Schedule the set-up meeting with the partner."),
    S.MEETING_SCHEDULED: _("Hold the set-up meeting and record it."),
    S.READINESS_REVIEW: _("Score the four readiness criteria and accept or decline."),
    S.AWAITING_APPROVAL: _("Leaders: set the priority and approve, defer or decline."),
    S.DEFERRED: _("Leaders: take the request up again when the time comes."),
    S.AWAITING_MATERIALS: _("Nothing: waiting for the partner's materials."),
    S.SUBMITTED_FOR_REVIEW: _("Start the quality review."),
    S.IN_REVIEW: _("Check the DoD criteria, write findings, then pass or request changes."),
    S.CHANGES_REQUESTED: _("Nothing: waiting for the partner's rework."),
    S.QUALITY_PASSED: _("Nothing: waiting for the partner's support standards."),
    S.SUPPORT_REVIEW: _("Audit the support (past cases, mystery shopper), then pass or report."),
    S.REMEDIATION: _("Nothing: the partner is carrying out the remediation plan."),
    S.SUPPORT_PASSED: _("Certify the solution: the badge goes on."),
    S.CERTIFIED: _("Regular audits and KPIs (stage 5)."),
    S.DECLINED: _("Nothing: closed."),
    S.WITHDRAWN: _("Nothing: closed."),
}


# A certified request's next step follows its solution's badge.
BADGE_FOR_PARTNER = {
    BadgeState.CERTIFIED: FOR_PARTNER[S.CERTIFIED],
    BadgeState.AT_RISK: _(
        "Bring the failing KPIs back on target: the badge is at risk and may be revoked if "
        "they stay off target."
    ),
    BadgeState.REVOKED: _("Win the badge back: it was revoked."),
}
BADGE_FOR_TEAM = {
    BadgeState.CERTIFIED: FOR_TEAM[S.CERTIFIED],
    BadgeState.AT_RISK: _(
        "Follow the remediation plan and the failing KPIs: the badge is at risk."
    ),
    BadgeState.REVOKED: _(
        "The badge is revoked: restore it on the certificate page once the partner is back on "
        "target, or wait for a new request."
    ),
}

# The way back, as regulation 5 puts it: when a KPI misses its target the Marketplace team
# revokes "Certified" or agrees a remediation plan with the partner.
WAY_BACK = {
    BadgeState.AT_RISK: _(
        "To keep the badge, bring the KPIs back within their targets before the month is "
        "judged and carry out the remediation plan agreed with the Marketplace team. A KPI "
        "that stays off target without a plan covering it revokes the badge."
    ),
    BadgeState.REVOKED: _(
        "To win it back, agree a remediation plan with the Marketplace team and bring the "
        "KPIs back within their targets: an analyst then restores the badge. You can also "
        "file a new certification request for the solution."
    ),
}


def awaited(application, *, partner_side: bool, badge=None) -> str:
    """What is awaited of the reader's side; for a certified request, of its `badge`
    (`selectors.badge_of`) when given."""
    if badge is not None and application.state == S.CERTIFIED:
        return (BADGE_FOR_PARTNER if partner_side else BADGE_FOR_TEAM)[badge.state]
    table = FOR_PARTNER if partner_side else FOR_TEAM
    return table[S(application.state)]


def way_back(badge) -> str:
    """How a badge at risk is kept or a revoked one won back; empty for a plain certified one."""
    return WAY_BACK.get(badge.state, "")
