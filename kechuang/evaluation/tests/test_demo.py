"""The demo step: a run over the demo region right after the demo data is loaded, once."""

from pathlib import Path

import pytest

from kechuang.enterprises.choices import SourceKind
from kechuang.evaluation.jobs import DEMO_ACTOR, DEMO_REGION, demo_step
from kechuang.evaluation.models import EvaluationResult, EvaluationRun, TierPlacement
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from kechuang.synthetic import write_jsonl

pytestmark = pytest.mark.django_db


def _load_synthetic(tmp_path: Path, n: int) -> int:
    path = tmp_path / "jinan-synthetic.jsonl"
    write_jsonl(path, n)
    run = import_run_create(path=path, file_name=path.name, source=default_source(SourceKind.SYNTHETIC),
                            actor="test", store_copy=False)
    return import_run_execute(run=run, actor="test").rows_valid


def test_demo_step_evaluates_the_demo_region_once(tmp_path):
    loaded = _load_synthetic(tmp_path, 30)

    first = demo_step()
    second = demo_step()

    run = EvaluationRun.objects.get()
    assert (run.status, run.region_code, run.actor_label) == ("succeeded", DEMO_REGION, DEMO_ACTOR)
    assert first["run"] == run.pk and first["enterprises"] == run.enterprises_total > 0
    assert run.enterprises_total <= loaded
    assert TierPlacement.objects.filter(run=run).count() == run.enterprises_total
    assert EvaluationResult.objects.filter(run=run).exclude(clauses=None).count() == run.results_total
    assert second == {"skipped": "already done", "run": run.pk}


def test_demo_step_without_demo_data_does_nothing():
    assert demo_step() == {"skipped": "no synthetic demo enterprises"}
    assert not EvaluationRun.objects.exists()


def test_demo_step_without_the_demo_region_skips_instead_of_failing(tmp_path, monkeypatch):
    from kechuang.evaluation import jobs

    _load_synthetic(tmp_path, 5)
    monkeypatch.setattr(jobs, "DEMO_REGION", "370199")  # same city prefix, not in the region table

    assert demo_step() == {"skipped": "region 370199 is not in the region table"}
    assert not EvaluationRun.objects.exists()
