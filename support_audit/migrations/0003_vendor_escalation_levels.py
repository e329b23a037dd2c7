"""The vendor's four escalation levels of regulation 4.2; staff assign the people."""

from django.db import migrations

LEVELS = [
    (1, "Marketplace analyst"),
    (2, "Head of customer support, head of the Marketplace"),
    (3, "Digital director, customer success director / product director"),
    (4, "Managing partner"),
]


def seed(apps, schema_editor):
    Level = apps.get_model("support_audit", "VendorEscalationLevel")
    for level, title in LEVELS:
        Level.objects.get_or_create(level=level, defaults={"title": title})


class Migration(migrations.Migration):
    dependencies = [("support_audit", "0002_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
