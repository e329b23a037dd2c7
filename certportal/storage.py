from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """Files kept on disk and handed out only by views that check permissions.

    It has no URL on purpose: a template that tried to link a file directly fails loudly
    instead of exposing it under MEDIA_URL.
    """

    def url(self, name):
        raise ValueError(f"{name} is private: serve it through a download view.")


class _MaterialsStorage(LazyObject):
    """STORAGES["materials"], looked up when used rather than once when the models load, so
    that a change of the setting (a test's private directory) reaches the file fields too."""

    def _setup(self):
        self._wrapped = storages["materials"]


_materials = _MaterialsStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _materials._wrapped = empty


def materials_storage():
    """Private storage for uploads: never served by a public URL (STORAGES["materials"])."""
    return _materials
