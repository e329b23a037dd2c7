"""Fixtures of the tests of the material pages."""

import pytest


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path):
    """Uploads go to a private directory of the test, never into the repository."""
    location = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "materials": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    return location
