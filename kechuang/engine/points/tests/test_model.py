"""Loading innovation-points models: the bundled ones load, bad ones are refused with a message
naming the place and the reason."""

import copy
import tomllib

import pytest

from kechuang.engine.points import PointsModelError, bundled_models, load_model
from kechuang.engine.points.model import DATA_DIR


@pytest.fixture
def national() -> dict:
    return tomllib.loads((DATA_DIR / "national-2024.toml").read_text(encoding="utf-8"))


def test_bundled_models_follow_the_national_structure():
    models = bundled_models()
    assert sorted(models) == ["licheng", "national"]
    m = models["national"]
    assert [g.label for g in m.groups] == ["技术创新指标", "成长经营指标", "辅助指标"]
    assert len(m.indicators) == 18
    assert [s.label for s in m.stages] == ["初创期", "成长期", "稳定期"]
    # the published weight table was not found: every weight says so
    assert {i.weight_status for i in m.indicators} == {"provisional"}
    local = models["licheng"]
    assert (local.scope, local.region_code, local.method, local.within) == ("local", "370112", "minmax", "all")
    assert [b.id for b in local.bonus] == ["bonus_hnte", "bonus_little_giant", "bonus_high_value_ip"]
    assert [n.points for n in local.negative] == [20.0, 10.0, 5.0]


def test_json_and_toml_give_the_same_model(national):
    import json
    a = load_model(national)
    b = load_model(json.dumps(national), fmt="json")
    assert a.to_json() == b.to_json()
    assert [i.weights for i in a.indicators] == [i.weights for i in b.indicators]


def test_weights_that_do_not_sum_within_a_group_are_refused(national):
    doc = copy.deepcopy(national)
    doc["indicators"][0]["weights"]["growth"] = 0.25  # tech group, growth stage: 1.10
    with pytest.raises(PointsModelError) as err:
        load_model(doc)
    assert err.value.problems == ["indicators of group tech: weights for stage growth sum to 1.1, not 1"]


def test_group_weights_that_do_not_sum_are_refused(national):
    doc = copy.deepcopy(national)
    doc["groups"][2]["weights"]["mature"] = 0.2
    with pytest.raises(PointsModelError) as err:
        load_model(doc)
    assert err.value.problems == ["groups: weights for stage mature sum to 1.05, not 1"]


def test_indicators_referring_to_unknown_facts_are_refused(national):
    doc = copy.deepcopy(national)
    doc["indicators"][1]["formula"] = "rd_expense / turnover"
    doc["bonus"] = [{"id": "b", "label": "x", "formula": "unicorn", "op": ">=", "value": 1, "points": 2}]
    with pytest.raises(PointsModelError) as err:
        load_model(doc)
    assert err.value.problems == [
        "indicators[1] rd_intensity: formula 'rd_expense / turnover': unknown fact 'turnover'",
        "bonus[0] b: formula 'unicorn': unknown fact 'unicorn'",
    ]


def test_formulas_cannot_run_code(national):
    doc = copy.deepcopy(national)
    doc["indicators"][0]["formula"] = "__import__('os').getcwd()"
    with pytest.raises(PointsModelError) as err:
        load_model(doc)
    assert err.value.problems[0].startswith("indicators[0] rd_expense: formula \"__import__('os').getcwd()\": not allowed")


def test_overlapping_stage_rules_are_refused(national):
    doc = copy.deepcopy(national)
    doc["stages"][1]["when"] = [{"age_years": {"min": 2, "below": 10}}]
    with pytest.raises(PointsModelError) as err:
        load_model(doc)
    assert err.value.problems == [
        "stages: rules of startup (0 ≤ age_years < 3) and growth (2 ≤ age_years < 10) overlap: "
        "an enterprise would be in both"]


def test_stage_rules_on_two_facts_overlap_only_when_both_intervals_do(national):
    doc = copy.deepcopy(national)
    doc["stages"][0]["when"] = [{"age_years": {"min": 0, "below": 3}},
                                {"age_years": {"min": 3, "below": 5}, "operating_revenue": {"below": 5e6}}]
    doc["stages"][1]["when"] = [{"age_years": {"min": 3, "below": 10}, "operating_revenue": {"min": 5e6}},
                                {"age_years": {"min": 5, "below": 10}}]
    assert [len(s.boxes) for s in load_model(doc).stages] == [2, 2, 1]
    doc["stages"][1]["when"][0]["operating_revenue"] = {"min": 4e6}
    with pytest.raises(PointsModelError) as err:
        load_model(doc)
    assert err.value.problems == [
        "stages: rules of startup (3 ≤ age_years < 5, -inf ≤ operating_revenue < 5e+06) and growth "
        "(3 ≤ age_years < 10, 4e+06 ≤ operating_revenue < inf) overlap: an enterprise would be in both"]


@pytest.mark.parametrize(("change", "problem"), [
    (lambda d: d.update(schema=2), "schema: expected 1, got 2"),
    (lambda d: d["normalisation"].update(method="zscore"),
     "normalisation.method 'zscore' (allowed: percentile, minmax)"),
    (lambda d: d["indicators"][0].pop("source"),
     "indicators[0] rd_expense: source missing (where the indicator and its weight come from)"),
    (lambda d: d["indicators"][0].update(weight_status="guessed"),
     "indicators[0] rd_expense: weight_status 'guessed' (allowed: official, provisional)"),
    (lambda d: d.update(scope="local"), "region_code: a local model needs its 6-digit region code"),
    (lambda d: d["bands"].pop(0), "bands: one band must start at 0"),
], ids=["schema", "method", "source", "weight-status", "local-without-region", "bands"])
def test_other_bad_models_name_the_problem(national, change, problem):
    doc = copy.deepcopy(national)
    change(doc)
    with pytest.raises(PointsModelError) as err:
        load_model(doc)
    assert err.value.problems == [problem]


def test_a_text_that_is_not_toml_is_refused():
    with pytest.raises(PointsModelError) as err:
        load_model("schema = = 1", fmt="toml")
    assert err.value.problems[0].startswith("cannot parse the model (toml):")
