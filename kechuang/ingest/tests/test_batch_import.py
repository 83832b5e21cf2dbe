"""The JSON Lines import validates chunk-wise (vectorised) and writes new enterprises column-wise;
what it stores must equal what the per-record functions give for the same records."""

import json
from datetime import date

import pytest
from django.utils import timezone

from kechuang.engine.facts.validate import to_jsonable, validate_record
from kechuang.enterprises.loading import SUMMARY_FIELDS
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.selectors import merged_facts
from kechuang.enterprises.summary import summarize
from kechuang.ingest import services
from kechuang.ingest.models import QuarantinedRow
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from kechuang.synthetic import generate

pytestmark = pytest.mark.django_db

N = 300


def test_batch_import_stores_what_the_per_record_path_gives(tmp_path):
    today = timezone.localdate()
    records = list(generate(N, seed=7, as_of=date(2026, 11, 22)))
    path = tmp_path / "region-synthetic.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")

    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor="test",
                            store_copy=False)
    run = import_run_execute(run=run, actor="test", today=today)

    expected = {}
    for raw in records:
        result = validate_record(raw, today=today)
        if result.ok:
            expected[raw["uscc"]] = result.record
    assert (run.status, run.rows_valid, run.rows_quarantined) == ("applied", len(expected), N - len(expected))
    stored = {e.uscc: e for e in Enterprise.objects.all()}
    merged = {m.uscc: m.record for m in merged_facts([e.pk for e in stored.values()]).values()}
    for uscc, record in expected.items():
        want = summarize(record, today=today)
        got = {name: getattr(stored[uscc], name) for name in SUMMARY_FIELDS}
        assert got == want, uscc
        assert to_jsonable(merged[uscc]) == to_jsonable(record), uscc


def test_reimporting_through_the_batch_path_changes_nothing(tmp_path):
    records = list(generate(40, seed=11, as_of=date(2026, 11, 22)))
    path = tmp_path / "again-synthetic.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")

    def once():
        run = import_run_create(path=path, file_name=path.name, source=default_source(), actor="test",
                                store_copy=False)
        return import_run_execute(run=run, actor="test")

    first, second = once(), once()

    assert first.batch.facts_inserted > 40
    assert (second.batch.facts_inserted, second.batch.facts_superseded) == (0, 0)
    assert second.batch.facts_unchanged == first.batch.facts_inserted


def test_a_file_of_many_chunks_is_validated_in_a_worker_and_duplicates_across_chunks_are_caught(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_BYTES", 20_000)  # ~6 records a chunk: many chunks, a worker
    records = list(generate(60, seed=3, as_of=date(2026, 11, 22)))
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(30, "not json at all")
    lines.append(lines[0])  # the first enterprise again, many chunks later
    path = tmp_path / "big-synthetic.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")

    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor="test",
                            store_copy=False)
    run = import_run_execute(run=run, actor="test")

    assert validate_record(records[0], today=timezone.localdate()).ok
    valid = sum(validate_record(r, today=timezone.localdate()).ok for r in records) - 1
    assert (run.status, run.rows_total, run.rows_valid) == ("applied", 62, valid)
    assert run.chunks_done > 5  # each chunk committed on its own
    rows = {q.row: q for q in QuarantinedRow.objects.filter(run=run)}
    assert rows[31].raw_text == "not json at all" and rows[31].errors[0]["code"] == "json"
    # both rows of the repeated code are quarantined, the first one chunks before the second
    for row in (1, 62):
        assert rows[row].errors[0]["code"] == "duplicate" and "第 1、62 行" in rows[row].errors[0]["message"]
        assert rows[row].data == records[0]
    assert Enterprise.objects.count() == valid
    assert not Enterprise.objects.filter(uscc=records[0]["uscc"]).exists()
