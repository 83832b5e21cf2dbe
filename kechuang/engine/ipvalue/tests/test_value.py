"""One item with its reasons; the batch path gives the same numbers."""

import datetime as dt
import random

import polars as pl
import pytest

from kechuang.engine.ipvalue import InputError, annuity_factor, get_model, value_batch, value_item

AS_OF = dt.date(2026, 12, 4)
ITEM = {"type": "invention_patent", "filed_on": "2016-02-29", "claims": 8, "citations": 4, "family_size": 2,
        "litigations": 0, "licences": 1, "attributable_revenue": 3_000_000, "industrializable": True}


def test_annuity_factor_equals_the_explicit_sum_for_whole_years():
    explicit = sum(1.03 ** (t - 1) / 1.12 ** t for t in range(1, 9))
    assert annuity_factor(8, 0.03, 0.12) == pytest.approx(explicit, rel=1e-12)


def test_one_item_gives_a_range_with_reasons():
    # Given an invention patent filed 2016-02-29 (term to 2036-02-29) with known facts
    v = value_item(ITEM, get_model(), AS_OF)
    # Then: remaining 3374 days, the three expert indicators at their default 40–80
    assert v.status == "valued"
    assert v.remaining_years == round(3374 / 365.25, 4)
    assert [v.dimensions[d] for d in ("legal", "technical", "economic")] == [
        pytest.approx((65.0, 73.0)), pytest.approx((61.5, 73.5)), pytest.approx((58.5, 66.5))]
    assert v.quality == pytest.approx((61.85, 66.35, 70.85), abs=1e-9)
    # mid: 3,000,000 × (1 % + 9 % × 0.6635) × Σ_{t=1..8} 1.03^(t-1)/1.12^t (life capped at 8 years)
    mid = 3_000_000 * (0.01 + 0.09 * 0.6635) * sum(1.03 ** (t - 1) / 1.12 ** t for t in range(1, 9))
    assert v.value == (660357.79, round(mid, 2), 1546031.58)
    assert v.unknown_facts == ()
    codes = [r["code"] for r in v.reasons]
    assert codes[0] == "range" and codes[-1] == "assumptions"
    assert v.reasons[0]["zh"] == "估值区间 66.0万元–154.6万元（中值 113.5万元），收益法，质量得分 61.9–70.9"
    assert "侵权可判定性：待专家评分，暂按 40–80 分" in [r["zh"] for r in v.reasons]


def test_expert_input_narrows_the_range():
    model = get_model()
    wide = value_item(ITEM, model, AS_OF)
    narrow = value_item(ITEM, model, AS_OF, expert={"advancement": (70, 70), "market_outlook": (60, 70),
                                                    "infringement_detectability": (50, 60)})
    assert narrow.quality == pytest.approx((66.3, 67.05, 67.8), abs=1e-9)
    assert narrow.value[2] - narrow.value[0] < wide.value[2] - wide.value[0]


@pytest.mark.parametrize(("expert", "message"), [
    ({"remaining_term": (1, 2)}, "not an expert indicator"),
    ({"advancement": (80, 20)}, "needs 0 <= low <= high <= 100"),
])
def test_bad_expert_input_is_refused(expert, message):
    with pytest.raises(InputError, match=message):
        value_item(ITEM, get_model(), AS_OF, expert=expert)


def test_expired_patent_is_worth_nothing():
    v = value_item({**ITEM, "type": "utility_model", "filed_on": "2015-06-01"}, get_model(), AS_OF)
    assert (v.status, v.value) == ("expired", (0.0, 0.0, 0.0))
    assert v.reasons[0]["zh"] == "保护期已届满，不能作为质押物（估值为零）"


def test_unknown_revenue_gives_no_number_and_names_the_fact():
    v = value_item({"type": "invention_patent", "filed_on": "2020-01-01"}, get_model(), AS_OF)
    assert (v.status, v.value) == ("unknown", None)
    assert v.unknown_facts == ("claims", "citations", "family_size", "litigations", "licences",
                               "attributable_revenue", "industrializable")
    assert v.reasons[0]["zh"] == "无法估值，缺少：专利产品年收入（元）"
    # Unknown facts widen the quality range to each band's extremes.
    assert v.dimensions["economic"] == pytest.approx((23.5, 91.0), abs=1e-9)


def _random_items(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    types = ["invention_patent", "utility_model", "design", "software_copyright", "ic_layout", None]
    out = []
    for _ in range(n):
        item = {"type": rng.choice(types)}
        if rng.random() < 0.8:
            item["filed_on"] = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(0, 9800))
        if rng.random() < 0.1:
            item["expires_on"] = dt.date(2020, 2, 29) + dt.timedelta(days=rng.randrange(0, 7000))
        if rng.random() < 0.05:
            item["filed_on"] = dt.date(2008, 2, 29)  # a leap day: + 10 / 15 / 20 years
        for key, top in (("claims", 30), ("citations", 20), ("family_size", 10), ("litigations", 5),
                         ("licences", 8)):
            if rng.random() < 0.7:
                item[key] = rng.randrange(0, top)
        if rng.random() < 0.7:
            item["attributable_revenue"] = round(rng.random() * 5e7, 2)
        if rng.random() < 0.7:
            item["industrializable"] = rng.random() < 0.5
        out.append(item)
    return out


def test_batch_path_equals_the_one_item_path():
    model = get_model()
    items = _random_items(2000, seed=12)
    frame = pl.DataFrame(items, schema={"type": pl.String, "filed_on": pl.Date, "expires_on": pl.Date,
                                        "claims": pl.Int64, "citations": pl.Int64, "family_size": pl.Int64,
                                        "litigations": pl.Int64, "licences": pl.Int64,
                                        "attributable_revenue": pl.Float64, "industrializable": pl.Boolean})
    out = value_batch(frame, model, AS_OF).to_dicts()
    statuses = set()
    for item, row in zip(items, out, strict=True):
        v = value_item(item, model, AS_OF)
        statuses.add(v.status)
        assert row["status"] == v.status, item
        assert row["remaining_years"] == v.remaining_years, item
        assert (row["quality_low"], row["quality_mid"], row["quality_high"]) == v.quality, item
        assert row["unknown_facts"] == list(v.unknown_facts), item
        for d, (lo, hi) in v.dimensions.items():
            assert (row[f"{d}_low"], row[f"{d}_high"]) == (lo, hi), item
        if v.value is None:
            assert (row["value_low"], row["value_mid"], row["value_high"]) == (None, None, None)
        else:
            assert [row["value_low"], row["value_mid"], row["value_high"]] == pytest.approx(list(v.value), abs=0.011)
    assert statuses == {"valued", "expired", "unknown"}


def test_batch_takes_expert_columns():
    model = get_model()
    frame = pl.DataFrame([{**ITEM, "filed_on": dt.date(2016, 2, 29), "expert_advancement_low": 70.0,
                           "expert_advancement_high": 70.0}])
    row = value_batch(frame, model, AS_OF).row(0, named=True)
    one = value_item(ITEM, model, AS_OF, expert={"advancement": (70, 70)})
    assert (row["quality_low"], row["quality_high"]) == (one.quality[0], one.quality[2])
    assert (row["quality_low"], row["quality_high"]) == pytest.approx((64.1, 70.1), abs=1e-9)
