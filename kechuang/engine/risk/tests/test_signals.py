"""The warning engine: signals as of a date, future-dated facts flagged, the two paths agree."""

import datetime as dt

import numpy as np
import pytest

from kechuang.engine.risk import (LEVELS, RuleSetError, batch_rows, check_rules, load_rules, records_to_frames,
                                  warning_one, warnings_batch)
from kechuang.engine.risk.backtest import evaluate
from kechuang.synthetic import generate

AS_OF = dt.date(2026, 6, 30)
RULES = load_rules()


def _record(**lists):
    return {"uscc": "91370112MA3C000001", "years": [
        {"year": 2024, "social_insurance_headcount": 40, "tax_credit_grade": "B"},
        {"year": 2025, "social_insurance_headcount": 10, "tax_credit_grade": "C"}], **lists}


def test_one_enterprise_signals_levels_and_evidence():
    # given an overdue loan, a past overdue of 45 days, two defendant judgments this year (one
    # ruled in the future), an enforcement case, a lifted listing and a current one
    record = _record(
        loans=[{"contract_number": "L1", "status": "overdue", "start_on": "2025-01-10", "amount": 1e6,
                "overdue_amount": 2e5, "max_overdue_days": 20},
               {"contract_number": "L2", "status": "repaid", "start_on": "2024-01-10", "amount": 5e5,
                "max_overdue_days": 45, "_source": "征信"}],
        judgments=[{"case_number": "J1", "decided_on": "2026-03-01", "role": "defendant", "kind": "commercial"},
                   {"case_number": "J2", "decided_on": "2026-08-01", "role": "defendant", "kind": "civil"},
                   {"case_number": "J3", "decided_on": "2025-01-01", "role": "defendant", "kind": "enforcement"},
                   {"case_number": "J4", "decided_on": "2026-05-01", "role": "plaintiff", "kind": "civil"}],
        incidents=[{"kind": "abnormal_operation_list", "date": "2025-01-01", "removed_on": "2025-06-01"},
                   {"kind": "serious_dishonesty_list", "date": "2026-01-01"}])
    # when
    w = warning_one(record, AS_OF, RULES, pd=0.12, pd_prev=0.03)
    # then each signal has its value, level and evidence; the future judgment is flagged only
    assert w["values"] == {"overdue_now": 1.0, "overdue_history": 45.0, "market_default": 0.0,
                           "litigation": 1.0, "enforcement": 1.0, "penalty": 0.0, "penalty_severe": 0.0,
                           "dishonesty_list": 1.0, "abnormal_list": 0.0, "equity_freeze": 0.0, "incident": 0.0,
                           "tax_grade": 1.0, "si_drop": 0.75, "pd_ratio": 4.0, "pd": 0.12}
    assert {k: v for k, v in w["levels"].items() if v != "none"} == {
        "overdue_now": "orange", "overdue_history": "yellow", "litigation": "blue", "enforcement": "yellow",
        "dishonesty_list": "red", "tax_grade": "yellow", "si_drop": "yellow", "pd_ratio": "yellow",
        "pd": "yellow"}
    assert w["level"] == "red"
    assert [(e["signal"], e["ident"], e["amount"], e["source"]) for e in w["evidence"]] == [
        ("dishonesty_list", "serious_dishonesty_list", None, None), ("enforcement", "J3", None, None),
        ("litigation", "J1", None, None), ("overdue_history", "L2", 5e5, "征信"), ("overdue_now", "L1", 2e5, None)]
    assert [(e["signal"], e["ident"], e["date"]) for e in w["future"]] == [("future", "J2", "2026-08-01")]


def test_an_equity_freeze_warns_until_it_is_released_on_both_paths():
    # given a freeze still in force, one released before the warning date, and one dated after it
    frozen = _record(incidents=[{"kind": "equity_frozen", "date": "2026-02-01"}])
    released = _record(incidents=[{"kind": "equity_frozen", "date": "2025-02-01", "removed_on": "2026-01-15"}])
    later = _record(incidents=[{"kind": "equity_frozen", "date": "2026-08-01"}])
    # when / then: orange with its evidence while in force; nothing once released; flagged when later
    w = warning_one(frozen, AS_OF, RULES)
    assert (w["values"]["equity_freeze"], w["levels"]["equity_freeze"], w["level"]) == (1.0, "orange", "orange")
    assert [(e["signal"], e["ident"]) for e in w["evidence"]] == [("equity_freeze", "equity_frozen")]
    assert warning_one(released, AS_OF, RULES)["values"]["equity_freeze"] == 0.0
    w = warning_one(later, AS_OF, RULES)
    assert (w["values"]["equity_freeze"], [e["ident"] for e in w["future"]]) == (0.0, ["equity_frozen"])
    records = [dict(frozen, uscc="A"), dict(released, uscc="B"), dict(later, uscc="C")]
    results, evidence = warnings_batch(*records_to_frames(records, AS_OF), AS_OF, RULES)
    got = {r["uscc"]: (r["equity_freeze"], r["lv_equity_freeze"], r["future"]) for r in results.to_dicts()}
    assert got == {"A": (1.0, 3, 0), "B": (0.0, 0, 0), "C": (0.0, 0, 1)}
    assert evidence.filter(evidence["signal"] == "equity_freeze")["uscc"].to_list() == ["A"]


def test_escalation_two_oranges_make_red():
    record = _record(loans=[{"contract_number": "L1", "status": "overdue", "start_on": "2025-01-10", "amount": 1}],
                     penalties=[{"document_number": "P1", "decided_on": "2026-02-01", "kind": "suspension"}])
    record["years"][1]["tax_credit_grade"] = "B"
    record["years"][1]["social_insurance_headcount"] = 40
    w = warning_one(record, AS_OF, RULES)
    assert (w["levels"]["overdue_now"], w["levels"]["penalty_severe"], w["level"]) == ("orange", "orange", "red")


def test_nothing_known_gives_no_warning_and_missing_enterprise_signals():
    w = warning_one({"uscc": "91370112MA3C000001"}, AS_OF, RULES)
    assert w["level"] == "none"
    assert (w["values"]["tax_grade"], w["values"]["si_drop"], w["values"]["pd"]) == (None, None, None)


def test_batch_and_one_enterprise_paths_agree_on_the_synthetic_region():
    as_of = dt.date(2026, 11, 22)
    records = list(generate(1500))
    market = {records[3]["uscc"]: [{"ident": "leg-1", "date": "2026-10-01", "amount": 3e5, "source": "平台"},
                                   {"ident": "leg-2", "date": "2027-01-01", "amount": 1e5, "source": "平台"}]}
    ratings = {records[5]["uscc"]: (0.3, 0.05)}
    ents, items = records_to_frames(records, as_of, market=market, ratings=ratings)
    results, evidence = warnings_batch(ents, items, as_of, RULES)
    batch = batch_rows(results, evidence)
    one = [warning_one(r, as_of, RULES, market=market.get(r["uscc"], ()),
                       pd=ratings.get(r["uscc"], (None, None))[0], pd_prev=ratings.get(r["uscc"], (None, None))[1])
           for r in records]
    assert batch == one
    assert batch[3]["levels"]["market_default"] == "red" and [e["ident"] for e in batch[3]["future"]] == ["leg-2"]
    assert batch[5]["levels"]["pd"] == "orange"
    # every level occurs in this sample, so the comparison covers each branch of the rules
    assert {b["level"] for b in batch} == set(LEVELS)


@pytest.mark.parametrize(("text", "where"), [
    ("schema_version = 2\nversion='x'\n[[signals]]\nname='pd'\nthresholds=[{min=0.1, level='red'}]", "schema_version"),
    ("schema_version = 1\nversion='x'\n[[signals]]\nname='nope'\nthresholds=[{min=1, level='red'}]", "signals[0].name"),
    ("schema_version = 1\nversion='x'\n[[signals]]\nname='pd'\nthresholds=[{min=0.2, level='red'}, {min=0.1, level='blue'}]",
     "signals[0].thresholds"),
    ("schema_version = 1\nversion='x'\n[[signals]]\nname='pd'\nthresholds=[{min=-1, level='red'}]", "signals[0].thresholds[0].min"),
    ("schema_version = 1\nversion='x'\n[[signals]]\nname='pd'\nthresholds=[{min=1, level='purple'}]", "signals[0].thresholds[0].level"),
    ("schema_version = 1\nversion='x'\n[[signals]]\nname='pd'\nthresholds=[{min=1, level='red'}]\n"
     "[[escalation]]\nlevel='red'\nsignals=2\nto='yellow'", "escalation[0].to"),
    ("not toml [", ""),
])
def test_bad_rule_sets_are_refused_with_where_and_why(text, where):
    with pytest.raises(RuleSetError) as exc:
        load_rules(text)
    assert where in [w for w, _reason in exc.value.problems]


def test_default_rules_carry_their_version():
    assert (RULES.version, RULES.as_json()["schema_version"]) == ("2026.2", 1)
    assert check_rules(RULES.as_json() | {"signals": RULES.as_json()["signals"]}).version == "2026.2"


def test_evaluate_counts_precision_recall_and_lead_time():
    levels = np.array([0, 1, 2, 4, 4, 0])
    baseline = np.array([False, False, True, True, False, True])
    months = [None, 3, None, 5, 7, 2]
    out = evaluate(levels, baseline, months)
    assert (out["defaults"], out["base_rate"]) == (4, 0.6667)
    red = out["levels"][3]
    assert red == {"level": "red", "flagged": 2, "hits": 2, "precision": 1.0, "recall": 0.5,
                   "lead_mean": 6.0, "lead_median": 6.0}
    blue = out["levels"][0]
    assert (blue["flagged"], blue["hits"], blue["recall"]) == (4, 3, 0.75)
    assert out["baseline"] == {"level": "overdue_only", "flagged": 3, "hits": 2, "precision": 0.6667,
                               "recall": 0.5, "lead_mean": 3.5, "lead_median": 3.5}
