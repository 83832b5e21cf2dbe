"""The supervision engine: rule data, report validation (every error with row, field and code),
the ratios and breaches in one Polars batch, and the CAMEL+RR rating. Figures are synthetic."""

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.engine.supervision.camel import headroom_score, rate
from kechuang.engine.supervision.ratios import compute
from kechuang.engine.supervision.rules import RuleSetError, check_rules, load_rules, terms
from kechuang.engine.supervision.validate import validate_reports

RULES = load_rules()
TODAY = dt.date(2026, 12, 4)


def guarantor_row(**over):
    row = {"sheet": "融资担保公司", "row": 2, "licence_no": "G-1", "licence_type": "融资担保公司",
           "frequency": "季报", "period_end": "2026-09-30",
           "total_assets": 1_000_000_000, "total_liabilities": 200_000_000, "net_assets": 800_000_000,
           "receivable_compensation": 0, "level1_assets": 400_000_000, "level2_assets": 400_000_000,
           "level3_assets": 200_000_000, "cash": 300_000_000, "guarantee_outstanding": 6_000_000_000,
           "guarantee_liability": 5_000_000_000, "small_micro_agri_outstanding": 3_000_000_000,
           "largest_client_liability": 40_000_000, "largest_group_liability": 60_000_000,
           "related_party_liability": 0, "controlling_shareholder_liability": 0, "compensation_paid": 10_000_000,
           "guarantee_released": 1_000_000_000, "net_profit": 20_000_000}
    row.update(over)
    return row


def run(rows, existing=()):
    return validate_reports(rows, RULES, today=TODAY, orgs={"G-1": "guarantor", "M-1": "microlender"},
                            existing=set(existing))


def test_packaged_rules_cite_a_document_for_every_limit():
    for t in RULES.types.values():
        for ind in t.indicators:
            if ind.is_limit:
                assert ind.document and ind.certainty in ("confirmed", "provisional"), (t.code, ind.code)
    lev = next(i for i in RULES.types["guarantor"].indicators if i.code == "leverage")
    assert (lev.max, lev.alt_max, lev.article) == (10, 15, "第十五条")


def test_a_bad_rule_set_names_every_problem():
    with pytest.raises(RuleSetError) as exc:
        check_rules({"schema": 1, "version": "x", "types": {"t": {"fields": [["a", "A"]], "indicators": [
            {"code": "r", "num": "a + zz", "unit": "parsec", "component": "capital", "max": 1}]}},
            "rating": {"weights": {"capital": 1}}})
    wheres = {w for w, _r in exc.value.problems}
    assert {"types.t.indicators[0].num", "types.t.indicators[0].unit", "types.t.indicators[0]",
            "rating.weights"} <= wheres


def test_terms_parse_sums_and_differences():
    assert terms("a + b - c") == ((1, "a"), (1, "b"), (-1, "c"))
    with pytest.raises(ValueError):
        terms("a +")


def test_a_clean_row_passes_with_decimal_figures():
    records, errors = run([guarantor_row()])
    assert errors == []
    assert records[0]["figures"]["net_assets"] == Decimal("800000000.00")
    assert records[0]["frequency"] == "quarterly" and records[0]["licence_type"] == "guarantor"


@pytest.mark.parametrize(("over", "field", "code"), [
    ({"net_assets": 700_000_000}, "net_assets", "subtotal"),                  # assets - liabilities ≠ net
    ({"level3_assets": 100_000_000}, "level1_assets", "subtotal"),           # asset classes do not add up
    ({"largest_client_liability": 90_000_000}, "largest_client_liability", "subtotal"),  # single > group
    ({"cash": -5}, "cash", "negative"),
    ({"total_liabilities": "abc"}, "total_liabilities", "not_number"),
    ({"guarantee_liability": ""}, "guarantee_liability", "missing"),
    ({"licence_type": "外星银行"}, "licence_type", "unknown_type"),
    ({"licence_type": "小额贷款公司"}, "licence_type", "type_mismatch"),
    ({"licence_no": "X-9"}, "licence_no", "unknown_org"),
    ({"period_end": "2026-08-31"}, "period_end", "bad_period"),             # not a quarter end
    ({"period_end": "2026-12-31"}, "period_end", "future_period"),
    ({"frequency": "年报"}, "frequency", "bad_frequency"),
])
def test_each_bad_value_is_an_error_with_row_and_field(over, field, code):
    records, errors = run([guarantor_row(**over)])
    assert records == []
    assert {"row": 2, "field": field, "code": code} in [{k: e[k] for k in ("row", "field", "code")} for e in errors]


def test_a_period_twice_in_the_file_or_already_stored_is_refused():
    _r, errors = run([guarantor_row(), guarantor_row(row=3)])
    assert [(e["row"], e["code"]) for e in errors] == [(3, "duplicate_in_file")]
    _r, errors = run([guarantor_row()], existing=[("G-1", "quarterly", dt.date(2026, 9, 30))])
    assert [e["code"] for e in errors] == ["already_reported"]


def test_ratios_and_breaches_with_the_raised_guarantor_limit():
    base = {"licence_type": "guarantor"}
    fine = run([guarantor_row()])[0][0]["figures"]
    # leverage 6.25×, small share 50 %: within 10×; then 12.5× with 50 % share → breach of 10×;
    # 12.5× with 90 % share → within the raised 15×
    over = dict(fine, guarantee_liability=Decimal(10_000_000_000))
    smallish = dict(over, small_micro_agri_outstanding=Decimal(5_400_000_000))
    out = compute([dict(base, figures=fine), dict(base, figures=over), dict(base, figures=smallish)], RULES)
    assert out[0]["values"]["leverage"] == pytest.approx(6.25)
    assert [b["code"] for b in out[0]["breaches"]] == []
    lev = [b for b in out[1]["breaches"] if b["code"] == "leverage"]
    assert lev and lev[0]["limit"] == 10 and lev[0]["value"] == pytest.approx(12.5) and lev[0]["article"] == "第十五条"
    assert not [b for b in out[2]["breaches"] if b["code"] == "leverage"]


def test_microlender_limits_and_online_rules():
    figs = {"total_assets": 500, "total_liabilities": 100, "net_assets": 400, "net_assets_prev_year_end": 400,
            "cash": 50, "loans_outstanding": 400, "overdue_loans": 10, "nonstandard_borrowing": 500,
            "standard_borrowing": 0, "largest_borrower_balance": 50, "largest_group_balance": 50,
            "online_loans_outstanding": 20, "online_licensed": 0, "max_consumer_loan_single": 0,
            "max_business_loan_single": 0, "net_profit": 5}
    out = compute([{"licence_type": "microlender", "figures": {k: Decimal(v) for k, v in figs.items()}}], RULES)[0]
    codes = {b["code"] for b in out["breaches"]}
    assert codes == {"nonstandard_leverage", "single_borrower", "online_unlicensed"}
    assert out["values"]["single_borrower"] == pytest.approx(0.125)


def test_zero_net_assets_with_liability_breaches_rather_than_dividing():
    figs = {f: Decimal(0) for f in RULES.types["guarantor"].field_names}
    figs["guarantee_liability"] = Decimal(100)
    out = compute([{"licence_type": "guarantor", "figures": figs}], RULES)[0]
    assert out["values"]["leverage"] is None
    assert "leverage" in {b["code"] for b in out["breaches"]}


def test_headroom_score_bands():
    assert headroom_score(5, 10, True) == 100
    assert headroom_score(10, 10, True) == 60
    assert headroom_score(15, 10, True) == 0
    assert headroom_score(0.35, 0.7, False) == 0  # half the minimum
    assert headroom_score(None, 10, True, num=1) == 0


def test_rating_falls_with_breaches_findings_and_status():
    trules, cfg = RULES.types["guarantor"], RULES.rating
    fig = run([guarantor_row()])[0][0]["figures"]
    res = compute([{"licence_type": "guarantor", "figures": fig}], RULES)[0]
    good = rate(trules=trules, values=res["values"], breaches=res["breaches"], cfg=cfg, status="normal",
                open_findings=0, overdue_rectifications=0)
    bad = rate(trules=trules, values=res["values"], breaches=res["breaches"] + [{"binding": True}] * 2, cfg=cfg,
               status="rectifying", open_findings=2, overdue_rectifications=1)
    assert set(good["components"]) == {"capital", "asset", "management", "earnings", "liquidity", "compliance"}
    assert good["score"] > bad["score"]
    assert int(good["grade"]) < int(bad["grade"])
    assert bad["components"]["management"] == 100 - 2 * 10 - 25 - 2 * 5


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e400", "1e16"])
def test_implausible_amounts_are_not_numbers(value):
    _r, errors = run([guarantor_row(cash=value)])
    assert [(e["field"], e["code"]) for e in errors] == [("cash", "not_number")]
