"""How a page acts through a service, written once for every app.

- `run` calls a service with keyword arguments and puts any refusal on the form, so nothing the
  user typed is lost; it returns the service's result, or `FAILED`.
- `GuardForm` carries the state the user saw; `fresh` refuses a step taken on a stale copy.
- `ConfirmForm` confirms a step with a comment; `OutcomeForm` confirms a decision with the
  comment the partner reads.
- `decision_page` runs the confirmation of a decision and renders its page otherwise.
- `confirmation_page` is the page in front of a one-way step: a GET (or a POST that does not
  carry the page's confirmation) shows what will happen; only the confirmed POST acts.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition

from .errors import ActionRefused
from .forms import CrispyMixin
from .uploads import UploadRejected


class _Failed:
    """What `run` returns when the service refused: false, and unlike any result."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "FAILED"


FAILED = _Failed()


def succeeded(result) -> bool:
    """Whether `run` went through (a service may well return None or another false value)."""
    return result is not FAILED


def stale_copy_message() -> str:
    return _(
        "Someone else changed this request while you were working on it. "
        "Nothing was saved; your input is kept below. Check the request and send again."
    )


def run(
    form,
    service: Callable[..., Any],
    /,
    *,
    upload_field: str | None = None,
    stale_message: str | None = None,
    **kwargs,
):
    """Call `service(**kwargs)` and return its result; on a refusal put the reason on `form`
    and return `FAILED`.

    `ActionRefused` gives each of its reasons, a `ConcurrentTransition` (someone else moved the
    record meanwhile) says the copy was stale, a `ValidationError` goes on the form as Django
    would put it there, and an `UploadRejected` goes beside `upload_field` (on the form when
    none is named). `stale_message` replaces the stale copy's message where a page words it
    its own way."""
    try:
        return service(**kwargs)
    except ConcurrentTransition:
        form.add_error(None, stale_message or stale_copy_message())
    except ActionRefused as refused:
        for reason in refused.reasons:
            form.add_error(None, str(reason))
    except ValidationError as error:
        form.add_error(None, error)
    except UploadRejected as rejected:
        form.add_error(upload_field, str(rejected.message))
    return FAILED


# --- The state the user saw ------------------------------------------------------------------


def guard_state(form, record) -> None:
    """Carry the state the user saw, so a step someone else took meanwhile is noticed."""
    form.fields["seen_state"] = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=record.state
    )


def state_unchanged(form, record) -> bool:
    """False, with a message on the form, if the record moved since the user loaded it."""
    seen = form.cleaned_data.get("seen_state")
    if not seen or seen == record.state:
        return True
    form.add_error(
        None,
        _(
            "Someone else changed this request while you were working on it: it is now "
            "“%(state)s”. Nothing was saved; your input is kept below. Check and send again."
        )
        % {"state": record.get_state_display()},
    )
    form.data = form.data.copy()
    form.data["seen_state"] = record.state
    return False


def fresh(form, record) -> bool:
    """The form is valid and was filled in on the record as it still is."""
    return form.is_valid() and state_unchanged(form, record)


class GuardForm(forms.Form):
    """A button that needs only the state the user saw (start, submit, resolve, mark done)."""

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        guard_state(self, application)


class ConfirmForm(CrispyMixin, forms.Form):
    """A step that needs only a comment (optional unless `comment_required`); guarded by the
    state the user saw when a `record` is given."""

    comment = forms.CharField(
        label=gettext_lazy("Comment"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args,
        comment_required=False,
        submit_label=None,
        comment_label=None,
        record=None,
        confirm=False,
        **kwargs,
    ):
        if submit_label:
            self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = comment_required
        if comment_label:
            self.fields["comment"].label = comment_label
        if record is not None:
            guard_state(self, record)
        if confirm:
            add_confirmation(self)


class OutcomeForm(ConfirmForm):
    """The confirmation of a decision on a request, with the comment the partner reads."""

    comment = forms.CharField(
        label=gettext_lazy("Comment for the partner"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args, application, submit_label, comment_required, comment_label=None, **kwargs
    ):
        super().__init__(
            *args,
            comment_required=comment_required,
            submit_label=submit_label,
            comment_label=comment_label,
            record=application,
            **kwargs,
        )


# --- The confirmation of a one-way step -------------------------------------------------------

CONFIRM_FIELD = "confirm"
CONFIRM_VALUE = "yes"


def add_confirmation(form) -> None:
    """Mark `form` as a confirmation page's: its POST carries the confirmation."""
    form.fields[CONFIRM_FIELD] = forms.CharField(
        widget=forms.HiddenInput, required=False, initial=CONFIRM_VALUE
    )


def confirmed(request) -> bool:
    """A POST sent from the confirmation page (a bare POST of the step only shows the page)."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def confirmation_data(request) -> dict:
    """The form's `data` and `files`: the POST's when it confirms; none otherwise, so that the
    page shows as it does on a GET, with nothing said against the user's input."""
    if confirmed(request):
        return {"data": request.POST, "files": request.FILES}
    return {}


def confirmation_page(
    request,
    form,
    service: Callable[..., Any],
    *,
    record,
    arguments: Callable[[], dict],
    success: str | Callable[[], str],
    success_url: str,
    template: str,
    context: Callable[[], dict],
    upload_field: str | None = None,
    needs_confirmation: bool = True,
):
    """Run a step from its confirmation page. On a confirmed POST of `form`, valid and made on
    `record` as it still is, call `service(**arguments())` (read once the form is clean), say
    `success` (called first if it is a function) and go to `success_url`; otherwise (a GET, a
    POST without the confirmation, a refusal) render `template` with `context()`.

    `needs_confirmation=False` is for a page whose every POST is the confirmation already."""
    ready = confirmed(request) if needs_confirmation else request.method == "POST"
    if request.method == "POST" and not ready:
        messages.info(request, _("Nothing was done yet: check what will happen and confirm."))
    if (
        ready
        and fresh(form, record)
        and succeeded(run(form, service, upload_field=upload_field, **arguments()))
    ):
        messages.success(request, success() if callable(success) else success)
        return redirect(success_url)
    return render(request, template, context())


def decision_page(
    request,
    form: OutcomeForm,
    service: Callable[..., Any],
    *,
    application,
    success: str | Callable[[], str],
    success_url: str,
    template: str,
    context: Callable[[], dict],
    **kwargs,
):
    """The confirmation page of a decision: on a fresh POST call `service` with the comment
    and `kwargs`, say `success` (called first if it is a function: the message may
    name the new state) and go to `success_url`; otherwise (a GET, a refusal) render
    `template` with the form and `context()`."""
    return confirmation_page(
        request,
        form,
        service,
        record=application,
        arguments=lambda: {
            "application": application,
            "comment": form.cleaned_data["comment"].strip(),
            **kwargs,
        },
        success=success,
        success_url=success_url,
        template=template,
        context=lambda: {"application": application, "form": form, **context()},
        needs_confirmation=False,
    )
