"""``python -m kechuang.synthetic --n 2000 --seed 20221 --output demo-synthetic.jsonl
[--outcomes outcomes.csv]``: write synthetic enterprises (合成数据) as JSON Lines."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import date

from .generator import DEFAULT_AS_OF, DEFAULT_SEED, write_jsonl, write_outcomes_csv
from .tables import CITY_CODE

log = logging.getLogger("kechuang.synthetic")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kechuang.synthetic",
                                     description="Write synthetic (合成数据) Jinan enterprises.")
    parser.add_argument("--n", type=int, default=2000, help="number of enterprises (default 2000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF,
                        help="evaluation date, ISO (default %(default)s)")
    parser.add_argument("--region", default=CITY_CODE,
                        help="370100 for the whole city or one district code")
    parser.add_argument("--output", required=True, help="JSONL path; name it *-synthetic.jsonl")
    parser.add_argument("--outcomes", help="also write default outcomes (CSV) to this path")
    parser.add_argument("--horizon-months", type=int, default=12)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.output.endswith("-synthetic.jsonl"):
        log.warning("warning: %s does not end in -synthetic.jsonl; synthetic files should say so",
                    args.output)
    try:
        started = time.perf_counter()
        write_jsonl(args.output, args.n, seed=args.seed, as_of=args.as_of, region=args.region,
                    workers=args.workers)
        elapsed = time.perf_counter() - started
        log.info("wrote %d synthetic enterprises to %s in %.1f s", args.n, args.output, elapsed)
        if args.outcomes:
            write_outcomes_csv(args.outcomes, args.n, seed=args.seed, as_of=args.as_of,
                               region=args.region, horizon_months=args.horizon_months)
            log.info("wrote outcomes to %s", args.outcomes)
    except (ValueError, OSError) as exc:
        log.error("error: %s", exc)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
