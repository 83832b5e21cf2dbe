"""The audit table's append-only triggers, shared by the migration that installs them and by the
test harness (which must lift them for the flush that ends a transactional test)."""

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kechuang_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'core_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGERS = [
    "CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION kechuang_audit_append_only()",
    "CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION kechuang_audit_append_only()",
]
SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only'); END",
]


def audit_triggers_install(connection) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(PG_FUNCTION)
            for statement in PG_TRIGGERS:
                cur.execute(statement)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_TRIGGERS:
                cur.execute(statement)


def audit_triggers_remove(connection) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update ON core_auditentry")
            cur.execute("DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry")
            cur.execute("DROP FUNCTION IF EXISTS kechuang_audit_append_only()")
        elif connection.vendor == "sqlite":
            cur.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
            cur.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")


def audit_triggers_enable(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE core_auditentry ENABLE TRIGGER USER")
    else:
        audit_triggers_install(connection)


def audit_triggers_disable(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
    else:
        audit_triggers_remove(connection)
