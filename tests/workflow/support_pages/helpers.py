"""Helpers of the tests of the stage-4 request pages (workflow/views/support*.py)."""

from django.urls import reverse
from django.utils import timezone

from catalogue.enums import Marketplace
from support_audit.enums import AuditType
from tests.factories.accounts import UserFactory
from tests.factories.support_audit import (
    SupportDeclarationFactory,
)
from tests.factories.workflow import ApplicationFactory
from tests.workflow.markup import find_all, text, texts
from workflow.enums import ApplicationState
from workflow.models import Application

S = ApplicationState

NOT_FOUND = "Not found There is nothing here, or it is not yours to see."

NOT_ALLOWED = "Not allowed Your role does not allow this action."

STALE = (
    "Someone else changed this request while you were working on it: it is now “%s”. "
    "Nothing was saved; your input is kept below. Check and send again."
)

CREATIO_REGIONS = ["americas_east", "americas_west", "apac", "emea"]

STANDARD_ROWS = [
    "R4.1: every case from every channel is registered in the support system.",
    "R4.2: customers can register cases on the vendor's partner portal.",
    "R4.3: the Basic, Business and Premium packages are served.",
    "R4.4: pre-sale questions are answered within two business days.",
    "R4.5: support works in the region's time zone and language.",
    "R4.6: the first escalation goes to a head of department or the CEO.",
]


def partner_of(application):
    return UserFactory(role="Partner", partner=application.solution.partner)


def url(name, application, **kwargs) -> str:
    return reverse(name, kwargs={"pk": application.pk, **kwargs})


def state_now(application) -> str:
    """The request's state as a page loaded now shows it."""
    return Application.objects.get(pk=application.pk).state


def quality_passed(**kwargs) -> Application:
    return ApplicationFactory(state=S.QUALITY_PASSED, **kwargs)


def declaration_data(application, **changes) -> dict:
    """The declaration form filled in to meet 4.1–4.2 for the request's marketplace, with
    `changes` (a value of None leaves the field out, as an unticked box)."""
    marketplace = application.solution.marketplace
    regions = CREATIO_REGIONS if marketplace == Marketplace.CREATIO else ["russia"]
    language = "en" if marketplace == Marketplace.CREATIO else "ru"
    data = {
        "seen_state": state_now(application),
        "system_name": "Northwind Service Desk",
        "system_url": "https://support.northwind.example",
        "channels": ["email", "phone"],
        "all_channels_registered": "on",
        "partner_portal_consent": "on",
        "packages": ["basic", "business", "premium"],
        "presale_business_days": "2",
        "escalation_name": "Olga Head",
        "escalation_role": "head_of_department",
        "escalation_email": "olga.head@northwind.example",
        "escalation_phone": "+1 555 0100",
    }
    for region in regions:
        data[f"{region}-language"] = language
        for day in range(5):
            data[f"{region}-open-{day}"] = "09:00"
            data[f"{region}-close-{day}"] = "18:00"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_error(response, name) -> str:
    """The error shown right under a field of the form."""
    (node,) = find_all(response, id=f"id_{name}_error")
    return text(node)


def post_declaration(client, application, **changes):
    return client.post(
        url("support_declaration", application), declaration_data(application, **changes)
    )


def audit_data(application, *, results=None, nonconformities=(), **changes) -> dict:
    """The audit form: the six standard rows OK unless `results` says otherwise
    ({row: (ok, note)}), and nonconformities as (description, severity)."""
    data = {
        "audit-seen_state": state_now(application),
        "audit-type": AuditType.PAST_CASES,
        "audit-held_on": timezone.localdate().isoformat(),
        "audit-summary": "Thirty past cases analysed; two test calls.",
        "checklist-TOTAL_FORMS": "8",
        "checklist-INITIAL_FORMS": "6",
        "checklist-MIN_NUM_FORMS": "0",
        "checklist-MAX_NUM_FORMS": "1000",
        "nonconformities-TOTAL_FORMS": "3",
        "nonconformities-INITIAL_FORMS": "0",
        "nonconformities-MIN_NUM_FORMS": "0",
        "nonconformities-MAX_NUM_FORMS": "1000",
    }
    for index, item in enumerate(STANDARD_ROWS):
        ok, note = (results or {}).get(index, (True, ""))
        data[f"checklist-{index}-item"] = item
        data[f"checklist-{index}-ok"] = "1" if ok else "0"
        data[f"checklist-{index}-note"] = note
    for index, (description, severity) in enumerate(nonconformities):
        data[f"nonconformities-{index}-description"] = description
        data[f"nonconformities-{index}-severity"] = severity
    data.update(changes)
    # The form's own seen_state field reads the unprefixed name too.
    data["seen_state"] = data["audit-seen_state"]
    return data


def plan_data(application, rows) -> dict:
    data = {
        "seen_state": state_now(application),
        "plan-TOTAL_FORMS": "3",
        "plan-INITIAL_FORMS": "0",
        "plan-MIN_NUM_FORMS": "0",
        "plan-MAX_NUM_FORMS": "1000",
    }
    for index, (description, owner, due_on) in enumerate(rows):
        data[f"plan-{index}-description"] = description
        data[f"plan-{index}-owner"] = owner
        data[f"plan-{index}-due_on"] = due_on.isoformat()
    return data


def blocked(response) -> list[str]:
    return texts(response, data_testid="blocked")


def action_labels(response, testid="audit-actions"):
    (area,) = find_all(response, data_testid=testid)
    return [
        (text(node), "disabled" if any(k == "disabled" for k, _ in node.attributes) else "enabled")
        for node in find_all(area)
        if node.name in ("a", "button")
    ]


def item_rows(response) -> list[list[str]]:
    return [texts(row, "td")[:4] for row in find_all(response, data_testid="plan-item")]


def under_audit(**kwargs) -> Application:
    """A request whose conforming support standards went to the audit."""
    declaration = SupportDeclarationFactory(
        application__state=S.SUPPORT_REVIEW, **{f"application__{k}": v for k, v in kwargs.items()}
    )
    return declaration.application
