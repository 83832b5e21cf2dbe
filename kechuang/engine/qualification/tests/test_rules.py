"""The rule loader: the built-in standards load; local standards are checked and every problem listed."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from kechuang.engine.qualification import (
    RuleError,
    UnknownStandardError,
    builtin_registry,
    load_standard,
)

LOCAL = {
    "schema": 1, "id": "gazelle-jn-2026", "family": "gazelle-jn", "title_zh": "济南市瞪羚企业（示例）",
    "document": "济南示例〔2026〕1号", "issuer": "济南市工业和信息化局", "effective_from": "2026-01-01",
    "source": "local example",
    "eligibility": [
        {"id": "jn.1", "kind": "condition", "title": "营业收入 ≥ 1000万元", "feature": "operating_revenue_y0",
         "op": ">=", "value": 10_000_000, "source": "第一条", "confidence": "S"},
    ],
    "score": {"id": "jn.score", "title": "评分", "max_points": 10, "pass_op": ">=", "pass_value": 6,
              "confidence": "S", "clauses": [
                  {"id": "jn.growth", "kind": "score", "title": "营收增长", "feature": "oprev_cagr_2p", "max_points": 10,
                   "confidence": "S", "bands": [{"min": 0.2, "points": 10}, {"min": 0.1, "max": 0.2, "points": 6},
                                                {"max": 0.1, "points": 0}]}]},
}


def test_builtin_standards_load_and_resolve_by_date():
    reg = builtin_registry()
    assert [s.id for s in reg] == [
        "gazelle-sd-2020", "hnte-2016", "innovative-sme-2022", "little-giant-2022", "little-giant-2026",
        "srdi-sme-2022", "srdi-sme-2026", "star-market-2022", "star-market-2024", "tsme-2017"]
    assert reg.resolve("little-giant", dt.date(2026, 3, 31)).id == "little-giant-2022"
    assert reg.resolve("little-giant", dt.date(2026, 4, 1)).id == "little-giant-2026"
    assert reg.resolve("star-market", dt.date(2024, 4, 30)).id == "star-market-2024"
    assert reg.resolve("little-giant-2022", dt.date(2026, 11, 22)).id == "little-giant-2022"
    with pytest.raises(UnknownStandardError, match="no version of 'star-market' is in force on 2021-01-01"):
        reg.resolve("star-market", dt.date(2021, 1, 1))


def test_builtin_metadata_carries_document_and_articles():
    tsme = builtin_registry().get("tsme-2017")
    assert tsme.metadata() == {
        "id": "tsme-2017", "family": "tsme", "title_zh": "科技型中小企业评价", "title_en": "Technology-based SME evaluation",
        "document": "国科发政〔2017〕115号", "issuer": "科技部、财政部、国家税务总局", "effective_from": "2017-05-03",
        "effective_to": None, "source": tsme.source}
    assert {c.id: c.source for c in tsme.nodes()}["tsme.7.1"] == "第七条（一）"


def test_every_builtin_leaf_has_a_confidence_tag_and_no_U():
    for std in builtin_registry():
        for c in std.nodes():
            if c.kind in ("condition", "score", "expert", "manual", "points") and not c.id.startswith(std.id):
                assert c.confidence in ("V", "S", "M"), (std.id, c.id)


def test_a_local_standard_loads_as_data_and_evaluates():
    from kechuang.engine.qualification import Registry, evaluate_record

    from .records import base
    std = load_standard(LOCAL)
    reg = Registry([std])
    (res,) = evaluate_record(base(), "2026-11-22", ["gazelle-jn"], registry=reg)
    assert (res["version"], res["status"], res["score"]) == ("gazelle-jn-2026", "unmet", 0)


def _broken(mutate):
    doc = copy.deepcopy(LOCAL)
    mutate(doc)
    with pytest.raises(RuleError) as err:
        load_standard(doc)
    return err.value.problems


@pytest.mark.parametrize(("label", "mutate", "problem"), [
    ("overlap", lambda d: d["score"]["clauses"][0]["bands"][1].update(max=0.25),
     "jn.growth: bands [0.1, 0.25) and [0.2, ∞) overlap"),
    ("gap", lambda d: d["score"]["clauses"][0]["bands"][1].update(max=0.15),
     "jn.growth: bands [0.1, 0.15) and [0.2, ∞) leave a gap"),
    ("gap-above", lambda d: d["score"]["clauses"][0]["bands"][0].update(max=0.5),
     "jn.growth: bands leave a gap above 0.5"),
    ("points-above-max", lambda d: d["score"]["clauses"][0]["bands"][0].update(points=12),
     "jn.growth band 1: points 12 exceed the maximum 10"),
    ("unknown-feature", lambda d: d["eligibility"][0].update(feature="revenue"),
     "jn.1: unknown feature 'revenue'"),
    ("unknown-operator", lambda d: d["eligibility"][0].update(op="=>"),
     "jn.1: unknown operator '=>' (known: >=, >, <=, <, ==, !=, in, not_in, is_true, is_false)"),
    ("unknown-field", lambda d: d["eligibility"][0].update(threshold=3),
     "jn.1: unknown field(s) threshold for kind 'condition'"),
    ("unverified-number", lambda d: d["eligibility"][0].update(confidence="U"),
     "jn.1: a number tagged U (unverified) must not be encoded; make it an expert or manual item"),
    ("unknown-top-level", lambda d: d.update(valid_until="2030-01-01"),
     "unknown top-level field(s) valid_until"),
])
def test_rule_errors_name_the_problem(label, mutate, problem):
    assert problem in _broken(mutate)


def test_rule_error_lists_every_problem_at_once():
    def many(d):
        d["eligibility"][0].update(feature="nope", op="~")
        d["score"]["clauses"][0]["bands"][0].update(points=99)
        d["score"]["clauses"].append(copy.deepcopy(d["score"]["clauses"][0]))
    problems = _broken(many)
    assert "jn.1: unknown feature 'nope'" in problems
    assert any(p.startswith("jn.1: unknown operator '~'") for p in problems)
    assert "jn.growth: duplicate clause id" in problems
    assert "jn.score: children can score 20 points, above the maximum 10 (set capped = true if the text caps it)" in problems
