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
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
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

    def one() -> float:
        uscc = rng.choice(visible)
        t = time.perf_counter()
        response = client.get(f"/api/enterprises/{uscc}/evaluation/", {"as_of": as_of})
        elapsed = (time.perf_counter() - t) * 1000
        assert response.status_code == 200, response.content[:300]
        return elapsed

    for _ in range(args.warmup):
        one()
    times = sorted(one() for _ in range(args.requests))
    q = statistics.quantiles(times, n=100)
    db = connection.vendor
    print(f"command: {' '.join(sys.argv)}")
    print(f"database: {db}; enterprises loaded: {imp.rows_valid} in {load_s:.1f} s; "
          f"visible to the regulator: {len(visible)}; as_of {as_of}")
    print(f"GET /api/enterprises/{{uscc}}/evaluation/ (all standards, gaps for those not met), "
          f"{args.requests} requests after {args.warmup} warm-up:")
    print(f"  p50 {q[49]:.1f} ms   p95 {q[94]:.1f} ms   p99 {q[98]:.1f} ms   mean {statistics.fmean(times):.1f} ms"
          f"   max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
