"""Benchmark of the funds engine: every claim owed for a year under the built-in programmes.

    .venv/bin/python bench/bench_funds.py --enterprises 1000000 --loans 2000000 --sample 20000

All data is SYNTHETIC (``kechuang.engine.funds.synthetic``, seeded): enterprises with the matching
features, loans (≈2% defaulted, ≈30% guaranteed, losses booked 20:20:40:20; about half of those
running in the year with the interest their bank reported, ``interest_recorded``, so both paths of
``interest_paid`` — recorded and contract estimate — are timed), certificates. Timed
in the same run:
- ``claims_batch`` (Polars: subjects per basis, features joined, eligibility as the matching
  engine's status expression, formula and caps as expressions, 就高不重复, yearly caps) over the
  whole population;
- ``claims_loop`` (one subject at a time in Python: the same rules through ``claim_for``) on the
  loans, losses and certificates of a sample of enterprises, extrapolated to the population by
  the number of subjects (stated as an estimate);
and a check that both give the same claims to the cent on the sample. Wall and CPU time, load
average beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import time

import polars as pl

from kechuang.engine.funds import builtin_programmes, claims_batch, claims_loop, propose, simulate
from kechuang.engine.funds.synthetic import as_rows, population

log = logging.getLogger("bench_funds")


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enterprises", type=int, default=1_000_000)
    ap.add_argument("--loans", type=int, default=2_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="enterprises whose subjects the loop computes")
    ap.add_argument("--year", type=int, default=2026)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    as_of = dt.date(args.year, 12, 31)
    progs = list(builtin_programmes())

    pop, gen_s, _ = _timed(lambda: population(args.enterprises, args.loans, year=args.year))
    subjects = pop["loans"].height + pop["losses"].height + pop["certs"].height
    log.info("SYNTHETIC data: %d enterprises, %d loans, %d loss shares, %d certificates (generated in %.1f s); "
             "%d programmes; cpus=%s load=%s", args.enterprises, pop["loans"].height, pop["losses"].height,
             pop["certs"].height, gen_s, len(progs), os.cpu_count(), tuple(round(x, 2) for x in os.getloadavg()))

    claims, batch_s, batch_cpu = _timed(lambda: claims_batch(
        progs, args.year, as_of, loans=pop["loans"], losses=pop["losses"], certs=pop["certs"],
        enterprises=pop["enterprises"]))
    by = claims.group_by("programme").agg(pl.len().alias("n"), pl.col("amount").sum().alias("yuan")).sort("programme")
    log.info("batch claims_batch: %.2f s wall, %.2f s CPU -> %d claims, ¥%.0f", batch_s, batch_cpu, claims.height,
             claims["amount"].sum())
    for r in by.iter_rows(named=True):
        log.info("  %-28s %8d claims  ¥%16.2f", r["programme"], r["n"], r["yuan"])
    basis = dict(claims.group_by("interest_basis").len().drop_nulls().iter_rows())
    log.info("  interest claims on bank-recorded interest: %d, on the contract estimate: %d",
             basis.get("recorded", 0), basis.get("estimated", 0))

    ids = pl.Series("enterprise_id", range(1, args.sample + 1))
    sample = {k: v.filter(pl.col("enterprise_id").is_in(ids.implode())) for k, v in pop.items()}
    rows = as_rows(sample)
    n_sample = len(rows["loans"]) + len(rows["losses"]) + len(rows["certs"])
    loop, loop_s, loop_cpu = _timed(lambda: claims_loop(progs, args.year, as_of, **rows))
    loop_full = loop_s / max(n_sample, 1) * subjects
    loop_cpu_full = loop_cpu / max(n_sample, 1) * subjects
    log.info("per-claim loop: %.2f s wall, %.2f s CPU for %d subjects of %d sampled enterprises -> %.0f s "
             "extrapolated to %d subjects (estimate)", loop_s, loop_cpu, n_sample, args.sample, loop_full, subjects)

    same_batch = claims_batch(progs, args.year, as_of, loans=sample["loans"], losses=sample["losses"],
                              certs=sample["certs"], enterprises=sample["enterprises"])
    a = {(r["programme"], r["subject"]): r["amount"] for r in same_batch.iter_rows(named=True)}
    b = {(c["programme"], c["subject"]): c["amount"] for c in loop}
    a.update({("basis", r["programme"], r["subject"]): r["interest_basis"] for r in same_batch.iter_rows(named=True)})
    b.update({("basis", c["programme"], c["subject"]): c["interest_basis"] for c in loop})
    log.info("agreement on the sample: %s (%d claims each)", "identical to the cent" if a == b else "DIFFERENT",
             len(a) // 2)
    # Policy simulation: the tech-loan subsidy from 30 % to 40 % of the interest, yearly cap ¥200,000.
    progs_by = {p.id: p for p in progs}
    cur = progs_by["jn-tech-loan-interest"]
    new = propose(cur, {"formula": "0.4 * interest_paid", "cap_per_claimant_year": 200000})
    sim, sim_s, sim_cpu = _timed(lambda: simulate(cur, new, progs, args.year, as_of, **pop))
    log.info("simulation (30%% -> 40%%, cap 200,000): %.2f s wall, %.2f s CPU; cost ¥%.0f -> ¥%.0f, reached %d -> %d, "
             "%d gain, %d lose, %d district x tier rows", sim_s, sim_cpu, sim["before"], sim["after"],
             sim["reached_before"], sim["reached_after"], sim["gainers"], sim["losers"], sim["by_group"].height)
    group = [p for p in progs if p.exclusive_group == cur.exclusive_group]
    _l, gl_s, gl_cpu = _timed(lambda: claims_loop(group, args.year, as_of, **rows))
    sim_loop_full = 2 * gl_s / max(n_sample, 1) * subjects
    sim_loop_cpu = 2 * gl_cpu / max(n_sample, 1) * subjects
    log.info("simulation by the per-claim loop (both versions, extrapolated, estimate): %.0f s wall, %.0f s CPU",
             sim_loop_full, sim_loop_cpu)
    log.info("RESULT simulation_s=%.2f simulation_cpu_s=%.2f loop_extrapolated_s=%.0f loop_cpu_extrapolated_s=%.0f "
             "ratio_wall=%.0fx ratio_cpu=%.0fx target<10s=%s", sim_s, sim_cpu, sim_loop_full, sim_loop_cpu,
             sim_loop_full / sim_s, sim_loop_cpu / max(sim_cpu, 1e-9), "met" if sim_s < 10 else "NOT met")
    log.info("RESULT enterprises=%d loans=%d claims=%d batch_s=%.2f batch_cpu_s=%.2f loop_extrapolated_s=%.0f "
             "loop_cpu_extrapolated_s=%.0f ratio_wall=%.0fx ratio_cpu=%.0fx target<60s=%s load=%s", args.enterprises,
             args.loans, claims.height, batch_s, batch_cpu, loop_full, loop_cpu_full, loop_full / batch_s,
             loop_cpu_full / max(batch_cpu, 1e-9), "met" if batch_s < 60 else "NOT met",
             tuple(round(x, 2) for x in os.getloadavg()))


if __name__ == "__main__":
    main()
