"""certportal.interaction: a service run from a form, its refusals on the form, the guard of the
state the user saw, the confirmation and decision forms, the decision page."""

from dataclasses import dataclass

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django_fsm import ConcurrentTransition

from certportal import interaction
from certportal.errors import ActionRefused
from certportal.interaction import (
    FAILED,
    ConfirmForm,
    GuardForm,
    OutcomeForm,
    decision_page,
    fresh,
    run,
    succeeded,
)
from certportal.uploads import UploadRejected


@dataclass
class Record:
    """What the guard reads of a record: its state and how it is named."""

    state: str = "draft"

    def get_state_display(self) -> str:
        return self.state.title()


class UploadForm(forms.Form):
    note = forms.CharField(required=False)
    file = forms.CharField(required=False)


def _valid_form(**data) -> UploadForm:
    form = UploadForm(data)
    assert form.is_valid()
    return form


def _raises(error):
    def service(**kwargs):
        raise error

    return service


# --- run -------------------------------------------------------------------------------------


def test_run_calls_the_service_with_the_keyword_arguments_and_returns_its_result():
    form = _valid_form()
    seen = {}

    def service(*, a, b):
        seen.update(a=a, b=b)
        return a + b

    assert run(form, service, a=1, b=2) == 3
    assert seen == {"a": 1, "b": 2}
    assert form.errors == {}


def test_a_service_returning_nothing_has_succeeded_and_failed_is_false():
    assert succeeded(run(_valid_form(), lambda: None))
    assert not FAILED
    assert not succeeded(FAILED)


def test_run_puts_every_reason_of_an_action_refused_on_the_form():
    form = _valid_form()
    result = run(form, _raises(ActionRefused(["Not now.", "Not you."])))
    assert result is FAILED
    assert form.non_field_errors() == ["Not now.", "Not you."]


def test_run_says_the_copy_was_stale_on_a_concurrent_transition():
    form = _valid_form(note="typed")
    assert run(form, _raises(ConcurrentTransition("moved"))) is FAILED
    [error] = form.non_field_errors()
    assert "Someone else changed this request" in error
    assert "your input is kept" in error
    assert form.data["note"] == "typed"


def test_run_words_the_stale_copy_as_the_page_asks():
    form = _valid_form()
    run(form, _raises(ConcurrentTransition("moved")), stale_message="Reload first.")
    assert form.non_field_errors() == ["Reload first."]


def test_run_puts_a_validation_error_on_the_form_as_django_would():
    form = _valid_form()
    assert run(form, _raises(ValidationError("Broken."))) is FAILED
    assert form.non_field_errors() == ["Broken."]
    form = _valid_form()
    run(form, _raises(ValidationError({"note": "Too short."})))
    assert form.errors["note"] == ["Too short."]


def test_run_puts_an_upload_refusal_beside_the_file_field():
    form = _valid_form()
    rejected = UploadRejected("too_large", "The file is too large.")
    assert run(form, _raises(rejected), upload_field="file") is FAILED
    assert form.errors["file"] == ["The file is too large."]
    assert form.non_field_errors() == []


def test_run_puts_an_upload_refusal_on_the_form_when_no_field_is_named():
    form = _valid_form()
    run(form, _raises(UploadRejected("too_large", "The file is too large.")))
    assert form.non_field_errors() == ["The file is too large."]


def test_run_lets_any_other_error_through():
    with pytest.raises(KeyError):
        run(_valid_form(), _raises(KeyError("bug")))


# --- The guard -------------------------------------------------------------------------------


def test_the_guard_form_carries_the_state_the_user_saw():
    form = GuardForm(application=Record("draft"))
    assert form.fields["seen_state"].initial == "draft"


def test_the_guard_lets_a_step_on_the_record_as_it_still_is():
    record = Record("draft")
    assert fresh(GuardForm({"seen_state": "draft"}, application=record), record)


def test_the_guard_refuses_a_step_taken_on_a_stale_copy():
    record = Record("draft")
    form = GuardForm({"seen_state": "draft"}, application=record)
    record.state = "submitted"
    assert not fresh(form, record)
    [error] = form.non_field_errors()
    assert "“Submitted”" in error
    # Sent again, the form carries the state the user now sees.
    assert form.data["seen_state"] == "submitted"


# --- The confirmation and decision forms -----------------------------------------------------


def test_the_confirmation_needs_its_comment_only_when_required():
    assert ConfirmForm({"comment": ""}).is_valid()
    required = ConfirmForm({"comment": ""}, comment_required=True)
    assert not required.is_valid()
    assert "comment" in required.errors
    assert ConfirmForm({"comment": "Because."}, comment_required=True).is_valid()


def test_the_confirmation_is_guarded_when_given_the_record():
    record = Record("draft")
    form = ConfirmForm({"comment": "", "seen_state": "draft"}, record=record)
    record.state = "withdrawn"
    assert not fresh(form, record)
    assert "seen_state" not in ConfirmForm().fields


def test_the_outcome_form_asks_the_comment_for_the_partner():
    record = Record("review")
    form = OutcomeForm(
        {"comment": ""}, application=record, submit_label="Decline", comment_required=True
    )
    assert not form.is_valid()
    assert form.fields["comment"].label == "Comment for the partner"
    assert form.fields["seen_state"].initial == "review"
    labelled = OutcomeForm(
        application=record, submit_label="Pass", comment_required=False, comment_label="Why?"
    )
    assert labelled.fields["comment"].label == "Why?"


# --- The decision page -----------------------------------------------------------------------


@pytest.fixture
def rendered(monkeypatch):
    """The templates decision_page renders, with their context, instead of HTML."""
    pages = []

    def render(request, template, context):
        pages.append((template, context))
        return HttpResponse("page")

    monkeypatch.setattr(interaction, "render", render)
    return pages


def _request(method="get", data=None):
    request = getattr(RequestFactory(), method)("/decide/", data or {})
    request._messages = CookieStorage(request)
    return request


def _decide(request, record, calls, rendered):
    form = OutcomeForm(
        request.POST or None, application=record, submit_label="Pass", comment_required=True
    )

    def service(*, application, by, comment):
        calls.append((application, by, comment))
        application.state = "passed"

    return decision_page(
        request,
        form,
        service,
        application=record,
        by="analyst",
        success=lambda: f"Now {record.get_state_display()}.",
        success_url="/done/",
        template="outcome.html",
        context=lambda: {"title": "Pass?"},
    )


def test_the_decision_page_shows_the_confirmation_first(rendered):
    calls = []
    response = _decide(_request(), Record("review"), calls, rendered)
    assert response.status_code == 200
    [(template, context)] = rendered
    assert template == "outcome.html"
    assert context["title"] == "Pass?"
    assert calls == []


def test_the_decision_page_runs_the_service_with_the_comment_and_redirects(rendered):
    calls, record = [], Record("review")
    request = _request("post", {"comment": "  Fine. ", "seen_state": "review"})
    response = _decide(request, record, calls, rendered)
    assert response.status_code == 302
    assert response["Location"] == "/done/"
    assert calls == [(record, "analyst", "Fine.")]
    assert [str(m) for m in get_messages(request)] == ["Now Passed."]


def test_the_decision_page_needs_the_required_comment(rendered):
    calls = []
    request = _request("post", {"comment": "", "seen_state": "review"})
    assert _decide(request, Record("review"), calls, rendered).status_code == 200
    assert calls == []
    assert "comment" in rendered[0][1]["form"].errors


def test_the_decision_page_refuses_a_stale_copy(rendered):
    calls = []
    request = _request("post", {"comment": "Fine.", "seen_state": "review"})
    response = _decide(request, Record("passed"), calls, rendered)
    assert response.status_code == 200
    assert calls == []
    assert "Someone else changed this request" in rendered[0][1]["form"].non_field_errors()[0]
