"""Concurrent grabs (抢单) through the API: N institutions grabbing D demands at once.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kechuang_marketplace .venv/bin/python bench/bench_grab.py

Creates a throw-away test database (``test_<name>`` on PostgreSQL, or an SQLite file), then
SYNTHETIC data: --institutions banks with one product each, a few enterprises and --demands open
demands (labelled synthetic). Each institution runs in its own thread with its own database
connection and Django test client (the real URL, view, serializer, service and SQL: in process, so
Python's GIL shares one core, but the row locks and conditional UPDATEs contend for real) and
POSTs ``/api/marketplace/demands/{id}/grab/`` for --per demands in random order, so every demand is
contested by institutions × per ÷ demands banks. Checks afterwards: no demand held twice, one
request, one event and one audit entry per winning grab (no lost transition), every loser told
``already_held``, no server error. Prints p50/p95/p99 latency of a grab (winning and losing),
and, measured in the same run, the same grabs from one thread on fresh demands (no contention) as
the baseline ratio.

Two load models (``--release-rate``):

- **closed loop** (``0``, the default and session 2–3's model): every institution fires its next
  grab the moment the last one answers, with no think time. 50 such clients keep the machine
  saturated, so the latency is mostly queueing: by Little's law the mean is 50 ÷ throughput,
  whatever one grab costs.
- **release** (``R`` demands per second): the demands come onto the market one after another,
  R per second, and each of the institutions whose share includes it grabs it the moment it is
  released (5 at once with the defaults: real contention on one row), then waits for the next of
  its demands. The offered load is R × institutions × per ÷ demands grabs per second. Latency is
  measured from sending the request, and also from the demand's scheduled release (which counts
  any backlog of the institution's own, so a client falling behind is not hidden).

Prints the bench processes' CPU time (the server's is in PostgreSQL, shown by the load average)
and the load average before and after each part.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))] * 1000 if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--institutions", type=int, default=50)
    ap.add_argument("--demands", type=int, default=1000)
    ap.add_argument("--per", type=int, default=100, help="demands each institution tries to grab")
    ap.add_argument("--baseline", type=int, default=100, help="uncontended grabs from one thread")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--release-rate", type=float, default=0.0,
                    help="demands released per second (the release model); 0 = closed loop, no think time")
    ap.add_argument("--processes", type=int, default=1,
                    help="spread the institutions over this many forked processes (each with its own GIL), "
                         "like several gunicorn workers; 1 = threads in this process")
    args = ap.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 4,000 expected 400s
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


def run(args) -> None:
    from django.db import connection, connections
    from django.test import Client

    from kechuang.accounts.choices import OrganizationKind
    from kechuang.core.models import AuditEntry
    from kechuang.enterprises.models import Enterprise
    from kechuang.enterprises.tests.factories import load, organization, record, user
    from kechuang.marketplace import services
    from kechuang.marketplace.models import Demand, FinancingRequest, RequestEvent

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    load([record(i, "370102") for i in range(1, 11)])
    ents = list(Enterprise.objects.all())
    banks = []
    for i in range(args.institutions):
        org = organization(OrganizationKind.BANK, f"合成银行{i}（synthetic）")
        u = user(f"bank{i}", org)
        p = services.product_create(institution=org, kind="loan", category="credit", name=f"合成信用贷{i}",
                                    amount_min="10000", amount_max="100000000", term_min_months=1,
                                    term_max_months=60, rate="0.04", actor=u, is_synthetic=True)
        banks.append((u, p))
    poster = user("poster", organization(OrganizationKind.ENTERPRISE, "合成企业账号", enterprise=ents[0]), role="admin")

    def demands(n):
        return [services.demand_post(enterprise=ents[0], kind="debt", amount=str(rng.choice([5e5, 1e6, 3e6])),
                                     term_months=12, purpose="rd", actor=poster, prefill={}, is_synthetic=True).pk
                for _ in range(n)]

    contested = demands(args.demands)
    fresh = demands(args.baseline)
    print(f"setup (SYNTHETIC, {connection.vendor}): {args.institutions} institutions, {len(contested)} demands "
          f"+ {len(fresh)} baseline demands in {time.perf_counter() - t0:.1f} s; load={os.getloadavg()}")

    # baseline: one thread, no contention
    load_b0 = os.getloadavg()
    cpu_b0 = time.process_time()
    u, p = banks[0]
    c = Client()
    c.force_login(u)
    base = []
    for did in fresh:
        t = time.perf_counter()
        r = c.post(f"/api/marketplace/demands/{did}/grab/", {"product": p.pk}, content_type="application/json")
        base.append(time.perf_counter() - t)
        assert r.status_code == 201, r.content
    cpu_base = time.process_time() - cpu_b0
    load_b1 = os.getloadavg()
    audit_before = AuditEntry.objects.count()
    req_before = FinancingRequest.objects.count()

    import multiprocessing as mp

    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(args.institutions)
    results = ctx.Queue()
    release = {did: k / args.release_rate for k, did in enumerate(contested)} if args.release_rate else None
    start_at = ctx.Value("d", 0.0)  # the release clock's zero, set once every institution is ready

    def worker(i):
        u, p = banks[i]
        cl = Client()
        cl.force_login(u)
        start = (i * args.demands // args.institutions)
        mine = [contested[(start + k) % len(contested)] for k in range(args.per)]
        if release is None:
            random.Random(args.seed + i).shuffle(mine)
        else:
            mine.sort(key=release.__getitem__)
        out = []
        if barrier.wait() == 0:
            start_at.value = time.monotonic() + 0.5  # CLOCK_MONOTONIC is system-wide: one instant for all
        barrier.wait()
        t_zero = time.monotonic() if release is None else start_at.value
        try:
            for did in mine:
                due = t_zero + (release[did] if release is not None else 0.0)
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                t = time.monotonic()
                r = cl.post(f"/api/marketplace/demands/{did}/grab/", {"product": p.pk}, content_type="application/json")
                end = time.monotonic()
                code = r.json()["errors"][0]["code"] if r.status_code == 400 else ""
                out.append((did, i, r.status_code, code, end - t, end - max(due, t) if release is None else end - due))
        finally:
            connections.close_all()
        results.put(out)

    def process(indices):
        ths = [threading.Thread(target=worker, args=(i,)) for i in indices]
        for th in ths:
            th.start()
        for th in ths:
            th.join()

    groups = [list(range(k, args.institutions, args.processes)) for k in range(args.processes)]
    connections.close_all()  # children open their own connections
    load0 = os.getloadavg()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0 = time.process_time()
    t = time.perf_counter()
    if args.processes == 1:
        procs = []
        th = threading.Thread(target=process, args=(groups[0],))
        th.start()
    else:
        procs = [ctx.Process(target=process, args=(g,)) for g in groups]
        for pr in procs:
            pr.start()
    rows = []
    for _ in range(args.institutions):
        rows += results.get()
    wall = time.perf_counter() - t
    for pr in procs:
        pr.join()
    if args.processes == 1:
        th.join()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - c0 + (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    load1 = os.getloadavg()
    wins = [(d, i) for d, i, st, _c, _t, _r in rows if st == 201]
    lat_win = [x for _d, _i, st, _c, x, _r in rows if st == 201]
    losses = [d for d, _i, st, code, _t, _r in rows if st == 400 and code == "already_held"]
    lat_lose = [x for _d, _i, st, code, x, _r in rows if st == 400 and code == "already_held"]
    lat_release = [x for _d, _i, _st, _c, _t, x in rows]
    other = [(d, st, code) for d, _i, st, code, _t, _r in rows
             if not (st == 201 or (st == 400 and code == "already_held"))]
    model = ("closed loop, no think time" if release is None else
             f"release model, {args.release_rate:g} demands/s = "
             f"{args.release_rate * args.institutions * args.per / args.demands:g} grabs/s offered")
    print(f"mode: {args.processes} process(es) x {args.institutions // args.processes}+ threads; {model}")

    held = list(Demand.objects.filter(pk__in=contested, requests__isnull=False).values_list("pk", flat=True))
    per_demand = {}
    for did in FinancingRequest.objects.filter(demand_id__in=contested).values_list("demand_id", flat=True):
        per_demand[did] = per_demand.get(did, 0) + 1
    double = [d for d, n in per_demand.items() if n > 1]
    attempted = {contested[(i * args.demands // args.institutions + k) % len(contested)]
                 for i in range(args.institutions) for k in range(args.per)}
    new_requests = FinancingRequest.objects.count() - req_before
    events = RequestEvent.objects.filter(request__demand_id__in=contested).count()
    audits = AuditEntry.objects.count() - audit_before
    print(f"{len(wins) + len(losses) + len(other)} grab attempts by {args.institutions} institutions in {wall:.1f} s "
          f"({(len(wins) + len(losses)) / wall:.0f}/s); {cpu:.1f} s CPU (bench processes) = "
          f"{cpu / max(1, len(rows)) * 1000:.1f} ms per grab; load {load0} -> {load1}")
    print(f"wins {len(wins)}, already_held {len(losses)}, other responses {len(other)} {other[:3]}")
    print(f"demands attempted {len(attempted)}, held {len(set(held))}, held twice {len(double)}; "
          f"new requests {new_requests}, events {events}, audit entries {audits}")
    ok = (not double and not other and len(wins) == new_requests == events == audits == len(attempted))
    print(f"CHECK no demand held twice, no lost transition: {'PASS' if ok else 'FAIL'}")
    all_lat = lat_win + lat_lose
    print(f"latency ms (contended, all grabs): p50 {pct(all_lat, 50):.1f}  p95 {pct(all_lat, 95):.1f}  "
          f"p99 {pct(all_lat, 99):.1f}  mean {statistics.mean(all_lat) * 1000:.1f}")
    print(f"latency ms (winning grabs): p50 {pct(lat_win, 50):.1f}  p95 {pct(lat_win, 95):.1f}; "
          f"(losing grabs): p50 {pct(lat_lose, 50):.1f}  p95 {pct(lat_lose, 95):.1f}")
    if release is not None:
        print(f"latency ms from the demand's release (includes any backlog of the institution): "
              f"p50 {pct(lat_release, 50):.1f}  p95 {pct(lat_release, 95):.1f}")
    print(f"baseline ms (one thread, uncontended, {len(base)} grabs): p50 {pct(base, 50):.1f}  p95 {pct(base, 95):.1f}; "
          f"{cpu_base / len(base) * 1000:.1f} ms CPU per grab; load {load_b0} -> {load_b1}")
    print(f"RESULT model={'closed' if release is None else 'release'} p95_contended_ms={pct(all_lat, 95):.1f} "
          f"p95_from_release_ms={pct(lat_release, 95):.1f} p95_baseline_ms={pct(base, 95):.1f} "
          f"ratio={pct(all_lat, 95) / pct(base, 95):.1f}x check={'PASS' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
