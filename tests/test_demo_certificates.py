"""Demo data tells a coherent story: the synthetic region's 专精特新 / 小巨人 holders mostly meet the
standard in force on the qualification engine's verdict (every objective condition met, only the
manual market-position item left: ``manual_review``); the rest are the documented exceptions.
Before the generator followed the 2026 rules, 18 of 103 holders in the 2,000-firm demo met it."""

from collections import Counter
from pathlib import Path

import pytest

from kechuang.enterprises.choices import SourceKind
from kechuang.enterprises.models import CertificateFact
from kechuang.evaluation.jobs import demo_step
from kechuang.evaluation.models import EvaluationResult, EvaluationRun
from kechuang.ingest.services import default_source, import_run_create, import_run_execute
from kechuang.synthetic import write_jsonl

pytestmark = pytest.mark.django_db

N = 800


def _verdicts(run, kind: str, standard: str) -> Counter:
    day = run.as_of
    holders = CertificateFact.objects.filter(kind=kind, valid_from__lte=day, valid_to__gte=day,
                                             superseded_at__isnull=True).values_list("enterprise_id", flat=True)
    return Counter(EvaluationResult.objects.filter(run=run, standard=standard, enterprise_id__in=list(holders))
                   .values_list("status", flat=True))


def test_most_srdi_holders_meet_the_2026_rules_on_the_engines_verdict(tmp_path: Path):
    path = tmp_path / "jinan-synthetic.jsonl"
    write_jsonl(path, N)
    run = import_run_create(path=path, file_name=path.name, source=default_source(SourceKind.SYNTHETIC),
                            actor="test", store_copy=False)
    import_run_execute(run=run, actor="test")

    demo_step()

    run = EvaluationRun.objects.get()
    # the run is as of today (the demo step's rule), so exact counts move with the date; on
    # 2026-12-04: {"manual_review": 21, "unknown": 4, "unmet": 6} (the old generator: most unmet)
    srdi = _verdicts(run, "srdi_sme", "srdi-sme")
    holders = sum(srdi.values())
    assert holders >= 20
    assert srdi["manual_review"] + srdi["met"] > holders / 2, srdi
    assert srdi["unmet"] < holders / 3, srdi
    tsme = _verdicts(run, "tsme", "tsme")
    assert tsme["met"] > 0.75 * sum(tsme.values()), tsme
