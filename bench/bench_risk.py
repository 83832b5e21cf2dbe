"""Early warnings for 1,000,000 enterprises with the vectorised engine, against a per-enterprise
loop on a sample, in the same run.

    .venv/bin/python bench/bench_risk.py --n 1000000 --sample 5000

The frames are synthetic (合成数据), drawn with NumPy in the engine's input shape: one row per
enterprise (tax grade, social-insurance headcounts, latest and previous PD) and about three list
items per enterprise (loans, judgments, penalties, incidents, marketplace pay-outs; 1 % dated
after the warning date, so the future-dated branch is exercised). Times:

* **batch**: :func:`kechuang.engine.risk.warnings_batch` over all ``n`` (signals, levels,
  escalation, the evidence frame);
* **baseline**: :func:`kechuang.engine.risk.warning_one` enterprise by enterprise over the first
  ``--sample`` enterprises' records (rebuilt from the same frames), the straightforward loop.

Prints wall and CPU seconds, enterprises/s of both, the ratio and the load average; checks that
the two paths give the same levels on the sample.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from kechuang.engine.risk import (ENTERPRISE_SCHEMA, ITEM_SCHEMA, batch_rows, load_rules,  # noqa: E402
                                  warning_one, warnings_batch)

AS_OF = dt.date(2026, 11, 22)
SECTIONS = np.array(["loans", "judgments", "penalties", "incidents", "market"])
KINDS = {"loans": ["credit", "ip_pledge", "mortgage"], "judgments": ["civil", "commercial", "enforcement"],
         "penalties": ["fine", "warning", "suspension"],
         "incidents": ["abnormal_operation_list", "serious_dishonesty_list", "major_safety_accident"],
         "market": ["default"]}


def frames(n: int, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    uscc = np.array([f"91370100{i:010d}" for i in range(n)])
    grade = rng.choice(np.array(["A", "B", "C", "D", "M"]), n, p=[0.25, 0.64, 0.06, 0.02, 0.03])
    si_prev = rng.integers(0, 200, n).astype(float)
    si_cur = np.maximum(si_prev * rng.normal(1.0, 0.3, n), 0).round()
    pd_prev = rng.beta(1, 25, n)
    pd_now = np.minimum(pd_prev * rng.lognormal(0, 0.6, n), 1.0)
    ents = pl.DataFrame({"uscc": uscc, "tax_grade": grade, "si_cur": si_cur, "si_prev": si_prev,
                         "pd": pd_now, "pd_prev": pd_prev}, schema=ENTERPRISE_SCHEMA)
    per = rng.poisson(3.0, n)
    owner = np.repeat(np.arange(n), per)
    m = len(owner)
    sec = SECTIONS[rng.choice(5, m, p=[0.55, 0.2, 0.12, 0.12, 0.01])]
    kind = np.empty(m, dtype=object)
    for s, ks in KINDS.items():
        mask = sec == s
        kind[mask] = np.array(ks, dtype=object)[rng.integers(0, len(ks), mask.sum())]
    days_back = rng.integers(-4, 1500, m)  # a few dated after AS_OF
    day = np.datetime64(AS_OF) - days_back.astype("timedelta64[D]")
    removed = np.where(rng.random(m) < 0.3, day + rng.integers(30, 900, m).astype("timedelta64[D]"),
                       np.datetime64("NaT"))
    status = np.where(sec == "loans", rng.choice(np.array(["outstanding", "repaid", "overdue", "written_off"]), m,
                                                 p=[0.5, 0.44, 0.05, 0.01]), "")
    role = np.where(sec == "judgments", rng.choice(np.array(["plaintiff", "defendant", "third_party"]), m), "")
    overdue_days = np.where((sec == "loans") & (rng.random(m) < 0.1), rng.integers(1, 200, m), 0).astype(float)
    items = pl.DataFrame({"uscc": uscc[owner], "section": sec, "ident": np.arange(m).astype(str),
                          "kind": kind.astype(str), "role": role, "status": status, "date": day,
                          "removed_on": removed, "amount": rng.lognormal(12, 1, m), "days": overdue_days,
                          "source": np.full(m, "bench")}).with_columns(
                              pl.col("status").replace("", None), pl.col("role").replace("", None)).cast(ITEM_SCHEMA)
    return ents, items


def records(ents: pl.DataFrame, items: pl.DataFrame, k: int) -> list[tuple[dict, dict]]:
    """The first ``k`` enterprises as interchange records plus their marketplace items and PDs."""
    head = ents.head(k)
    keep = items.filter(pl.col("uscc").is_in(head["uscc"].implode()))
    by: dict[str, dict] = {u: {"uscc": u} for u in head["uscc"]}
    market: dict[str, list] = {}
    ident = {"loans": "contract_number", "judgments": "case_number", "penalties": "document_number"}
    date = {"loans": "start_on", "judgments": "decided_on", "penalties": "decided_on", "incidents": "date"}
    for it in keep.iter_rows(named=True):
        s = it["section"]
        if s == "market":
            market.setdefault(it["uscc"], []).append({"ident": it["ident"], "date": it["date"],
                                                      "amount": it["amount"], "source": it["source"]})
            continue
        rec = {"kind": it["kind"], date[s]: it["date"], "_source": it["source"]}
        if s in ident:
            rec[ident[s]] = it["ident"]
        if s == "loans":
            rec |= {"status": it["status"], "max_overdue_days": it["days"], "amount": it["amount"]}
            if it["status"] in ("overdue", "written_off"):
                rec["overdue_amount"] = it["amount"]
        if s == "judgments":
            rec |= {"role": it["role"], "amount": it["amount"]}
        if s == "penalties":
            rec["amount"] = it["amount"]
        if s == "incidents" and it["removed_on"] is not None:
            rec["removed_on"] = it["removed_on"]
        by[it["uscc"]].setdefault(s, []).append(rec)
    out = []
    for row in head.iter_rows(named=True):
        r = by[row["uscc"]]
        r["years"] = [{"year": AS_OF.year - 2, "social_insurance_headcount": row["si_prev"]},
                      {"year": AS_OF.year - 1, "social_insurance_headcount": row["si_cur"],
                       "tax_credit_grade": row["tax_grade"]}]
        out.append((r, {"market": market.get(row["uscc"], ()), "pd": row["pd"], "pd_prev": row["pd_prev"]}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5000)
    args = parser.parse_args()
    rules = load_rules()
    t0 = time.perf_counter()
    ents, items = frames(args.n)
    print(f"frames: {args.n:,} enterprises, {items.height:,} items (synthetic) in {time.perf_counter() - t0:.1f} s")

    w0, c0 = time.perf_counter(), time.process_time()
    results, evidence = warnings_batch(ents, items, AS_OF, rules)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    counts = results.group_by("level").len().sort("level")
    print(f"batch: {args.n:,} enterprises in {wall:.2f} s wall, {cpu:.2f} s CPU "
          f"({args.n / wall:,.0f}/s); evidence rows {evidence.height:,}; levels "
          + ", ".join(f"{lv}:{c:,}" for lv, c in counts.iter_rows()))

    sample = records(ents, items, args.sample)
    w1, c1 = time.perf_counter(), time.process_time()
    one = [warning_one(r, AS_OF, rules, **kw) for r, kw in sample]
    lwall, lcpu = time.perf_counter() - w1, time.process_time() - c1
    print(f"baseline (per-enterprise loop): {args.sample:,} enterprises in {lwall:.2f} s wall, {lcpu:.2f} s CPU "
          f"({args.sample / lwall:,.0f}/s); 1,000,000 would take ≈ {1e6 * lwall / args.sample:,.0f} s")
    batch_sample = batch_rows(*warnings_batch(ents.head(args.sample),
                                              items.filter(pl.col("uscc").is_in(ents.head(args.sample)["uscc"].implode())),
                                              AS_OF, rules))
    same = sum(a["level"] == b["level"] and a["values"] == b["values"] for a, b in zip(batch_sample, one, strict=True))
    print(f"same levels and values on the sample: {same:,}/{args.sample:,}")
    print(f"ratio (batch/s ÷ loop/s, wall): {(args.n / wall) / (args.sample / lwall):.1f}×; "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
