"""What each side is waiting for, in each state, and where that step is taken; for a
certified request, what its badge's state asks (certified, at risk, revoked).

`awaited` is the short sentence of the lists (the dashboard's “awaited from you”, the queue).
`next_step` is the hint of a request's pages: the same sentence, the page and the part of it
where the step is taken, and a link there, so that no hint names a button on another page
without saying so. Every state has a hint for both sides (tests check each one and its link).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kpi.glance import AT_RISK, FAIL, PASS

from .enums import ApplicationState as S
from .enums import ReadinessCriterion
from .selectors import BadgeState

FOR_PARTNER = {
    S.DRAFT: gettext_lazy("Check the request and submit it."),
    S.SUBMITTED: gettext_lazy("Nothing yet: an analyst will propose the set-up meeting."),
    S.MEETING_SCHEDULED: gettext_lazy("Attend the set-up meeting."),
    S.READINESS_REVIEW: gettext_lazy("Nothing: the analyst is assessing your readiness."),
    S.AWAITING_APPROVAL: gettext_lazy("Nothing: the leaders are deciding on priority."),
    S.DEFERRED: gettext_lazy(
        "Nothing: the leaders deferred the request and will take it up again."
    ),
    S.AWAITING_MATERIALS: gettext_lazy("Provide the certification materials (stage 3)."),
    S.SUBMITTED_FOR_REVIEW: gettext_lazy(
        "Nothing: the materials are submitted; an analyst will start the quality review."
    ),
    S.IN_REVIEW: gettext_lazy("Nothing: the analysts are checking the Definition of Done."),
    S.CHANGES_REQUESTED: gettext_lazy(
        "Answer the findings, upload the reworked materials and resubmit."
    ),
    S.QUALITY_PASSED: gettext_lazy("Declare your support standards (stage 4)."),
    S.SUPPORT_REVIEW: gettext_lazy("Nothing: the analysts are auditing your support."),
    S.REMEDIATION: gettext_lazy("Carry out the remediation plan, then ask for the re-audit."),
    S.SUPPORT_PASSED: gettext_lazy("Nothing: the certificate is being issued."),
    S.CERTIFIED: gettext_lazy("Keep the support KPIs on target: the solution is certified."),
    S.DECLINED: gettext_lazy("Nothing: the request was declined."),
    S.WITHDRAWN: gettext_lazy("Nothing: you withdrew the request."),
}

FOR_TEAM = {
    S.DRAFT: gettext_lazy("Nothing: the partner has not submitted it yet."),
    S.SUBMITTED: gettext_lazy("Schedule the set-up meeting with the partner."),
    S.MEETING_SCHEDULED: gettext_lazy("Hold the set-up meeting and record it."),
    S.READINESS_REVIEW: gettext_lazy("Score the four readiness criteria and accept or decline."),
    S.AWAITING_APPROVAL: gettext_lazy("Leaders: set the priority and approve, defer or decline."),
    S.DEFERRED: gettext_lazy("Leaders: take the request up again when the time comes."),
    S.AWAITING_MATERIALS: gettext_lazy("Nothing: waiting for the partner's materials."),
    S.SUBMITTED_FOR_REVIEW: gettext_lazy(
        "Start the quality review: the partner has submitted the materials."
    ),
    S.IN_REVIEW: gettext_lazy(
        "Check the DoD criteria, write findings, then pass or request changes."
    ),
    S.CHANGES_REQUESTED: gettext_lazy("Nothing: waiting for the partner's rework."),
    S.QUALITY_PASSED: gettext_lazy("Nothing: waiting for the partner's support standards."),
    S.SUPPORT_REVIEW: gettext_lazy(
        "Audit the support (past cases, mystery shopper), then pass or report."
    ),
    S.REMEDIATION: gettext_lazy("Nothing: the partner is carrying out the remediation plan."),
    S.SUPPORT_PASSED: gettext_lazy("Certify the solution: the badge goes on."),
    S.CERTIFIED: gettext_lazy("Regular audits and KPIs (stage 5)."),
    S.DECLINED: gettext_lazy("Nothing: closed."),
    S.WITHDRAWN: gettext_lazy("Nothing: closed."),
}

# Once the four criteria are scored, what is left of stage 1.
READINESS_SCORED = gettext_lazy(
    "Readiness is scored: accept the request for approval or decline it."
)


@dataclass(frozen=True)
class Place:
    """Where a step is taken: a page keyed by the request (or by its solution), the part of
    it, as the user reads them."""

    page: str  # the URL name
    what: str  # the part of the page
    page_label: str
    anchor: str = ""
    by_solution: bool = False

    def url(self, application) -> str:
        if self.page.startswith("admin:"):
            url = reverse(self.page, args=[application.pk])
        elif self.by_solution:
            url = reverse(self.page, kwargs={"slug": application.solution.slug})
        else:
            url = reverse(self.page, kwargs={"pk": application.pk})
        return f"{url}#{self.anchor}" if self.anchor else url


REQUEST_PAGE = gettext_lazy("the request page")
MATERIALS_PAGE = gettext_lazy("the Materials page")
REVIEW_PAGE = gettext_lazy("the Review page")
AUDIT_PAGE = gettext_lazy("the Support audit page")
REMEDIATION_PAGE = gettext_lazy("the Remediation page")
CERTIFICATE_PAGE = gettext_lazy("the certificate page")

PARTNER_PLACES = {
    S.DRAFT: Place(
        "application_detail",
        gettext_lazy("the request's actions"),
        REQUEST_PAGE,
        "actions",
    ),
    S.MEETING_SCHEDULED: Place(
        "application_detail",
        gettext_lazy("the set-up meeting's time and place"),
        REQUEST_PAGE,
        "meeting",
    ),
    S.AWAITING_MATERIALS: Place(
        "materials",
        gettext_lazy("the list of materials"),
        MATERIALS_PAGE,
    ),
    S.CHANGES_REQUESTED: Place(
        "findings", gettext_lazy("the open findings"), gettext_lazy("the Findings page")
    ),
    S.QUALITY_PASSED: Place(
        "support_declaration",
        gettext_lazy("the support standards form"),
        gettext_lazy("the Support standards page"),
    ),
    S.REMEDIATION: Place(
        "support_remediation",
        gettext_lazy("the remediation plan"),
        REMEDIATION_PAGE,
    ),
    S.CERTIFIED: Place(
        "certificate", gettext_lazy("the audits and plans"), CERTIFICATE_PAGE, by_solution=True
    ),
}

TEAM_PLACES = {
    S.SUBMITTED: Place(
        "application_detail", gettext_lazy("the request's actions"), REQUEST_PAGE, "actions"
    ),
    S.MEETING_SCHEDULED: Place(
        "application_detail", gettext_lazy("the request's actions"), REQUEST_PAGE, "actions"
    ),
    S.READINESS_REVIEW: Place(
        "readiness", gettext_lazy("the four criteria"), gettext_lazy("the readiness page")
    ),
    S.AWAITING_APPROVAL: Place(
        "admin:workflow_application_change",
        gettext_lazy("the leaders' decision"),
        gettext_lazy("the request in the admin"),
    ),
    S.DEFERRED: Place(
        "admin:workflow_application_change",
        gettext_lazy("the leaders' decision"),
        gettext_lazy("the request in the admin"),
    ),
    S.SUBMITTED_FOR_REVIEW: Place(
        "review", gettext_lazy("the review's actions"), REVIEW_PAGE, "review-actions"
    ),
    S.IN_REVIEW: Place("review", gettext_lazy("the criteria and the outcome"), REVIEW_PAGE),
    S.SUPPORT_REVIEW: Place(
        "support_audit", gettext_lazy("the audit form and the outcome"), AUDIT_PAGE
    ),
    S.REMEDIATION: Place(
        "support_remediation", gettext_lazy("the plan's progress"), REMEDIATION_PAGE
    ),
    S.SUPPORT_PASSED: Place(
        "support_audit", gettext_lazy("the outcome buttons"), AUDIT_PAGE, "outcomes"
    ),
    S.CERTIFIED: Place(
        "certificate", gettext_lazy("the audits and plans"), CERTIFICATE_PAGE, by_solution=True
    ),
}

DECIDE_PLACE = Place(
    "readiness_decide", gettext_lazy("the stage-1 decision"), gettext_lazy("the decision page")
)


@dataclass(frozen=True)
class Hint:
    """The next step: what (`text`), where it is taken (`where`) and a link there (`url`).

    The link itself only says “Go there”: a page's or a button's name in it would make two
    links of that name on the page."""

    text: str
    url: str = ""
    where: str = ""

    def __str__(self) -> str:
        return str(self.text)


# A certified request's next step follows its solution's badge.
BADGE_FOR_PARTNER = {
    BadgeState.CERTIFIED: FOR_PARTNER[S.CERTIFIED],
    BadgeState.AT_RISK: gettext_lazy(
        "Bring the failing KPIs back on target: the badge is at risk and may be revoked if "
        "they stay off target."
    ),
    BadgeState.REVOKED: gettext_lazy("Win the badge back: it was revoked."),
}
BADGE_FOR_TEAM = {
    BadgeState.CERTIFIED: FOR_TEAM[S.CERTIFIED],
    BadgeState.AT_RISK: gettext_lazy(
        "Follow the remediation plan and the failing KPIs: the badge is at risk."
    ),
    BadgeState.REVOKED: gettext_lazy(
        "The badge is revoked: restore it on the certificate page once the partner is back on "
        "target, or wait for a new request."
    ),
}

# The way back, as regulation 5 puts it: when a KPI misses its target the Marketplace team
# revokes "Certified" or agrees a remediation plan with the partner.
WAY_BACK = {
    BadgeState.AT_RISK: gettext_lazy(
        "To keep the badge, bring the KPIs back within their targets before the month is "
        "judged and carry out the remediation plan agreed with the Marketplace team. A KPI "
        "that stays off target without a plan covering it revokes the badge."
    ),
    BadgeState.REVOKED: gettext_lazy(
        "To win it back, agree a remediation plan with the Marketplace team and bring the "
        "KPIs back within their targets: an analyst then restores the badge. You can also "
        "file a new certification request for the solution."
    ),
}


def way_back(badge) -> str:
    """How a badge at risk is kept or a revoked one won back; empty for a plain certified one."""
    return WAY_BACK.get(badge.state, "")


def awaited(application, *, partner_side: bool, badge=None) -> str:
    """The next step in one sentence, for the lists; for a certified request, what its `badge`
    (`selectors.badge_of`) asks, when given; for the team, the stage-1 decision once the
    readiness criteria are scored."""
    if badge is not None and application.state == S.CERTIFIED:
        return str((BADGE_FOR_PARTNER if partner_side else BADGE_FOR_TEAM)[badge.state])
    if _readiness_decision_due(application, partner_side):
        return str(READINESS_SCORED)
    table = FOR_PARTNER if partner_side else FOR_TEAM
    return str(table[S(application.state)])


def readiness_scored(application) -> bool:
    """Whether the four criteria of 1.1 are scored (the queue annotates `scored_criteria`)."""
    scored = getattr(application, "scored_criteria", None)
    if scored is None:
        scored = application.readiness_scores.count()
    return scored >= len(ReadinessCriterion)


def _readiness_decision_due(application, partner_side: bool) -> bool:
    return (
        not partner_side
        and application.state == S.READINESS_REVIEW
        and readiness_scored(application)
    )


def next_step(application, *, partner_side: bool, here: str = "", badge=None) -> Hint:
    """The hint of a request's page `here` (its URL name): the next step and where it is; for
    a certified request, after its `badge`'s state."""
    state = S(application.state)
    text = awaited(application, partner_side=partner_side, badge=badge)
    place = (PARTNER_PLACES if partner_side else TEAM_PLACES).get(state)
    if _readiness_decision_due(application, partner_side):
        place = DECIDE_PLACE
    if place is None:
        return Hint(text)
    if place.page == here:
        where = _("Where: %(what)s, below on this page.") % {"what": place.what}
    else:
        where = _("Where: %(what)s, on %(page)s.") % {"what": place.what, "page": place.page_label}
    return Hint(text, url=place.url(application), where=where)


def kpi_next_step(badge, glance) -> str:
    """What the partner must do next for a certified solution, from its badge and its KPIs of
    the latest month over (`kpi.glance`): win a revoked badge back, answer a KPI that failed,
    save one at risk, bring back one of the current month off target so far (warned of), send
    the month's cases, or nothing."""
    if badge.state == BadgeState.REVOKED:
        return str(WAY_BACK[BadgeState.REVOKED])
    month = glance.period.start
    failed = glance.having(FAIL)
    if failed:
        return _(
            "%(kpis)s missed the target in %(month)s: carry out the remediation plan agreed "
            "with the Marketplace team, or agree one, and bring the KPIs back within their "
            "targets; a KPI that stays off target without a plan covering it revokes the badge."
        ) % {"kpis": _join(failed), "month": date_format(month, "YEAR_MONTH_FORMAT")}
    at_risk = glance.having(AT_RISK)
    if at_risk:
        return ngettext(
            "%(kpis)s of %(month)s misses its target on provisional figures: resolve the open "
            "cases of the month within their deadlines before the figures are final. %(remedy)s",
            "%(kpis)s of %(month)s miss their targets on provisional figures: resolve the open "
            "cases of the month within their deadlines before the figures are final. %(remedy)s",
            len(at_risk),
        ) % {
            "kpis": _join(at_risk),
            "month": date_format(month, "YEAR_MONTH_FORMAT"),
            "remedy": " ".join(f"{kpi.label}: {kpi.remedy}" for kpi in at_risk if kpi.remedy),
        }
    if glance.warned_so_far:
        return ngettext(
            "So far in %(month)s, %(kpis)s misses its target: %(remedy)s Bring it back "
            "before the month is over.",
            "So far in %(month)s, %(kpis)s miss their targets: %(remedy)s Bring them back "
            "before the month is over.",
            len(glance.warned_so_far),
        ) % {
            "month": date_format(glance.current.start, "YEAR_MONTH_FORMAT"),
            "kpis": "; ".join(warning.label for warning in glance.warned_so_far),
            "remedy": " ".join(
                f"{warning.label}: {warning.remedy}" for warning in glance.warned_so_far
            ),
        }
    if not glance.having(PASS):
        return _(
            "Send the support cases of %(month)s (an upload on the KPI page or the API): "
            "without them the KPIs cannot be evaluated."
        ) % {"month": date_format(month, "YEAR_MONTH_FORMAT")}
    return _(
        "Nothing now: every KPI of %(month)s with figures met its target. Keep sending the "
        "cases of this month."
    ) % {"month": date_format(month, "YEAR_MONTH_FORMAT")}


def _join(kpis) -> str:
    return "; ".join(str(kpi.label) for kpi in kpis)
