"""Audited writes per second with N concurrent writers: the sealed Merkle log against the old
single-lock hash chain, measured in the same run on the same database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kechuang .venv/bin/python bench/bench_audit.py

Creates a throw-away test database (``test_<name>``). Each of --writers threads has its own
database connection and performs --per audited writes; one audited write is one transaction that
does a business write (an UPDATE of the writer's own row, so writers never contend on business
data) and records its audit entry, like every service does.

- **baseline, the old design** (implemented here, as it was in ``core/services.py`` before the
  rebuild): lock the single chain-head row ``FOR UPDATE``, compute the entry's hash over the
  previous hash, insert the entry, update the head; every writer in the city queues on that row
  until its transaction commits.
- **new design**: the real ``kechuang.core.services.audit_record`` (insert the entry with a
  sequence number, queue it), while the real sealer (``audit_seal_pending``) runs in its own thread
  every --seal-interval seconds, as ``kechuang worker`` does. After the writers finish, the bench
  seals the rest (timed), then ``audit_verify`` must pass with every entry sealed.

- **ceiling**: the same transaction with the business UPDATE only and no audit entry at all. No
  audit design can beat it, so ``ceiling_ratio`` bounds what any ratio can be on this machine now.

Prints, per design: wall time, writes/s, the bench process's CPU time (the database's own CPU is in
the PostgreSQL processes, shown by the load average), latency p50/p95, and the ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from datetime import UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")

OLD_SCHEMA = [
    "CREATE TABLE bench_old_head (id smallint PRIMARY KEY, last_seq bigint NOT NULL, last_hash varchar(64) NOT NULL)",
    "INSERT INTO bench_old_head VALUES (1, 0, repeat('0', 64))",
    "CREATE TABLE bench_old_entry (seq bigint PRIMARY KEY, at timestamptz NOT NULL, actor_label varchar(150), "
    "organization_id integer, action varchar(10), object_type varchar(100), object_id varchar(64), "
    "object_repr varchar(200), before jsonb, after jsonb, purpose varchar(200), context jsonb, "
    "prev_hash varchar(64), hash varchar(64) UNIQUE)",
    "CREATE TABLE bench_row (id integer PRIMARY KEY, n bigint NOT NULL)",
]


def old_entry_hash(*, prev_hash, seq, at, actor_label, organization_id, action, object_type, object_id,
                   object_repr, before, after, purpose, context) -> str:
    """The pre-rebuild ``core/chain.py::entry_hash``, verbatim in substance."""
    payload = {"seq": seq, "at": at.astimezone(UTC).isoformat(timespec="microseconds"), "actor": actor_label,
               "organization": organization_id, "action": action, "object_type": object_type,
               "object_id": object_id, "object_repr": object_repr, "before": before, "after": after,
               "purpose": purpose, "context": context}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] * 1000 if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=50)
    ap.add_argument("--per", type=int, default=100, help="audited writes per writer")
    ap.add_argument("--seal-interval", type=float, default=0.5, help="seconds between sealer runs")
    ap.add_argument("--processes", type=int, default=1,
                    help="spread the writers over this many forked processes (each its own GIL, like several "
                         "gunicorn workers); 1 = threads in this process")
    args = ap.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    keydir = tempfile.mkdtemp(prefix="kc-bench-audit-")
    settings.KECHUANG_AUDIT_KEY = f"{keydir}/key.pem"
    settings.KECHUANG_AUDIT_PUBLIC_KEY = f"{keydir}/key.pem.pub"
    settings.KECHUANG_AUDIT_CHECKPOINTS = f"{keydir}/checkpoints.jsonl"
    if connection.vendor != "postgresql":
        sys.exit("bench_audit measures concurrent writers: run it on PostgreSQL (set DATABASE_URL)")
    old = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def _writers(args, write_one) -> tuple[float, float, list[float], list[str]]:
    """Run --writers threads (spread over --processes forked processes) doing --per writes each;
    returns wall seconds, CPU seconds of the bench (parent and children), latencies, errors."""
    import multiprocessing as mp

    from django.db import connections

    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(args.writers + 1)
    results = ctx.Queue()

    def writer(i, lat, errors):
        try:
            barrier.wait(60)
            for j in range(args.per):
                t = time.perf_counter()
                write_one(i, j)
                lat.append(time.perf_counter() - t)
        except Exception as exc:  # counted and printed: the run is then invalid
            errors.append(repr(exc))
        finally:
            connections.close_all()

    def group(indices):
        lat: list[float] = []
        errors: list[str] = []
        threads = [threading.Thread(target=writer, args=(i, lat, errors)) for i in indices]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        results.put((lat, errors))

    groups = [list(range(k, args.writers, args.processes)) for k in range(args.processes)]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0 = time.process_time()
    if args.processes == 1:
        runners = [threading.Thread(target=group, args=(groups[0],))]
    else:
        connections.close_all()  # children open their own connections
        runners = [ctx.Process(target=group, args=(g,)) for g in groups]
    for r in runners:
        r.start()
    barrier.wait(60)
    t0 = time.perf_counter()
    lat, errors = [], []
    for _ in groups:
        g_lat, g_err = results.get()
        lat += g_lat
        errors += g_err
    wall = time.perf_counter() - t0
    for r in runners:
        r.join()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, lat, errors


def run(args) -> None:
    from django.db import connection, connections, transaction

    from kechuang.core.models import AuditEntry, AuditSeal
    from kechuang.core.selectors import audit_verify
    from kechuang.core.services import audit_record, audit_seal_pending, to_jsonable
    from django.utils import timezone

    with connection.cursor() as cur:
        for sql in OLD_SCHEMA:
            cur.execute(sql)
        cur.execute("INSERT INTO bench_row SELECT g, 0 FROM generate_series(0, %s) g", [args.writers])
    n = args.writers * args.per
    print(f"PostgreSQL, {args.writers} writers ({args.processes} process(es)) x {args.per} audited writes = {n} "
          "per design; "
          f"cores={os.cpu_count()} load={os.getloadavg()}")

    # --- baseline: the old single-lock chain ---------------------------------------------------
    def old_write(i, j):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE bench_row SET n = n + 1 WHERE id = %s", [i])
            cur.execute("SELECT last_seq, last_hash FROM bench_old_head WHERE id = 1 FOR UPDATE")
            last_seq, last_hash = cur.fetchone()
            seq, at = last_seq + 1, timezone.now()
            before, after = to_jsonable({"n": j}), to_jsonable({"n": j + 1})
            digest = old_entry_hash(prev_hash=last_hash, seq=seq, at=at, actor_label=f"writer{i}",
                                    organization_id=None, action="update", object_type="bench.row",
                                    object_id=str(i), object_repr=f"row {i}", before=before, after=after,
                                    purpose="", context={})
            cur.execute("INSERT INTO bench_old_entry VALUES (%s, %s, %s, NULL, 'update', 'bench.row', %s, %s, "
                        "%s, %s, '', '{}', %s, %s)",
                        [seq, at, f"writer{i}", str(i), f"row {i}", json.dumps(before), json.dumps(after),
                         last_hash, digest])
            cur.execute("UPDATE bench_old_head SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, digest])

    load0 = os.getloadavg()
    wall_old, cpu_old, lat_old, err_old = _writers(args, old_write)
    load_old = os.getloadavg()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), max(seq) FROM bench_old_entry")
        old_count, old_max = cur.fetchone()
    print(f"baseline (single-lock chain): {old_count} entries (head #{old_max}) in {wall_old:.2f} s wall, "
          f"{cpu_old:.2f} s CPU (bench processes) -> {old_count / wall_old:.0f} writes/s; latency ms p50 "
          f"{pct(lat_old, 50):.1f} p95 {pct(lat_old, 95):.1f}; errors {len(err_old)}; load {load0} -> {load_old}")

    # --- ceiling: the business write alone, with no audit entry at all -------------------------
    def bare_write(i, j):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE bench_row SET n = n + 1 WHERE id = %s", [i])

    load_c0 = os.getloadavg()
    wall_bare, cpu_bare, lat_bare, err_bare = _writers(args, bare_write)
    load_c1 = os.getloadavg()
    print(f"ceiling (no audit entry):     {n} writes in {wall_bare:.2f} s wall, {cpu_bare:.2f} s CPU (bench processes) "
          f"-> {n / wall_bare:.0f} writes/s = {(n / wall_bare) / (old_count / wall_old):.1f}x the baseline; latency ms "
          f"p50 {pct(lat_bare, 50):.1f} p95 {pct(lat_bare, 95):.1f}; errors {len(err_bare)}; load {load_c0} -> {load_c1}")

    # --- new design: lock-free appends + the sealer running alongside --------------------------
    stop = threading.Event()
    sealed_during = [0]

    def sealer():
        try:
            while not stop.is_set():
                sealed_during[0] += audit_seal_pending()
                stop.wait(args.seal_interval)
        finally:
            connections.close_all()

    def new_write(i, j):
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE bench_row SET n = n + 1 WHERE id = %s", [i])
            audit_record(actor=f"writer{i}", action="update", object_type="bench.row", object_id=str(i),
                         object_repr=f"row {i}", before={"n": j}, after={"n": j + 1})

    seal_thread = threading.Thread(target=sealer)
    seal_thread.start()
    load1 = os.getloadavg()
    wall_new, cpu_new, lat_new, err_new = _writers(args, new_write)
    load_new = os.getloadavg()
    stop.set()
    seal_thread.join()
    t = time.perf_counter()
    rest = audit_seal_pending()
    seal_rest = time.perf_counter() - t
    t = time.perf_counter()
    report = audit_verify()
    verify_s = time.perf_counter() - t
    new_count = AuditEntry.objects.count()
    print(f"new (sequence + sealer):      {new_count} entries in {wall_new:.2f} s wall, {cpu_new:.2f} s CPU "
          f"(bench processes, sealer included) -> {new_count / wall_new:.0f} writes/s; latency ms p50 "
          f"{pct(lat_new, 50):.1f} p95 {pct(lat_new, 95):.1f}; errors {len(err_new)}; load {load1} -> {load_new}")
    print(f"sealer: {sealed_during[0]} sealed while writers ran, {rest} after them in {seal_rest:.2f} s; "
          f"{AuditSeal.objects.count()} seals; verify {report.checked} entries in {verify_s:.2f} s: "
          f"{'OK' if report.ok else report.problems[:3]}, {report.unsealed} unsealed")
    ok = (not err_old and not err_new and not err_bare and old_count == new_count == n and report.ok
          and report.checked == n and report.unsealed == 0)
    ratio = (new_count / wall_new) / (old_count / wall_old)
    print(f"RESULT writes_per_s_new={new_count / wall_new:.0f} writes_per_s_old={old_count / wall_old:.0f} "
          f"ratio={ratio:.1f}x ceiling_ratio={(n / wall_bare) / (old_count / wall_old):.1f}x p95_ms_new={pct(lat_new, 95):.1f} p95_ms_old={pct(lat_old, 95):.1f} "
          f"check={'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
