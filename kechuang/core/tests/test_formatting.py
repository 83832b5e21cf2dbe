"""Exact strings for the presentation rules every page shares."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from kechuang.core import formatting
from kechuang.enterprises.presentation import display
from kechuang.marketplace.choices import DemandStatus


@pytest.mark.parametrize(("yuan", "expected"), [
    pytest.param(Decimal("16000000.00"), "1,600.00万元", id="wan-with-separator"),
    pytest.param(Decimal("3000000.00"), "300.00万元", id="wan"),
    pytest.param(5_000, "0.50万元", id="below-one-wan"),
    pytest.param(Decimal("99999999.99"), "10,000.00万元", id="just-below-yi-rounds-in-wan"),
    pytest.param(Decimal("160000000"), "1.60亿元", id="yi"),
    pytest.param(Decimal("123456789012"), "1,234.57亿元", id="yi-with-separator"),
    pytest.param(Decimal("-25000"), "-2.50万元", id="negative"),
    pytest.param(None, "—", id="missing"),
])
def test_money(yuan, expected):
    assert formatting.money(yuan) == expected


@pytest.mark.parametrize(("yuan", "expected"), [
    pytest.param(Decimal("16000000.00"), "CNY 16.00 m", id="millions"),
    pytest.param(5_000, "CNY 0.01 m", id="below-one-million"),
    pytest.param(Decimal("999999999.99"), "CNY 1,000.00 m", id="just-below-billion-rounds-in-millions"),
    pytest.param(Decimal("1600000000"), "CNY 1.60 bn", id="billions"),
    pytest.param(Decimal("1234567890123"), "CNY 1,234.57 bn", id="billions-with-separator"),
    pytest.param(Decimal("-2500000"), "CNY -2.50 m", id="negative"),
    pytest.param(None, "—", id="missing"),
])
def test_money_in_english(yuan, expected):
    with translation.override("en"):
        assert formatting.money(yuan) == expected


def test_english_dates_booleans_and_districts():
    with translation.override("en"):
        assert formatting.cn_date(date(2026, 12, 4)) == "4 Dec 2026"
        assert formatting.cn_date(datetime(2026, 1, 9, 1, 5, tzinfo=UTC)) == "9 Jan 2026 09:05"
        assert (formatting.yes_no(True), formatting.yes_no("false")) == ("Yes", "No")
        assert formatting.region_name("370102") == "Lixia District"
        assert formatting.region_name("370100") == "Jinan"


@pytest.mark.parametrize(("fraction", "places", "expected"), [
    (Decimal("0.0365"), 2, "3.65%"), (Decimal("0.0063"), 2, "0.63%"), (0.5, 0, "50%"),
    (Decimal("0.12345"), 1, "12.3%"), (None, 2, "—"),
])
def test_percent(fraction, places, expected):
    assert formatting.percent(fraction, places) == expected


def test_cn_date_date_datetime_and_iso_string():
    assert formatting.cn_date(date(2026, 12, 4)) == "2026年12月4日"
    assert formatting.cn_date(datetime(2026, 12, 4, 1, 5, tzinfo=UTC)) == "2026年12月4日 09:05"
    assert formatting.cn_date("2026-01-09") == "2026年1月9日"
    assert formatting.cn_date(None) == "—"


@pytest.mark.parametrize(("value", "expected"), [
    (True, "是"), (False, "否"), ("True", "是"), ("false", "否"), (None, "—"),
])
def test_yes_no(value, expected):
    assert formatting.yes_no(value) == expected


def test_region_names_and_unknown_code():
    assert formatting.region_name("370102") == "历下区"
    assert formatting.region_name("370100") == "济南市"
    assert formatting.region_name("370126") == "商河县"
    assert formatting.region_name("999999") == "999999"


@pytest.mark.parametrize(("unit", "expected"), [
    pytest.param("天", "days", id="duration"),
    pytest.param("年", "years", id="years"),
    pytest.param("倍", "×", id="multiple"),
    pytest.param("笔", "", id="count-of-loans-needs-no-unit"),
    pytest.param("件", "", id="count-of-cases-needs-no-unit"),
    pytest.param("%", "%", id="percent-unchanged"),
    pytest.param("parsec", "parsec", id="unknown-unit-as-given"),
    pytest.param(None, "", id="missing"),
])
def test_unit_en(unit, expected):
    assert formatting.unit_en(unit) == expected


def test_choice_label():
    assert formatting.choice_label(DemandStatus.values[0], DemandStatus) == str(DemandStatus.labels[0])
    assert formatting.choice_label("no-such", DemandStatus) == "no-such"


def test_filters_render_in_a_template():
    tpl = Template("{% load present %}{{ a|yuan }} {{ r|pct }} {{ d|cn_date }} {{ b|yes_no }} {{ c|region }}")
    out = tpl.render(Context({"a": Decimal("16000000.00"), "r": Decimal("0.0365"), "d": date(2026, 12, 4),
                              "b": True, "c": "370102"}))
    assert out == "1,600.00万元 3.65% 2026年12月4日 是 历下区"


@pytest.mark.parametrize(("typed", "expected"), [
    ("3.85", Decimal("0.0385")), ("3.85%", Decimal("0.0385")), (" 0.63 ％", Decimal("0.0063")),
    ("", None), (None, None), ("abc", "abc"),
])
def test_percent_input_converts_to_the_stored_fraction(typed, expected):
    assert formatting.percent_input(typed) == expected


def test_profile_values_use_the_shared_rules():
    assert display("years", "operating_revenue", Decimal("16000000.00")) == "1,600.00万元"
    assert display("profile", "region_code", "370102") == "历下区"
    assert display("profile", "registered_on", date(2019, 3, 5)) == "2019年3月5日"
    assert display("profile", "resident_enterprise", True) == "是"


@pytest.mark.parametrize(("key", "expected"), [
    ("years[2023].operating_revenue", "2023年营业收入"),
    ("market_share", "细分市场占有率"),
    ("rd_intensity", "研发投入强度"),
    ("ip[].type", "知识产权·知识产权类型"),
    ("370102:2026", "历下区 2026年"),
    ("gazelle-sd-2020", "山东省瞪羚企业认定（鲁工信发〔2020〕8号）"),
    ("no_such_key", "no_such_key"),
    (None, "—"),
])
def test_key_name_reads_the_engine_catalogues(key, expected):
    assert formatting.key_name(key) == expected


def test_key_name_takes_a_page_catalogue_first_and_names_clauses():
    assert formatting.key_name("advisor_visits", {"advisor_visits": "金融辅导队走访"}) == "金融辅导队走访"
    assert formatting.key_name("srdi26.6.y0") == "上年度研发费用 ≥ 100万元"


def test_names_in_text_replaces_only_the_keys():
    text = "缺少事实：years[2025].net_profit、market_share（增加 ¥45.1万）"
    assert formatting.names_in_text(text) == "缺少事实：2025年净利润、细分市场占有率（增加 ¥45.1万）"


def test_clause_values_follow_the_feature_unit():
    assert formatting.clause_value(0.6898, "gazelle-sd-2020", "gz.3.debt") == "68.98%"
    assert formatting.clause_value(1217293.63, "srdi-sme-2026", "srdi26.6.y0") == "121.73万元"
    assert formatting.clause_value(True, "gazelle-sd-2020", "gz.1.region") == "是"
    assert formatting.clause_value(6, "gazelle-sd-2020", "gz.3.years") == 6


@pytest.mark.parametrize(("label", "expected"), [
    ("demo:rating", "演示数据初始化"), ("command:demo", "命令行"), ("system", "系统"), ("王监管", "王监管"), ("", "—"),
])
def test_actor_name(label, expected):
    assert formatting.actor_name(label) == expected


def test_scorecard_terms_and_intervals():
    assert formatting.scorecard_term("peak") == "先升后降"
    assert formatting.scorecard_term("low_iv") == "信息值过低"
    assert formatting.scorecard_term("correlated:rd_intensity") == "与“研发投入强度”高度相关"
    assert formatting.interval("(-inf, 0.182811]") == "(-∞, 0.182811]"
    assert formatting.interval("missing") == "缺失值"


def test_readable_formats_dates_and_plain_amounts_in_stored_text():
    assert formatting.readable("45 债权融资 1000000.00") == "45 债权融资 100.00万元"
    assert formatting.readable("16 2026-10-06") == "16 2026年10月6日"
    assert formatting.readable("12.50% 共 3 笔") == "12.50% 共 3 笔"
    assert formatting.readable("收入增加 ¥1,640.3万（+4分）") == "收入增加 1,640.30万元（+4分）"
    assert formatting.readable("增加 ¥12,345.6万") == "增加 1.23亿元"


def test_key_filters_render_in_a_template():
    tpl = Template('{% load present %}{{ k|key_name:names }} {{ t|names_in_text }} {{ s|label_of:"kechuang.marketplace.choices.RequestState" }}')
    out = tpl.render(Context({"k": "advisor_visits", "names": {"advisor_visits": "金融辅导队走访"},
                              "t": "（years[2025].high_tech_revenue）", "s": "picked_up"}))
    assert out == "金融辅导队走访 （2025年高新技术产品（服务）收入） 已接单"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("template", "value", "expected"), [
    pytest.param("{{ n|intcomma }}", 1100, "1,100", id="count"),
    pytest.param("{{ n|intcomma }}", 16000000, "16,000,000", id="large-count"),
    pytest.param("{{ n|floatformat:0|intcomma }}", Decimal("16000000.40"), "16,000,000", id="amount-figure"),
    pytest.param("{{ n|floatformat:'2g' }}", Decimal("12345.678"), "12,345.68", id="floatformat-grouped"),
    pytest.param("{{ n|intcomma }}", 999, "999", id="below-a-thousand"),
])
def test_counts_are_grouped_by_three_in_both_languages(language, template, value, expected):
    """Django's own zh_Hans formats do not group ("1100"); the project's format modules
    (``FORMAT_MODULE_PATH``) group by three with commas as Chinese finance pages do."""
    with translation.override(language):
        rendered = Template("{% load humanize %}" + template).render(Context({"n": value}))
    assert rendered == expected


@pytest.mark.parametrize(("yuan", "expected"), [
    pytest.param(Decimal("160000000"), "16,000", id="grouped"),
    pytest.param(Decimal("3000000.00"), "300", id="wan"),
    pytest.param(Decimal("14999"), "1", id="rounds"),
    pytest.param(None, "—", id="missing"),
])
def test_wan_is_a_grouped_number_of_wan(yuan, expected):
    """A "金额（万元）" column: the workbench showed ``{% widthratio amount 10000 1 %}`` ("16000")."""
    assert formatting.wan(yuan) == expected
    with translation.override("en"):
        assert formatting.wan(yuan) == expected


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (2025.0, "2025"), (2025.5, "2025.5"), (" 历下区 ", "历下区"),
    (date(2026, 3, 1), "2026-03-01"), (datetime(2026, 3, 1, 9, 30), "2026-03-01"),
])
def test_cell_text_is_what_an_importer_parses(value, text):
    assert formatting.cell_text(value) == text
