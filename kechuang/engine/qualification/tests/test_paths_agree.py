"""Property: the vectorised batch path and the one-enterprise path give the same results."""

from __future__ import annotations

import datetime as dt

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kechuang.engine.qualification import (
    batch_to_results,
    evaluate_batch,
    evaluate_record,
    records_to_frame,
)
from kechuang.engine.qualification.schema import IP_TYPES

maybe = lambda s: st.one_of(st.none(), s)  # noqa: E731
money = st.one_of(st.integers(-10, 3_000_000_000), st.floats(0, 3e9, allow_nan=False), st.sampled_from([0, 5e7, 2e8, 1e7]))
staff = st.integers(-1, 800)
dates = st.dates(dt.date(2015, 1, 1), dt.date(2027, 12, 31))

year = st.fixed_dictionaries({"year": st.integers(2021, 2026)}, optional={
    "employees": maybe(staff), "tech_staff": maybe(staff), "rd_staff": maybe(staff),
    "operating_revenue": maybe(money), "main_business_revenue": maybe(money), "sales_revenue": maybe(money),
    "total_income": maybe(money), "non_taxable_income": maybe(money), "high_tech_revenue": maybe(money),
    "rd_expense": maybe(money), "rd_expense_domestic": maybe(money), "cost_expense_total": maybe(money),
    "total_assets": maybe(money), "total_liabilities": maybe(money),
    "net_profit": maybe(st.floats(-1e8, 1e8, allow_nan=False)), "tech_conversions": maybe(st.integers(0, 9)),
})
ip = st.fixed_dictionaries({"type": st.sampled_from([*IP_TYPES, "trademark"])}, optional={
    "granted_on": maybe(dates.map(str)), "acquisition": maybe(st.sampled_from(["self_developed", "transferred", "gifted", "merger"])),
    "acquired_on": maybe(dates.map(str)), "main_product_related": maybe(st.booleans()),
    "industrializable": maybe(st.booleans()), "high_value": maybe(st.booleans()), "used_in_hnte": maybe(st.booleans()),
})
level = st.sampled_from(["national", "provincial", "international", "industry"])
record = st.fixed_dictionaries({"uscc": st.just("91370100MA3C00000X"), "name": st.just("x")}, optional={
    "registered_on": maybe(dates.map(str)), "region_code": maybe(st.sampled_from(["370112", "110105"])),
    "resident_enterprise": maybe(st.booleans()), "restricted_industry": maybe(st.booleans()),
    "hnte_field": maybe(st.booleans()), "strategic_emerging": maybe(st.booleans()), "star_market_sector": maybe(st.booleans()),
    "niche_years": maybe(st.integers(0, 12)), "market_share": maybe(st.floats(0, 1)), "market_rank_cn": maybe(st.integers(1, 20)),
    "rd_institution_level": maybe(st.sampled_from(["national", "provincial", "municipal", "below_municipal", "none"])),
    "digital_level": maybe(st.integers(1, 4)), "srdi_platform_score": maybe(st.floats(0, 100)),
    "quality_items": maybe(st.lists(st.sampled_from(["provincial_quality_award", "quality_system_cert", "own_brand", "standard_drafting"]), max_size=4)),
    "years": maybe(st.lists(year, max_size=4)), "ip": maybe(st.lists(ip, max_size=8)),
    "equity_financing": maybe(st.lists(st.fixed_dictionaries({"date": maybe(dates.map(str)), "amount": maybe(money), "qualified_investor": maybe(st.booleans())}), max_size=3)),
    "awards": maybe(st.lists(st.fixed_dictionaries({"level": level, "year": st.integers(2019, 2026), "rank": maybe(st.integers(1, 8))}), max_size=2)),
    "standards_led": maybe(st.lists(st.fixed_dictionaries({"level": level, "year": st.integers(2019, 2026), "rank": st.integers(1, 8)}), max_size=2)),
    "maker_china": maybe(st.lists(st.fixed_dictionaries({"year": st.integers(2021, 2026), "top": st.sampled_from([50, 500])}), max_size=2)),
    "certificates": maybe(st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["hnte", "tsme", "srdi_sme", "innovative_sme"]),
                                                          "valid_from": dates.map(str), "valid_to": maybe(dates.map(str))}), max_size=3)),
    "incidents": maybe(st.lists(st.fixed_dictionaries({"kind": st.sampled_from(["major_safety_accident", "serious_dishonesty_list"]),
                                                       "date": maybe(dates.map(str))}), max_size=2)),
    "expert_scores": maybe(st.dictionaries(st.sampled_from(["hnte.ia.ip.advanced", "hnte.ia.conversion", "hnte.ia.ip.quantity.class1",
                                                            "srdi22.special", "star.x1", "gz.6", "hnte.ia.growth.sales"]),
                                           st.one_of(st.integers(0, 30), st.booleans()), max_size=4)),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=st.lists(record, min_size=1, max_size=4),
       as_of=st.sampled_from(["2026-11-22", "2026-03-31", "2026-04-01", "2024-04-29", "2025-06-30"]),
       details=st.sampled_from(["json", "columns"]))
def test_batch_and_record_paths_agree(records, as_of, details):
    # Given random records (with gaps, nulls, impossible values), when both paths evaluate them
    # (the batch path with JSON or columnar clause details)
    batch = evaluate_batch(records_to_frame(records), as_of, details=details)
    from_batch = sorted(batch_to_results(batch, records), key=lambda r: (r["version"],))
    # then each enterprise's results are identical, gaps included
    for i, rec in enumerate(records):
        one = evaluate_record(rec, as_of)
        mine = [r for r, row in zip(batch_to_results(batch, records), batch["row"].to_list(), strict=True) if row == i]
        assert sorted(mine, key=lambda r: r["version"]) == sorted(one, key=lambda r: r["version"])
    assert len(from_batch) == len(records) * len({r["version"] for r in from_batch})


def test_batch_accepts_arrow_and_returns_arrow():
    from .records import base
    table = records_to_frame([base()]).to_arrow()
    out = evaluate_batch(table, "2026-11-22", ["tsme"], arrow=True)
    assert (out.num_rows, out.column("status").to_pylist(), out.column("score").to_pylist()) == (1, ["met"], [100.0])


def test_columnar_details_are_explained_by_the_catalog():
    from kechuang.engine.qualification import clause_catalog

    from .records import base
    out = evaluate_batch(records_to_frame([base()]), "2026-11-22", ["tsme"], details="columns")
    cat = clause_catalog(["tsme"], "2026-11-22")
    row = out.row(0, named=True)
    assert "clauses" not in out.columns
    assert len(row["clause_status"]) == cat.height
    assert len(row["clause_value"]) == cat["value_index"].drop_nulls().len()
    assert len(row["clause_min"]) == len(row["clause_max"]) == cat["points_index"].drop_nulls().len()
    # every clause: status and value from the row, threshold and article from the catalog
    [one] = evaluate_record(base(), "2026-11-22", ["tsme"])
    expected = {c["id"]: c for c in one["clauses"]}
    kinds = set()
    for c in cat.iter_rows(named=True):
        e = expected[c["id"]]
        assert ("met", "manual_review", "unknown", "unmet")[row["clause_status"][c["position"]]] == e["status"]
        assert c["source"] == e["source"] and c["title"] == e["title"]
        if c["kind"] == "condition":
            assert row["clause_value"][c["value_index"]] == e["value"]
            assert orjson.loads(c["threshold"]) == e["threshold"]
        elif c["kind"] == "score":  # the threshold reached is the lower edge of the value's band
            v = row["clause_value"][c["value_index"]]
            band = next(b for b in orjson.loads(c["threshold"]) if v >= b[0] and (b[1] is None or v < b[1]))
            assert (v, band[0], band[2]) == (e["value"], e["threshold"], e["points"])
            assert row["clause_min"][c["points_index"]] == e["points"]
        kinds.add(c["kind"])
    assert {"condition", "score"} <= kinds


def test_unknown_details_mode_is_refused():
    import pytest

    from .records import base
    with pytest.raises(ValueError, match="details must be one of"):
        evaluate_batch(records_to_frame([base()]), "2026-11-22", details="xml")
