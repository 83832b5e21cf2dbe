"""Benchmark of the IP valuation engine: the Polars batch path vs one item at a time (Python).

    .venv/bin/python bench/bench_ipvalue.py --enterprises 1000000 --items 3000000 --sample 20000

SYNTHETIC data: ``--items`` IP items spread over ``--enterprises`` enterprises, drawn with NumPy from a
fixed seed (types, filing dates, claims, citations, family, litigation, licences, revenue from the
item; about 20 % of each optional fact missing, so every status occurs). In the same run it times
- ``value_batch`` over all items (one lazy Polars query), wall and CPU time;
- ``value_item`` (the straightforward one-item Python path, reasons included) on ``--sample`` items,
  extrapolated to all items;
and checks that both paths agree on the sample. Prints items per second, the speed-up and the load
average (the machine is shared: the figures say so beside them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import numpy as np
import polars as pl

from kechuang.engine.ipvalue import get_model, value_batch, value_item

TYPES = np.array(["invention_patent", "utility_model", "design", "software_copyright", "ic_layout"])
TYPE_P = [0.45, 0.35, 0.1, 0.08, 0.02]


def synthetic_items(n_items: int, n_enterprises: int, as_of: dt.date, seed: int = 12) -> pl.DataFrame:
    """``n_items`` SYNTHETIC IP items (a fixed seed), each of one of ``n_enterprises`` enterprises."""
    rng = np.random.default_rng(seed)

    def maybe(values, p_missing=0.2):
        return pl.Series(values).set(pl.Series(rng.random(n_items) < p_missing), None)

    filed = np.datetime64(as_of) - rng.integers(0, 25 * 365, n_items).astype("timedelta64[D]")
    return pl.DataFrame({
        "enterprise_id": rng.integers(1, n_enterprises + 1, n_items, dtype=np.int64),
        "type": rng.choice(TYPES, n_items, p=TYPE_P),
        "filed_on": maybe(filed, 0.05),
        "claims": maybe(rng.integers(1, 30, n_items)),
        "citations": maybe(rng.poisson(2.0, n_items)),
        "family_size": maybe(rng.integers(1, 8, n_items)),
        "litigations": maybe(rng.poisson(0.2, n_items)),
        "licences": maybe(rng.poisson(0.5, n_items)),
        "attributable_revenue": maybe(np.round(rng.lognormal(14.0, 1.5, n_items), 2)),
        "industrializable": maybe(rng.random(n_items) < 0.6),
    })


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--enterprises", type=int, default=1_000_000)
    ap.add_argument("--items", type=int, default=3_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="items for the one-at-a-time timing")
    ap.add_argument("--as-of", default="2026-11-22")
    args = ap.parse_args(argv)
    as_of = dt.date.fromisoformat(args.as_of)
    model = get_model()

    t0 = time.perf_counter()
    items = synthetic_items(args.items, args.enterprises, as_of)
    gen = time.perf_counter() - t0
    print(f"synthetic items: {items.height:,} over {args.enterprises:,} enterprises, generated in {gen:.1f} s")

    load_before = os.getloadavg()
    w0, c0 = time.perf_counter(), time.process_time()
    out = value_batch(items, model, as_of)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    counts = dict(out.group_by("status").len().iter_rows())
    print(f"batch  value_batch: {wall:7.2f} s wall, {cpu:7.2f} s CPU, {items.height / wall:,.0f} items/s; statuses {counts}")

    sample = items.head(args.sample)
    records = sample.to_dicts()
    w0, c0 = time.perf_counter(), time.process_time()
    one = [value_item(r, model, as_of) for r in records]
    lw, lc = time.perf_counter() - w0, time.process_time() - c0
    per = lw / len(records)
    print(f"loop   value_item on {len(records):,}: {lw:7.2f} s wall, {lc:7.2f} s CPU ({per * 1e6:,.0f} µs/item); "
          f"extrapolated to {items.height:,}: {per * items.height:,.0f} s")
    print(f"speed-up batch vs loop: {per * items.height / wall:,.0f}x (wall)")

    head = out.head(args.sample)
    bad = sum(1 for v, row in zip(one, head.iter_rows(named=True), strict=True)
              if v.status != row["status"] or (v.value is not None and abs(v.value[1] - row["value_mid"]) > 0.011))
    print(f"paths agree on the sample: {bad == 0} ({bad} differences)")
    print(f"load average before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(machine shared with other engineers' runs)")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
