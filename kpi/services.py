"""KPI enforcement writes on a certification (R5.8)."""

from django.db import transaction

from applications.enums import CertificationStatus
from applications.models import Certification, CertificationEvent


def certification_mark_at_risk(*, certification: Certification, reason: str):
    """A certified solution's KPI failed but a remediation plan in force covers it: the badge
    stays on, "at risk". Recorded once; None when it was at risk (or revoked) already."""
    with transaction.atomic():
        locked = Certification.objects.select_for_update().get(pk=certification.pk)
        if locked.status != CertificationStatus.CERTIFIED:
            certification.status = locked.status
            return None
        locked.status = CertificationStatus.AT_RISK
        locked.save(update_fields=["status"])
        event = CertificationEvent.objects.create(
            certification=locked,
            action=CertificationEvent.Action.AT_RISK,
            status=CertificationStatus.AT_RISK,
            version=locked.version,
            reason=reason,
            actor=None,
        )
    certification.status = CertificationStatus.AT_RISK
    return event
