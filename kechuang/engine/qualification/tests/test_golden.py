"""Golden worked cases: hand-made expectations from the texts, plus the full stored engine output.

Regenerate the stored outputs after a deliberate change with
``KECHUANG_REGEN_GOLDEN=1 pytest kechuang/engine/qualification/tests/test_golden.py -p no:django``
and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kechuang.engine.qualification import evaluate_record

from .golden_cases import CASES

GOLDEN = Path(__file__).parent / "golden"


def _clauses(result):
    return {c["id"]: c for c in result["clauses"]}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_case(case):
    # Given a worked case, when it is evaluated
    (result,) = evaluate_record(case["record"], case["as_of"], [case["standard"]])
    exp = case["expect"]
    # then the hand-made expectations hold
    for key in ("status", "score", "score_range", "route", "version"):
        if key in exp:
            assert result[key] == exp[key], f"{key}: {result[key]!r} != {exp[key]!r} ({case['why']})"
    got = _clauses(result)
    for cid, (status, points) in exp.get("clauses", {}).items():
        assert (got[cid]["status"], got[cid]["points"]) == (status, points), cid
    if "gap_contains" in exp:
        assert any(exp["gap_contains"] in g["needed"] for g in result["gaps"]), result["gaps"]
    if result["status"] == "met":
        assert result["gaps"] == []
    # and the full output equals the stored golden file
    path = GOLDEN / f"{case['name']}.json"
    stored = {"name": case["name"], "why": case["why"], "standard": case["standard"], "as_of": case["as_of"],
              "record": case["record"], "result": result}
    if os.environ.get("KECHUANG_REGEN_GOLDEN"):
        path.write_text(json.dumps(stored, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["result"] == result
