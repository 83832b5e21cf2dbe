"""Benchmark of the qualification evaluation on Spark (issue 16) against the single-process engine.

    .venv/bin/python bench/bench_spark.py --n 2000000 --distinct 50000 --details none

Builds N enterprises in the columnar facts form (a synthetic sample from ``kechuang.synthetic``,
--distinct enterprises repeated to N rows, stamped with the data standard's version; cached under
--workdir), then, in the same run and on the same file:

1. the single-process engine: ``evaluate_parquet`` (slices of 250,000 rows, every standard in force
   on --as-of) writing its results to Parquet — the baseline;
2. ``kechuang.spark.run_job(EvaluateJob)`` on Spark ``local[1]`` and ``local[2]`` with the Arrow reader
   (tasks read their row groups in the Python worker; --partitions tasks), writing results and
   rejects; each session first runs a small warm-up job (JVM start, Python workers importing the
   engine), timed apart;
3. ``local[2]`` again with --partitions × 4 tasks: the extra wall time per extra partition is the
   overhead of a partition (task scheduling, a Python worker's round trip, one output file);
4. with --jvm-reader N, ``local[2]`` with Spark's own Parquet reader on the first N rows' file
   (the nested facts converted to Arrow in the JVM), to show what the Arrow reader saves.

For each: wall time, CPU time of the whole process tree (driver, JVM, Python workers; from /proc),
throughput (enterprises per second) and the ratio against the single-process run. Prints the load
average before and after: the machine is shared, the figures are noisy.
"""

from __future__ import annotations

import argparse
from functools import partial
import datetime as dt
import logging
import os
import shutil
import sys
import time
from pathlib import Path

import polars as pl

from kechuang.engine.qualification import evaluate_parquet, records_to_frame
from kechuang.spark import EvaluateJob, write_facts_parquet

log = logging.getLogger("bench_spark")
_TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree_cpu(root: int | None = None) -> float:
    """CPU seconds of a process and all its live descendants, with what they have reaped."""
    total, stack = 0.0, [root or os.getpid()]
    while stack:
        pid = stack.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15]) / _TICK  # utime stime cutime cstime
        stack += _children(pid)
    return total


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build_input(path: Path, n: int, distinct: int, as_of: dt.date, row_group: int) -> None:
    from kechuang.synthetic import generate

    base = records_to_frame(list(generate(min(n, distinct), as_of=as_of)))
    frame = pl.concat([base] * -(-n // base.height)).head(n)
    write_facts_parquet(frame, path, row_group_size=row_group)


def timed(label: str, fn, results: dict, n: int) -> None:
    w, c = time.perf_counter(), tree_cpu()
    info = fn()
    wall, cpu = time.perf_counter() - w, tree_cpu() - c
    results[label] = (wall, cpu, info)
    log.info("%-44s wall %7.2f s  CPU %7.2f s  %9.0f enterprises/s  load %s  %s",
             label, wall, cpu, n / wall, load(), info or "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2_000_000)
    ap.add_argument("--distinct", type=int, default=50_000)
    ap.add_argument("--as-of", default="2026-11-22", type=dt.date.fromisoformat)
    ap.add_argument("--details", default="none", choices=("none", "columns", "json"))
    ap.add_argument("--partitions", type=int, default=8, help="tasks (row groups are dealt to them)")
    ap.add_argument("--row-group", type=int, default=50_000, help="rows per row group of the input")
    ap.add_argument("--jvm-reader", type=int, default=0, help="also run Spark's own reader on N rows")
    ap.add_argument("--masters", default="local[1],local[2]")
    ap.add_argument("--duplicate-pass", action="store_true",
                    help="also time the duplicate-key pass alone on the last master (the keys shuffled, "
                         "the later rows counted; this input repeats its records, so most are later)")
    ap.add_argument("--workdir", default="/tmp/kechuang-bench-spark")
    ap.add_argument("--driver-memory", default="4g")
    ap.add_argument("--batch-rows", type=int, default=50_000,
                    help="rows per Arrow batch handed to the engine (its fixed cost is ≈ 0.2 s a call)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    src = work / f"facts-{args.n}-{args.distinct}-{args.row_group}.parquet"
    small = work / f"facts-{args.jvm_reader}-{args.distinct}-{args.row_group}.parquet"
    for path, n in [(src, args.n)] + ([(small, args.jvm_reader)] if args.jvm_reader else []):
        if not path.exists():
            t = time.perf_counter()
            build_input(path, n, args.distinct, args.as_of, args.row_group)
            log.info("built %s (%.0f MB) in %.1f s", path, path.stat().st_size / 1e6, time.perf_counter() - t)
    log.info("command: %s", " ".join(sys.argv))
    log.info("%d CPUs, load average at start %s (a shared machine: other jobs run beside this one)",
             os.cpu_count(), load())
    results: dict[str, tuple[float, float, object]] = {}

    single_out = work / "single.parquet"
    timed("single process (evaluate_parquet → Parquet)",
          lambda: f"{evaluate_parquet(src, args.as_of, out=single_out, details=args.details):,} rows",
          results, args.n)

    from kechuang.spark.runner import run_job, spark_session

    runs = [(m, args.partitions, "arrow", src) for m in args.masters.split(",")]
    runs.append((runs[-1][0], args.partitions * 4, "arrow", src))
    if args.jvm_reader:
        runs.append((runs[-1][0], args.partitions, "spark", small))
    job = EvaluateJob(args.as_of, details=args.details)
    warm = work / "warm.parquet"
    write_facts_parquet(pl.read_parquet(src, n_rows=1000), warm, row_group_size=500)
    for master, parts, reader, path in runs:
        t = time.perf_counter()
        size = path.stat().st_size
        spark = spark_session(master, driver_memory=args.driver_memory, batch_rows=args.batch_rows,
                              extra={"spark.sql.files.maxPartitionBytes": str(-(-size // parts)),
                                     "spark.sql.files.openCostInBytes": "0"})
        run_job(spark, job, warm, work / "warm-out", reader=reader)
        log.info("%s session started and warmed up in %.1f s", master, time.perf_counter() - t)
        out = work / f"spark-{master.removeprefix('local[').rstrip(']')}-{parts}-{reader}"
        shutil.rmtree(out, ignore_errors=True)

        def go(spark=spark, out=out, parts=parts, reader=reader, path=path):
            # the input repeats its distinct records on purpose: no duplicate rejects here, the
            # duplicate pass is timed on its own below
            s = run_job(spark, job, path, out, partitions=parts if reader == "arrow" else None, reader=reader,
                        check_duplicates=False)
            return (f"{s.result_rows:,} rows, {s.enterprises_with_results:,} enterprises, "
                    f"{s.rejects} rejects, {s.partitions} partitions")

        n = args.n if path == src else args.jvm_reader
        timed(f"Spark {master}, {parts} tasks, {reader} reader, {n:,} rows", go, results, n)
        spark.stop()
        time.sleep(2)

    if args.duplicate_pass:
        from pyspark.sql import functions as F
        from pyspark.sql.window import Window

        from kechuang.spark.partitions import map_keys
        from kechuang.spark.runner import row_groups

        master = runs[-1][0]
        spark = spark_session(master, driver_memory=args.driver_memory, batch_rows=args.batch_rows)

        def dup_pass(spark=spark):
            groups, _n = row_groups(spark, src, args.partitions)
            keys = groups.mapInArrow(partial(map_keys, job), "file string, row long, key string")
            first = Window.partitionBy("key").orderBy("file", "row")
            later = keys.withColumn("n", F.row_number().over(first)).filter(F.col("n") > 1).count()
            return f"{later:,} later rows of a repeated key"

        timed(f"duplicate pass alone ({master}, keys of {args.n:,} rows)", dup_pass, results, args.n)
        spark.stop()

    base_wall = next(iter(results.values()))[0]
    log.info("\nsummary (N = %s, details=%s):", f"{args.n:,}", args.details)
    base_rate = args.n / base_wall
    for label, (wall, cpu, _) in results.items():
        n = args.jvm_reader if "spark reader" in label else args.n
        log.info("  %-58s %7.2f s wall %7.2f s CPU  %9.0f /s  %.2f× the single process's throughput",
                 label, wall, cpu, n / wall, n / wall / base_rate)
    keys = list(results)
    if len(keys) >= 4 and "local[1]" in keys[1] and "local[2]" in keys[2]:  # the default --masters
        (w1, *_), (w2, *_), (w4, *_) = results[keys[1]], results[keys[2]], results[keys[3]]
        log.info("  local[1] → local[2]: throughput × %.2f", w1 / w2)
        log.info("  overhead per partition: (%.2f − %.2f s) / (%d − %d) = %.0f ms",
                 w4, w2, args.partitions * 4, args.partitions, 1000 * (w4 - w2) / (3 * args.partitions))
    log.info("load average at end %s", load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
