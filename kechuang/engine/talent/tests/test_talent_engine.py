"""Talent engine: the model's load checks, the facts' entry checks, batch = explain, the range and
its reasons, team sums, the 人才贷 limit and the minimisation helpers."""

from __future__ import annotations

import copy
import json
from datetime import date

import polars as pl
import pytest

from kechuang.engine.talent import (FACTS_SCHEMA, TalentModelError, bundled_model, check_facts, explain, flat_facts,
                                    id_hash, mask_id, mask_name, model_from_dict, row_result, talent_loan_limit,
                                    team_values, valid_id, value_batch)
from kechuang.engine.talent.privacy import with_check_digit

STRONG = {"education": [{"degree": "phd", "tier": "top"}], "titles": [{"level": "senior"}],
          "honours": [{"programme": "taishan_scholar"}, {"programme": "jinan_talent_plan"}],
          "ip": [{"kind": "invention"}] * 4 + [{"kind": "software"}],
          "projects": [{"level": "national", "role": "lead"}],
          "insurance": {"continuous_months": 96, "base_monthly": 15000},
          "economic": {"annual_salary": 500000, "equity_share": 3, "attributable_revenue": 3000000}}
WEAK = {"education": [{"degree": "bachelor", "tier": "other"}], "titles": [], "honours": [], "ip": [],
        "projects": [], "insurance": {"continuous_months": 10, "base_monthly": 4000},
        "economic": {"annual_salary": 80000}}


def _raw():
    return copy.deepcopy(bundled_model().raw)


def _codes(exc):
    return {p.code for p in exc.value.problems}


def test_bundled_model_loads_and_every_weight_is_provisional():
    m = bundled_model()
    assert m.weights_status == "provisional"
    assert [g.id for g in m.groups] == ["cai_ability", "cai_honour", "cai_output", "cai_economic"]
    assert sum(m.effective_weight(i) for i in m.indicators) == pytest.approx(1)


def test_group_weights_not_summing_are_refused():
    raw = _raw()
    raw["groups"][0]["weight"] = 0.5
    with pytest.raises(TalentModelError) as exc:
        model_from_dict(raw)
    assert "weights_not_summing" in _codes(exc)
    assert any(p.where == "groups" for p in exc.value.problems)


def test_indicator_weights_not_summing_within_a_group_are_refused():
    raw = _raw()
    raw["indicators"][0]["weight"] = 0.9
    with pytest.raises(TalentModelError) as exc:
        model_from_dict(raw)
    assert any(p.code == "weights_not_summing" and p.where == "groups.cai_ability" for p in exc.value.problems)


def test_unknown_fact_in_the_model_is_refused():
    raw = _raw()
    raw["indicators"][0]["fact"] = "horoscope"
    with pytest.raises(TalentModelError) as exc:
        model_from_dict(raw)
    assert "unknown_fact" in _codes(exc)


def test_overlapping_bands_are_refused():
    raw = _raw()
    ind = next(i for i in raw["indicators"] if i["id"] == "annual_salary")
    ind["bands"][1]["min"] = 50000  # [50000, 200000) overlaps [0, 100000)
    with pytest.raises(TalentModelError) as exc:
        model_from_dict(raw)
    assert "overlapping_bands" in _codes(exc)
    assert any("indicators.annual_salary" == p.where for p in exc.value.problems)


def test_levels_must_match_the_fact_vocabulary():
    raw = _raw()
    del raw["indicators"][0]["levels"]["phd"]
    with pytest.raises(TalentModelError) as exc:
        model_from_dict(raw)
    assert "bad_levels" in _codes(exc)


def test_unknown_facts_on_entry_are_refused_with_row_and_field():
    doc = {"education": [{"degree": "phd", "shoe_size": 42}], "honours": [{"programme": "no_such_plan"}],
           "hobbies": []}
    where = {(p.code, p.where) for p in check_facts(doc)}
    assert ("unknown_fact", "education[1].shoe_size") in where
    assert ("unknown_programme", "honours[1].programme") in where
    assert ("unknown_fact", "hobbies") in where
    assert check_facts(STRONG) == []


def test_batch_and_explain_agree_and_give_a_range_with_reasons():
    m = bundled_model()
    docs = [STRONG, WEAK, {}]
    facts = [flat_facts(d, date(2026, 6, 30)) for d in docs]
    out = value_batch(m, pl.DataFrame(facts, schema=FACTS_SCHEMA))
    for f, row in zip(facts, out.iter_rows(named=True), strict=True):
        e = explain(m, f)
        r = row_result(m, row)
        assert r["value_low"] == e["value_low"] and r["value_high"] == e["value_high"]
        assert r["total"] == pytest.approx(e["total"])
        assert r["lifts"] == e["lifts"] and r["drags"] == e["drags"]
        assert e["value_low"] < e["value_high"]
    strong, weak, empty = (explain(m, f) for f in facts)
    assert strong["value_low"] > weak["value_high"]
    assert "honour_level" in strong["lifts"] and "honour_level" in weak["drags"]
    # knowing nothing widens the range: the high end is further above the low end
    assert empty["missing"] == pytest.approx(1)
    assert empty["value_high"] / empty["value_low"] > strong["value_high"] / strong["value_low"]


def test_team_value_is_the_sum_of_its_people():
    m = bundled_model()
    facts = [flat_facts(d, date(2026, 6, 30)) for d in (STRONG, WEAK, WEAK)]
    out = value_batch(m, pl.DataFrame(facts, schema=FACTS_SCHEMA)).with_columns(
        pl.Series("enterprise_id", [1, 1, 2]))
    teams = {r["enterprise_id"]: r for r in team_values(out).iter_rows(named=True)}
    assert teams[1]["people"] == 2
    assert teams[1]["value_low"] == out["value_low"][0] + out["value_low"][1]
    assert teams[2]["value_high"] == out["value_high"][2]


def test_talent_loan_limit_is_capped():
    assert talent_loan_limit(value_low=1_000_000, advance_rate=0.5, cap=3_000_000) == 500_000
    assert talent_loan_limit(value_low=10_000_000, advance_rate=0.5, cap=3_000_000) == 3_000_000


def test_minimisation_helpers():
    assert mask_name("张小明") == "张*明" and mask_name("李四") == "李*" and mask_name("欧阳小明") == "欧**明"
    n = with_check_digit("37010219900101123")
    assert valid_id(n) and not valid_id(n[:-1] + ("0" if n[-1] != "0" else "1"))
    assert mask_id(n) == "3701**********" + n[-4:]
    assert id_hash(n, "a") != id_hash(n, "b") and n not in id_hash(n, "a")
    assert json.dumps(mask_id(n)).count(n[4:14]) == 0
