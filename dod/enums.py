from django.db import models
from django.utils.translation import gettext_lazy as _


class Reviewer(models.TextChoices):
    ANALYST = "analyst", _("Marketplace analyst")
    RND = "rnd", _("R&D expert")


class CheckResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    NOT_APPLICABLE = "na", _("Not applicable")


class Severity(models.TextChoices):
    BLOCKER = "blocker", _("Blocker")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    RECOMMENDATION = "recommendation", _("Recommendation")


# Open findings of these severities keep a request from passing stage 3.
BLOCKING_SEVERITIES = (Severity.BLOCKER, Severity.MAJOR)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class RoundOutcome(models.TextChoices):
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PASSED = "passed", _("Passed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
