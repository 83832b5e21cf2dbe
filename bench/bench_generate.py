"""Throughput of the synthetic generator: records/s for writing JSON Lines.

    .venv/bin/python bench/bench_generate.py            # 100,000 records
    .venv/bin/python bench/bench_generate.py --n 1000000 --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kechuang.synthetic import write_jsonl  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="default: CPU count")
    args = parser.parse_args()
    workers = args.workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench-synthetic.jsonl"
        started = time.perf_counter()
        write_jsonl(path, args.n, workers=workers)
        elapsed = time.perf_counter() - started
        size = path.stat().st_size
    sys.stdout.write(f"{args.n} records in {elapsed:.1f} s with {workers} worker(s): "
                     f"{args.n / elapsed:,.0f} records/s, {size / 1e6:.0f} MB\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
