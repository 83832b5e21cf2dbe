"""``kechuang spark evaluate|rate|warn|value|points``: the engine over facts Parquet on Spark.

    kechuang spark evaluate --input facts.parquet --output out/ --as-of 2026-11-22 [--master local[2]]
    kechuang spark rate --model scorecard.json --input … --output … --as-of …
    kechuang spark warn [--rules rules.toml] --input … --output … --as-of …
    kechuang spark value [--model ip-pledge-2023] --input ip_items.parquet --output … --as-of …
    kechuang spark points --model national --reference reference.json --input … --output … --as-of …

``value`` reads the ``ip-items`` layout (one row per ``ip[]`` item with its holder's uscc, written by
``kechuang.spark.write_ip_items_parquet``); the others read one row per enterprise.

Dispatched by ``kechuang.cli`` before Django is set up (this command never imports it). Prints a
JSON summary (enterprises in, with results, rejected). Exit status 2 when the input is refused
(its data-standard version or columns), with the coded error on stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import orjson

from .standard import FactsParquetError, check_facts_parquet

VERBS = ("evaluate", "rate", "warn", "value", "points")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="kechuang spark", description=__doc__.splitlines()[0])
    ap.add_argument("verb", choices=VERBS)
    ap.add_argument("--input", required=True, help="facts Parquet file or directory (data standard, stamped)")
    ap.add_argument("--output", required=True, help="output directory: output=result/ and output=reject/")
    ap.add_argument("--as-of", required=True, type=dt.date.fromisoformat)
    ap.add_argument("--master", default="local[2]", help="Spark master URL (default local[2])")
    ap.add_argument("--partitions", type=int, default=None, help="repartition the input to this many")
    ap.add_argument("--standards", default=None, help="evaluate: comma-separated families/versions")
    ap.add_argument("--details", default="columns", choices=("columns", "json", "none"))
    ap.add_argument("--model", help="rate: a fitted scorecard (ScorecardModel JSON); value: an IP valuation "
                    "model id or TOML file (default ip-pledge-2023)")
    ap.add_argument("--rules", help="warn: a warning rule set (TOML); default the built-in one")
    ap.add_argument("--reference", help="points: the fitted reference population (PointsScorer.reference_json)")
    ap.add_argument("--no-duplicate-check", action="store_true",
                    help="evaluate a row whose enterprise (or IP item) appeared on an earlier row again, "
                         "instead of rejecting it (code duplicate_uscc)")
    return ap


def build_job(args: argparse.Namespace):
    from .partitions import EvaluateJob, RateJob, ValueJob, WarnJob

    if args.verb == "evaluate":
        stds = [s for s in (args.standards or "").split(",") if s] or None
        return EvaluateJob(args.as_of, stds, args.details)
    if args.verb == "rate":
        from kechuang.engine.scorecard import ScorecardModel

        if not args.model:
            raise SystemExit("kechuang spark rate needs --model (a fitted scorecard's JSON)")
        return RateJob(ScorecardModel.from_json(Path(args.model).read_bytes()), args.as_of)
    if args.verb == "points":
        from kechuang.engine.points import bundled_models, load_model as load_points_model

        from .partitions import PointsJob

        if not args.model or not args.reference:
            raise SystemExit("kechuang spark points needs --model (a model id or file) and --reference (its JSON)")
        models = bundled_models()
        model = models[args.model] if args.model in models else load_points_model(Path(args.model))
        return PointsJob(model, orjson.loads(Path(args.reference).read_bytes()), args.as_of)
    if args.verb == "value":
        from kechuang.engine.ipvalue import get_model, load_model

        model_ref = args.model or "ip-pledge-2023"
        model = load_model(Path(model_ref)) if model_ref.endswith((".toml", ".json")) else get_model(model_ref)
        return ValueJob(model, args.as_of)
    from kechuang.engine.risk import load_rules

    return WarnJob(load_rules(Path(args.rules).read_text("utf-8") if args.rules else None), args.as_of)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    job = build_job(args)
    try:
        check_facts_parquet(args.input, job.layout)  # refuse a bad file before a JVM starts
        from .runner import run_job, spark_session

        spark = spark_session(args.master)
        summary = run_job(spark, job, args.input, args.output, partitions=args.partitions,
                          check_duplicates=not args.no_duplicate_check)
    except FactsParquetError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    sys.stdout.write(orjson.dumps(summary.__dict__, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
