"""Benchmark: importing enterprises from JSON Lines into PostgreSQL with full validation.

    .venv/bin/python bench/bench_import.py --n 1000000            # the issue's target (< 3 min)
    .venv/bin/python bench/bench_import.py --n 100000 --sections all

The input is synthetic (``kechuang.synthetic``; no real enterprise): by default each record keeps
its profile and its 3 fiscal years, which is what the target names; ``--sections all`` keeps every
list too (IP, certificates, loans …, ~9 fact rows per enterprise). Each measurement runs on a fresh
database created for it. In the same run, a baseline imports a sample of the same file the
straightforward way — validate each record, then one ORM ``save()`` per row — and the script prints
both rates and their ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

KEEP = {"profile+years": {"years"}, "all": None}


def make_input(n: int, seed: int, sections: str) -> Path:
    """The benchmark file (cached): ``n`` synthetic records, trimmed to ``sections``."""
    from kechuang.synthetic import write_jsonl

    OUT.mkdir(parents=True, exist_ok=True)
    full = OUT / f"import-{n}-{seed}-synthetic.jsonl"
    if not full.exists():
        t = time.perf_counter()
        write_jsonl(full, n, seed=seed, as_of=date(2026, 11, 22))
        print(f"generated {n:,} synthetic records in {time.perf_counter() - t:.1f} s")
    keep = KEEP[sections]
    if keep is None:
        return full
    trimmed = OUT / f"import-{n}-{seed}-{sections}-synthetic.jsonl"
    if not trimmed.exists():
        with full.open("rb") as src, trimmed.open("wb") as dst:
            for line in src:
                rec = orjson.loads(line)
                dst.write(orjson.dumps({k: v for k, v in rec.items()
                                        if not isinstance(v, list) or k in keep}) + b"\n")
    return trimmed


def fresh_database(url_base: str, name: str) -> str:
    host = "-h 127.0.0.1 -U postgres"
    subprocess.run(f"dropdb {host} --if-exists {name}", shell=True, check=True)
    subprocess.run(f"createdb {host} {name}", shell=True, check=True)
    url = f"{url_base}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "kechuang.cli", "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    return url


def run_fast(url: str, path: Path) -> dict:
    """The platform's import (``kechuang import``), in a child process on a fresh database."""
    code = f"""
import os, time, json
os.environ["DATABASE_URL"] = {url!r}
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
import django; django.setup()
from pathlib import Path
from kechuang.ingest.services import import_run_create, import_run_execute, default_source
path = Path({str(path)!r})
run = import_run_create(path=path, file_name=path.name, source=default_source(), actor="bench", store_copy=False)
t = time.perf_counter()
run = import_run_execute(run=run, actor="bench")
elapsed = time.perf_counter() - t
print(json.dumps({{"elapsed": elapsed, "records": run.rows_valid, "quarantined": run.rows_quarantined,
                  "facts": run.batch.facts_inserted, "status": run.status}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return orjson.loads(out.stdout.strip().splitlines()[-1])


def run_baseline(url: str, path: Path, sample: int) -> dict:
    """Row by row: validate, then ``Model.objects.create`` per enterprise and per fact row."""
    code = f"""
import os, time, json
os.environ["DATABASE_URL"] = {url!r}
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kechuang.settings")
import django; django.setup()
from datetime import date
import orjson
from django.utils import timezone
from kechuang.engine.facts.validate import explode, validate_record
from kechuang.enterprises.models import FACT_MODELS, Enterprise, DataSource, SourceBatch
from kechuang.enterprises.loading import data_fields, with_reported_sections
from kechuang.enterprises.summary import summarize
source = DataSource.objects.create(code="baseline", name="baseline", kind="file")
batch = SourceBatch.objects.create(source=source, actor_label="bench")
today = date(2026, 11, 23)
records = []
with open({str(path)!r}, "rb") as fh:
    for i, line in enumerate(fh):
        if i >= {sample}:
            break
        records.append(orjson.loads(line))
facts = 0
t = time.perf_counter()
for raw in records:
    result = validate_record(raw, today=today)
    if not result.ok:
        continue
    now = timezone.now()
    e = Enterprise.objects.create(uscc=raw["uscc"], **summarize(result.record, today=today))
    for section, rows in with_reported_sections(explode(result.record)).items():
        model = FACT_MODELS[section]
        names = [f.name for f in data_fields(model)]
        for row in rows:
            model.objects.create(enterprise=e, source=source, batch=batch, key=row["key"],
                                 content_hash=row["content_hash"], recorded_at=now,
                                 **{{n: row.get(n) for n in names}})
            facts += 1
elapsed = time.perf_counter() - t
print(json.dumps({{"elapsed": elapsed, "records": len(records), "facts": facts}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return orjson.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20221)
    parser.add_argument("--sections", choices=sorted(KEEP), default="profile+years")
    parser.add_argument("--sample", type=int, default=2000, help="records in the row-by-row baseline")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="kechuang_bench_import",
                        help="database (re)created for the import, left behind for bench_pages.py")
    args = parser.parse_args()

    path = make_input(args.n, args.seed, args.sections)
    fast = run_fast(fresh_database(args.postgres, args.database), path)
    fast_rate = fast["records"] / fast["elapsed"]
    print(f"input: {path.name} ({args.sections}), {os.cpu_count()} cores", flush=True)
    print(f"platform import: {fast['records']:,} enterprises, {fast['facts']:,} fact rows in "
          f"{fast['elapsed']:.1f} s = {fast_rate:,.0f} enterprises/s, {fast['facts'] / fast['elapsed']:,.0f} fact rows/s "
          f"(status {fast['status']}, {fast['quarantined']} quarantined)", flush=True)
    base = run_baseline(fresh_database(args.postgres, "kechuang_bench_baseline"), path, args.sample)
    base_rate = base["records"] / base["elapsed"]
    print(f"row-by-row ORM baseline: {base['records']:,} enterprises, {base['facts']:,} fact rows in "
          f"{base['elapsed']:.1f} s = {base_rate:,.0f} enterprises/s")
    print(f"speed-up: {fast_rate / base_rate:.1f}x; target for 1,000,000: < 180 s "
          f"(projected at this rate: {1_000_000 / fast_rate:.0f} s)")


if __name__ == "__main__":
    main()
