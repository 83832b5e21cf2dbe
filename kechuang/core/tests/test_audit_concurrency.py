"""Concurrent audited writers on PostgreSQL, with the sealer running among them: no lock is
shared, every committed entry is sealed exactly once, and the tree verifies."""

import threading

import pytest
from django.db import connection, connections, transaction

from kechuang.core.models import AuditCheckpoint, AuditEntry, AuditPending, AuditSeal
from kechuang.core.selectors import audit_verify
from kechuang.core.services import audit_record, audit_seal, audit_seal_pending

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="postgresql only: real concurrent transactions")]


def test_sealer_never_chains_past_an_entry_that_is_still_in_flight():
    holding, release, done = threading.Event(), threading.Event(), threading.Event()
    slow = {}

    def slow_writer():
        try:
            with transaction.atomic():
                slow["entry"] = audit_record(actor="slow", action="update", object_type="x.y", object_id="slow")
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()
            done.set()

    threading.Thread(target=slow_writer).start()
    assert holding.wait(10)
    fast = audit_record(actor="fast", action="update", object_type="x.y", object_id="fast")
    assert fast.seq > slow["entry"].seq  # committed first, numbered later

    first = audit_seal()
    assert (first.sealed, first.tree_size) == (1, 1)  # only what has committed
    assert AuditSeal.objects.get(position=1).entry_seq == fast.seq
    release.set()
    assert done.wait(10)

    second = audit_seal()
    assert (second.sealed, second.tree_size) == (1, 2)
    assert AuditSeal.objects.get(position=2).entry_seq == slow["entry"].seq
    report = audit_verify()
    assert (report.ok, report.checked, report.unsealed) == (True, 2, 0), report.problems


def test_fifty_concurrent_writers_and_a_running_sealer_produce_a_valid_tree():
    writers, per_writer = 50, 8
    barrier = threading.Barrier(writers + 1)
    stop = threading.Event()
    errors = []

    def write(i):
        try:
            barrier.wait(10)
            for j in range(per_writer):
                with transaction.atomic():
                    audit_record(actor=f"w{i}", action="update", object_type="x.y", object_id=f"{i}-{j}")
                if j == per_writer // 2:  # a rolled-back writer burns a number mid-run
                    try:
                        with transaction.atomic():
                            audit_record(actor=f"w{i}", action="update", object_type="x.y", object_id="burned")
                            raise RuntimeError("rollback")
                    except RuntimeError:
                        pass
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def sealer():
        try:
            barrier.wait(10)
            while not stop.is_set():
                audit_seal(batch_size=37)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    seal_thread = threading.Thread(target=sealer)
    for t in [*threads, seal_thread]:
        t.start()
    for t in threads:
        t.join(60)
    stop.set()
    seal_thread.join(60)
    audit_seal_pending()

    assert errors == []
    total = writers * per_writer
    assert AuditEntry.objects.count() == total
    assert not AuditEntry.objects.filter(object_id="burned").exists()
    assert AuditPending.objects.count() == 0
    assert list(AuditSeal.objects.order_by("position").values_list("position", flat=True)) == list(range(1, total + 1))
    assert AuditCheckpoint.objects.order_by("-tree_size").first().tree_size == total
    report = audit_verify()
    assert (report.ok, report.checked, report.unsealed) == (True, total, 0), report.problems
