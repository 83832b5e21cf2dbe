"""Benchmark of the qualification engine: batch (Polars) vs one enterprise at a time (Python).

    .venv/bin/python bench/bench_evaluate.py --n 1000000 --sample 20000 --distinct 50000 --details none,columns

Builds N enterprises in the interchange format as Parquet (a synthetic sample from
``kechuang.synthetic``, repeated to N rows; cached under --workdir), then times, in the same run:
- ``evaluate_parquet`` (read the Parquet file in slices of --batch-size rows and evaluate every
  standard in force on --as-of) for each --details mode: ``none`` (status, score, route),
  ``columns`` (plus every clause's status, value and points as list columns; thresholds and source
  articles are rule metadata from ``clause_catalog``) and ``json`` (the clause details as JSON text);
  with --write, the results are also written to a Parquet file (timed separately);
- optionally (--one-call) one ``evaluate_batch`` call on the whole frame;
- ``evaluate_record`` (the straightforward one-enterprise Python path, gaps off) on --sample records,
  extrapolated to N.
Prints enterprise-evaluations per second and the speed-up over the one-at-a-time path.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import sys
import time
from pathlib import Path

import polars as pl

from kechuang.engine.qualification import (
    clause_catalog,
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
    ap.add_argument("--details", default="none,columns", help="comma-separated: none, columns, json")
    ap.add_argument("--batch-size", type=int, default=200_000)
    ap.add_argument("--write", action="store_true", help="also time writing the results to Parquet")
    ap.add_argument("--one-call", action="store_true", help="also time one evaluate_batch call on all N rows")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"enterprises-{args.n}-{args.distinct}.parquet"
    if not path.exists():
        t = time.perf_counter()
        build_input(path, args.n, args.distinct, args.as_of)
        log.info("built %s in %.1f s", path, time.perf_counter() - t)
    as_of = datetime.date.fromisoformat(args.as_of)
    stds = default_registry().in_force(as_of)
    k = len(stds)
    log.info("command: %s", " ".join(sys.argv))
    log.info("standards in force on %s: %s; %d clauses in all", args.as_of, ", ".join(s.id for s in stds),
             clause_catalog(None, as_of).height)

    timings = {}
    for details in [d for d in args.details.split(",") if d]:
        t = time.perf_counter()
        cpu = time.process_time()
        rows = 0
        detail_values = 0
        for res in evaluate_parquet(path, args.as_of, details=details, batch_size=args.batch_size):
            rows += res.height
            if details == "columns":
                detail_values += int(res["clause_status"].list.len().sum())
            del res
        total = time.perf_counter() - t
        cpu = time.process_time() - cpu
        timings[f"evaluate_parquet details={details}"] = total
        log.info("evaluate_parquet details=%s batch_size=%d: %d enterprises x %d standards = %d rows%s in %.2f s "
                 "(process CPU %.1f s, all threads; less sensitive to other load than wall time): %.0f evaluations/s", details, args.batch_size,
                 args.n, k, rows, f" ({detail_values:,} clause results)" if detail_values else "", total, cpu,
                 rows / total)
        if args.write:
            out = work / f"results-{details}.parquet"
            t = time.perf_counter()
            written = evaluate_parquet(path, args.as_of, details=details, batch_size=args.batch_size, out=out)
            wtotal = time.perf_counter() - t
            timings[f"evaluate_parquet details={details} + write Parquet"] = wtotal
            log.info("  ... and written to %s: %d rows, %.0f MB in %.2f s", out, written,
                     out.stat().st_size / 1e6, wtotal)

    if args.one_call:
        t = time.perf_counter()
        frame = pl.read_parquet(path)
        t_read = time.perf_counter() - t
        out = evaluate_batch(frame, args.as_of, details="none")
        total = time.perf_counter() - t
        timings["one evaluate_batch call, details=none"] = total
        log.info("one evaluate_batch call details=none: %d rows in %.2f s (read %.2f s)", out.height, total, t_read)
        del out, frame

    recs = frame_to_records(pl.read_parquet(path).head(args.sample))
    for r in recs:
        for key in ("registered_on",):
            if r.get(key) is not None:
                r[key] = r[key].isoformat()
    t = time.perf_counter()
    cpu = time.process_time()
    for r in recs:
        evaluate_record(r, args.as_of, with_gaps=False)
    one = time.perf_counter() - t
    log.info("one-at-a-time process CPU %.1f s (wall %.1f s)", time.process_time() - cpu, one)
    per = one / len(recs)
    log.info("one-at-a-time: %d enterprises x %d standards in %.2f s: %.0f evaluations/s; %d would take %.0f s",
             len(recs), k, one, len(recs) * k / one, args.n, per * args.n)
    for name, total in timings.items():
        log.info("speed-up (%s, %.2f s): %.0fx", name, total, per * args.n / total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
