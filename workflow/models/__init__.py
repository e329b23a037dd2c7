from .assignment import AssignmentEvent
from .materials import Material
from .requests import Application, ApprovalFacts, Notification, ReadinessScore, SetupMeeting
from .timeline import TimelineEntry, TimelineText

__all__ = [
    "Application",
    "ApprovalFacts",
    "AssignmentEvent",
    "Material",
    "Notification",
    "ReadinessScore",
    "SetupMeeting",
    "TimelineEntry",
    "TimelineText",
]
