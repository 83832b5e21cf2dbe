"""Policy simulation (issue 13, point 5): what a proposed change of a programme (rate, caps,
eligibility) would cost, whom it would reach, and who gains or loses, by district and tier, before
it is adopted.

The current and the proposed programme run through the same batch path over the same population,
each together with the other programmes of its exclusive group (就高不重复 decides which programme
pays a subject, so a change can move claims between them); programmes of other groups stack and do
not change. Per enterprise the amounts of the group are summed before and after; the frame of
differences is then grouped by district and tier.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from .claims import claims_batch
from .programme import Programme, load_programme

GROUPS = ("region_code", "tier")


def propose(current: Programme, changes: dict[str, Any]) -> Programme:
    """The programme with ``changes`` applied (``formula``, ``cap_per_claim``,
    ``cap_per_claimant_year``, ``eligibility``, …) as the next version, checked like any rule data."""
    doc = {**current.raw, **changes, "version": current.version + 1}
    for key in ("cap_per_claim", "cap_per_claimant_year"):
        if doc.get(key) is None:
            doc.pop(key, None)
    return load_programme(doc)


def simulate(current: Programme, proposed: Programme, others: list[Programme], year: int, as_of: dt.date, *,
             loans: pl.DataFrame, losses: pl.DataFrame, certs: pl.DataFrame, enterprises: pl.DataFrame,
             by: tuple[str, ...] = GROUPS) -> dict[str, Any]:
    """Cost, enterprises reached and gainers/losers of replacing ``current`` by ``proposed``.

    ``others``: every other programme (only those of the same exclusive group take part). Returns
    ``{"before", "after", "delta", "reached_before", "reached_after", "gainers", "losers",
    "by_group": DataFrame}`` (yuan as floats; the group frame has one row per district/tier)."""
    group = [p for p in others if p.exclusive_group == current.exclusive_group and p.id != current.id]
    frames = dict(loans=loans, losses=losses, certs=certs, enterprises=enterprises)
    before = claims_batch([*group, current], year, as_of, **frames)
    after = claims_batch([*group, proposed], year, as_of, **frames)

    def per_enterprise(claims: pl.DataFrame, name: str) -> pl.DataFrame:
        return claims.group_by("enterprise_id").agg(pl.col("amount").sum().alias(name))

    diff = (per_enterprise(before, "before").join(per_enterprise(after, "after"), on="enterprise_id", how="full",
                                                 coalesce=True)
            .with_columns(pl.col("before").fill_null(0.0), pl.col("after").fill_null(0.0))
            .with_columns((pl.col("after") - pl.col("before")).round(2).alias("delta")))
    cols = [c for c in by if c in enterprises.columns]
    diff = diff.join(enterprises.select("enterprise_id", *cols), on="enterprise_id", how="left")
    by_group = (diff.group_by(cols).agg(
        pl.col("before").sum().round(2), pl.col("after").sum().round(2), pl.col("delta").sum().round(2),
        (pl.col("before") > 0).sum().alias("reached_before"), (pl.col("after") > 0).sum().alias("reached_after"),
        (pl.col("delta") > 0).sum().alias("gainers"), (pl.col("delta") < 0).sum().alias("losers"))
        .sort(cols, nulls_last=True)) if cols else pl.DataFrame()
    return {
        "before": round(float(before["amount"].sum()), 2), "after": round(float(after["amount"].sum()), 2),
        "delta": round(float(after["amount"].sum() - before["amount"].sum()), 2),
        "reached_before": int((diff["before"] > 0).sum()), "reached_after": int((diff["after"] > 0).sum()),
        "gainers": int((diff["delta"] > 0).sum()), "losers": int((diff["delta"] < 0).sum()),
        "by_group": by_group,
    }
