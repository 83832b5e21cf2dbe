"""Matching reasons in the second language (issue 11, point 2): every sentence the matcher writes
has an English form; only a product's own clause titles (the institution's words) stay as written."""

import re

import pytest

from kechuang.engine.matching import Product, load_eligibility, match_one
from kechuang.engine.matching import synthetic
from kechuang.engine.matching.rules import reason_en, yuan_en

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")

SIZE_RULE = [{"id": "size", "kind": "condition", "title": "企业规模", "feature": "size", "op": "in",
              "value": ["micro", "small"]},
             {"id": "region", "kind": "condition", "title": "注册在历下区", "feature": "region_code", "op": "==",
              "value": "370102"},
             {"id": "grade", "kind": "condition", "title": "信用评级", "feature": "grade", "op": "==", "value": "A"}]


def _product(**kw):
    base = dict(id=1, kind="loan", amount_min=100_000.0, amount_max=30_000_000.0, term_min=3, term_max=36,
                rate=0.0385, pickup_rate=0.8, approval_rate=0.6, pickup_days=1.5,
                eligibility=load_eligibility(SIZE_RULE))
    base.update(kw)
    return Product(**base)


def _demand(**kw):
    base = {"id": 1, "kind": "debt", "amount": 5_000_000, "term_months": 12, "size": "small",
            "region_code": "370102", "grade": "A"}
    base.update(kw)
    return base


@pytest.mark.parametrize(("case", "product", "demand", "expected"), [
    ("fits", _product(), _demand(), [
        "Amount CNY 5.00 m within the product's range CNY 0.10 m–CNY 30.00 m",
        "Term of 12 months within the product's 3–36 months",
        "Meets: 企业规模 (small)", "Meets: 注册在历下区 (Lixia District)", "Meets: rating grade (A)",
        "Annual rate 3.85%",
        "Institution's record on the platform: picks up 80% of requests in 1.5 working days on average, approves 60%"]),
    ("unknown grade, no record", _product(pickup_rate=None, rate=None), _demand(grade=None), [
        "Amount CNY 5.00 m within the product's range CNY 0.10 m–CNY 30.00 m",
        "Term of 12 months within the product's 3–36 months",
        "Meets: 企业规模 (small)", "Meets: 注册在历下区 (Lixia District)",
        "To verify: rating grade — the platform has no rating grade data",
        "No record of the institution on the platform yet (counted as neutral)"]),
    ("fails", _product(), _demand(kind="equity", amount=50_000_000, term_months=48, size="medium"), [
        "Meets: 注册在历下区 (Lixia District)", "Meets: rating grade (A)",
        "Product type does not fit: equity demands go to investors, debt demands to loan, guarantee and insurance products",
        "Amount CNY 50.00 m outside the product's range CNY 0.10 m–CNY 30.00 m",
        "Term of 48 months outside the product's 3–36 months",
        "Does not meet: 企业规模 (required in micro, small, actual medium)"]),
])
def test_reasons_read_in_english(case, product, demand, expected):
    r = match_one(demand, product)
    assert [reason_en(t) for t in r["reasons"] + r["fails"]] == expected, case


def test_every_reason_of_a_synthetic_market_has_its_english():
    """Whatever the matcher writes for 60 products × 300 demands reads in English once the
    products' own clause titles are taken out."""
    products = synthetic.products(60, seed=11)
    titles = sorted({c.title for p in products for c in p.eligibility.root.walk() if c.title}, key=len, reverse=True)
    untranslated = set()
    for row in synthetic.demands(300, seed=12, null_share=0.2).iter_rows(named=True):
        for p in products:
            r = match_one(row, p)
            for text in r["reasons"] + r["fails"]:
                english = reason_en(text)
                for title in titles:
                    english = english.replace(title, "")
                if CJK.search(english):
                    untranslated.add(text)
    assert untranslated == set()


@pytest.mark.parametrize(("zh", "en"), [("1,000万元", "CNY 10.00 m"), ("800元", "CNY 800"), ("abc", "abc")])
def test_amounts_in_english(zh, en):
    assert yuan_en(zh) == en


def test_an_unknown_sentence_is_left_as_written():
    assert reason_en("别的话") == "别的话"
