"""Latency of the one-enterprise evaluation API (all standards in force, gaps for those not met).

    .venv/bin/python bench/bench_evaluation_api.py --n 2000 --requests 500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kechuang .venv/bin/python bench/bench_evaluation_api.py

Creates a throw-away test database (SQLite file, or ``test_<name>`` on PostgreSQL), imports N
synthetic enterprises through the real import pipeline, then sends --requests GETs to
``/api/enterprises/{uscc}/evaluation/`` for random enterprises with Django's test client, in
process, as a regulator (no consent audit on the path). Prints p50/p95/p99 and the mean, in ms,
of the whole request: access check, reading the merged facts as of the day (12 fact tables),
the engine, gaps for the standards not met, serialisation.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="synthetic enterprises to load")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gaps", default=None, help="value of the ?gaps= parameter (default: the API's default)")
    parser.add_argument("--breakdown", type=int, default=0,
                        help="also time the phases (facts read, engine, gaps, whole request) on this many enterprises")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the timed requests")
    parser.add_argument("--region-run", metavar="CODE", default=None,
                        help="instead: time a region run (evaluation_run_execute) of CODE over the database "
                             "configured by DATABASE_URL as it is (no test database, no import); the run is stored")
    parser.add_argument("--as-of", default=None, help="region run: evaluation date (default: today)")
    parser.add_argument("--chunk", type=int, default=20_000, help="region run: enterprises per engine batch")
    parser.add_argument("--details", default="json", choices=["json", "none"], help="region run: clause details")
    args = parser.parse_args()

    import django

    django.setup()
    if args.region_run:
        region_run(args)
        return
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> None:
    from django.db import connection
    from django.utils import timezone
    from rest_framework.test import APIClient

    from kechuang.enterprises.choices import SourceKind
    from kechuang.enterprises.models import Enterprise
    from kechuang.enterprises.tests.factories import regulator
    from kechuang.ingest.services import default_source, import_run_create, import_run_execute
    from kechuang.synthetic import write_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "region.jsonl"
        write_jsonl(path, args.n)
        t0 = time.perf_counter()
        imp = import_run_create(path=path, file_name=path.name, source=default_source(SourceKind.SYNTHETIC),
                                actor="bench", store_copy=False)
        imp = import_run_execute(run=imp, actor="bench")
        load_s = time.perf_counter() - t0
    user = regulator("bench-city", region="370100")
    visible = list(Enterprise.objects.restrict(user, "view").values_list("uscc", flat=True))
    client = APIClient()
    client.force_authenticate(user)
    as_of = timezone.localdate().isoformat()
    rng = random.Random(args.seed)

    params = {"as_of": as_of}
    if args.gaps is not None:
        params["gaps"] = args.gaps

    def one() -> float:
        uscc = rng.choice(visible)
        t = time.perf_counter()
        response = client.get(f"/api/enterprises/{uscc}/evaluation/", params)
        elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed

    for _ in range(args.warmup):
        one()
    if args.profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    times = sorted(one() for _ in range(args.requests))
    if args.profile:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
    q = statistics.quantiles(times, n=100)
    db = connection.vendor
    print(f"command: {' '.join(sys.argv)}")
    print(f"database: {db}; enterprises loaded: {imp.rows_valid} in {load_s:.1f} s; "
          f"visible to the regulator: {len(visible)}; as_of {as_of}")
    print(f"GET /api/enterprises/{{uscc}}/evaluation/ (all standards, gaps for those not met), "
          f"{args.requests} requests after {args.warmup} warm-up:")
    print(f"  p50 {q[49]:.1f} ms   p95 {q[94]:.1f} ms   p99 {q[98]:.1f} ms   mean {statistics.fmean(times):.1f} ms"
          f"   max {times[-1]:.1f} ms")
    if args.breakdown:
        breakdown(args, visible, as_of)


def breakdown(args, visible: list[str], as_of: str) -> None:
    """p50/p95 of each phase of the request path, measured separately on the same enterprises."""
    import datetime as dt

    from kechuang.engine.qualification import default_registry, evaluate_record
    from kechuang.enterprises.models import Enterprise
    from kechuang.evaluation.selectors import enterprise_record

    day = dt.date.fromisoformat(as_of)
    rng = random.Random(args.seed + 1)
    ents = {e.uscc: e for e in Enterprise.objects.filter(uscc__in=rng.sample(visible, min(args.breakdown,
                                                                                            len(visible))))}
    versions = [s.id for s in default_registry().in_force(day)]
    phases: dict[str, list[float]] = {"facts read (merged_facts as of the day)": [], "engine, no gaps": [],
                                      "engine, gaps for the standards not met": []}
    for e in ents.values():
        t = time.perf_counter()
        rec = enterprise_record(enterprise=e, as_of=day)
        phases["facts read (merged_facts as of the day)"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        evaluate_record(rec, day, versions, with_gaps=False)
        phases["engine, no gaps"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        evaluate_record(rec, day, versions, with_gaps=True)
        phases["engine, gaps for the standards not met"].append((time.perf_counter() - t) * 1000)
    print(f"phases on {len(ents)} enterprises (p50 / p95 ms):")
    for name, xs in phases.items():
        xs.sort()
        q = statistics.quantiles(xs, n=100)
        print(f"  {name}: {q[49]:.1f} / {q[94]:.1f}")


def region_run(args) -> None:
    """Time ``evaluation_run_execute`` over an existing database, phase by phase."""
    import datetime as dt
    from collections import defaultdict

    from django.db import connection
    from django.utils import timezone

    from kechuang.accounts.models import within_region
    from kechuang.enterprises.models import Enterprise
    from kechuang.evaluation import services

    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn, gen=False):
        if gen:
            def wrapper(*a, **k):
                it = fn(*a, **k)
                while True:
                    t = time.perf_counter()
                    try:
                        item = next(it)
                    except StopIteration:
                        spent[name] += time.perf_counter() - t
                        return
                    spent[name] += time.perf_counter() - t
                    yield item
        else:
            def wrapper(*a, **k):
                t = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    spent[name] += time.perf_counter() - t
        return wrapper

    services.records_as_of = timed("read facts as of the day (merged_facts + records)", services.records_as_of, gen=True)
    services.records_to_frame = timed("records -> Arrow/Polars frame", services.records_to_frame)
    services.evaluate_batch = timed("engine: evaluate_batch", services.evaluate_batch)
    services.placement = timed("ladder placements", services.placement)
    services.evaluate_record = timed("gaps of the enterprises close to qualifying", services.evaluate_record)
    services.write_results = timed("write results (COPY)" if connection.vendor == "postgresql"
                                   else "write results (executemany)", services.write_results)
    services.write_placements = timed("write placements", services.write_placements)

    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else timezone.localdate()
    n = Enterprise.objects.filter(within_region(args.region_run)).count()
    run = services.evaluation_run_create(as_of=as_of, actor="bench:evaluation", region_code=args.region_run,
                                         details=args.details)
    t = time.perf_counter()
    run = services.evaluation_run_execute(run=run, actor="bench:evaluation", chunk_size=args.chunk)
    total = time.perf_counter() - t
    print(f"command: {' '.join(sys.argv)}")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; region {args.region_run}: "
          f"{n} enterprises; as_of {as_of}; details={args.details}; chunk {args.chunk}")
    print(f"run {run.pk}: {run.status} {run.error[:300]}; {run.enterprises_total} enterprises, "
          f"{run.results_total} results in {total:.1f} s = {run.enterprises_total / total:,.0f} enterprises/s, "
          f"{run.results_total / total:,.0f} results/s")
    for name, sec in spent.items():
        print(f"  {name}: {sec:.1f} s ({sec / total:.0%})")
    other = total - sum(spent.values())
    print(f"  other (ids, commit, audit): {other:.1f} s")
    print(f"extrapolated to 1,000,000 enterprises at this rate: {1_000_000 / (run.enterprises_total / total) / 60:.1f} min")


if __name__ == "__main__":
    main()
