"""Regulatory ratios and limit checks of many periodic reports with the Polars batch, against a
per-report loop over the same rule data, in the same run.

    .venv/bin/python bench/bench_supervision.py --n 200000 --sample 20000

The reports are synthetic (合成数据): guarantors and microlenders drawn with NumPy around the
limits, so about a third breach something. Times:

* **batch**: :func:`kechuang.engine.supervision.ratios.compute` over all ``n``;
* **baseline**: a straightforward per-report loop (each indicator's sums, ratio and limit in plain
  Python) over the first ``--sample`` reports.

Prints wall and CPU seconds, reports/s of both, the ratio and the load average (the machine is
shared: figures are noisy); checks that both paths find the same breaches on the sample.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from kechuang.engine.supervision.ratios import compute  # noqa: E402
from kechuang.engine.supervision.rules import load_rules  # noqa: E402


def reports(n: int, seed: int = 1) -> list[dict]:
    rng = np.random.default_rng(seed)
    net = rng.uniform(1e8, 1e9, n)
    lev = rng.uniform(3, 13, n)
    share = rng.uniform(0.3, 0.95, n)
    single = rng.uniform(0.02, 0.14, n)
    out = []
    for i in range(n):
        a = net[i] * 1.25
        if i % 2 == 0:
            liab = net[i] * lev[i]
            f = {"total_assets": a, "total_liabilities": a - net[i], "net_assets": net[i], "receivable_compensation": 0.0,
                 "level1_assets": a * 0.4, "level2_assets": a * 0.35, "level3_assets": a * 0.25, "cash": a * 0.3,
                 "guarantee_outstanding": liab * 1.2, "guarantee_liability": liab,
                 "small_micro_agri_outstanding": liab * 1.2 * share[i], "largest_client_liability": net[i] * single[i],
                 "largest_group_liability": net[i] * single[i] * 1.3, "related_party_liability": net[i] * 0.05,
                 "controlling_shareholder_liability": 0.0, "compensation_paid": liab * 0.01,
                 "guarantee_released": liab * 0.3, "net_profit": a * 0.01}
            out.append({"licence_type": "guarantor", "figures": f})
        else:
            loans = a * 0.85
            f = {"total_assets": a, "total_liabilities": a - net[i], "net_assets": net[i], "net_assets_prev_year_end": net[i],
                 "cash": a * 0.08, "loans_outstanding": loans, "overdue_loans": loans * 0.04,
                 "nonstandard_borrowing": net[i] * lev[i] / 10, "standard_borrowing": 0.0,
                 "largest_borrower_balance": net[i] * single[i], "largest_group_balance": net[i] * single[i] * 1.2,
                 "online_loans_outstanding": 0.0, "online_licensed": 0.0, "max_consumer_loan_single": 0.0,
                 "max_business_loan_single": 0.0, "net_profit": a * 0.01}
            out.append({"licence_type": "microlender", "figures": f})
    return out


def per_report(rec: dict, rules) -> set[str]:
    """The baseline: one report at a time, every indicator in plain Python."""
    t = rules.types[rec["licence_type"]]
    f = rec["figures"]

    def s(parts):
        return sum(sign * f.get(name, 0.0) for sign, name in parts)
    values = {}
    for ind in t.indicators:
        num = s(ind.num)
        if ind.den is None:
            values[ind.code] = (num, num)
        else:
            den = s(ind.den)
            values[ind.code] = (num / den if den > 0 else None, num)
    out = set()
    for ind in t.indicators:
        if not ind.is_limit:
            continue
        if ind.when is not None:
            name, op, bound = ind.when
            v = f.get(name, 0.0)
            if not (v >= bound if op == ">=" else v <= bound if op == "<=" else v == bound):
                continue
        limit = ind.max if ind.max is not None else ind.min
        if ind.alt_max is not None and ind.alt_when is not None:
            av = values[ind.alt_when[0]][0]
            if av is not None and av >= ind.alt_when[2]:
                limit = ind.alt_max
        v, num = values[ind.code]
        if v is None:
            bad = ind.max is not None and num > 0
        else:
            bad = v > limit + 1e-12 if ind.max is not None else v < limit - 1e-12
        if bad:
            out.add(ind.code)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    rules = load_rules()
    recs = reports(args.n)
    w0, c0 = time.perf_counter(), time.process_time()
    res = compute(recs, rules)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    breached = sum(1 for r in res if r["breaches"])
    print(f"batch: {args.n:,} reports in {wall:.2f} s wall, {cpu:.2f} s CPU ({args.n / wall:,.0f}/s); "
          f"{breached:,} with a breach")
    w1, c1 = time.perf_counter(), time.process_time()
    base = [per_report(r, rules) for r in recs[:args.sample]]
    lwall, lcpu = time.perf_counter() - w1, time.process_time() - c1
    print(f"baseline (per-report loop): {args.sample:,} reports in {lwall:.2f} s wall, {lcpu:.2f} s CPU "
          f"({args.sample / lwall:,.0f}/s)")
    same = all(base[i] == {b["code"] for b in res[i]["breaches"]} for i in range(args.sample))
    print(f"same breaches on the sample: {same}; batch/baseline throughput ratio "
          f"{(args.n / wall) / (args.sample / lwall):.2f}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
