"""``kechuang evaluate``: file → file with bad records reported, and a region of the database."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kechuang.evaluation.models import EvaluationResult, EvaluationRun

from .factories import golden, region

pytestmark = pytest.mark.django_db


def test_file_mode_writes_results_and_reports_every_bad_record(tmp_path):
    good = golden("tsme-base")["record"]
    negative = golden("tsme-base")["record"] | {"uscc": "91370100MA3C00001X"}
    negative["years"][0]["employees"] = -3
    lines = [json.dumps(good, ensure_ascii=False), "{not json", json.dumps({"name": "无代码"}, ensure_ascii=False),
             json.dumps(good | {"registered_on": "2019-02-30"}, ensure_ascii=False),
             json.dumps(negative, ensure_ascii=False)]
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stdout = io.StringIO()

    call_command("evaluate", "--input", str(src), "--as-of", "2026-11-22", "--standard", "tsme",
                 "--output", str(out), stdout=stdout)

    results = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["uscc"], r["standard"], r["status"]) for r in results] == [
        (good["uscc"], "tsme", "met"), (negative["uscc"], "tsme", "unknown")]
    assert results[0] == golden("tsme-base")["result"]
    assert results[1]["gaps"][0]["needed"].startswith("缺少事实：years[2025].employees")
    text = stdout.getvalue()
    assert "5 records, 2 evaluated, 3 rejected; 2 results" in text
    assert "row 2 rejected: " in text and "JSON" in text
    assert "row 3 rejected: uscc missing" in text
    assert "row 4 rejected: " in text and "bad date" in text
    assert "row 5 warning [years[2025].employees]: 2025年 employees 为负数 (-3)" in text
    run = EvaluationRun.objects.get()
    assert (run.scope, run.file_name, run.versions, run.records_rejected) == ("file", "in.jsonl", {"tsme": "tsme-2017"}, 3)


def test_file_mode_refuses_a_future_date(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("{}\n")
    with pytest.raises(CommandError, match="在未来"):
        call_command("evaluate", "--input", str(src), "--as-of", "2099-01-01", "--output", str(tmp_path / "o"))


def test_region_mode_stores_a_run_with_the_versions_used():
    region(2)
    stdout = io.StringIO()

    call_command("evaluate", "--region", "370100", "--as-of", "2026-03-31", "--standard", "srdi-sme",
                 "--standard", "little-giant", stdout=stdout)

    run = EvaluationRun.objects.get()
    assert (run.scope, run.region_code, run.status, run.actor_label) == ("region", "370100", "succeeded", "command:evaluate")
    assert run.versions == {"srdi-sme": "srdi-sme-2022", "little-giant": "little-giant-2022"}
    assert EvaluationResult.objects.filter(run=run).count() == 4
    assert "2 enterprises, 4 results" in stdout.getvalue()
