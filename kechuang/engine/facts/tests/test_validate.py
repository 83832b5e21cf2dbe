"""validate_record: every kind of bad input gives one stable code at one path; good input is
normalised (dates, two-place Decimal amounts)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kechuang.engine.facts.errors import Code
from kechuang.engine.facts.tests.factories import TODAY, USCC_A, make_record
from kechuang.engine.facts.validate import to_amount, validate_record


def codes(result) -> list[tuple[str, str]]:
    return [(e.path, str(e.code)) for e in result.errors]


def test_typical_record_is_normalised():
    # given a typical record as a feed sends it
    record = make_record()
    # when it is validated
    result = validate_record(record, today=TODAY)
    # then it is accepted and normalised
    assert (result.ok, result.errors, result.warnings) == (True, [], [])
    out = result.record
    assert out["uscc"] == USCC_A
    assert out["registered_on"] == date(2015, 6, 30)
    assert out["registered_capital"] == Decimal("10000000.00")
    assert str(out["registered_capital"]) == "10000000.00"
    assert out["market_share"] == 0.12
    assert out["quality_items"] == ["quality_system_cert", "own_brand"]
    year = out["years"][2]
    assert year["year"] == 2025
    assert year["employees"] == 120
    assert str(year["operating_revenue"]) == "52000000.35"
    assert str(year["net_profit"]) == "-1200000.75"
    assert str(year["high_tech_revenue"]) == "40000000.50"
    assert out["ip"][1]["acquired_on"] == date(2023, 1, 10)


BAD_INPUTS = [
    # (label, top-level overrides or a function changing the record, expected (path, code))
    ("uscc check digit", {"uscc": USCC_A[:17] + ("0" if USCC_A[17] != "0" else "1")},
     ("uscc", "uscc")),
    ("uscc lower case", {"uscc": USCC_A.lower()}, ("uscc", "uscc")),
    ("uscc 17 characters", {"uscc": USCC_A[:17]}, ("uscc", "uscc")),
    ("uscc is a number", {"uscc": 913701}, ("uscc", "type")),
    ("uscc missing", {"uscc": None}, ("uscc", "required")),
    ("name missing", {"name": ""}, ("name", "required")),
    ("registered_on is text", {"registered_on": "2015年6月30日"}, ("registered_on", "type")),
    ("registered_on not a day", {"registered_on": "2015-02-30"}, ("registered_on", "type")),
    ("registered_on compact ISO", {"registered_on": "20150630"}, ("registered_on", "type")),
    ("registered_on in the future", {"registered_on": "2027-01-01"},
     ("registered_on", "future_date")),
    ("region_code five digits", {"region_code": "37011"}, ("region_code", "format")),
    ("bool as text", {"hnte_field": "是"}, ("hnte_field", "type")),
    ("bool as number", {"hnte_field": 1}, ("hnte_field", "type")),
    ("unknown enum value", {"rd_institution_level": "county"}, ("rd_institution_level", "enum")),
    ("enum as number", {"rd_institution_level": 3}, ("rd_institution_level", "type")),
    ("unknown value in enum list", {"quality_items": ["own_brand", "iso9001"]},
     ("quality_items", "enum")),
    ("repeated value in enum list", {"quality_items": ["own_brand", "own_brand"]},
     ("quality_items", "duplicate")),
    ("ratio given as percent", {"market_share": 12}, ("market_share", "range")),
    ("negative ratio", {"market_share": -0.1}, ("market_share", "range")),
    ("digital level 5", {"digital_level": 5}, ("digital_level", "range")),
    ("digital level 0", {"digital_level": 0}, ("digital_level", "range")),
    ("digital level 2.5", {"digital_level": 2.5}, ("digital_level", "type")),
    ("bool as integer", {"digital_level": True}, ("digital_level", "type")),
    ("NaN", {"niche_years": float("nan")}, ("niche_years", "type")),
    ("infinity", {"srdi_platform_score": float("inf")}, ("srdi_platform_score", "type")),
    ("text amount", {"registered_capital": "1000万"}, ("registered_capital", "type")),
    ("negative amount", {"registered_capital": -1}, ("registered_capital", "negative")),
    ("absurd amount", {"registered_capital": 1e16}, ("registered_capital", "range")),
    ("expert score as text", {"expert_scores": {"hnte.tech_advance": "high"}},
     ("expert_scores", "type")),
    ("unknown top-level field", {"employees": 5}, ("employees", "unknown_field")),
    ("years not a list", {"years": {"year": 2025}}, ("years", "type")),
]


@pytest.mark.parametrize(("overrides", "expected"), [(o, e) for _, o, e in BAD_INPUTS],
                         ids=[label for label, _, _ in BAD_INPUTS])
def test_bad_top_level_value(overrides, expected):
    # given a typical record with one bad value; when validated; then exactly that error
    result = validate_record(make_record(**overrides), today=TODAY)
    assert codes(result) == [expected]
    assert result.ok is False


def _set(section: str, index: int, **values):
    def change(record):
        record[section][index].update(values)
        return record
    return change


BAD_ITEMS = [
    ("negative headcount", _set("years", 1, employees=-5), ("years[1].employees", "negative")),
    ("text in a headcount", _set("years", 0, employees="120人"), ("years[0].employees", "type")),
    ("text in an amount", _set("years", 2, rd_expense="约360万"), ("years[2].rd_expense", "type")),
    ("thousands separator in JSON", _set("years", 2, rd_expense="3,600,000"),
     ("years[2].rd_expense", "type")),
    ("negative revenue", _set("years", 0, operating_revenue=-1),
     ("years[0].operating_revenue", "negative")),
    ("bool as headcount", _set("years", 0, employees=False), ("years[0].employees", "type")),
    ("duplicate year", _set("years", 2, year=2024), ("years[2].year", "duplicate")),
    ("headcount beyond 32 bits", _set("years", 1, employees=2**31), ("years[1].employees", "range")),
    ("fiscal year in the future", _set("years", 2, year=2027), ("years[2].year", "future_date")),
    ("fiscal year 1899", _set("years", 0, year=1899), ("years[0].year", "range")),
    ("missing year", _set("years", 0, year=None), ("years[0].year", "required")),
    ("unknown tax credit grade", _set("years", 0, tax_credit_grade="AA"),
     ("years[0].tax_credit_grade", "enum")),
    ("unknown IP type", _set("ip", 0, type="trademark"), ("ip[0].type", "enum")),
    ("missing IP type", _set("ip", 1, type=None), ("ip[1].type", "required")),
    ("grant in the future", _set("ip", 0, granted_on="2026-11-23"),
     ("ip[0].granted_on", "future_date")),
    ("duplicate patent number", _set("ip", 2, number="ZL202110000001.X"),
     ("ip[2].number", "duplicate")),
    ("misspelt field in an item", _set("years", 1, employes=5), ("years[1].employes", "unknown_field")),
    ("tech staff above employees", _set("years", 0, tech_staff=121),
     ("years[0].tech_staff", "inconsistent")),
    ("R&D staff above employees", _set("years", 0, rd_staff=200),
     ("years[0].rd_staff", "inconsistent")),
    ("R&D expense over ten times revenue", _set("years", 0, rd_expense=520_000_003),
     ("years[0].rd_expense", "inconsistent")),
    ("negative sales revenue", _set("years", 0, sales_revenue=-10),
     ("years[0].sales_revenue", "inconsistent")),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in BAD_ITEMS],
                         ids=[label for label, _, _ in BAD_ITEMS])
def test_bad_list_item(change, expected):
    result = validate_record(change(make_record()), today=TODAY)
    assert codes(result) == [expected]


def test_messages_name_the_field_in_chinese_with_the_value():
    # given a negative headcount in the 2024 year
    record = _set("years", 1, employees=-5)(make_record())
    # when validated
    (error,) = validate_record(record, today=TODAY).errors
    # then the message names the sheet, the year, the Chinese label and the value
    assert error.code is Code.NEGATIVE
    assert error.message == "年度数据[2024] 职工总数 为负数（-5）"
    assert error.message_en == "years[1].employees is negative (-5)"
    assert error.to_dict() == {
        "path": "years[1].employees", "field": "employees", "code": "negative",
        "message": "年度数据[2024] 职工总数 为负数（-5）",
        "message_en": "years[1].employees is negative (-5)", "value": "-5",
        "row": None, "sheet": None}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"rd_institution_level": "county"},
     "研发机构级别 的值（'county'）不是可选值，应为：国家级（national）、省级（provincial）、"
     "市级（municipal）、市级以下（below_municipal）、无（none）"),
    ({"registered_capital": "1000万"}, "注册资本 应为金额（元），不能是（'1000万'）"),
    ({"uscc": "91370112MA3C0CQ950"},
     "统一社会信用代码 错误（'91370112MA3C0CQ950'）：统一社会信用代码校验位错误"),
    ({"name": None}, "企业名称 为必填项，不能为空"),
    ({"registered_on": "2027-01-01"}, "成立日期 晚于今天 2026-11-22（2027-01-01）"),
    ({"digital_level": 5}, "数字化水平等级 超出范围 1–4（5）"),
    ({"employees": 5}, "未知字段“employees”（数据标准中没有该字段）"),
], ids=["enum", "type", "uscc", "required", "future", "range", "unknown"])
def test_message_texts(overrides, message):
    (error,) = validate_record(make_record(**overrides), today=TODAY).errors
    assert error.message == message


def test_item_without_key_is_located_by_position():
    record = _set("ip", 0, type="trademark", number=None)(make_record())
    (error,) = validate_record(record, today=TODAY).errors
    assert error.message.startswith("知识产权[第1项] 知识产权类型 的值（'trademark'）")


def test_social_insurance_above_employees_is_only_a_warning():
    # given more insured people than employees (year-end headcount vs the year's staff)
    record = _set("years", 2, social_insurance_headcount=130)(make_record())
    # when validated
    result = validate_record(record, today=TODAY)
    # then the record is kept with one warning
    assert result.ok is True
    assert [(w.path, str(w.code)) for w in result.warnings] == [
        ("years[2].social_insurance_headcount", "inconsistent")]
    assert result.warnings[0].message == "年度数据[2025] 参保人数（130）大于职工总数（120）"


@pytest.mark.parametrize(("change", "warning_path"), [
    (_set("years", 0, main_business_revenue=60_000_000), "years[0].main_business_revenue"),
    (_set("years", 0, rd_expense_domestic=4_000_000), "years[0].rd_expense_domestic"),
    (_set("ip", 2, pledged_on="2024-01-01"), "ip[2].pledged_on"),
    (lambda r: {**r, "registered_on": "2024-01-01"}, "years"),
], ids=["main business above operating revenue", "domestic above total R&D",
        "pledge date but not pledged", "years before registration"])
def test_warnings_keep_the_record(change, warning_path):
    result = validate_record(change(make_record()), today=TODAY)
    assert (result.ok, [w.path for w in result.warnings]) == (True, [warning_path])


@pytest.mark.parametrize(("section", "item", "path"), [
    ("certificates", {"kind": "hnte", "valid_from": "2023-12-08", "valid_to": "2023-01-01"},
     "certificates[0].valid_to"),
    ("incidents", {"kind": "abnormal_operation_list", "date": "2023-04-10",
                   "removed_on": "2023-01-01"}, "incidents[0].removed_on"),
    ("loans", {"contract_number": "J1", "amount": 10, "start_on": "2024-03-01",
               "due_on": "2024-01-01"}, "loans[0].due_on"),
], ids=["certificate ends before it starts", "removed before listed", "due before drawn"])
def test_dates_in_the_wrong_order_are_inconsistent(section, item, path):
    result = validate_record(make_record(**{section: [item]}), today=TODAY)
    assert codes(result) == [(path, "inconsistent")]


def test_future_due_date_and_validity_are_allowed():
    record = make_record(
        loans=[{"contract_number": "J1", "amount": 10, "due_on": "2030-01-01"}],
        certificates=[{"kind": "hnte", "valid_from": "2026-12-01", "valid_to": "2029-11-30"}])
    assert validate_record(record, today=TODAY).errors == []


@pytest.mark.parametrize(("section", "item", "expected"), [
    ("loans", {"amount": 10}, ("loans[0].contract_number", "required")),
    ("loans", {"contract_number": "J1"}, ("loans[0].amount", "required")),
    ("loans", {"contract_number": "J1", "amount": 1, "max_overdue_days": -1},
     ("loans[0].max_overdue_days", "negative")),
    ("loans", {"contract_number": "J1", "amount": 1, "status": "bad_debt"},
     ("loans[0].status", "enum")),
    ("judgments", {"decided_on": "2024-01-01"}, ("judgments[0].case_number", "required")),
    ("judgments", {"case_number": "X", "amount": -3}, ("judgments[0].amount", "negative")),
    ("penalties", {"document_number": "X", "decided_on": "2026-12-01"},
     ("penalties[0].decided_on", "future_date")),
    ("maker_china", {"year": 2024, "top": 100}, ("maker_china[0].top", "enum")),
    ("awards", {"level": "national", "year": 2023, "rank": 0}, ("awards[0].rank", "range")),
    ("incidents", ["abnormal_operation_list"], ("incidents[0]", "type")),
], ids=["loan without contract", "loan without amount", "negative overdue days",
        "unknown loan status", "judgment without case number", "negative judgment amount",
        "penalty in the future", "maker china top 100", "award rank 0", "item not an object"])
def test_extension_sections(section, item, expected):
    items = item if isinstance(item, list) else [item]
    result = validate_record(make_record(**{section: items}), today=TODAY)
    assert codes(result) == [expected]


def test_identical_items_without_identity_are_duplicates():
    award = {"level": "national", "year": 2023, "rank": 2}
    result = validate_record(make_record(awards=[award, dict(award)]), today=TODAY)
    assert codes(result) == [("awards[1]", "duplicate")]
    assert result.errors[0].message == "科技奖励[第2项] 与第1项完全相同"


def test_partial_record_skips_creation_fields_but_not_uscc():
    # given a feed line with only annual facts
    record = {"uscc": USCC_A, "years": [{"year": 2025, "employees": 10}]}
    # when validated as partial, then it passes; as complete, name and date are required
    assert validate_record(record, today=TODAY, partial=True).ok is True
    assert codes(validate_record(record, today=TODAY)) == [
        ("name", "required"), ("registered_on", "required")]
    assert codes(validate_record({"years": []}, today=TODAY, partial=True)) == [
        ("uscc", "required")]


def test_null_and_empty_string_mean_not_known():
    record = make_record(region_code=None, industry_code="", market_share=None)
    result = validate_record(record, today=TODAY)
    assert result.ok is True
    assert {"region_code", "industry_code", "market_share"} & set(result.record) == set()


def test_not_an_object():
    result = validate_record(["uscc"], today=TODAY)
    assert (result.ok, result.record, codes(result)) == (False, None, [("", "type")])


def test_integral_floats_are_integers_and_decimals_are_accepted():
    record = _set("years", 0, employees=120.0, rd_expense=Decimal("3600000.125"))(make_record())
    year = validate_record(record, today=TODAY).record["years"][0]
    assert (year["employees"], type(year["employees"])) == (120, int)
    assert str(year["rd_expense"]) == "3600000.13"


@pytest.mark.parametrize(("value", "expected"), [
    (0.1 + 0.2, "0.30"), (1.005, "1.01"), (-3.335, "-3.34"), (2.675, "2.68"),
    (-0.001, "0.00"), (12, "12.00"), (1e13 + 0.5, "10000000000000.50"),
    (Decimal("-0.004"), "0.00"), (123456789.999, "123456790.00"),
], ids=["binary noise", "half up via repr", "negative half", "2.675", "minus zero", "int",
        "beyond the fast path", "decimal minus zero", "rounds up to the next yuan"])
def test_to_amount(value, expected):
    assert str(to_amount(value)) == expected


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_amount_fast_path_equals_the_repr_rule(x):
    from decimal import ROUND_HALF_UP
    expected = Decimal(repr(x)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    got = to_amount(x)
    assert (got, got.as_tuple().exponent) == (expected if expected else Decimal("0.00"), -2)


@given(st.integers(min_value=-10**6, max_value=10**11), st.integers(min_value=0, max_value=99))
def test_amount_fast_path_for_two_decimal_floats(yuan, fen):
    x = float(f"{yuan}.{fen:02d}")
    assert str(to_amount(x)) == str(Decimal(repr(x)).quantize(Decimal("0.01")))


@pytest.mark.parametrize("value", [True, "12", None, float("nan"), float("-inf"),
                                   Decimal("NaN")], ids=repr)
def test_to_amount_rejects(value):
    with pytest.raises(ValueError):
        to_amount(value)
