"""The NPS survey run by the portal: the analysts start it and send its one reminder; a
customer answers on the public page its personal link opens (R5.1)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import surveys
from .forms import SurveyAnswerForm, SurveyStartForm
from .models import NPSSurvey


def _require_analyst(user) -> None:
    if not user.has_perm("kpi.run_surveys"):
        raise PermissionDenied


@login_required
def survey_list(request):
    """Start the half-year's survey for one or many certified solutions; the surveys so far."""
    _require_analyst(request.user)
    form = SurveyStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        started = surveys.survey_start(solutions=form.cleaned_data["solutions"], by=request.user)
        messages.success(
            request,
            ngettext(
                "NPS survey started for %(count)s solution: its customers are e-mailed.",
                "NPS survey started for %(count)s solutions: their customers are e-mailed.",
                len(started),
            )
            % {"count": len(started)},
        )
        return redirect("nps_surveys")
    rows = (
        NPSSurvey.objects.select_related("solution", "started_by")
        .annotate(
            invited=Count("invitations"),
            answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False)),
        )
        .order_by("-started_at", "solution__slug")[:100]
    )
    return render(request, "kpi/surveys.html", {"form": form, "surveys": rows})


@login_required
@require_POST
def survey_remind(request, pk):
    _require_analyst(request.user)
    survey = get_object_or_404(NPSSurvey, pk=pk)
    try:
        surveys.survey_remind(survey=survey, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reminder sent to the customers who have not answered."))
    return redirect("nps_surveys")


def survey_answer(request, token):
    """The public page of a customer's personal survey link."""
    try:
        invitation = surveys.invitation_for(token)
    except surveys.InvitationRefused as refused:
        return render(request, "kpi/survey_answer.html", {"refused": str(refused)}, status=410)
    # The page speaks the customer's language, as its invitation did.
    translation.activate(invitation.language)
    request.LANGUAGE_CODE = invitation.language
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.survey_answer(
                token=token,
                score=int(form.cleaned_data["score"]),
                comment=form.cleaned_data["comment"],
            )
        except surveys.InvitationRefused as refused:
            return render(request, "kpi/survey_answer.html", {"refused": str(refused)}, status=410)
        return render(request, "kpi/survey_answer.html", {"thanks": True})
    return render(
        request,
        "kpi/survey_answer.html",
        {"form": form, "solution": invitation.survey.solution},
    )
