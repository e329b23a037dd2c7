"""Stage 4 pages of a request: the partner's support standards (4.1–4.2), and what the
audit and remediation pages (support_review.py, support_remediation.py) share.

Thin: who may look or act, a form, one service call, a redirect. A request the user may not
see answers 404.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from catalogue.rules import require
from certportal.interaction import run, state_unchanged, succeeded
from support_audit.business_hours import Region
from support_audit.enums import Channel, SupportPackage
from support_audit.forms import (
    LANGUAGE_NAMES,
    WEEKDAYS,
    DeclarationForm,
)
from support_audit.selectors import declaration_of, vendor_levels
from support_audit.standards import declaration_problems

from ..enums import DECLARATION_OPEN_STATES, ApplicationState, Stage
from ..guidance import next_step
from ..services import actions_for
from ..services import support as flow
from .common import confirmed_step, visible_application

S = ApplicationState


def support_url(name: str, application, anchor: str = "") -> str:
    url = reverse(name, kwargs={"pk": application.pk})
    return f"{url}#{anchor}" if anchor else url


@dataclass(frozen=True)
class RegionHours:
    """One region of a declaration as the pages show it."""

    label: str
    language: str
    days: list[tuple[str, str]]  # (weekday, "09:00–18:00" or "")

    @property
    def week(self) -> str:
        """The week in short: "Mon–Fri 09:00–18:00; Sat 10:00–14:00"."""
        spans: list[list] = []  # [first day, last day, hours]
        for name, hours in self.days:
            if spans and spans[-1][2] == hours:
                spans[-1][1] = name
            else:
                spans.append([name, name, hours])
        parts = [
            f"{first}–{last} {hours}" if first != last else f"{first} {hours}"
            for first, last, hours in spans
            if hours
        ]
        return "; ".join(parts) or _("closed every day")


def _region_rows(declaration) -> list[RegionHours]:
    if declaration is None:
        return []
    rows = []
    for support in declaration.regions.all():
        days = []
        for day, name in WEEKDAYS:
            hours = support.hours.get(str(day))
            days.append((name, f"{hours[0]}–{hours[1]}" if hours else ""))
        rows.append(
            RegionHours(
                label=Region(support.region).label,
                language=str(LANGUAGE_NAMES.get(support.language, support.language)),
                days=days,
            )
        )
    return rows


def _labels(choices, values) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(value, value)) for value in values]


def declaration_context(application, declaration) -> dict:
    return {
        "declaration": declaration,
        "channel_labels": _labels(Channel, declaration.channels if declaration else []),
        "package_labels": _labels(SupportPackage, declaration.packages if declaration else []),
        "region_rows": _region_rows(declaration),
        "weekdays": [name for _day, name in WEEKDAYS],
        "problems": declaration_problems(declaration) if declaration else [],
    }


def report_errors(request, form) -> None:
    for error in form.non_field_errors():
        messages.error(request, error)


# --- 1. The partner's declaration ------------------------------------------------------------


def _save_declaration(request, application, form):
    """Save the draft, or save and submit it: True when the page may move on."""
    submit = request.POST.get("action") == "submit"
    well_formed = form.is_valid()
    if not state_unchanged(form, application):
        return False
    saved = run(
        form,
        flow.declaration_save_for_submission if submit and well_formed else flow.declaration_save,
        application=application,
        by=request.user,
        data=form.declaration(),
        version=form.cleaned_data.get("version"),
    )
    current = declaration_of(application)
    form.keep_version(current.version if current else 0)
    if not succeeded(saved):
        return False
    if not well_formed:
        messages.warning(
            request,
            _(
                "Draft saved, except the values marked below, which are not well formed: "
                "correct them and save again."
            ),
        )
        return False
    if submit:
        messages.info(
            request, _("Draft saved: it meets regulation 4.1–4.2. Confirm the submission below.")
        )
    elif declaration_problems(saved):
        messages.info(
            request, _("Draft saved. The list below says what is still to meet before you submit.")
        )
    else:
        messages.success(
            request,
            _("Draft saved: it meets regulation 4.1–4.2 and can be submitted."),
        )
    return True


@login_required
def declaration(request, pk):
    """The partner's support standards: saved as a draft at any time, Monday's hours copied to
    the other weekdays, submitted once they meet regulation 4.1–4.2."""
    application = visible_application(request, pk)
    user = request.user
    saved = declaration_of(application)
    team = user.has_perm("workflow.view_internal_notes", application)
    may_edit = user.has_perm("workflow.upload_material", application)
    form = None
    if request.method == "POST":
        require(user, "workflow.upload_material", application)
        form = DeclarationForm(request.POST, application=application, stored=saved)
        if "copy_monday" in request.POST:
            form = DeclarationForm(
                form.with_monday_copied(request.POST["copy_monday"]),
                application=application,
                stored=saved,
            )
            messages.info(
                request,
                _("Monday's hours are copied to Tuesday–Friday. Save the draft to keep them."),
            )
        elif _save_declaration(request, application, form):
            if request.POST.get("action") == "submit":
                return redirect(support_url("support_declaration_submit", application))
            return redirect(support_url("support_declaration", application))
        saved = declaration_of(application)
    elif may_edit and application.state in DECLARATION_OPEN_STATES:
        form = DeclarationForm(
            initial=DeclarationForm.initial_from(saved), application=application, stored=saved
        )
    actions, blocked = actions_for(application, user)
    return render(
        request,
        "support_audit/declaration.html",
        {
            "application": application,
            "form": form,
            "may_edit": may_edit,
            "open_states": [S(state).label for state in DECLARATION_OPEN_STATES],
            "too_early": application.is_active and (application.stage or 0) < Stage.SUPPORT,
            "can_submit": "submit_support" in actions,
            "submit_offered": "submit_support" in actions or "submit_support" in blocked,
            "in_remediation": may_edit and application.state == S.REMEDIATION,
            "read_only_reason": _("Read-only: the support standards went to the audit.")
            if application.is_active
            else _("Read-only: the request is closed."),
            "vendor_levels": vendor_levels() if form else [],
            "submit_reasons": blocked.get("submit_support", []),
            "team": team,
            "awaited": next_step(application, partner_side=not team, here="support_declaration"),
            **declaration_context(application, saved),
        },
    )


@login_required
def declaration_submit(request, pk):
    """The confirmation of the support standards' submission: read-only afterwards."""
    application = visible_application(request, pk)
    require(request.user, "workflow.submit_application", application)
    return confirmed_step(
        request,
        application,
        flow.support_submit,
        transition="submit_support",
        label=_("Submit the support standards"),
        title=_("Submit the support standards of request #%s?") % application.pk,
        intro=_(
            "After submitting you can no longer change the support standards: they go to the "
            "Marketplace team's support audit (regulation 4.3), which looks at past cases and "
            "may use a mystery shopper. The analysts and auditors are told; you hear of the "
            "outcome, or of the nonconformities to remedy."
        ),
        success=_("Support standards submitted. The Marketplace team will audit your support."),
        comment_label=_("Comment for the auditors (optional)"),
        back={
            "back_url": support_url("support_declaration", application),
            "back_label": _("Back to the support standards"),
        },
    )
