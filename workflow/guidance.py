"""What each side is waiting for, in each state: the dashboard's “awaited from you”."""

from django.utils.translation import gettext_lazy as _

from .enums import ApplicationState as S

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


def awaited(application, *, partner_side: bool) -> str:
    table = FOR_PARTNER if partner_side else FOR_TEAM
    return table[S(application.state)]
