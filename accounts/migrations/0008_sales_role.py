from django.db import migrations


def create_sales_role(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Sales")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_notification_preferences"),
    ]

    operations = [migrations.RunPython(create_sales_role, migrations.RunPython.noop)]
