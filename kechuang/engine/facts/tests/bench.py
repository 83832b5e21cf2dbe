"""Per-record cost of the hot path: ``python -m kechuang.engine.facts.tests.bench``.

Validates and explodes the typical record of :mod:`.factories` (3 years, 3 IP items) parsed
from JSON, as the importer sees it, and prints microseconds per record (best of 5 runs)."""

from __future__ import annotations

import sys
import time
import timeit

import orjson

from kechuang.engine.facts.tests.factories import TODAY, make_record
from kechuang.engine.facts.validate import explode, validate_record


def per_record_us(fn, number: int = 5000) -> float:
    # CPU time of this process, so other work on the machine does not inflate the figure
    return min(timeit.repeat(fn, number=number, repeat=5, timer=time.process_time)) / number * 1e6


def main() -> None:
    raw = orjson.dumps(make_record())
    record = orjson.loads(raw)
    normalised = validate_record(record, today=TODAY).record
    figures = {
        "orjson.loads": per_record_us(lambda: orjson.loads(raw)),
        "validate_record": per_record_us(lambda: validate_record(record, today=TODAY)),
        "explode": per_record_us(lambda: explode(normalised)),
    }
    for name, us in figures.items():
        sys.stdout.write(f"{name:16} {us:7.1f} µs/record\n")


if __name__ == "__main__":
    main()
