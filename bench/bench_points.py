"""Benchmark of the innovation-points scorer: points, stage, band, ranks within stage and district,
lifting and dragging indicators and the next band's smallest changes for N enterprises.

    .venv/bin/python bench/bench_points.py --n 1000000 --sample 3000 --model national

All data is SYNTHETIC (``kechuang.engine.points.synthetic``, deterministic seed): the facts are
generated, not read from the theme database, so the figure is the scoring (fit of the 对照库 +
scoring), not the facts' database read. Times, in the same run, wall and CPU:
- the vectorised batch path (``PointsScorer.fit`` + ``score`` with ranks) over all N;
- the per-enterprise loop (``score_one`` per enterprise, then ``rank_within`` against its peers)
  on --sample enterprises, extrapolated to N (stated as such; the rank part of the loop is the
  naive one, O(peers) per enterprise, measured on the sample's own peers);
and checks that the batch rows of the sample equal the loop's results.
"""

from __future__ import annotations

import argparse
import logging
import os
import time

from kechuang.engine.points import PointsScorer, bundled_models, rank_within, row_result
from kechuang.engine.points.synthetic import synthetic_facts

log = logging.getLogger("bench_points")


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=3_000, help="enterprises timed on the per-enterprise loop")
    ap.add_argument("--model", default="national", choices=sorted(bundled_models()))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model = bundled_models()[args.model]

    w, c = clock()
    keys, facts = synthetic_facts(args.n)
    w1, c1 = clock()
    log.info("SYNTHETIC facts: %d enterprises, %d facts (generated in %.1f s), model %s, cpus=%s, load=%s",
             args.n, facts.width, w1 - w, model.version, os.cpu_count(), os.getloadavg())

    w, c = clock()
    scorer = PointsScorer(model).fit(facts)
    w1, c1 = clock()
    out = scorer.score(facts, keys=keys, rank_by="region_code")
    w2, c2 = clock()
    batch_wall, batch_cpu = w2 - w, c2 - c
    log.info("batch: fit %.2f s + score %.2f s = %.2f s wall (%.2f s CPU) for %d enterprises (%.0f/s); "
             "load=%s", w1 - w, w2 - w1, batch_wall, batch_cpu, args.n, args.n / batch_wall, os.getloadavg())

    sample = facts.head(args.sample).to_dicts()
    peers = {}
    for st, reg, pts in out.select("stage", "region_code", "points").iter_rows():
        peers.setdefault((st, reg), []).append(pts)
    regions = keys["region_code"].head(args.sample).to_list()
    w, c = clock()
    loop = []
    for f, reg in zip(sample, regions, strict=True):
        one = scorer.score_one(f)
        one["rank"] = rank_within(one["points"], peers[(one["stage"], reg)])
        loop.append(one)
    w1, c1 = clock()
    loop_wall, loop_cpu = w1 - w, c1 - c
    per = loop_wall / args.sample
    log.info("per-enterprise loop: %.2f s wall (%.2f s CPU) for %d sampled -> %.0f s extrapolated to %d "
             "(estimate); ratio %.0fx", loop_wall, loop_cpu, args.sample, per * args.n, args.n,
             per * args.n / batch_wall)

    mism = 0
    for one, row in zip(loop, out.head(args.sample).iter_rows(named=True), strict=True):
        rank = one.pop("rank")
        mism += (row_result(model, row) != one) or (rank != row["rank"])
    log.info("sample check: %d of %d rows differ between the batch and the loop", mism, args.sample)
    bands = out["band"].value_counts().sort("band").rows()
    log.info("bands: %s", bands)


if __name__ == "__main__":
    main()
