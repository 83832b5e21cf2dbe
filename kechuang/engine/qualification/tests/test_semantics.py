"""Clause semantics: edge rules of the growth rates, IP classes, look-backs, bad input, what-if, ladder."""

from __future__ import annotations

import pytest

from kechuang.engine.qualification import (
    apply_changes,
    check_record,
    evaluate_record,
    ladder,
    what_if,
)
from kechuang.engine.qualification.features import compute_row
from kechuang.engine.qualification.schema import Context, record_to_row

from .records import AS_OF, base, invention, utility, with_year, year

CTX = Context(__import__("datetime").date(2026, 11, 22))


def feats(rec, *names):
    row, _ = record_to_row(rec, CTX)
    return compute_row(row, CTX, list(names))


@pytest.mark.parametrize(("label", "sales", "registered", "expected"), [
    ("three years", (40, 50, 62.5), "2018-01-01", 0.25),
    ("first year zero: last two years only", (0, 50, 62.5), "2018-01-01", 0.25),
    ("second year zero: 0", (40, 0, 62.5), "2018-01-01", 0.0),
    ("two years of operation", (None, 50, 60), "2024-03-01", 0.2),
    ("one year of operation", (None, None, 60), "2025-03-01", 0.0),
])
def test_hnte_growth_edge_rules(label, sales, registered, expected):
    years = [year(y, sales_revenue=s and s * 1e6) for y, s in zip((2023, 2024, 2025), sales, strict=True) if s is not None or y == 2025]
    rec = base(registered_on=registered, years=years)
    assert feats(rec, "hnte_sales_growth")["hnte_sales_growth"] == pytest.approx(expected, abs=1e-12)


def test_ip_classes_and_used_in_hnte():
    rec = base(ip=[invention(), invention(type="ic_layout"), utility(used_in_hnte=True), utility(),
                   {"type": "trademark", "granted_on": "2020-01-01", "main_product_related": True},
                   invention(granted_on="2027-01-01")])
    f = feats(rec, "ip1_main", "ip2_main", "ip2_main_unused_hnte")
    assert (f["ip1_main"], f["ip2_main"], f["ip2_main_unused_hnte"]) == (2, 2, 1)


def test_unknown_item_attribute_makes_a_count_a_range_not_a_silent_zero():
    rec = base(ip=[invention(main_product_related=None)])
    f = feats(rec, "ip1_main")
    assert (f["ip1_main"], f["ip1_main__hi"]) == (0, 1)
    hnte, tsme = evaluate_record(rec, AS_OF, ["hnte", "tsme"])
    assert {c["id"]: c for c in hnte["clauses"]}["hnte.11.2"]["status"] == "unknown"
    clause = {c["id"]: c for c in tsme["clauses"]}["tsme.7.3.1"]
    # the score is 70 or 100 either way, so tsme is met; the clause itself stays unknown
    assert (tsme["status"], tsme["score_range"], clause["status"], clause["points"]) == ("met", [70, 100], "unknown", [0, 30])


def test_bad_input_is_reported_and_the_fact_becomes_unknown():
    rec = with_year(base(ip=[invention(), {"type": "patent", "granted_on": "2020-01-01"}]), 2025,
                    tech_staff=120, rd_expense=-5)
    issues = check_record(rec, AS_OF)
    assert [(i["fact"], i["code"]) for i in issues] == [
        ("years[2025].rd_expense", "negative"), ("years[2025].tech_staff", "exceeds_employees"),
        ("ip[1].type", "unknown_ip_type")]
    assert issues[1]["message_en"] == "years[2025].tech_staff (120) is greater than employees (100)"
    (res,) = evaluate_record(rec, AS_OF, ["tsme"])
    assert res["status"] == "unknown"
    assert {"clause": "tsme.7.1", "needed":
            "缺少事实：years[2025].tech_staff（2025年 tech_staff (120) 大于职工总数 (100)） / missing fact(s): "
            "years[2025].tech_staff (years[2025].tech_staff (120) is greater than employees (100))"} in res["gaps"]


def test_future_registration_date_is_reported():
    issues = check_record(base(registered_on="2027-01-01"), AS_OF)
    assert [(i["fact"], i["code"]) for i in issues] == [("registered_on", "future_date")]


def test_gap_gives_rd_amount_in_yuan():
    # R&D/sales 3.4% needs 4.0% for 30 points... tsme passes elsewhere; use 小巨人 2022 R&D 6% band instead
    rec = with_year(base(), 2025, rd_expense=340_000)
    (res,) = evaluate_record(rec, AS_OF, ["srdi-sme-2026"])
    gap = {g["clause"]: g["needed"] for g in res["gaps"]}
    assert gap["srdi26.6.y0"] == ("上年度研发费用增加 ¥66.0万（years[2025].rd_expense） / "
                                  "¥660.0K more R&D (years[2025].rd_expense)")


def test_what_if_shows_the_change():
    rec = with_year(base(), 2025, tech_staff=9)
    out = what_if(rec, {"years[2025].tech_staff": 11}, AS_OF, ["tsme"])
    assert out["changed"] == [{"standard": "tsme", "version": "tsme-2017", "before": "unmet", "after": "met",
                               "score_before": 80, "score_after": 84}]


def test_apply_changes_paths():
    rec = apply_changes(base(), {"years[2022].employees": 5, "ip[+]": utility(), "ip[0].high_value": True, "niche_years": 1})
    assert [y["year"] for y in rec["years"]] == [2025, 2024, 2023, 2022]
    assert (len(rec["ip"]), rec["ip"][0]["high_value"], rec["niche_years"]) == (2, True, 1)


def test_ladder_tiers_and_flags():
    results = evaluate_record(base(certificates=[{"kind": "hnte", "valid_from": "2025-01-01", "valid_to": "2027-12-31"}]), AS_OF)
    lad = ladder(results)
    assert (lad["tier"], lad["tier_rank"]) == ("tech-innovative-sme", 1)
    assert lad["flags"] == {"hnte": False, "star_market": False, "gazelle": False}
    assert lad["next"]["standard"] == "srdi-sme"
    assert lad["versions"]["little-giant"] == "little-giant-2026"
