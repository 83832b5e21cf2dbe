"""The audit log is append-only and tamper-evident."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from kechuang.core.models import AppendOnlyError, AuditEntry
from kechuang.core.selectors import audit_verify
from kechuang.core.chain import GENESIS_HASH
from kechuang.core.services import audit_record

pytestmark = pytest.mark.django_db


def _entries(n=3):
    return [audit_record(actor="tester", action="update", object_type="x.y", object_id=str(i),
                         before={"v": i}, after={"v": i + 1}) for i in range(n)]


def test_entries_are_numbered_and_chained():
    a, b, c = _entries()
    assert [a.seq, b.seq, c.seq] == [1, 2, 3]
    assert (a.prev_hash, b.prev_hash, c.prev_hash) == (GENESIS_HASH, a.hash, b.hash)
    report = audit_verify()
    assert (report.ok, report.checked, report.last_hash) == (True, 3, c.hash)


def test_orm_refuses_to_change_or_delete_entries():
    (entry,) = _entries(1)
    entry.purpose = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(purpose="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().purpose == ""


def test_database_triggers_refuse_raw_updates_and_deletes():
    _entries(1)
    for sql in ("UPDATE core_auditentry SET purpose = 'x'", "DELETE FROM core_auditentry"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEntry.objects.get().purpose == ""


def _without_triggers(sql):
    """Tamper as an attacker with DDL rights would: disable the triggers, change the table. (The
    test's transaction is rolled back afterwards, triggers included.)"""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks first
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER USER")
        else:
            cur.execute("DROP TRIGGER core_auditentry_no_update")
            cur.execute("DROP TRIGGER core_auditentry_no_delete")
        cur.execute(sql)


@pytest.mark.parametrize("sql, problem", [
    pytest.param("UPDATE core_auditentry SET after = '{\"v\": 99}' WHERE seq = 2", "entry #2 was altered", id="altered"),
    pytest.param("DELETE FROM core_auditentry WHERE seq = 2", "entry #2 is missing", id="removed-middle"),
    pytest.param("DELETE FROM core_auditentry WHERE seq = 3", "entries were removed", id="truncated-tail"),
])
def test_verify_detects_tampering(sql, problem):
    _entries(3)
    _without_triggers(sql)

    report = audit_verify()

    assert not report.ok
    assert any(problem in p for p in report.problems), report.problems
    with pytest.raises(CommandError):
        call_command("audit", "verify")
