"""Batch rating throughput from the database against one enterprise at a time, in the same run.

    .venv/bin/python bench/bench_rating.py --n 20000 --baseline 500
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kechuang_rating .venv/bin/python bench/bench_rating.py --n 20000

Creates a throw-away test database (SQLite file, or ``test_<name>`` on PostgreSQL), imports N
synthetic enterprises through the real import pipeline, records their synthetic outcomes, trains
and promotes a champion, then times:

* **batch**: ``rating_run_execute`` over the whole region — facts as known at the end of the day
  read 2,000 enterprises per query, features (with the qualification engine's batch path), the
  vectorised scorer with points and reasons, results stored in bulk (COPY on PostgreSQL), PSI;
* **baseline**: ``--baseline`` enterprises one at a time, as a naive service would — the
  enterprise's facts as of the day, its features, ``score_one``, one INSERT per result.

Prints enterprises/s of both and the ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="synthetic enterprises to load and rate")
    parser.add_argument("--baseline", type=int, default=500, help="enterprises rated one at a time")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from kechuang.enterprises.choices import SourceKind
    from kechuang.enterprises.models import Enterprise
    from kechuang.ingest.services import default_source, import_run_create, import_run_execute
    from kechuang.rating.choices import ModelStatus
    from kechuang.rating.models import RatingResult
    from kechuang.rating.selectors import score_enterprise
    from kechuang.rating.services import (default_outcomes_load, rating_model_promote, rating_model_train,
                                          rating_run_create, rating_run_execute)
    from kechuang.synthetic import generate_outcomes, write_jsonl

    today = timezone.localdate()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "region-synthetic.jsonl"
        write_jsonl(path, args.n, as_of=today)
        t0 = time.perf_counter()
        imp = import_run_create(path=path, file_name=path.name, source=default_source(SourceKind.SYNTHETIC),
                                actor="bench", store_copy=False)
        import_run_execute(run=imp, actor="bench")
        load_s = time.perf_counter() - t0
    rows = [(o["uscc"], int(o["defaulted"])) for o in generate_outcomes(args.n, as_of=today)]
    default_outcomes_load(rows=rows, as_of=today, horizon_months=12, source="bench", actor="bench",
                          is_synthetic=True)
    t0 = time.perf_counter()
    model = rating_model_train(as_of=today, actor="bench", is_synthetic=True)
    train_s = time.perf_counter() - t0
    rating_model_promote(model=model, status=ModelStatus.CHAMPION, actor="bench")

    run_ = rating_run_create(as_of=today, region_code="370100", actor="bench")
    t0 = time.perf_counter()
    run_ = rating_run_execute(run=run_, actor="bench")
    batch_s = time.perf_counter() - t0
    assert run_.status == "succeeded", run_.error
    batch_rate = run_.enterprises_total / batch_s

    base_run = rating_run_create(as_of=today, region_code="370100", actor="bench")
    sample = list(Enterprise.objects.order_by("pk")[:args.baseline])
    t0 = time.perf_counter()
    with transaction.atomic():
        for ent in sample:
            out = score_enterprise(enterprise=ent, as_of=today, model=model)
            RatingResult.objects.create(run=base_run, enterprise=ent, region_code=ent.region_code,
                                        pd=f"{out['pd']:.8f}", score=f"{out['score']:.2f}", grade=out["grade"],
                                        points=out["points"], values=out["values"], reasons=out["reasons"])
    base_s = time.perf_counter() - t0
    base_rate = len(sample) / base_s

    print(f"command: {' '.join(sys.argv)}")
    print(f"database: {connection.vendor}; enterprises: {args.n:,} (import {load_s:.1f} s); "
          f"training on {len(rows):,} outcomes ({model.n_rows:,} development, the rest held out): {train_s:.1f} s, "
          f"development AUC {model.auc}, hold-out AUC {model.report['validation']['auc']:.4f}, "
          f"{len(model.features)} features")
    print(f"batch:    {run_.enterprises_total:,} enterprises in {batch_s:.2f} s = {batch_rate:,.0f} enterprises/s")
    print(f"baseline: {len(sample):,} enterprises one at a time in {base_s:.2f} s = {base_rate:,.1f} enterprises/s")
    print(f"ratio batch / one-at-a-time: {batch_rate / base_rate:.1f}x")
    print(f"grades: {run_.grade_counts}; score PSI {run_.monitoring['score_psi']['psi']:.4f}")


if __name__ == "__main__":
    main()
