from .materials import Material
from .requests import Application, ApprovalFacts, Notification, ReadinessScore, SetupMeeting

__all__ = [
    "Application",
    "ApprovalFacts",
    "Material",
    "Notification",
    "ReadinessScore",
    "SetupMeeting",
]
