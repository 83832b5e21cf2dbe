"""Benchmark of the qualification engine: batch (Polars) vs one enterprise at a time (Python).

    .venv/bin/python bench/bench_evaluate.py --n 1000000 --sample 20000

Builds N enterprises in the interchange format as Parquet (a synthetic sample from
``kechuang.synthetic`` — or a built-in generator when that package is absent — repeated to N rows;
cached under --workdir), then times, in the same run:
- reading the Parquet file and ``evaluate_batch`` over every standard in force on --as-of
  (``details="none"``: status, score, route; and ``details="json"``: plus JSON clause details);
- ``evaluate_record`` (the straightforward one-enterprise Python path, gaps off) on --sample records,
  extrapolated to N.
Prints enterprise-evaluations per second and the speed-up.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import polars as pl

from kechuang.engine.qualification import (
    default_registry,
    evaluate_batch,
    evaluate_parquet,
    evaluate_record,
    records_to_frame,
)
from kechuang.engine.qualification.schema import frame_to_records

log = logging.getLogger("bench_evaluate")


def _sample_records(n: int, as_of) -> list[dict]:
    from kechuang.synthetic import generate  # the colleagues' generator (interchange records)

    return list(generate(n))


def build_input(path: Path, n: int, sample: int, as_of) -> None:
    base = records_to_frame(_sample_records(min(n, sample), as_of))
    reps = -(-n // base.height)
    frame = pl.concat([base] * reps).head(n)
    frame.write_parquet(path, row_group_size=250_000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="records for the one-at-a-time timing")
    ap.add_argument("--distinct", type=int, default=50_000, help="distinct synthetic enterprises in the input")
    ap.add_argument("--as-of", default="2026-11-22")
    ap.add_argument("--workdir", default="/tmp/kechuang-bench")
    ap.add_argument("--skip-json", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"enterprises-{args.n}-{args.distinct}.parquet"
    if not path.exists():
        t = time.perf_counter()
        build_input(path, args.n, args.distinct, args.as_of)
        log.info("built %s in %.1f s", path, time.perf_counter() - t)
    stds = default_registry().in_force(__import__("datetime").date.fromisoformat(args.as_of))
    k = len(stds)
    log.info("standards in force on %s: %s", args.as_of, ", ".join(s.id for s in stds))

    timings = {}
    for details in ("none",) + (() if args.skip_json else ("json",)):
        t = time.perf_counter()
        frame = pl.read_parquet(path)
        t_read = time.perf_counter() - t
        out = evaluate_batch(frame, args.as_of, details=details)
        total = time.perf_counter() - t
        timings[details] = total
        log.info("batch details=%s: %d enterprises x %d standards = %d rows in %.2f s (read %.2f s): %.0f evaluations/s",
                 details, frame.height, k, out.height, total, t_read, frame.height * k / total)
        del out, frame

    t = time.perf_counter()
    rows = sum(f.height for f in evaluate_parquet(path, args.as_of, details="none", batch_size=200_000))
    sliced = time.perf_counter() - t
    timings["none, Parquet in 200k slices"] = sliced
    log.info("evaluate_parquet details=none batch_size=200000: %d rows in %.2f s: %.0f evaluations/s",
             rows, sliced, rows / sliced)

    recs = frame_to_records(pl.read_parquet(path).head(args.sample))
    for r in recs:
        for key in ("registered_on",):
            if r.get(key) is not None:
                r[key] = r[key].isoformat()
    t = time.perf_counter()
    for r in recs:
        evaluate_record(r, args.as_of, with_gaps=False)
    one = time.perf_counter() - t
    per = one / len(recs)
    log.info("one-at-a-time: %d enterprises x %d standards in %.2f s: %.0f evaluations/s; %d would take %.0f s",
             len(recs), k, one, len(recs) * k / one, args.n, per * args.n)
    for details, total in timings.items():
        log.info("speed-up (details=%s): %.0fx", details, per * args.n / total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
