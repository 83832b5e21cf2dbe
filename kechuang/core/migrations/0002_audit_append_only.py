"""Make the audit table append-only in the database itself, not only in the ORM: triggers refuse
UPDATE and DELETE on PostgreSQL and SQLite alike."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION kechuang_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'core_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE OR DELETE ON core_auditentry
  FOR EACH ROW EXECUTE FUNCTION kechuang_audit_append_only();
CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
  FOR EACH STATEMENT EXECUTE FUNCTION kechuang_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry;
DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry;
DROP FUNCTION IF EXISTS kechuang_audit_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;",
    "CREATE TRIGGER core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END;",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS core_auditentry_no_update;",
                   "DROP TRIGGER IF EXISTS core_auditentry_no_delete;"]


def forward(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(PG_FORWARD)
        elif conn.vendor == "sqlite":
            for statement in SQLITE_FORWARD:
                cur.execute(statement)


def backward(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(PG_BACKWARD)
        elif conn.vendor == "sqlite":
            for statement in SQLITE_BACKWARD:
                cur.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
