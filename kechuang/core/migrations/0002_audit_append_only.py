"""Make the audit table append-only in the database itself, not only in the ORM: triggers refuse
UPDATE, DELETE (and on PostgreSQL TRUNCATE) on PostgreSQL and SQLite alike."""

from django.db import migrations

from kechuang.core.triggers import audit_triggers_install, audit_triggers_remove


def forward(apps, schema_editor):
    audit_triggers_install(schema_editor.connection, tables=("core_auditentry",))


def backward(apps, schema_editor):
    audit_triggers_remove(schema_editor.connection, tables=("core_auditentry",))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
