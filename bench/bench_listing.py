"""Benchmark of listing readiness: every enterprise against every board's listing standard
(科创板 2.1.2, 创业板 2.1.2, 北交所 2.1.3) with the batch path vs one enterprise at a time.

    .venv/bin/python bench/bench_listing.py --n 1000000 --distinct 50000 --sample 5000

Builds N SYNTHETIC enterprises as Parquet (``kechuang.synthetic`` records plus generated listing
facts: a dated market value, net profit after non-recurring items, operating cash flow, weighted
ROE; repeated to N rows, cached under --workdir), then times in the same run:
- readiness: ``evaluate_parquet`` with the listing registry, in slices of --batch-size rows, for each
  --details mode (``none``: status per board; ``columns``: every clause's status and value);
- readiness + pool placement: the pool features (facts, board statuses) and ``place_batch`` over the
  tiers of both tracks, per slice;
- the baseline: ``evaluate_record`` (one enterprise at a time, gaps off) on --sample records of the
  same file, extrapolated to N.
Prints wall time, process CPU time and the load average beside each figure (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import sys
import time
from pathlib import Path

import polars as pl

from kechuang.engine.listing import load_pool_rules, place_batch, pool_features
from kechuang.engine.listing.pool import POOL_COLUMNS, READINESS_COLUMNS
from kechuang.engine.qualification import (LISTING_FAMILIES, evaluate_batch, evaluate_parquet, evaluate_record,
                                           listing_registry, records_to_frame)
from kechuang.engine.qualification.schema import frame_to_records

log = logging.getLogger("bench_listing")


def _listing_facts(rec: dict, i: int, as_of: datetime.date) -> dict:
    """SYNTHETIC listing facts scaled on the record's own revenue and profit (deterministic in i)."""
    years = rec.get("years") or []
    last = max(years, key=lambda y: y["year"]) if years else {}
    revenue = float(last.get("operating_revenue") or 0)
    profit = float(last.get("net_profit") or 0)
    if i % 10 != 0:  # one in ten has no market value: its boards read it as unknown
        rec["expected_market_value"] = max(revenue * (2 + i % 13), profit * (10 + i % 30), 1e7)
        rec["market_value_basis"] = "recent_financing"
        rec["market_value_date"] = as_of - datetime.timedelta(days=(i * 7) % 500)
    for k, y in enumerate(years):
        p = y.get("net_profit")
        y["net_profit_deducted"] = None if p is None else float(p) * (0.7 + 0.05 * ((i + k) % 6))
        y["operating_cash_flow"] = float(y.get("operating_revenue") or 0) * (0.02 * ((i + k) % 9) - 0.04)
        y["weighted_roe"] = 0.02 * ((i + k) % 8)
    return rec


def build_input(path: Path, n: int, distinct: int, as_of: datetime.date) -> None:
    from kechuang.synthetic import generate

    recs = [_listing_facts(r, i, as_of) for i, r in enumerate(generate(min(n, distinct)))]
    base = records_to_frame(recs)
    frame = pl.concat([base] * (-(-n // base.height))).head(n)
    frame.write_parquet(path, row_group_size=250_000)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=50_000)
    ap.add_argument("--sample", type=int, default=5_000, help="records for the one-at-a-time timing")
    ap.add_argument("--as-of", default="2026-11-22")
    ap.add_argument("--workdir", default="/tmp/kechuang-bench")
    ap.add_argument("--details", default="none,columns")
    ap.add_argument("--batch-size", type=int, default=200_000)
    ap.add_argument("--no-pool", action="store_true", help="skip the pool placement timing")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    as_of = datetime.date.fromisoformat(args.as_of)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"listing-{args.n}-{args.distinct}.parquet"
    if not path.exists():
        t = time.perf_counter()
        build_input(path, args.n, args.distinct, as_of)
        log.info("built %s in %.1f s (SYNTHETIC)", path, time.perf_counter() - t)
    registry = listing_registry()
    stds = [registry.resolve(f, as_of) for f in LISTING_FAMILIES]
    log.info("command: %s", " ".join(sys.argv))
    log.info("boards on %s: %s; %s", args.as_of, ", ".join(s.id for s in stds), _load())

    timings: dict[str, float] = {}
    for details in [d for d in args.details.split(",") if d]:
        t, cpu = time.perf_counter(), time.process_time()
        rows, statuses = 0, {}
        for res in evaluate_parquet(path, as_of, list(LISTING_FAMILIES), batch_size=args.batch_size,
                                    details=details, registry=registry):
            rows += res.height
            for std, st, cnt in res.group_by(["standard", "status"]).len().iter_rows():
                statuses[(std, st)] = statuses.get((std, st), 0) + cnt
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        timings[f"readiness details={details}"] = wall
        log.info("readiness details=%s: %d enterprises x %d boards = %d rows in %.2f s wall, %.1f s CPU "
                 "(all threads): %.0f evaluations/s; %s", details, args.n, len(stds), rows, wall, cpu, rows / wall,
                 _load())
    log.info("statuses: %s", ", ".join(f"{s}:{st}={n:,}" for (s, st), n in sorted(statuses.items())))

    # the same, reading only the columns the boards read (column pruning, as a Spark job would)
    for details in [d for d in args.details.split(",") if d]:
        src = pl.scan_parquet(path).select(list(READINESS_COLUMNS))
        t, cpu = time.perf_counter(), time.process_time()
        rows = 0
        for start in range(0, args.n, args.batch_size):
            rows += evaluate_batch(src.slice(start, args.batch_size).collect(), as_of, list(LISTING_FAMILIES),
                                   registry, details).height
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        timings[f"readiness details={details}, pruned columns"] = wall
        log.info("readiness details=%s reading %d columns: %d rows in %.2f s wall, %.1f s CPU: %.0f evaluations/s; %s",
                 details, len(READINESS_COLUMNS), rows, wall, cpu, rows / wall, _load())

    if not args.no_pool:
        rules = load_pool_rules()
        src = pl.scan_parquet(path).select(list(POOL_COLUMNS))
        t, cpu = time.perf_counter(), time.process_time()
        tiers: dict[str, int] = {}
        for start in range(0, args.n, args.batch_size):
            chunk = src.slice(start, args.batch_size).collect()
            placed = place_batch(rules, pool_features(chunk, as_of))
            for tier, cnt in placed.group_by("ladder_tier").len().iter_rows():
                tiers[tier or "out"] = tiers.get(tier or "out", 0) + cnt
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        timings["readiness + pool placement"] = wall
        log.info("readiness + pool features + placement (2 tracks): %d enterprises in %.2f s wall, %.1f s CPU; "
                 "ladder tiers %s; %s", args.n, wall, cpu, tiers, _load())

    recs = frame_to_records(pl.read_parquet(path).head(args.sample))
    t, cpu = time.perf_counter(), time.process_time()
    for r in recs:
        evaluate_record(r, as_of, list(LISTING_FAMILIES), registry=registry, with_gaps=False)
    one, cpu = time.perf_counter() - t, time.process_time() - cpu
    per = one / len(recs)
    log.info("one-at-a-time: %d enterprises x %d boards in %.2f s wall, %.1f s CPU; %d would take %.0f s; %s",
             len(recs), len(stds), one, cpu, args.n, per * args.n, _load())
    for name, total in timings.items():
        log.info("speed-up (%s, %.2f s): %.0fx", name, total, per * args.n / total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
