"""The NPS survey the portal runs itself (R5.1): started by the analysts, a personal link per
active customer with a contact e-mail, answered on a public page, one reminder."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from catalogue.enums import Marketplace
from kpi.evaluation import evaluate_period
from kpi.models import NPSAnswer, NPSInvitation, NPSSurvey
from kpi.surveys import invitation_token
from tests.factories.kpi import CustomerFactory

from ..factories.workflow import CertificationFactory, actor
from ..workflow.markup import alerts, by_testid, texts

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://\S+/nps/(\S+)/")


@pytest.fixture
def solution():
    """Phone Link, certified, with an active customer with an e-mail (acme), one without
    (globex) and one whose subscription lapsed (initech)."""
    solution = CertificationFactory(
        solution__name="Phone Link", solution__slug="phone-link"
    ).solution
    CustomerFactory(solution=solution, customer_id="acme", contact_email="it@acme.example")
    CustomerFactory(solution=solution, customer_id="globex", contact_email="")
    CustomerFactory(
        solution=solution, customer_id="initech", contact_email="it@initech.example", lapsed=True
    )
    return solution


def start(client, *solutions):
    client.force_login(actor("analyst"))
    return client.post(
        reverse("nps_surveys"), {"solutions": [s.pk for s in solutions]}, follow=True
    )


def link_of(message) -> str:
    return LINK.search(message.body)[1]


def test_an_analyst_starts_the_survey_and_each_active_customer_with_an_e_mail_is_invited(
    client, solution, on_commit
):
    """R5.1: the survey reaches the active customers, by a personal link."""
    response = on_commit(start, client, solution)

    assert alerts(response) == ["NPS survey started for 1 solution: its customers are e-mailed."]
    assert [message.to for message in mail.outbox] == [["it@acme.example"]]
    assert mail.outbox[0].subject == "How do you rate Phone Link?"
    assert "works once" in mail.outbox[0].body
    assert texts(response, "tr", data_testid="survey-phone-link-2026-H2")[0]
    survey = NPSSurvey.objects.get()
    assert (survey.half_year, survey.invitations.get().sent_at is not None) == ("2026-H2", True)


def test_the_invitation_is_in_the_language_of_the_customers_marketplace(client, on_commit):
    solution = CertificationFactory(
        solution__name="Телефония", solution__marketplace=Marketplace.TERRASOFT
    ).solution
    CustomerFactory(
        solution=solution, customer_id="romashka", region="russia", contact_email="it@rom.example"
    )

    on_commit(start, client, solution)

    (message,) = mail.outbox
    assert message.subject == "Как вы оцениваете Телефония?"
    assert NPSInvitation.objects.get().language == "ru"


def test_starting_again_invites_nobody_twice(client, solution, on_commit):
    on_commit(start, client, solution)

    on_commit(start, client, solution)

    assert len(mail.outbox) == 1
    assert (NPSSurvey.objects.count(), NPSInvitation.objects.count()) == (1, 1)


def test_a_customers_answer_on_its_link_counts_as_an_nps_answer_of_the_half_year(
    client, solution, on_commit
):
    """R5.1: the answer is stored with the source "portal" and judged like any other."""
    on_commit(start, client, solution)
    url = reverse("nps_answer", args=[link_of(mail.outbox[0])])
    client.logout()

    page = client.get(url)
    response = client.post(url, {"score": "9", "comment": "Saves us an hour a day."})

    assert "How do you rate Phone Link?" in page.content.decode()
    assert by_testid(response, "survey-thanks") == (
        "Your answer has been recorded. Thank you for your time."
    )
    answer = NPSAnswer.objects.get()
    assert (answer.respondent, answer.half_year, answer.score, answer.source, answer.comment) == (
        "acme",
        "2026-H2",
        9,
        "portal",
        "Saves us an hour a day.",
    )
    [result] = evaluate_period(
        "2026-H2", solutions=[solution], as_of=datetime(2027, 1, 2, tzinfo=UTC)
    )
    assert (result["kpis"]["nps_mean"]["value"], result["kpis"]["nps_mean"]["status"]) == (
        9.0,
        "pass",
    )


def test_a_link_is_single_use(client, solution, on_commit):
    on_commit(start, client, solution)
    url = reverse("nps_answer", args=[link_of(mail.outbox[0])])
    client.post(url, {"score": "9"})

    again = client.post(url, {"score": "0"})

    assert again.status_code == 410
    assert by_testid(again, "survey-refused") == "This survey was answered already: thank you."
    assert NPSAnswer.objects.get().score == 9


def test_a_link_expires(client, solution, on_commit, settings):
    settings.KPI_SURVEY_LINK_DAYS = 7
    on_commit(start, client, solution)
    url = reverse("nps_answer", args=[link_of(mail.outbox[0])])

    with time_machine.travel(datetime(2026, 11, 25, 10, 0, 1, tzinfo=UTC)):
        response = client.get(url)

    assert (response.status_code, by_testid(response, "survey-refused")) == (
        410,
        "This survey link has expired.",
    )


def test_a_link_never_outlives_its_half_year(client, solution, on_commit, settings):
    """The answer stays in the half-year surveyed: a 90-day link of 18 November ends on
    1 January."""
    settings.KPI_SURVEY_LINK_DAYS = 90
    on_commit(start, client, solution)

    assert NPSInvitation.objects.get().expires_at == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_tampered_link_is_refused(client, solution, on_commit):
    on_commit(start, client, solution)
    token = link_of(mail.outbox[0])

    response = client.get(reverse("nps_answer", args=[token[:-1] + "x"]))

    assert (response.status_code, by_testid(response, "survey-refused")) == (
        410,
        "This survey link is not valid.",
    )


def test_an_answer_needs_a_score_from_0_to_10(client, solution, on_commit):
    on_commit(start, client, solution)
    invitation = NPSInvitation.objects.get()

    response = client.post(reverse("nps_answer", args=[invitation_token(invitation)]), {})

    assert response.status_code == 200
    assert NPSAnswer.objects.count() == 0


def test_one_reminder_reaches_those_who_have_not_answered(client, solution, on_commit):
    CustomerFactory(solution=solution, customer_id="hooli", contact_email="it@hooli.example")
    on_commit(start, client, solution)
    first = next(m for m in mail.outbox if m.to == ["it@acme.example"])
    client.post(reverse("nps_answer", args=[link_of(first)]), {"score": "8"})
    survey = NPSSurvey.objects.get()
    mail.outbox.clear()
    client.force_login(actor("analyst"))

    response = on_commit(client.post, reverse("nps_survey_remind", args=[survey.pk]), follow=True)
    again = on_commit(client.post, reverse("nps_survey_remind", args=[survey.pk]), follow=True)

    assert [message.to for message in mail.outbox] == [["it@hooli.example"]]
    assert mail.outbox[0].subject == "Reminder: how do you rate Phone Link?"
    assert alerts(response) == ["Reminder sent to the customers who have not answered."]
    assert alerts(again) == ["The reminder of this survey was sent already."]


def test_the_partner_sees_participation_live_on_the_kpi_page(client, solution, on_commit):
    """R5.1: answers of the portal's survey count in the half-year's participation at once."""
    on_commit(start, client, solution)
    client.post(reverse("nps_answer", args=[link_of(mail.outbox[0])]), {"score": "10"})
    client.force_login(actor("own_partner", solution))

    response = client.get(reverse("solution_kpis", args=[solution.slug]))

    row = texts(response, "tr", data_testid="half-year-2026-H2")[0]
    assert "1 of 2" in row
    assert "portal survey: 1 of 1 invited answered" in row


@pytest.mark.parametrize("role", ["own_partner", "auditor", "leader"])
def test_only_analysts_start_surveys(client, solution, role):
    client.force_login(actor(role, solution))

    response = client.post(reverse("nps_surveys"), {"solutions": [solution.pk]})

    assert response.status_code == 403
    assert NPSSurvey.objects.count() == 0


def test_a_revoked_solution_is_not_offered_for_a_survey(client, solution):
    revoked = CertificationFactory(revoked=True, solution__name="Old Link").solution
    client.force_login(actor("analyst"))

    response = client.get(reverse("nps_surveys"))

    names = response.content.decode()
    assert "Phone Link" in names and "Old Link" not in names
    assert revoked.pk  # listed nowhere


def test_the_answer_page_is_reached_within_the_half_year_only(
    client, solution, on_commit, settings
):
    settings.KPI_SURVEY_LINK_DAYS = 90
    on_commit(start, client, solution)
    url = reverse("nps_answer", args=[link_of(mail.outbox[0])])

    with time_machine.travel(datetime(2026, 12, 31, 23, 59, tzinfo=UTC) + timedelta(minutes=1)):
        response = client.get(url)

    assert response.status_code == 410
