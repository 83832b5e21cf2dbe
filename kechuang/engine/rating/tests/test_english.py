"""Rating feature names, groups and reasons in the second language (issue 11, point 2)."""

import re

import pytest

from kechuang.engine.rating import FEATURES, GROUPS, GROUPS_EN, REASONS_EN, reason_text, reason_texts

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def test_every_feature_reason_and_group_has_its_english():
    missing = [(f.name, d) for f in FEATURES for d in f.reasons if not REASONS_EN.get(f.name, {}).get(d)]
    extra = [(n, d) for n, texts in REASONS_EN.items() for d in texts
             if d not in next((f.reasons for f in FEATURES if f.name == n), {})]
    chinese = [text for texts in REASONS_EN.values() for text in texts.values() if CJK.search(text)]
    chinese += [f.label_en for f in FEATURES if CJK.search(f.label_en) or not f.label_en]
    assert (missing, extra, chinese, set(GROUPS_EN)) == ([], [], [], set(GROUPS))


def test_english_reason_texts_mirror_the_chinese_ones():
    zh, en = reason_texts(), reason_texts(english=True)
    assert {n: set(t) for n, t in zh.items()} == {n: set(t) for n, t in en.items()}


@pytest.mark.parametrize(("code", "english", "expected"), [
    ("leverage.high", False, "资产负债率偏高"),
    ("leverage.high", True, "High debt-to-asset ratio"),
    ("tax_credit_grade.category", True, "Low tax credit grade"),
    ("net_margin.missing", True, "No profit data"),
    ("net_margin.odd", True, "Net margin in an unfavourable range"),
    ("net_margin.odd", False, "净利润率处于不利区间"),
])
def test_a_stored_reason_reads_by_its_code(code, english, expected):
    assert reason_text(code, english=english) == expected


def test_an_unknown_feature_keeps_the_stored_text():
    assert reason_text("gone.high", english=True, default="旧的原因") == "旧的原因"
