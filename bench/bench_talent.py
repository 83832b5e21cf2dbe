"""Benchmark of the talent valuation engine: the Polars batch vs the per-person explain path.

    .venv/bin/python bench/bench_talent.py --people 1000000 --sample 20000

SYNTHETIC people (NumPy, fixed seed; about 15 % of each fact unknown), already flattened to the
model's facts. In the same run it times ``value_batch`` over all people (wall and CPU) and
``explain`` (the straightforward one-person Python path, reasons included) on ``--sample`` people,
extrapolated; checks both agree on the sample; prints the load average (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import polars as pl

from kechuang.engine.talent import FACTS, FACTS_SCHEMA, bundled_model, explain, row_result, value_batch


def synthetic_people(n: int, seed: int = 15) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {}
    for name, (kind, vocab, _label) in FACTS.items():
        if kind == "level":
            values = rng.choice(np.array(vocab), n)
        else:
            values = np.round(rng.lognormal(1.0 if "count" in name or "years" in name else 11.5, 1.0, n), 2)
        s = pl.Series(name, values, dtype=FACTS_SCHEMA[name])
        cols[name] = s.set(pl.Series(rng.random(n) < 0.15), None)
    return pl.DataFrame(cols)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20_000)
    args = ap.parse_args(argv)
    model = bundled_model()
    people = synthetic_people(args.people)
    load_before = os.getloadavg()
    w0, c0 = time.perf_counter(), time.process_time()
    out = value_batch(model, people)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(f"batch  value_batch on {people.height:,}: {wall:7.2f} s wall, {cpu:7.2f} s CPU, {people.height / wall:,.0f} people/s")
    records = people.head(args.sample).to_dicts()
    w0, c0 = time.perf_counter(), time.process_time()
    one = [explain(model, r) for r in records]
    lw, lc = time.perf_counter() - w0, time.process_time() - c0
    per = lw / len(records)
    print(f"loop   explain on {len(records):,}: {lw:7.2f} s wall, {lc:7.2f} s CPU ({per * 1e6:,.0f} µs/person); "
          f"extrapolated to {people.height:,}: {per * people.height:,.0f} s")
    print(f"speed-up batch vs loop: {per * people.height / wall:,.0f}x (wall)")
    bad = 0
    for e, row in zip(one, out.head(args.sample).iter_rows(named=True), strict=True):
        r = row_result(model, row)
        bad += (e["value_low"], e["value_high"], e["lifts"], e["drags"]) != (r["value_low"], r["value_high"],
                                                                             r["lifts"], r["drags"])
    print(f"paths agree on the sample: {bad == 0} ({bad} differences)")
    print(f"load average before / after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(shared machine: figures are noisy)")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
