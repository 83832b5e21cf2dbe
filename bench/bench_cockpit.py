"""Server time of the regulator's cockpit over a large synthetic region (SYNTHETIC data).

    .venv/bin/python bench/bench_cockpit.py                      # SQLite file in bench/out
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kechuang_bench_cockpit .venv/bin/python bench/bench_cockpit.py

Creates a throw-away test database (``bench/out/bench_cockpit.sqlite3``, or ``test_<name>`` on
PostgreSQL), then loads a synthetic plan labelled 合成（synthetic）: 20 synthetic districts,
300 indicators with a baseline and a target, yearly actuals for 10 years for the city and every
district (63,000 values), and 5,000 tasks over 50 responsible units. Times ``GET
/targets/cockpit/`` (whole request through Django's test client, in process, as a superuser) and,
in the same run, a naive cockpit that computes the same figures with one query per indicator and
per district and flags tasks in Python. Prints p50/p95 in ms and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--indicators", type=int, default=300)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--naive", type=int, default=5, help="runs of the naive baseline")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one request")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        OUT.mkdir(exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / 'bench_cockpit.sqlite3'}"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old_name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(OUT / "bench_cockpit.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def load(args) -> None:
    from django.db import transaction

    from kechuang.accounts.models import Region
    from kechuang.targets.models import Indicator, IndicatorValue, Plan, Task, Unit

    rng = random.Random(args.seed)
    start_year = 2025 - args.years + 1
    with transaction.atomic():
        districts = [Region(code=f"3701{70 + i:02d}", name=f"合成区县{i + 1:02d}（synthetic）", parent_id="370100")
                     for i in range(args.districts)]
        Region.objects.bulk_create(districts, ignore_conflicts=True)
        plan = Plan.objects.create(name="合成规划（synthetic）", title="合成数据：基准测试用规划", region_name="济南市",
                                   region_code="370100", issuing_body="合成（synthetic）", period_start=start_year,
                                   period_end=2025, base_year=start_year - 1)
        inds = Indicator.objects.bulk_create([
            Indicator(plan=plan, name=f"合成指标{i:03d}", concept=f"合成指标{i:03d}", unit="亿元")
            for i in range(args.indicators)])
        values = []
        regions = ["370100"] + [d.code for d in districts]
        for ind in inds:
            base = rng.uniform(50, 500)
            growth = rng.uniform(-0.02, 0.15)
            values.append(IndicatorValue(indicator=ind, kind="baseline", year=start_year - 1, period_label=str(start_year - 1),
                                         region_code="370100", value=Decimal(f"{base:.2f}"), value_text=f"{base:.2f}",
                                         quote="synthetic"))
            target = base * (1.08 ** args.years)
            values.append(IndicatorValue(indicator=ind, kind="target", year=2025, period_label="2025", region_code="370100",
                                         value=Decimal(f"{target:.2f}"), value_text=f"{target:.2f}", qualifier="以上",
                                         quote="synthetic"))
            for r in regions:
                scale = 1.0 if r == "370100" else rng.uniform(0.02, 0.1)
                for k, year in enumerate(range(start_year, 2025 + 1)):
                    v = base * scale * (1 + growth) ** (k + 1) * rng.uniform(0.97, 1.03)
                    values.append(IndicatorValue(indicator=ind, kind="actual", year=year, period_label=str(year),
                                                 region_code=r, value=Decimal(f"{v:.4f}"), value_text=f"{v:.4f}",
                                                 unit="亿元", source_file="synthetic"))
        IndicatorValue.objects.bulk_create(values, batch_size=5000)
        units = Unit.objects.bulk_create([Unit(name=f"合成单位{i:02d}（synthetic）") for i in range(50)])
        statuses = ["not_started", "in_progress", "done", "blocked"]
        tasks = Task.objects.bulk_create([
            Task(plan=plan, code=f"S-{i:05d}", title=f"合成任务{i:05d}（synthetic）", is_key=rng.random() < 0.1,
                 deadline=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 1500)),
                 status=rng.choice(statuses), percent=rng.randint(0, 100)) for i in range(args.tasks)], batch_size=2000)
        Through, LeadThrough = Task.units.through, Task.lead_units.through
        links, leads = [], []
        for t in tasks:
            chosen = rng.sample(units, 3)
            links += [Through(task_id=t.pk, unit_id=u.pk) for u in chosen]
            leads.append(LeadThrough(task_id=t.pk, unit_id=chosen[0].pk))
        Through.objects.bulk_create(links, batch_size=5000)
        LeadThrough.objects.bulk_create(leads, batch_size=5000)
    print(f"loaded: {len(values):,} values, {len(tasks):,} tasks, {args.districts} districts, "
          f"{args.indicators} indicators, {args.years} years (synthetic)")


def naive_cockpit(as_of_year: int) -> dict:
    """The same figures the simple way: a query per indicator for its values and actuals, a query
    per district, every task loaded and flagged in Python."""
    from django.utils import timezone

    from kechuang.engine.targets.progress import assess
    from kechuang.targets.models import IndicatorValue, Plan, Task
    from kechuang.targets.selectors import districts_of

    today = timezone.localdate()
    out = {"rows": 0, "overdue": 0, "districts": {}}
    for plan in Plan.objects.filter(region_code="370100"):
        for ind in plan.indicators.all():
            vals = list(IndicatorValue.objects.filter(indicator=ind))
            target = max((v for v in vals if v.kind == "target" and v.year), key=lambda v: v.year, default=None)
            if target is None:
                continue
            pts = [(v.year, float(v.value)) for v in vals if v.kind == "actual" and v.region_code == "370100"]
            assess(target=float(target.value), target_year=target.year, points=pts, as_of_year=as_of_year)
            out["rows"] += 1
        for t in Task.objects.filter(plan=plan):
            list(t.lead_units.all())
            if t.status != "done" and t.deadline and t.deadline < today:
                out["overdue"] += 1
        first = plan.indicators.order_by("concept").first()
        for d in districts_of("370100"):
            out["districts"][d.code] = list(IndicatorValue.objects.filter(indicator=first, region_code=d.code,
                                                                         kind="actual").values_list("year", "value"))
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run(args) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    t0 = time.perf_counter()
    load(args)
    with connection.cursor() as cur:  # planner statistics, as autovacuum would have them in production
        cur.execute("ANALYZE")
    print(f"load time: {time.perf_counter() - t0:.1f} s on {connection.vendor} (then ANALYZE)")
    admin = get_user_model().objects.create_superuser("bench", password="x")
    client = Client()
    client.force_login(admin)
    url = "/targets/cockpit/?as_of=2024"
    t = time.perf_counter()
    resp = client.get(url)
    cold = (time.perf_counter() - t) * 1000
    assert resp.status_code == 200, resp.status_code
    assert resp.context["rows_total"] == args.indicators, resp.context["rows_total"]
    if args.profile:
        import cProfile
        import pstats
        prof = cProfile.Profile()
        prof.enable()
        client.get(url)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats("targets|engine|execute", 30)
        from django.test.utils import CaptureQueriesContext
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:6]:
            print(f"{float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")
    times = []
    for _ in range(args.requests):
        t = time.perf_counter()
        resp = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200
    naive = []
    for _ in range(args.naive):
        t = time.perf_counter()
        naive_cockpit(2024)
        naive.append((time.perf_counter() - t) * 1000)
    p50, p95 = statistics.median(times), pct(times, 95)
    n50, n95 = statistics.median(naive), pct(naive, 95)
    print(f"cockpit page ({args.requests} requests, whole request incl. template): p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    print(f"first request (cold: live metrics not yet cached, templates not yet compiled): {cold:.0f} ms")
    print(f"naive baseline ({args.naive} runs, figures only, no template): p50 {n50:.0f} ms, p95 {n95:.0f} ms")
    print(f"ratio naive/page at p50: {n50 / p50:.1f}x; target p95 < 1000 ms: {'met' if p95 < 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
