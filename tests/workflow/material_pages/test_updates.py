"""Stage 3 on the partner's side: the materials page, uploads, downloads, findings, updates."""

import pytest
from django.urls import reverse

from tests.factories.workflow import MaterialFactory
from tests.workflow.markup import alerts, by_testid, errors, find_all, texts
from tests.workflow.material_pages.helpers import (
    K,
    card,
    card_text,
    certified_solution,
    materials_url,
    open_update,
    provide_everything,
    stored_files,
)
from workflow.models import Material

pytestmark = pytest.mark.django_db


# --- Updates: carrying materials over, compatibility ------------------------------------


def test_carry_over_points_to_the_same_stored_file_as_a_new_revision(client, storage_dir):
    """R6.1: an update re-confirms the certified version's unchanged materials."""
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer)
    MaterialFactory(application=application, kind=K.PACKAGES, with_file=True)
    source = Material.objects.get(application=certification.application, kind=K.PACKAGES)
    files_before = stored_files(storage_dir)
    client.force_login(partner)

    page = client.get(materials_url(application))
    response = client.post(
        reverse("material_carry_over", args=[application.pk, K.PACKAGES]),
        {"reconfirm-packages-confirm": "on"},
        follow=True,
    )

    assert len(find_all(page, "form", data_testid="reconfirm-form")) == 8
    assert alerts(response) == [
        "1. Solution packages: the certified version's material is re-confirmed as revision 2."
    ]
    carried = Material.objects.get(application=application, kind=K.PACKAGES, revision=2)
    assert (carried.file.name, carried.sha256, carried.carried_over_from) == (
        source.file.name,
        source.sha256,
        source,
    )
    assert card_text(response, K.PACKAGES, "latest").startswith(
        f"Revision 2 · {source.original_name}"
    )
    assert "Re-confirmed from version 1.0.0." in card_text(response, K.PACKAGES, "latest")
    assert stored_files(storage_dir) == files_before


def test_carry_over_needs_the_confirmation_ticked(client):
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer)
    client.force_login(partner)

    response = client.post(reverse("material_carry_over", args=[application.pk, K.PACKAGES]), {})

    assert errors(response) == ["Tick the box to confirm the material still applies."]
    assert Material.objects.filter(application=application).count() == 0


def test_whats_new_cannot_be_carried_over(client):
    """R3.5: What's new describes the new version; it is never carried over."""
    certification, newer = certified_solution()
    MaterialFactory(application=certification.application, kind=K.WHATS_NEW)
    application, partner = open_update(certification, newer)
    client.force_login(partner)

    page = client.get(materials_url(application))
    response = client.post(
        reverse("material_carry_over", args=[application.pk, K.WHATS_NEW]),
        {"reconfirm-whats_new-confirm": "on"},
    )

    assert find_all(card(page, K.WHATS_NEW), data_testid="reconfirm-form") == []
    assert alerts(response) == ["What's new describes this version: it cannot be carried over."]
    assert Material.objects.filter(application=application).count() == 0


def test_compatibility_confirmation_unblocks_the_update(client):
    """R6.2: an update goes to review only once the partner confirms backward compatibility."""
    certification, newer = certified_solution()
    application, partner = open_update(certification, newer)
    provide_everything(application, partner)
    client.force_login(partner)

    before = client.get(materials_url(application))
    response = client.post(
        reverse("materials_compatibility", args=[application.pk]),
        {"compatibility-confirmed": "on", "compatibility-note": "Upgrade tested on a copy."},
        follow=True,
    )

    assert texts(before, data_testid="unmet") == [
        "Confirm backward compatibility with the previous version first (R6.2)."
    ]
    assert alerts(response) == ["Backward compatibility confirmed."]
    assert by_testid(response, "compatibility") == (
        "Backward compatibility (R6.2) The partner confirmed that version 1.1.0 is backward "
        "compatible with version 1.0.0. Upgrade tested on a copy. "
        "The reviewer verifies it during the review."
    )
    assert find_all(response, data_testid="unmet") == []
    (button,) = find_all(response, "button", data_testid="submit")
    assert "disabled" not in dict(button.attributes)
