"""Scoring: exact points, reasons and next band on a small model; the vectorised batch path and the
one-enterprise path give identical results (points, stage, band, reasons, next band, ranks)."""

import polars as pl
import pytest

from kechuang.engine.points import FACTS_SCHEMA, PointsScorer, bundled_models, load_model, rank_within, row_result
from kechuang.engine.points.synthetic import synthetic_facts


def small_model(method: str = "minmax", knots: int = 101) -> dict:
    w = {"young": 0.5, "old": 0.5}
    return {
        "schema": 1, "code": "t", "version": "t-1", "name": "测试模型", "scale": 100,
        "stages": [{"id": "young", "label": "初创期", "when": [{"age_years": {"min": 0, "below": 5}}]},
                   {"id": "old", "label": "稳定期", "when": [{"age_years": {"min": 5}}]}],
        "fallback_stage": "old",
        "groups": [{"id": "g", "label": "技术创新", "weights": {"young": 1.0, "old": 1.0}}],
        "indicators": [
            {"id": "rd", "group": "g", "label": "研发费用", "formula": "rd_expense", "weights": w, "source": "t"},
            {"id": "ip", "group": "g", "label": "Ⅰ类知识产权", "formula": "ip_class1", "weights": w, "source": "t"},
        ],
        "normalisation": {"method": method, "within": "all", "knots": knots, "min_reference": 1},
        "bonus": [{"id": "hnte", "label": "高企", "formula": "hnte", "op": ">=", "value": 1, "points": 10}],
        "negative": [{"id": "listed", "label": "失信", "formula": "dishonesty_listed", "op": ">=", "value": 1,
                      "points": 20}],
        "bonus_cap": 10,
        "bands": [{"id": "D", "label": "D档", "min": 0}, {"id": "B", "label": "B档", "min": 50}],
    }


def facts(**kw) -> dict:
    return {name: kw.get(name) for name in FACTS_SCHEMA} | {"age_years": kw.get("age_years", 2.0)}


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=FACTS_SCHEMA)


REFERENCE = [facts(rd_expense=0.0, ip_class1=0.0), facts(rd_expense=50.0, ip_class1=2.0),
             facts(rd_expense=100.0, ip_class1=4.0)]


def test_points_reasons_and_next_band_exact():
    # given a min–max model fitted on three enterprises (R&D 0/50/100, Class I IP 0/2/4)
    scorer = PointsScorer(load_model(small_model())).fit(frame(REFERENCE))
    # when one has R&D 50 and 4 patents
    r = scorer.score_one(facts(rd_expense=50.0, ip_class1=4.0))
    # then 100 × 0.5 × 50% + 100 × 0.5 × 100% = 75 points, band B (the top), lifted by its IP
    assert (r["stage"], r["points"], r["band"]) == ("young", 75.0, "B")
    assert r["scores"] == {"rd": 50.0, "ip": 100.0}
    assert (r["lifts"], r["drags"]) == (["ip"], [])
    assert r["next"] == {"band": None, "gap": None, "changes": [], "item": None, "plan": [], "short": False}
    # when one has no R&D and 2 patents: 25 points, 25 short of B; either indicator alone closes it
    r = scorer.score_one(facts(rd_expense=0.0, ip_class1=2.0, age_years=7.0))
    assert (r["stage"], r["points"], r["band"]) == ("old", 25.0, "D")
    assert (r["lifts"], r["drags"]) == ([], ["rd"])
    assert r["next"] == {"band": "B", "gap": 25.0, "item": None, "plan": [], "short": False,
                         "changes": [{"indicator": "rd", "to": 50.0}, {"indicator": "ip", "to": 4.0}]}


def test_bonus_is_capped_negative_items_subtract_and_points_never_go_below_zero():
    scorer = PointsScorer(load_model(small_model())).fit(frame(REFERENCE))
    assert scorer.score_one(facts(rd_expense=0.0, ip_class1=0.0, hnte=1.0))["points"] == 10.0
    r = scorer.score_one(facts(rd_expense=0.0, ip_class1=0.0, hnte=1.0, dishonesty_listed=1.0))
    assert (r["points"], r["bonus"], r["negative"]) == (0.0, 10.0, 20.0)
    # 45 points and no bonus yet: the 高企 bonus alone reaches band B
    r = scorer.score_one(facts(rd_expense=90.0, ip_class1=0.0))
    assert (r["points"], r["next"]["item"]) == (45.0, "hnte")


def test_unknown_values_score_the_lowest():
    scorer = PointsScorer(load_model(small_model())).fit(frame(REFERENCE))
    r = scorer.score_one(facts(rd_expense=None, ip_class1=4.0))
    assert (r["scores"], r["values"], r["points"]) == ({"rd": 0.0, "ip": 100.0}, {"rd": None, "ip": 4.0}, 50.0)


def test_percentile_scores_take_the_middle_of_ties():
    # four reference values 0, 0, 0, 10 on a 5-knot grid: quantiles 0, 0, 0, 2.5, 10
    ref = [facts(rd_expense=v, ip_class1=0.0) for v in (0.0, 0.0, 0.0, 10.0)]
    scorer = PointsScorer(load_model(small_model("percentile", knots=5))).fit(frame(ref))
    scores = [scorer.score_one(facts(rd_expense=v, ip_class1=0.0))["scores"]["rd"] for v in (-1.0, 0.0, 2.5, 5.0, 10.0, 99.0)]
    assert scores == [0.0, 25.0, 75.0, pytest.approx(83.3333333333), 100.0, 100.0]


@pytest.mark.parametrize("code", ["national", "licheng"])
def test_batch_and_one_enterprise_paths_are_identical(code):
    model = bundled_models()[code]
    keys, fx = synthetic_facts(3000, seed=11)
    scorer = PointsScorer(model).fit(fx)
    out = scorer.score(fx, keys=keys, rank_by="region_code")
    peers: dict[tuple, list[float]] = {}
    for st, reg, pts in out.select("stage", "region_code", "points").iter_rows():
        peers.setdefault((st, reg), []).append(pts)
    rows = fx.to_dicts()
    mismatched = []
    for i, row in enumerate(out.iter_rows(named=True)):
        one = scorer.score_one(rows[i])
        if row_result(model, row) != one or row["rank"] != rank_within(one["points"], peers[(one["stage"], row["region_code"])]):
            mismatched.append(i)
    assert mismatched == []
    # and the run has every band and stage (the comparison covers each branch)
    assert sorted(out["stage"].unique()) == ["growth", "mature", "startup"]
    assert out["next_band"].null_count() == out.filter(pl.col("band") == "A").height


def test_the_fitted_reference_is_plain_json_and_reloads_to_the_same_scores():
    import json
    model = bundled_models()["national"]
    keys, fx = synthetic_facts(500, seed=5)
    fitted = PointsScorer(model).fit(fx)
    again = PointsScorer.from_reference(model, json.loads(json.dumps(fitted.reference_json())))
    assert again.score(fx).equals(fitted.score(fx))
    with pytest.raises(ValueError, match="not 'licheng-2026.1'"):
        PointsScorer.from_reference(bundled_models()["licheng"], fitted.reference_json())


def test_ranks_are_within_stage_and_district():
    scorer = PointsScorer(load_model(small_model())).fit(frame(REFERENCE))
    fx = frame([facts(rd_expense=v, ip_class1=0.0, age_years=a) for v, a in
                [(100.0, 1.0), (50.0, 1.0), (50.0, 1.0), (0.0, 1.0), (100.0, 9.0)]])
    keys = pl.DataFrame({"region_code": ["370102", "370102", "370102", "370102", "370102"]})
    out = scorer.score(fx, keys=keys, rank_by="region_code")
    assert out.select("stage", "points", "rank", "peers").rows() == [
        ("young", 50.0, 1, 4), ("young", 25.0, 2, 4), ("young", 25.0, 2, 4), ("young", 0.0, 4, 4),
        ("old", 50.0, 1, 1)]


def test_an_indicator_the_reference_never_knows_is_never_proposed():
    # given a reference where nobody's R&D expense is known
    ref = [facts(rd_expense=None, ip_class1=v) for v in (0.0, 2.0, 4.0)]
    scorer = PointsScorer(load_model(small_model())).fit(frame(ref))
    # when an enterprise without patents is scored, only the patents can move it up
    one = scorer.score_one(facts(rd_expense=None, ip_class1=0.0))
    assert (one["points"], one["next"]) == (0.0, {"band": "B", "gap": 50.0, "item": None, "plan": [],
                                                  "short": False, "changes": [{"indicator": "ip", "to": 4.0}]})
    batch = scorer.score(frame([facts(rd_expense=None, ip_class1=0.0)]))
    assert row_result(scorer.model, batch.row(0, named=True)) == one


def test_when_no_single_indicator_suffices_the_plan_raises_the_heaviest_first():
    # given band B at 80 points: no single indicator (worth 50 points at most) closes a gap of 80
    doc = small_model()
    doc["bands"][1]["min"] = 80
    doc["indicators"][0]["weights"] = {"young": 0.6, "old": 0.6}
    doc["indicators"][1]["weights"] = {"young": 0.4, "old": 0.4}
    scorer = PointsScorer(load_model(doc)).fit(frame(REFERENCE))
    one = scorer.score_one(facts(rd_expense=0.0, ip_class1=0.0))
    # then R&D (60 points) goes to the top of the 对照库 and the patents cover the remaining 20
    # points: a score of 50, i.e. 2 patents
    assert one["next"]["changes"] == []
    assert one["next"]["plan"] == [{"indicator": "rd", "to": 100.0}, {"indicator": "ip", "to": pytest.approx(2.0)}]
    assert one["next"]["short"] is False
    batch = scorer.score(frame([facts(rd_expense=0.0, ip_class1=0.0)]))
    assert row_result(scorer.model, batch.row(0, named=True)) == one
    # and an enterprise the band is out of reach for says so
    doc["bands"][1]["min"] = 100.5
    scorer = PointsScorer(load_model(doc)).fit(frame(REFERENCE))
    far = scorer.score_one(facts(rd_expense=0.0, ip_class1=0.0))["next"]
    assert (far["plan"], far["short"]) == ([{"indicator": "rd", "to": 100.0}, {"indicator": "ip", "to": 4.0}], True)
