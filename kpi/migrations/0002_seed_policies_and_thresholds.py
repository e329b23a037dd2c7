"""SLA defaults of the KPI issue and the stage-5 targets of the regulation (5.1–5.3)."""

from datetime import UTC, datetime
from decimal import Decimal

from django.db import migrations

POLICIES = [
    # package, response hours, resolution hours, around the clock
    ("basic", Decimal("8"), Decimal("40"), False),
    ("business", Decimal("4"), Decimal("16"), False),
    ("premium", Decimal("1"), Decimal("8"), True),
]

THRESHOLDS = [
    ("nps_mean", "at_least", Decimal("7.5")),
    ("csat_response_rate", "at_least", Decimal("0.07")),
    ("csat_positive_share", "at_least", Decimal("0.80")),
    ("response_overdue_rate", "at_most", Decimal("0.01")),
    ("resolution_overdue_rate", "at_most", Decimal("0.05")),
    ("escalations", "at_most", Decimal("2")),
]


def seed(apps, schema_editor):
    SLAPolicy = apps.get_model("kpi", "SLAPolicy")
    Threshold = apps.get_model("kpi", "Threshold")
    for package, response, resolution, always in POLICIES:
        SLAPolicy.objects.get_or_create(
            package=package,
            priority="",
            defaults={
                "response_hours": response,
                "resolution_hours": resolution,
                "around_the_clock": always,
                # In force for every case the portal may judge.
                "valid_from": datetime(2000, 1, 1, tzinfo=UTC),
            },
        )
    for kpi, comparison, value in THRESHOLDS:
        if not Threshold.objects.filter(kpi=kpi).exists():
            Threshold.objects.create(
                kpi=kpi,
                comparison=comparison,
                value=value,
                # In force for every period the portal may evaluate.
                valid_from=datetime(2000, 1, 1, tzinfo=UTC),
                note="Regulation, stage 5.",
            )


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
