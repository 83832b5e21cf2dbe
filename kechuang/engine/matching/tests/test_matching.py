"""The matching engine: eligibility in the rule language, reasons, and batch == one-demand path."""

import polars as pl
import pytest

from kechuang.engine.matching import Product, load_eligibility, match_demand, match_one, rank_batch
from kechuang.engine.matching import synthetic
from kechuang.engine.qualification.errors import RuleError

HNTE_JINAN = [
    {"id": "city", "kind": "condition", "title": "注册在济南", "feature": "region_city", "op": "in", "value": ["370100"]},
    {"id": "titles", "kind": "any_of", "title": "科技资质（任一）", "clauses": [
        {"id": "h", "kind": "condition", "title": "高新技术企业", "feature": "hnte", "op": "is_true"},
        {"id": "s", "kind": "condition", "title": "专精特新", "feature": "srdi_sme", "op": "is_true"}]},
]


def loan(**kw):
    base = dict(id=1, kind="loan", amount_min=100_000.0, amount_max=5_000_000.0, term_min=3, term_max=36,
                rate=0.04, eligibility=load_eligibility(HNTE_JINAN))
    base.update(kw)
    return Product(**base)


def demand(**kw):
    base = {"id": 1, "kind": "debt", "amount": 1_000_000, "term_months": 12, "region_city": "370100",
            "hnte": True, "srdi_sme": False}
    base.update(kw)
    return base


@pytest.mark.parametrize("case, d, fits, status, needle", [
    ("all met", demand(), True, "met", "符合：注册在济南"),
    ("hnte unknown, srdi no → unknown but ranked", demand(hnte=None), True, "unknown", "待核实：高新技术企业"),
    ("outside Jinan", demand(region_city="370200"), False, "unmet", "不符合：注册在济南"),
    ("amount too big", demand(amount=9_000_000), False, "met", "不在产品额度"),
    ("term too long", demand(term_months=48), False, "met", "期限 48 个月不在产品期限 3–36 个月内"),
    ("equity demand vs loan", demand(kind="equity"), False, "met", "产品类型不符"),
])
def test_one_pair_reasons(case, d, fits, status, needle):
    r = match_one(d, loan())
    assert r["fits"] is fits
    assert r["status"] == status
    assert any(needle in s for s in r["reasons"] + r["fails"]), (case, r)


def test_unknown_scores_below_met_and_price_counts():
    cheap, dear = loan(id=1, rate=0.03), loan(id=2, rate=0.09)
    out = match_demand(demand(), [dear, cheap])
    assert [r["product_id"] for r in out["ranked"]] == [1, 2]
    assert out["ranked"][0]["score"] - out["ranked"][1]["score"] == pytest.approx(20 * 0.06 / 0.12)
    met = match_one(demand(), cheap)["score"]
    unknown = match_one(demand(hnte=None), cheap)["score"]
    assert met - unknown == pytest.approx(15.0)


def test_rule_errors_listed_together():
    with pytest.raises(RuleError) as e:
        load_eligibility([
            {"id": "a", "kind": "condition", "title": "x", "feature": "no_such", "op": ">=", "value": 1},
            {"id": "b", "kind": "condition", "title": "y", "feature": "hnte", "op": ">=", "value": 1},
            {"id": "c", "kind": "score", "title": "z"},
            {"id": "d", "kind": "condition", "title": "w", "feature": "grade_rank", "op": "<=", "value": "A"},
        ])
    text = str(e.value)
    for needle in ("unknown feature 'no_such'", "hnte is yes/no", "unknown kind 'score'", "needs a numeric value"):
        assert needle in text


def test_batch_agrees_with_one_demand_path():
    products = synthetic.products(60, seed=11)
    demands = synthetic.demands(400, seed=12, null_share=0.2)
    batch = rank_batch(demands, products, top_k=8, chunk_size=97)
    for row in demands.iter_rows(named=True):
        want = match_demand(row, products, top_k=8)["ranked"]
        got = batch.filter(pl.col("demand_id") == row["id"]).sort("rank")
        assert got["product_id"].to_list() == [r["product_id"] for r in want]
        assert got["score"].to_list() == pytest.approx([r["score"] for r in want])
        assert got["status"].to_list() == [r["status"] for r in want]


GAZELLE = [{"id": "g", "kind": "condition", "title": "瞪羚企业", "feature": "gazelle", "op": "is_true"}]


@pytest.mark.parametrize("case, gazelle, fits, status, needle", [
    ("gazelle", True, True, "met", "符合：瞪羚企业（是）"),
    ("not a gazelle", False, False, "unmet", "不符合：瞪羚企业（要求 是，实际 否）"),
    ("not known", None, True, "unknown", "待核实：瞪羚企业——平台暂无 瞪羚企业 数据"),
])
def test_gazelle_is_a_yes_no_qualification(case, gazelle, fits, status, needle):
    product = loan(eligibility=load_eligibility(GAZELLE))

    r = match_one(demand(gazelle=gazelle), product)

    assert (r["fits"], r["status"]) == (fits, status), case
    assert needle in r["reasons"] + r["fails"], (case, r)


def test_gazelle_rejects_comparisons_and_ranks_the_same_in_batch():
    with pytest.raises(RuleError, match="gazelle is yes/no"):
        load_eligibility([{**GAZELLE[0], "op": "==", "value": 1}])
    products = [loan(id=1, eligibility=load_eligibility(GAZELLE)), loan(id=2, eligibility=load_eligibility([]))]
    frame = pl.DataFrame({"id": [1, 2, 3], "kind": ["debt"] * 3, "amount": [1e6] * 3, "term_months": [12] * 3,
                          "gazelle": [True, False, None]}, schema_overrides={"gazelle": pl.Boolean})

    batch = rank_batch(frame, products, top_k=2)

    assert batch.select("demand_id", "product_id", "status").rows() == [
        (1, 1, "met"), (1, 2, "met"), (2, 2, "met"), (3, 2, "met"), (3, 1, "unknown")]
    for row in frame.iter_rows(named=True):
        one = match_demand(row, products)["ranked"]
        assert batch.filter(pl.col("demand_id") == row["id"])["product_id"].to_list() == \
            [r["product_id"] for r in one]
