"""CPU cost of the batch path per record: ``python -m kechuang.engine.facts.batch_bench FILE``.

Times, in CPU seconds of this process (``time.process_time``, so other work on the machine
inflates the figure less than a wall clock would), reading a JSON Lines file in chunks
(:func:`~.batch.iter_chunks`) and validating + exploding every chunk with
:func:`~.batch.validate_lines`.
Prints the best of ``--repeat`` runs in µs per record, and Arrow's JSON parse alone for reference.
Make a file with ``python -m kechuang.synthetic --n 20000 --output /tmp/x-synthetic.jsonl``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import pyarrow as pa

from .batch import CHUNK_BYTES, iter_chunks, validate_lines
from .batch_parse import parse_chunk


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--today", default="2026-11-22", type=date.fromisoformat)
    parser.add_argument("--megabytes", type=int, default=CHUNK_BYTES >> 20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    figures: dict[str, float] = {}
    records = valid = fallback = 0
    for _ in range(args.repeat):
        pa.default_memory_pool().release_unused()
        start = time.process_time()
        records = valid = fallback = 0
        row = 1
        for chunk, encoding in iter_chunks(args.path, size=args.megabytes << 20):
            result = validate_lines(chunk, first_row=row, today=args.today, encoding=encoding)
            row += result.lines
            records += result.total
            valid += result.valid.num_rows
            fallback += result.fallback
        spent = time.process_time() - start
        figures["read+validate+explode"] = min(figures.get("read+validate+explode", spent), spent)
        chunks = [chunk for chunk, _ in iter_chunks(args.path, size=args.megabytes << 20)]
        start = time.process_time()
        for chunk in chunks:
            parse_chunk(chunk)
        spent = time.process_time() - start
        figures["of which parse"] = min(figures.get("of which parse", spent), spent)
        del chunks
    for name, seconds in figures.items():
        sys.stdout.write(f"{name:22} {seconds / max(records, 1) * 1e6:7.1f} µs/record\n")
    sys.stdout.write(f"records {records}, valid {valid}, per-record fallback {fallback}, "
                     f"chunks of {args.megabytes} MB\n")


if __name__ == "__main__":
    main()
