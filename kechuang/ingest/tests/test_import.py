"""The import pipeline end to end: bad input is quarantined with row, field and reason, valid
rows are kept, nothing is lost, a crash writes nothing, re-importing changes nothing."""

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kechuang.engine.facts import writers
from kechuang.engine.facts.errors import Code
from kechuang.engine.facts.validate import to_jsonable
from kechuang.enterprises.loading import FactLoader
from kechuang.enterprises.models import AnnualFact, Enterprise, SourceBatch
from kechuang.enterprises.selectors import merged_facts
from kechuang.enterprises.tests.factories import bank, record, regulator, uscc
from kechuang.ingest.error_codes import IngestErrorCode
from kechuang.ingest.models import ImportRun, QuarantinedRow
from kechuang.ingest.services import (default_source, import_run_create, import_run_execute,
                                      quarantined_row_resubmit)

pytestmark = pytest.mark.django_db


def _jsonl(tmp_path: Path, lines: list, name="feed.jsonl", encoding="utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes("\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
                               for line in lines).encode(encoding) + b"\n")
    return path


def _import(path: Path, actor="test", **kw) -> ImportRun:
    run = import_run_create(path=path, file_name=path.name, source=default_source(), actor=actor,
                            store_copy=False, **kw)
    return import_run_execute(run=run, actor=actor)


def _bad_records():
    wrong_digit = record(10)
    wrong_digit["uscc"] = wrong_digit["uscc"][:-1] + ("0" if wrong_digit["uscc"][-1] != "0" else "1")
    bad_enum = record(11)
    bad_enum["years"][0]["tax_credit_grade"] = "AAA"
    negative = record(12)
    negative["years"][1]["employees"] = -5
    text_number = record(13)
    text_number["years"][2]["operating_revenue"] = "四千万"
    return [("uscc", Code.USCC, wrong_digit), ("tax_credit_grade", Code.ENUM, bad_enum),
            ("employees", Code.NEGATIVE, negative), ("operating_revenue", Code.TYPE, text_number)]


def test_bad_records_are_quarantined_with_reasons_and_valid_ones_loaded(tmp_path):
    bad = _bad_records()
    again = record(1, name="济南测试科技有限公司1（更名）")
    lines = [record(1), *[r for _f, _c, r in bad], record(2), "{not json", again]
    run = _import(_jsonl(tmp_path, lines))

    assert (run.status, run.rows_total, run.rows_valid, run.rows_quarantined) == ("applied", 8, 1, 7)
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == {uscc(2)}
    quarantined = {q.row: q for q in QuarantinedRow.objects.filter(run=run)}
    assert sorted(quarantined) == [1, 2, 3, 4, 5, 7, 8]
    for row, (field, code, _rec) in zip([2, 3, 4, 5], bad, strict=True):
        errors = quarantined[row].errors
        assert [(e["field"], e["code"], e["row"]) for e in errors] == [(field, code, row)]
        assert errors[0]["message"]  # a sentence for a person, in Chinese
    assert quarantined[7].errors[0]["code"] == Code.JSON
    assert quarantined[7].raw_text == "{not json"  # nothing of the line is lost
    # the same code twice: nobody can tell which row is right, so both wait, each with its own values
    for row, data in ((1, record(1)), (8, again)):
        duplicate = quarantined[row].errors[0]
        assert (duplicate["code"], duplicate["field"], duplicate["row"]) == (Code.DUPLICATE, "uscc", row)
        assert "第 1、8 行" in duplicate["message"]
        assert quarantined[row].data == data


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = _jsonl(tmp_path, [record(1), record(2)])
    first = _import(path)
    facts = AnnualFact.objects.count()

    second = _import(path)

    assert (first.batch.facts_inserted, second.batch.facts_inserted, second.batch.facts_superseded) == (14, 0, 0)
    assert second.batch.facts_unchanged == 14
    assert (AnnualFact.objects.count(), Enterprise.objects.count()) == (facts, 2)


def test_gbk_encoded_csv_with_chinese_headers_is_read(tmp_path):
    out = io.BytesIO()
    writers.write_csv([record(1), record(2)], "profile", out, bom=False)
    text = out.getvalue().decode("utf-8")
    path = tmp_path / "企业基本信息.csv"
    path.write_bytes(text.encode("gbk"))

    run = _import(path)

    assert (run.status, run.rows_valid, run.rows_quarantined) == ("applied", 2, 0)
    assert Enterprise.objects.get(uscc=uscc(1)).name == "济南测试科技有限公司1"


@pytest.mark.parametrize("content", [pytest.param(b"", id="empty"), pytest.param(b"\n\n  \n", id="blank-lines")])
def test_empty_file_is_rejected_and_writes_nothing(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)

    run = _import(path)

    assert run.status == "rejected"
    assert "空" in run.error
    assert (SourceBatch.objects.count(), Enterprise.objects.count(), QuarantinedRow.objects.count()) == (0, 0, 0)


def test_crash_during_apply_leaves_nothing_half_written(tmp_path, monkeypatch):
    path = _jsonl(tmp_path, [record(1), record(2), _bad_records()[0][2]])

    def explode(self):
        raise OSError("disk full")

    monkeypatch.setattr(FactLoader, "apply", explode)
    with pytest.raises(OSError):
        _import(path)

    run = ImportRun.objects.get()
    assert run.status == "failed" and "disk full" in run.error
    assert (Enterprise.objects.count(), SourceBatch.objects.count(), QuarantinedRow.objects.count(),
            AnnualFact.objects.count()) == (0, 0, 0, 0)


def test_xlsx_export_imports_back_to_the_same_facts(tmp_path):
    _import(_jsonl(tmp_path, [record(1), record(2)]))
    before = {m.uscc: m.record for m in merged_facts(Enterprise.objects.values_list("pk", flat=True)).values()}
    out = tmp_path / "export.xlsx"
    with out.open("wb") as fh:
        writers.write_xlsx([to_jsonable(r) for r in before.values()], fh)

    run = _import(out)

    assert (run.status, run.rows_valid, run.batch.facts_inserted) == ("applied", 2, 0)
    assert run.batch.facts_unchanged == 14


def test_quarantined_record_can_be_fixed_and_resubmitted(tmp_path):
    reg = regulator()
    _field, _code, bad = _bad_records()[2]
    run = _import(_jsonl(tmp_path, [bad]), actor=reg)
    row = QuarantinedRow.objects.get(run=run)

    still_bad = dict(bad, years=[dict(y, employees=-1) for y in bad["years"]])
    with pytest.raises(ValidationError) as err:
        quarantined_row_resubmit(row=row, data=still_bad, actor=reg)
    assert {e.code for e in err.value.error_list} == {IngestErrorCode.STILL_INVALID}
    assert (Enterprise.objects.count(), QuarantinedRow.objects.get().status) == (0, "open")

    fixed = record(12)
    batch = quarantined_row_resubmit(row=row, data=fixed, actor=reg)

    row.refresh_from_db()
    batch.refresh_from_db()
    assert (row.status, row.resolved_batch_id, batch.enterprises_created) == ("resolved", batch.pk, 1)
    assert Enterprise.objects.get().employees == 100


def test_a_resubmitted_row_keeps_its_own_uscc(tmp_path):
    """A fix may not re-point a quarantined row at another enterprise (rewriting it)."""
    reg = regulator()
    _field, _code, bad = _bad_records()[2]
    other = _import(_jsonl(tmp_path, [record(1)], name="other.jsonl"), actor=reg)
    assert other.rows_valid == 1
    row = QuarantinedRow.objects.get(run=_import(_jsonl(tmp_path, [bad]), actor=reg))
    facts_before = AnnualFact.objects.count()

    with pytest.raises(ValidationError) as err:
        quarantined_row_resubmit(row=row, data=dict(record(1), name="改写的企业"), actor=reg)

    assert err.value.code == IngestErrorCode.USCC_CHANGED
    assert err.value.params["own"] == uscc(12) and err.value.params["new"] == uscc(1)
    row.refresh_from_db()
    assert (row.status, AnnualFact.objects.count()) == ("open", facts_before)
    assert Enterprise.objects.get(uscc=uscc(1)).name == record(1)["name"]


def test_institutions_cannot_import(tmp_path):
    path = _jsonl(tmp_path, [record(1)])
    with pytest.raises(PermissionDenied):
        import_run_create(path=path, file_name=path.name, source=default_source(), actor=bank(),
                          store_copy=False)
    assert (ImportRun.objects.count(), Enterprise.objects.count()) == (0, 0)
