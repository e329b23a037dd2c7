"""Hostile text in every field a partner controls: stored as it was typed, and rendered on
every page as text, never as markup; plain-text e-mails keep one-line subjects."""

import re

import pytest
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, User
from catalogue.badge import revoke as badge_revoke
from catalogue.models import Partner, Solution, SolutionVersion
from dod.models import FindingAnswer
from kpi.models import Customer, NPSAnswer, SupportCase
from support_audit.models import RegionSupport, RemediationItem, SupportDeclaration
from tests.sweep import ROLES, build_world, fill, url_patterns
from workflow.models import Application, Material

pytestmark = pytest.mark.django_db

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>\n'
URL_PAYLOAD = "javascript:alert(3)"
# What must never reach a page raw, whatever length a field cut the payload to.
RAW = re.compile(r'"><script|<script>alert|<img src=x onerror|href="javascript:', re.IGNORECASE)
# Everything a partner's member types or sends: forms, CSV uploads, the API, the profile.
PARTNER_MODELS = [
    Partner, User, Solution, SolutionVersion, Application, Material, FindingAnswer,
    SupportDeclaration, RegionSupport, RemediationItem, SupportCase, Customer, NPSAnswer,
    ApiToken,
]  # fmt: skip
NOT_TEXT = {"password", "username", "email", "slug", "sha256", "digest", "token_key", "file"}


def _text_fields(model):
    for field in model._meta.concrete_fields:
        if field.name in NOT_TEXT or field.choices or field.is_relation:
            continue
        if isinstance(field, (models.URLField, models.CharField, models.TextField)):
            yield field


def poison() -> int:
    """Overwrite every partner-controlled text and URL field of the world with the payload."""
    count = 0
    for model in PARTNER_MODELS:
        for number, row in enumerate(model.objects.all()):
            values = {}
            for field in _text_fields(model):
                if isinstance(field, models.URLField):
                    values[field.attname] = URL_PAYLOAD
                else:
                    # The row's number at the end keeps fields unique together with others
                    # unique; the payload is cut to fit the column.
                    room = (field.max_length or len(PAYLOAD)) - len(str(number))
                    values[field.attname] = f"{PAYLOAD[:room]}{number}"
            if values:
                model.objects.filter(pk=row.pk).update(**values)
                count += len(values)
    return count


def test_hostile_text_is_rendered_as_text_on_every_page():
    world = build_world()
    assert poison() > 40

    raw = []
    for route, name in url_patterns():
        path = fill(route, world, name)
        for role in ROLES:
            client = Client()
            if world["users"][role] is not None:
                client.force_login(world["users"][role])
            response = client.get(path)
            content_type = response.get("Content-Type", "")
            # A CSV export is data downloaded as an attachment (and never sniffed as HTML):
            # it carries what the partner typed, as typed.
            if (
                response.status_code != 200
                or not content_type.startswith(("text/", "image/svg"))
                or content_type.startswith("text/csv")
            ):
                continue
            body = b"".join(response) if response.streaming else response.content
            for match in RAW.finditer(body.decode("utf-8", "replace")):
                raw.append(f"{role} {path}: {match.group(0)}")

    assert raw == []


def test_the_payload_is_visible_as_typed(client):
    world = build_world()
    poison()
    client.force_login(world["users"]["owner"])

    page = client.get(reverse("solution_detail", args=["certified"]))

    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_e_mails_about_hostile_names_are_plain_text_with_one_line_subjects(client, on_commit):
    world = build_world()
    poison()
    certification = Solution.objects.get(slug="certified").certification

    on_commit(
        badge_revoke, certification=certification, by=world["users"]["analyst"], reason=PAYLOAD
    )

    assert mail.outbox
    for message in mail.outbox:
        assert "\n" not in message.subject
        assert message.content_subtype == "plain"
        assert message.alternatives == []


@pytest.mark.parametrize("url", [URL_PAYLOAD, "data:text/html,<script>alert(4)</script>"])
def test_forms_refuse_script_urls(client, url):
    world = build_world()
    client.force_login(world["users"]["owner"])
    solution = Solution.objects.get(slug="certified")

    response = client.post(
        reverse("solution_edit", args=["certified"]),
        {"name": "Renamed", "marketplace_url": url, "category": solution.category},
    )

    assert response.status_code == 200
    assert "Enter a valid URL." in response.text
    solution.refresh_from_db()
    assert solution.marketplace_url != url


def test_exports_carry_hostile_names_as_data(client):
    """The badge JSON (what the showcase reads) keeps the name as a JSON string, served as
    JSON that browsers will not sniff as a page."""
    build_world()
    poison()
    name = Solution.objects.get(slug="certified").name

    response = client.get(reverse("badge_json", args=["certified"]))

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()["name"] == name
    assert name.startswith('"><script>')
