"""Writes on a solution's certification; each appends to its history (CertificationEvent)."""

from django.db import transaction
from django.utils import timezone

from ..enums import CertificationStatus
from ..models import Application, Certification, CertificationEvent


def certification_grant(*, application: Application, by, reason: str = "") -> Certification:
    """Certify the request's version: a new certification, or the version moved on (update)."""
    with transaction.atomic():
        certification = (
            Certification.objects.select_for_update().filter(solution=application.solution).first()
        )
        if certification is None:
            certification = Certification.objects.create(
                solution=application.solution,
                version=application.version,
                application=application,
                status=CertificationStatus.CERTIFIED,
                since=timezone.now(),
            )
            action = CertificationEvent.Action.GRANTED
        else:
            certification.version = application.version
            certification.application = application
            certification.save(update_fields=["version", "application"])
            action = CertificationEvent.Action.VERSION_UPDATED
        CertificationEvent.objects.create(
            certification=certification,
            action=action,
            status=certification.status,
            version=application.version,
            reason=reason,
            actor=by,
        )
    return certification
