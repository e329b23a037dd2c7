from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files kept on disk and handed out only by views that check permissions.

    It has no URL on purpose: a template that tried to link a file directly fails loudly
    instead of exposing it under MEDIA_URL.
    """

    def url(self, name):
        raise ValueError(f"{name} is private: serve it through a download view.")
