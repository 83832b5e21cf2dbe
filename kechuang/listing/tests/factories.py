"""Test data for the listing app: enterprises with the listing facts, learned today."""

from __future__ import annotations

from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, record

HNTE = [{"kind": "hnte", "valid_from": "2025-01-01", "valid_to": "2027-12-31"}]


def listing_record(n: int, region: str = "370102", *, deducted=(1_800_000, 2_200_000, 2_800_000), **overrides) -> dict:
    """The enterprises factory's record (revenue 4,200万 in 2025, profit 310万) with 扣非净利润,
    operating cash flow and a dated market value of 5亿 (no board met: profits are far too small)."""
    rec = record(n, region, certificates=HNTE, incidents=[], equity_financing=[],
                 expected_market_value=500_000_000, market_value_basis="recent_financing",
                 market_value_date="2026-09-30")
    for y, d in zip(rec["years"], deducted, strict=True):
        y["net_profit_deducted"] = d
        y["operating_cash_flow"] = 3_000_000
        y["weighted_roe"] = 0.07
    rec.update(overrides)
    return rec


def enterprises(*recs: dict) -> list[Enterprise]:
    load(list(recs))
    return [Enterprise.objects.get(uscc=r["uscc"]) for r in recs]
