"""The Notifications page: each signed-in person chooses, per kind of message, immediately, a
daily digest or none; the kinds the regulation requires are shown fixed, with the reason."""

import pytest
from django.urls import reverse

from accounts.enums import MANDATORY_NOTIFICATIONS, NotificationChoice, NotificationKind
from accounts.models import NotificationPreference
from accounts.notifications import choices_for, preferences_of
from tests.factories.accounts import NotificationPreferenceFactory, UserFactory

from ..workflow.markup import alerts, attr, errors, field_value, find_all, text, texts

K = NotificationKind
C = NotificationChoice
URL = reverse("notification_settings")
pytestmark = pytest.mark.django_db

OPTIONAL = [kind for kind in K if kind not in MANDATORY_NOTIFICATIONS]


@pytest.fixture
def member(client):
    user = UserFactory(partner_member=True)
    client.force_login(user)
    return user


def stored(user) -> dict[str, str]:
    return dict(user.notification_preferences.values_list("kind", "choice"))


def every(choice) -> dict[str, str]:
    return {kind.value: choice for kind in OPTIONAL}


def test_the_page_is_linked_from_the_user_menu(client, member):
    home = client.get(reverse("profile"))

    assert URL in [
        link for node in find_all(home, "a") for key, link in node.attributes if key == "href"
    ]
    assert "Notifications" in texts(home, "a")


def test_the_page_asks_for_every_kind_and_shows_immediate_by_default(client, member):
    response = client.get(URL)

    assert response.status_code == 200
    rows = [text(row) for row in find_all(response, "tr") if attr(row, "data-kind")]
    assert len(rows) == len(K)
    assert rows[0].startswith("Progress of a request")
    for kind in OPTIONAL:
        assert field_value(response, kind.value) == [C.IMMEDIATE.value]


def test_mandatory_kinds_are_fixed_with_their_reason(client, member):
    """R5.8, R4.7 A revocation and the audit report cannot be turned off: the page shows them
    fixed, immediately, and says why."""
    response = client.get(URL)

    reasons = texts(response, data_testid="fixed-reason")
    assert len(reasons) == len(MANDATORY_NOTIFICATIONS)
    assert any("revokes the “Certified” status (R5.8)" in reason for reason in reasons)
    assert any("audit report" in reason and "(R4.7)" in reason for reason in reasons)
    assert find_all(response, name=K.BADGE_REVOKED.value) == []
    fixed_id = f"fixed-{K.BADGE_REVOKED.value}-immediate"
    [checked] = find_all(response, "input", id=fixed_id)
    assert {key for key, _value in checked.attributes} >= {"disabled", "checked"}


def test_choices_are_saved_with_a_success_message(client, member):
    choices = every(C.IMMEDIATE) | {"reminder": C.DIGEST, "early_warning": C.NONE}

    response = client.post(URL, choices, follow=True)

    assert alerts(response) == ["Your notification settings are saved."]
    assert stored(member)["reminder"] == C.DIGEST
    assert stored(member)["early_warning"] == C.NONE
    assert field_value(response, "reminder") == [C.DIGEST.value]
    assert choices_for("reminder", [member.email]) == {member.email: (member.pk, C.DIGEST)}


def test_saving_again_changes_the_choice(client, member):
    NotificationPreferenceFactory(user=member, kind=K.REMINDER, choice=C.NONE)

    client.post(URL, every(C.IMMEDIATE))

    assert stored(member)["reminder"] == C.IMMEDIATE
    assert NotificationPreference.objects.filter(user=member, kind=K.REMINDER).count() == 1


def test_an_unknown_choice_is_an_error_and_nothing_is_saved(client, member):
    response = client.post(URL, every(C.DIGEST) | {"reminder": "hourly"})

    assert response.status_code == 400
    assert any("Select a valid choice" in error for error in errors(response))
    assert stored(member) == {}
    # The other choices made are shown again as posted.
    assert field_value(response, "early_warning") == [C.DIGEST.value]


def test_an_unknown_kind_is_an_error_and_nothing_is_saved(client, member):
    response = client.post(URL, every(C.DIGEST) | {"newsletter": C.NONE})

    assert response.status_code == 400
    assert "“newsletter” is not a kind of message." in errors(response)
    assert "Nothing was saved. Please correct the errors below." in alerts(response)[0]
    assert stored(member) == {}


def test_a_mandatory_kind_posted_is_refused(client, member):
    response = client.post(URL, every(C.IMMEDIATE) | {"badge_revoked": C.NONE})

    assert response.status_code == 400
    assert "“Badge revoked” is always sent at once: it cannot be changed." in errors(response)
    assert stored(member) == {}


def test_a_missing_choice_is_an_error(client, member):
    choices = every(C.IMMEDIATE)
    del choices["reminder"]

    response = client.post(URL, choices)

    assert response.status_code == 400
    assert "This field is required." in errors(response)
    assert stored(member) == {}


def test_a_stored_preference_for_a_mandatory_kind_is_ignored():
    """R5.8 Whatever is stored (by the admin, say), a revocation goes out at once."""
    user = UserFactory(partner_member=True)
    NotificationPreferenceFactory(user=user, kind=K.BADGE_REVOKED, choice=C.NONE)

    assert choices_for(K.BADGE_REVOKED, [user.email]) == {user.email: (user.pk, C.IMMEDIATE)}
    [revoked] = [p for p in preferences_of(user) if p.kind == K.BADGE_REVOKED]
    assert (revoked.choice, revoked.fixed) == (C.IMMEDIATE, True)


def test_an_address_is_matched_whatever_its_case_and_strangers_get_it_at_once():
    user = UserFactory(email="Nina@Example.com")
    NotificationPreferenceFactory(user=user, kind=K.REMINDER, choice=C.NONE)

    assert choices_for(K.REMINDER, ["nina@example.com", "owner@example.org"]) == {
        "nina@example.com": (user.pk, C.NONE),
        "owner@example.org": (None, C.IMMEDIATE),
    }


def test_the_page_needs_a_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_every_signed_in_role_has_the_page(client):
    client.force_login(UserFactory(analyst=True))

    response = client.post(URL, every(C.DIGEST), follow=True)

    assert alerts(response) == ["Your notification settings are saved."]


def test_staff_see_and_change_the_preferences_in_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    person = UserFactory(partner_member=True, username="nina")
    preference = NotificationPreferenceFactory(user=person, kind=K.REMINDER, choice=C.NONE)
    client.force_login(admin)

    listing = client.get(reverse("admin:accounts_notificationpreference_changelist"))
    user_page = client.get(reverse("admin:accounts_user_change", args=[person.pk]))
    client.post(
        reverse("admin:accounts_notificationpreference_change", args=[preference.pk]),
        {"user": person.pk, "kind": K.REMINDER, "choice": C.DIGEST},
    )

    assert "nina" in listing.content.decode()
    assert "Daily reminders of what is due" in user_page.content.decode()
    preference.refresh_from_db()
    assert preference.choice == C.DIGEST
