"""The audit log: lock-free appends, a single sealer, signed checkpoints, and a verifier that
catches deleted tails, rewritten-and-rehashed histories, changed actor ids and forged heads."""

import json
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from kechuang.core.chain import LEAF_FIELDS, MerkleFrontier, b64, checkpoint_message, entry_leaf, merkle_root
from kechuang.core.models import AppendOnlyError, AuditCheckpoint, AuditEntry, AuditPending, AuditSeal
from kechuang.core.selectors import audit_verify
from django.test import TestCase

from kechuang.core.services import audit_record, audit_seal

pytestmark = pytest.mark.django_db


def seal():
    """One sealer run, with its after-commit publication executed (tests run inside a transaction)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return audit_seal()


def _entries(n=3):
    return [audit_record(actor="tester", action="update", object_type="x.y", object_id=str(i),
                         before={"v": i}, after={"v": i + 1}) for i in range(n)]


def _leaves():
    return [entry_leaf(r) for r in AuditEntry.objects.order_by("seq").values(*LEAF_FIELDS)]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33])
def test_frontier_root_equals_rfc6962_tree_hash(n):
    leaves = [bytes([i]) * 32 for i in range(n)]
    frontier = MerkleFrontier()
    for leaf in leaves:
        frontier.append(leaf)
    assert frontier.root() == merkle_root(leaves)
    assert len(frontier.nodes) == bin(n).count("1")  # one stored node per set bit: O(log n) state


def test_writes_take_database_numbers_and_wait_in_the_queue_until_sealed():
    a, b, c = _entries()
    assert b.seq == a.seq + 1 and c.seq == b.seq + 1
    assert sorted(AuditPending.objects.values_list("seq", flat=True)) == [a.seq, b.seq, c.seq]
    report = audit_verify()
    assert (report.ok, report.checked, report.unsealed, report.tree_size) == (True, 0, 3, 0)


def test_sealing_gives_gapless_positions_and_a_signed_published_checkpoint(audit_key_files):
    a, b, c = _entries()
    result = seal()

    assert (result.sealed, result.tree_size) == (3, 3)
    assert list(AuditSeal.objects.order_by("position").values_list("position", "entry_seq")) == [
        (1, a.seq), (2, b.seq), (3, c.seq)]
    cp = AuditCheckpoint.objects.get()
    assert (cp.tree_size, cp.root_hash) == (3, merkle_root(_leaves()))
    assert AuditPending.objects.count() == 0
    published = [json.loads(line) for line in (audit_key_files / "checkpoints.jsonl").read_text().splitlines()]
    assert [(p["tree_size"], p["root_hash"], p["signature"]) for p in published] == [(3, cp.root_hash, cp.signature)]
    assert stat.S_IMODE((audit_key_files / "checkpoint-ed25519.pem").stat().st_mode) == 0o600
    report = audit_verify()
    assert (report.ok, report.checked, report.unsealed, report.checkpoints) == (True, 3, 0, 2), report.problems

    d = _entries(1)[0]  # a second run continues the tree from the last checkpoint
    assert (seal().tree_size, AuditSeal.objects.get(entry_seq=d.seq).position) == (4, 4)
    assert AuditCheckpoint.objects.get(tree_size=4).root_hash == merkle_root(_leaves())
    assert audit_verify().ok


def test_a_burned_sequence_number_is_not_a_deletion():
    (a,) = _entries(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor="tester", action="update", object_type="x.y", object_id="rolled-back")
        raise RuntimeError("the business write failed")
    (c,) = _entries(1)
    # PostgreSQL's sequence burned the number in between; SQLite's rowid rolls back with the row
    assert c.seq == a.seq + (2 if connection.vendor == "postgresql" else 1)
    seal()
    report = audit_verify()
    assert (report.ok, report.checked) == (True, 2), report.problems
    assert list(AuditSeal.objects.order_by("position").values_list("entry_seq", flat=True)) == [a.seq, c.seq]


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


@pytest.mark.parametrize("sql", [
    "UPDATE core_auditentry SET purpose = 'x'", "DELETE FROM core_auditentry",
    "UPDATE core_auditseal SET leaf_hash = 'x'", "DELETE FROM core_auditseal",
    "UPDATE core_auditcheckpoint SET root_hash = 'x'", "DELETE FROM core_auditcheckpoint",
])
def test_database_triggers_refuse_raw_updates_and_deletes(sql):
    _entries(1)
    seal()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql)
    assert (AuditEntry.objects.get().purpose, AuditSeal.objects.count(), AuditCheckpoint.objects.count()) == ("", 1, 1)


def _tamper(*statements):
    """Tamper as an attacker with DDL rights but without the signing key would: lift the triggers,
    change the tables. (The test's transaction is rolled back afterwards, triggers included.)"""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # flush deferred FK checks first
            for table in ("core_auditentry", "core_auditseal", "core_auditcheckpoint"):
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for table in ("core_auditentry", "core_auditseal", "core_auditcheckpoint"):
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cur.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        for sql, params in statements:
            cur.execute(sql, params)


def _sealed(n=3):
    entries = _entries(n)
    seal()
    assert audit_verify().ok
    return entries


def _rehash_seals():
    """The attacker recomputes every leaf from the (rewritten) entries and stores it."""
    return [("UPDATE core_auditseal SET leaf_hash = %s WHERE entry_seq = %s", [leaf.hex(), seq])
            for seq, leaf in zip(AuditEntry.objects.order_by("seq").values_list("seq", flat=True), _leaves(), strict=True)]


def _assert_detected(problem):
    report = audit_verify()
    assert not report.ok
    assert any(problem in p for p in report.problems), report.problems
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    return report


def test_verify_detects_an_altered_entry():
    a, b, c = _sealed()
    _tamper(("UPDATE core_auditentry SET after = '{\"v\": 99}' WHERE seq = %s", [b.seq]))
    _assert_detected(f"entry #{b.seq} (position 2) was altered")


def test_verify_detects_a_changed_actor_id(django_user_model):
    someone = django_user_model.objects.create_user("someone")
    other = django_user_model.objects.create_user("other")
    entry = audit_record(actor=someone, action="update", object_type="x.y", object_id="1")
    seal()
    assert audit_verify().ok
    _tamper(("UPDATE core_auditentry SET actor_id = %s WHERE seq = %s", [other.pk, entry.seq]))
    _assert_detected(f"entry #{entry.seq} (position 1) was altered")


def test_verify_detects_a_changed_actor_id_even_when_the_seals_are_rehashed(django_user_model):
    someone = django_user_model.objects.create_user("someone")
    other = django_user_model.objects.create_user("other")
    _entries(2)
    entry = audit_record(actor=someone, action="update", object_type="x.y", object_id="1")
    seal()
    _tamper(("UPDATE core_auditentry SET actor_id = %s WHERE seq = %s", [other.pk, entry.seq]))
    _tamper(*_rehash_seals())
    report = _assert_detected("do not match the checkpoint signed at")
    assert not any("was altered" in p for p in report.problems)  # the leaves were rehashed consistently


def test_verify_detects_a_rewritten_history_whose_checkpoint_was_recomputed():
    a, b, c = _sealed()
    _tamper(("UPDATE core_auditentry SET after = '{\"v\": 99}' WHERE seq = %s", [b.seq]))
    _tamper(*_rehash_seals())
    forged_root = merkle_root(_leaves())
    _tamper(("UPDATE core_auditcheckpoint SET root_hash = %s WHERE tree_size = 3", [forged_root]))
    report = _assert_detected("checkpoint of size 3 (database) has an invalid signature")
    assert any("do not match the checkpoint" in p and "checkpoints.jsonl" in p for p in report.problems)


@pytest.mark.parametrize("drop_checkpoints", [False, True], ids=["checkpoint-kept", "checkpoint-deleted-too"])
def test_verify_detects_a_deleted_tail(drop_checkpoints):
    a, b = _sealed(2)
    c, d = _entries(2)
    seal()  # a second checkpoint at size 4
    statements = [("DELETE FROM core_auditseal WHERE entry_seq IN (%s, %s)", [c.seq, d.seq]),
                  ("DELETE FROM core_auditentry WHERE seq IN (%s, %s)", [c.seq, d.seq])]
    if drop_checkpoints:  # the database's own checkpoints go too; the published file remembers
        statements.append(("DELETE FROM core_auditcheckpoint WHERE tree_size = 4", []))
    _tamper(*statements)
    _assert_detected("a signed checkpoint covers 4 entries but the log has only 2 sealed")


def test_verify_detects_a_deleted_sealed_entry():
    a, b, c = _sealed()
    _tamper(("DELETE FROM core_auditentry WHERE seq = %s", [b.seq]))
    _assert_detected(f"entry #{b.seq} (sealed at position 2) is missing")


def test_verify_detects_a_forged_checkpoint_signature():
    _sealed(2)
    _entries(1)
    forged_key = Ed25519PrivateKey.generate()  # not the platform's key
    cp = AuditCheckpoint.objects.get()
    message = checkpoint_message(tree_size=3, root_hash=merkle_root(_leaves()), signed_at=cp.signed_at)
    AuditCheckpoint.objects.create(tree_size=3, root_hash=merkle_root(_leaves()), signed_at=cp.signed_at,
                                   key_id=cp.key_id, signature=b64(forged_key.sign(message)))
    _assert_detected("checkpoint of size 3 (database) has an invalid signature")


def test_verify_reports_entries_slipped_in_or_removed_before_sealing():
    a, b = _entries(2)
    _tamper(("DELETE FROM core_auditentry WHERE seq = %s", [b.seq]),
            ("INSERT INTO core_auditentry (seq, at, actor_label, region_code, action, object_type, object_id, "
             "object_repr, purpose, context) VALUES (%s, %s, 'ghost', '', 'update', '', '', '', '', '{}')",
             [b.seq + 100, a.at]))
    report = _assert_detected(f"entry #{b.seq} was queued for sealing and is missing")
    assert any(f"entry #{b.seq + 100} is neither sealed nor queued" in p for p in report.problems)


def test_seal_and_verify_commands(capsys):
    _entries(2)
    call_command("audit", "verify")
    assert "2 条尚未封存" in capsys.readouterr().out
    call_command("audit", "seal")
    assert "已封存 2 条" in capsys.readouterr().out
    call_command("audit", "verify")
    assert "审计日志完好：2 条已封存条目，树头 2" in capsys.readouterr().out


def test_a_copy_of_the_published_checkpoints_catches_a_tail_deleted_everywhere_else(audit_key_files, tmp_path):
    _sealed(2)
    c, d = _entries(2)
    seal()
    copy = tmp_path / "elsewhere.jsonl"
    copy.write_text((audit_key_files / "checkpoints.jsonl").read_text())  # shipped to another host
    _tamper(("DELETE FROM core_auditseal WHERE entry_seq IN (%s, %s)", [c.seq, d.seq]),
            ("DELETE FROM core_auditentry WHERE seq IN (%s, %s)", [c.seq, d.seq]),
            ("DELETE FROM core_auditcheckpoint WHERE tree_size = 4", []))
    (audit_key_files / "checkpoints.jsonl").unlink()  # the local file goes too

    assert audit_verify().ok  # the database alone now looks like a consistent log of 2
    report = audit_verify(extra_checkpoint_files=[copy])
    assert report.problems == ["a signed checkpoint covers 4 entries but the log has only 2 sealed: "
                               "entries were removed from the tail"]
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--checkpoints", str(copy))


@pytest.fixture
def worker_in_test(monkeypatch):
    """The worker closes stale connections each tick, which would end the test's transaction."""
    monkeypatch.setattr("kechuang.core.management.commands.worker.close_old_connections", lambda: None)


def test_the_worker_seals_without_being_asked(capsys, worker_in_test):
    a, b = _entries(2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("worker", "--once")
    assert "已封存 2 条审计日志" in capsys.readouterr().out
    assert list(AuditSeal.objects.order_by("position").values_list("entry_seq", flat=True)) == [a.seq, b.seq]


def test_the_worker_reports_a_missing_signing_key_and_keeps_running(audit_key_files, capsys, worker_in_test):
    _sealed(1)
    (audit_key_files / "checkpoint-ed25519.pem").unlink()  # the public key stays: no silent new key
    _entries(1)
    call_command("worker", "--once")
    assert "审计日志封存失败：signing key" in capsys.readouterr().err
    assert (AuditSeal.objects.count(), AuditPending.objects.count()) == (1, 1)
