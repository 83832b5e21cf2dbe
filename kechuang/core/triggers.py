"""The audit tables' append-only triggers, shared by the migrations that install them and by the
test harness (which must lift them for the flush that ends a transactional test).

Entries, seals and checkpoints are append-only; only the sealer's queue (``core_auditpending``)
accepts deletes."""

APPEND_ONLY_TABLES = ("core_auditentry", "core_auditseal", "core_auditcheckpoint")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kechuang_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _pg_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION kechuang_audit_append_only()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION kechuang_audit_append_only()",
    ]


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]


def audit_triggers_install(connection, tables=APPEND_ONLY_TABLES) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(PG_FUNCTION)
            for table in tables:
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
                for statement in _pg_triggers(table):
                    cur.execute(statement)
        elif connection.vendor == "sqlite":
            for table in tables:
                for statement in _sqlite_triggers(table):
                    cur.execute(statement)


def audit_triggers_remove(connection, tables=APPEND_ONLY_TABLES) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in tables:
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        elif connection.vendor == "sqlite":
            for table in tables:
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def audit_triggers_enable(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in APPEND_ONLY_TABLES:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    else:
        audit_triggers_install(connection)


def audit_triggers_disable(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in APPEND_ONLY_TABLES:
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    else:
        audit_triggers_remove(connection)
