"""An index on the cases' registration time: the KPI jobs count one month of every solution
(kpi.counting) and read that month through it instead of scanning every stored case.

On PostgreSQL the index is built CONCURRENTLY (outside a transaction), so imports of cases go
on while it is built on a large table; elsewhere it is built as usual."""

from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.add_index(model, self.index, concurrently=True)
            else:
                schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.remove_index(model, self.index, concurrently=True)
            else:
                schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("applications", "0007_badge_e_mails_remember_whom_they_reached"),
        ("kpi", "0012_complete_runs_every_quarter_hour"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="supportcase",
            index=models.Index(fields=["registered_at"], name="case_registered_idx"),
        ),
    ]
