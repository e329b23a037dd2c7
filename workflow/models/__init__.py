from .materials import Material
from .requests import Application, ApprovalFacts, Notification, ReadinessScore, SetupMeeting
from .timeline import TimelineEntry, TimelineText

__all__ = [
    "Application",
    "ApprovalFacts",
    "Material",
    "Notification",
    "ReadinessScore",
    "SetupMeeting",
    "TimelineEntry",
    "TimelineText",
]
