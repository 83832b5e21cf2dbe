"""Throughput of the synthetic generator: records/s for writing JSON Lines.

    .venv/bin/python bench/bench_generate.py            # 100,000 records
    .venv/bin/python bench/bench_generate.py --n 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kechuang.synthetic import write_jsonl  # noqa: E402


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="default: CPU count")
    args = parser.parse_args()
    workers = args.workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-synthetic.jsonl"
        started = time.perf_counter()
        cpu0 = _cpu()
        write_jsonl(path, args.n, workers=workers)
        elapsed = time.perf_counter() - started
        cpu = _cpu() - cpu0
        size = path.stat().st_size
    # CPU seconds (this process and its finished workers) make a figure that other load on the
    # machine does not change much; wall-clock records/s is what a user sees.
    sys.stdout.write(f"{args.n} records in {elapsed:.1f} s with {workers} worker(s): "
                     f"{args.n / elapsed:,.0f} records/s wall, {args.n / cpu:,.0f} records per "
                     f"CPU-second, {size / 1e6:.0f} MB\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
