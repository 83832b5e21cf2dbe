"""The listing engine: board standards, pool tiers (both paths), milestone order, awards."""

import datetime as dt
from decimal import Decimal

import pytest

from kechuang.engine.listing import (awards_due, load_awards, load_pool_rules, movement, place, place_batch,
                                     pool_features, sequence_problem)
from kechuang.engine.qualification import (RuleError, evaluate_batch, evaluate_record, listing_registry,
                                           records_to_frame)

AS_OF = dt.date(2026, 11, 30)


def _firm(uscc="X1", mv=2.5e9, mv_date="2026-06-30", **years0):
    y0 = {"year": 2025, "operating_revenue": 3.5e8, "net_profit": 5e7, "net_profit_deducted": 4e7,
          "operating_cash_flow": 4e7, "rd_expense": 2e7, "weighted_roe": 0.10} | years0
    return {"uscc": uscc, "registered_on": "2015-01-01", "region_code": "370112",
            "expected_market_value": mv, "market_value_date": mv_date,
            "years": [y0,
                      {"year": 2024, "operating_revenue": 2.5e8, "net_profit": 3e7, "net_profit_deducted": 2e7,
                       "operating_cash_flow": 4e7, "rd_expense": 2e7, "weighted_roe": 0.09},
                      {"year": 2023, "operating_revenue": 2e8, "operating_cash_flow": 3e7, "rd_expense": 1e7}],
            "certificates": [{"kind": "hnte", "valid_from": "2024-01-01", "valid_to": "2026-12-31"}],
            "incidents": [], "equity_financing": []}


def _status(rec):
    return {r["standard"]: r["status"] for r in evaluate_record(rec, AS_OF, registry=listing_registry())}


def test_boards_given_a_profitable_firm_then_each_standard_by_its_own_numbers():
    # star 4: 25亿 < 30亿 → no; star 3: mv 20亿+, rev 3.5亿, 3y cash 1.1亿 → met
    # chinext 1: 2y profit (lower of before/after) 4000万+2000万 = 6000万 < 1亿 → unmet; 2: rev 3.5亿 < 4亿 → unmet;
    # 3: mv 25亿 < 50亿 → unmet.  bse 1b: profit 4000万 ≥ 2500万, ROE 10% → met
    assert _status(_firm()) == {"star-listing": "met", "chinext-listing": "unmet", "bse-listing": "met"}


def test_missing_market_value_is_unknown_naming_the_fact_not_unmet():
    res = evaluate_record(_firm(mv=None), AS_OF, ["star-listing"], registry=listing_registry())[0]
    assert res["status"] == "unknown"
    assert res["gaps"][0]["clause"] == "star-listing.1a.mv"
    assert "expected_market_value" in res["gaps"][0]["needed"]


def test_a_market_value_older_than_a_year_is_unknown():
    assert _status(_firm(mv_date="2025-11-30"))["star-listing"] == "unknown"
    assert _status(_firm(mv_date="2025-12-01"))["star-listing"] == "met"


def test_net_profit_is_the_lower_of_before_and_after_non_recurring_items():
    # bse 1b needs 2500万: net profit 3000万 but 扣非 2400万 → the lower (2400万) fails it; 1a: 2400万/2000万 ≥ 1500万
    # and average ROE (10% + 9%) / 2 ≥ 8% → still met through 1a
    rec = _firm(net_profit=3e7, net_profit_deducted=2.4e7)
    res = evaluate_record(rec, AS_OF, ["bse-listing"], registry=listing_registry())[0]
    clauses = {c["id"]: c["status"] for c in res["clauses"]}
    assert (clauses["bse-listing.1b.profit"], clauses["bse-listing.1a"], res["status"]) == ("unmet", "met", "met")


def test_chinext_gap_names_the_revenue_needed():
    res = evaluate_record(_firm(), AS_OF, ["chinext-listing"], registry=listing_registry())[0]
    assert res["gaps"] == [{"clause": "chinext-listing.2.revenue",
                            "needed": "上年度营业收入增加 ¥5,000.0万（years[2025].operating_revenue） / "
                                      "¥50.00M more operating revenue (years[2025].operating_revenue)"}]


def test_chinext_versions_switch_on_2024_04_30():
    reg = listing_registry()
    assert reg.resolve("chinext-listing", dt.date(2024, 4, 29)).id == "chinext-listing-2020"
    assert reg.resolve("chinext-listing", dt.date(2024, 4, 30)).id == "chinext-listing-2024"


def test_batch_path_equals_record_path_on_boards():
    recs = [_firm("A"), _firm("B", mv=None), _firm("C", net_profit=-1e6), _firm("D", mv=6e9, operating_revenue=5e8)]
    batch = evaluate_batch(records_to_frame(recs), AS_OF, registry=listing_registry(), details="none")
    got = {(recs[r]["uscc"], s): st for r, s, st in batch.select("row", "standard", "status").iter_rows()}
    want = {(rec["uscc"], s): st for rec in recs for s, st in _status(rec).items()}
    assert got == want


def test_pool_placement_both_paths_agree_and_follow_milestones():
    rules = load_pool_rules()
    recs = [_firm("A"), _firm("B", operating_revenue=1e7, net_profit=-1e6), _firm("C"), _firm("D", net_profit=-5e6)]
    recs[2]["incidents"] = [{"kind": "serious_dishonesty_list", "date": "2026-03-01"}]
    feats = pool_features(records_to_frame(recs), AS_OF, milestone_rank=[0, 0, 2, 1])
    batch = place_batch(rules, feats)
    one = [place(rules, row) for row in feats.to_dicts()]
    assert batch["ladder_tier"].to_list() == [p["ladder"]["tier"] for p in one]
    assert batch["srdi_board_tier"].to_list() == [p["srdi_board"]["tier"] for p in one]
    # A: hnte, revenue 3.5亿, star+bse met, profit > 0 → 培育; B: a loss and revenue 1000万 → no board, not even 储备
    # C: an incident in the last 2 years → out whatever its milestones; D: 股改 done but a loss → 储备
    assert batch["ladder_tier"].to_list() == ["cultivate", None, None, "reserve"]
    assert one[1]["ladder"]["unmet"] == ["reserve.revenue"]


@pytest.mark.parametrize(("before", "after", "want"), [
    (0, 1, "entered"), (1, 2, "promoted"), (3, 1, "demoted"), (2, 0, "exited"), (2, 2, "stayed"), (0, 0, "out")])
def test_movement(before, after, want):
    assert movement(before, after) == want


def test_pool_rules_errors_are_listed_together():
    bad = {"schema": 2, "id": "x", "title_zh": "x", "source": "s", "tracks": [{"id": "t", "tiers": [
        {"id": "a", "rank": 1, "title": "A", "entry": [{"id": "c1", "kind": "condition", "title": "c",
                                                        "feature": "nope", "op": ">=", "value": 1}]},
        {"id": "b", "rank": 1, "title": "B", "entry": [{"id": "c2", "kind": "condition", "title": "c",
                                                        "feature": "hnte", "op": ">=", "value": 1}]}]}]}
    with pytest.raises(RuleError) as exc:
        load_pool_rules(bad)
    text = str(exc.value)
    for part in ("schema must be 1", "unknown feature 'nope'", "rank 1 is used twice", "does not fit the bool feature hnte"):
        assert part in text


TODAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(("recorded", "kind", "on", "code"), [
    ({}, "joint_stock", dt.date(2025, 1, 1), None),
    ({}, "tutoring", dt.date(2025, 1, 1), "out_of_order"),
    ({"joint_stock": dt.date(2025, 6, 1)}, "tutoring", dt.date(2025, 5, 31), "out_of_order"),
    ({"joint_stock": dt.date(2025, 6, 1)}, "tutoring", dt.date(2025, 6, 1), None),
    ({"joint_stock": dt.date(2025, 6, 1), "tutoring": dt.date(2025, 7, 1)}, "joint_stock", dt.date(2025, 1, 1), "milestone_exists"),
    ({"joint_stock": dt.date(2025, 6, 1), "tutoring": dt.date(2025, 7, 1)}, "application", dt.date(2026, 12, 1), "future_date"),
    ({"joint_stock": dt.date(2025, 6, 1)}, "listed", dt.date(2026, 1, 1), "out_of_order"),
    ({}, "ipo", dt.date(2026, 1, 1), "bad_milestone"),
])
def test_milestone_order(recorded, kind, on, code):
    problem = sequence_problem(recorded, kind, on, TODAY)
    assert (problem[0] if problem else None) == code


def test_a_milestone_after_a_later_one_is_refused():
    recorded = {"joint_stock": dt.date(2025, 6, 1), "tutoring": dt.date(2025, 7, 1), "application": dt.date(2025, 9, 1)}
    assert sequence_problem({k: v for k, v in recorded.items() if k != "tutoring"} | {"application": dt.date(2025, 9, 1)},
                            "tutoring", dt.date(2025, 8, 1), TODAY)[0] == "out_of_order"


def test_awards_follow_region_and_milestone():
    sched = load_awards()
    zibo = awards_due(sched, region_code="370303", milestones={"listed": dt.date(2026, 3, 1)})
    assert [(a["award"], a["amount_max"]) for a in zibo] == [("zibo-ipo", Decimal("10000000"))]
    jinan = awards_due(sched, region_code="370112", milestones={"listed": dt.date(2026, 3, 1)})
    assert [(a["award"], a["amount_max"]) for a in jinan] == [("jinan-direct-financing", None)]
    assert awards_due(sched, region_code="370303", milestones={"registration": dt.date(2026, 3, 1)}) == []


def test_award_schedule_errors():
    with pytest.raises(RuleError) as exc:
        load_awards({"schema": 1, "awards": [{"id": "a", "region": "37x", "milestone": "ipo", "amount_max": -1}]})
    text = str(exc.value)
    for part in ("region must be", "unknown milestone 'ipo'", "amount_max must be", "missing document"):
        assert part in text


def test_a_future_or_negative_market_value_is_reported_and_read_as_missing():
    from kechuang.engine.qualification import check_record

    issues = check_record(_firm(mv=-5.0, mv_date="2026-12-31"), AS_OF)
    assert [(i["fact"], i["code"]) for i in issues] == [("market_value_date", "future_date"),
                                                        ("expected_market_value", "negative")]
    assert _status(_firm(mv_date="2026-12-31"))["star-listing"] == "unknown"
    batch = evaluate_batch(records_to_frame([_firm(mv_date="2026-12-31")]), AS_OF, ["star-listing"],
                           registry=listing_registry(), details="none")
    assert batch["status"].to_list() == ["unknown"]
