from .catalogue import Partner, Solution, SolutionVersion
from .certification import Certification, CertificationEvent
from .materials import Material
from .requests import (
    Application,
    ApprovalFacts,
    Notification,
    ReadinessScore,
    SetupMeeting,
)

__all__ = [
    "Application",
    "ApprovalFacts",
    "Certification",
    "CertificationEvent",
    "Material",
    "Notification",
    "Partner",
    "ReadinessScore",
    "SetupMeeting",
    "Solution",
    "SolutionVersion",
]
