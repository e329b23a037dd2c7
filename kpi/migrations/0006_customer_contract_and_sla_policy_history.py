"""Customers carry their contract (support package, region) and a contact e-mail; SLA policies
keep their history (a change is a new row from `valid_from`). Customers stored before have no
contract yet (blank): their cases are refused until the partner sends the customer list again.
The policies seeded earlier are in force since 2000, like the seeded targets."""

from datetime import UTC, datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def policies_in_force_since_2000(apps, schema_editor):
    SLAPolicy = apps.get_model("kpi", "SLAPolicy")
    SLAPolicy.objects.update(valid_from=datetime(2000, 1, 1, tzinfo=UTC))


class Migration(migrations.Migration):
    dependencies = [
        ("kpi", "0005_solution_lookups_use_the_unique_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="slapolicy",
            options={
                "ordering": ["package", "priority", "-valid_from"],
                "verbose_name": "SLA policy",
                "verbose_name_plural": "SLA policies",
            },
        ),
        migrations.RemoveConstraint(
            model_name="slapolicy",
            name="one_policy_per_package",
        ),
        migrations.AddField(
            model_name="customer",
            name="contact_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="contact e-mail"),
        ),
        migrations.AddField(
            model_name="customer",
            name="region",
            field=models.CharField(
                choices=[
                    ("americas_east", "Americas, EST (UTC−5)"),
                    ("americas_west", "Americas, PST (UTC−8)"),
                    ("apac", "APAC, GST (UTC+4)"),
                    ("emea", "EMEA (UTC+1)"),
                    ("russia", "Russia, MSK (UTC+3)"),
                ],
                default="",
                max_length=20,
                verbose_name="region",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="customer",
            name="support_package",
            field=models.CharField(
                choices=[("basic", "Basic"), ("business", "Business"), ("premium", "Premium")],
                default="",
                max_length=20,
                verbose_name="support package",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="changed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="note",
            field=models.TextField(blank=True, verbose_name="note"),
        ),
        migrations.AddField(
            model_name="slapolicy",
            name="valid_from",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="valid from"
            ),
        ),
        migrations.AlterField(
            model_name="supportcase",
            name="support_package",
            field=models.CharField(
                blank=True,
                choices=[("basic", "Basic"), ("business", "Business"), ("premium", "Premium")],
                max_length=20,
                verbose_name="support package",
            ),
        ),
        migrations.RunPython(policies_in_force_since_2000, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="slapolicy",
            constraint=models.UniqueConstraint(
                fields=("package", "priority", "valid_from"), name="one_policy_per_package_and_time"
            ),
        ),
    ]
