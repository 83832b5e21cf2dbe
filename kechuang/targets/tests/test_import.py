"""The import: the real plans with their quotes, idempotence, contradictions flagged, and bad
input refused with row, field and reason and nothing written."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kechuang.core.models import AuditEntry
from kechuang.targets.choices import FlagKind, ValueState
from kechuang.targets.error_codes import TargetsError
from kechuang.targets.exports import template_xlsx
from kechuang.targets.loading import ImportFileError, parse_deadline, parse_rows, parse_value, parse_year
from kechuang.targets.models import Indicator, IndicatorValue, Plan, Task, ValueFlag

from .factories import csv_rows, reference, small_plan

pytestmark = pytest.mark.django_db

IND_HEADER = "地区,规划,指标,单位,年份,数值,类型,原文摘录,限定词\n"


def test_reference_plans_load_with_their_quotes_and_load_again_unchanged():
    first = reference()
    assert first["plans_created"] == 7
    assert first["values"] == 326
    assert first["tasks"] == 352
    v = IndicatorValue.objects.get(indicator__name="金融业增加值", indicator__plan__name="济南十四五金融业发展规划",
                                   year=2020, kind="actual")
    assert v.value == Decimal("968.52")
    assert v.quote == "2020年，全市完成金融业增加值968.52亿元"
    assert v.source_file == "001_7e93a9ac010f1270.txt"
    plan = Plan.objects.get(name="济南金融行动计划2018-2022")
    assert (plan.document_number, plan.period_start, plan.period_end) == ("济政字〔2018〕81号", 2018, 2022)
    assert Task.objects.filter(plan__name="济南科创金融改革试验区2022年重点工作(附件2)").count() == 98
    assert Task.objects.filter(is_key=True).count() == 20
    counts = (IndicatorValue.objects.count(), Task.objects.count(), ValueFlag.objects.count())
    second = reference()
    assert second["values_unchanged"] == 326 and "values" not in second and "tasks" not in second
    assert (IndicatorValue.objects.count(), Task.objects.count(), ValueFlag.objects.count()) == counts
    assert AuditEntry.objects.filter(action="import", object_type="targets.plan").count() == 2


def test_the_13_vs_13_7_contradiction_is_flagged_and_not_averaged():
    reference()
    flag = ValueFlag.objects.get(kind=FlagKind.CONTRADICTION)
    values = sorted(v.value for v in flag.values.all())
    assert values == [Decimal("13"), Decimal("13.7")]
    assert set(flag.values.values_list("state", flat=True)) == {ValueState.FLAGGED}
    assert "系统不取平均" in flag.message
    assert not IndicatorValue.objects.filter(indicator__concept="金融业税收占比", year=2022,
                                             state=ValueState.ACCEPTED).exists()


def test_task_units_and_deadlines():
    reference()
    t = Task.objects.get(plan__name="济南金融行动计划2018-2022", code="重点项目-1")
    assert [u.name for u in t.lead_units.all()] == ["市金融办"]
    assert sorted(u.name for u in t.units.all()) == sorted(["市金融办", "市投资促进局", "人行济南分行营管部", "山东银保监局（筹）"])
    assert t.deadline.isoformat() == "2022-12-31"  # 计划期内 → end of the plan period


@pytest.mark.parametrize(("label", "text", "expected"), [
    ("year", "2019年年底前", "2019-12-31"), ("earliest-milestone", "2019年年底前完成规划,2022年年底前部分投入运营", "2019-12-31"),
    ("plan-period", "计划期内", "2022-12-31"), ("blank", "", None), ("undated", "长期坚持", None), ("recurring", "每年", None)])
def test_parse_deadline(label, text, expected):
    d = parse_deadline(text, 2022)
    assert (d.isoformat() if d else None) == expected, label


def test_parse_value_and_year():
    assert parse_value("3-4").value == 3 and parse_value("3-4").high == 4
    assert parse_value("1—2").high == 2
    assert parse_value("1/4").value == Decimal("0.25")
    assert parse_value("入选").value is None
    assert parse_year("2022年年底前") == 2022 and parse_year("2016-2020") is None and parse_year("十三五") is None


@pytest.mark.parametrize(("label", "body", "row", "field", "code"), [
    ("unknown-plan", "济南市,不存在的规划,A,亿元,2022,1,目标,,\n", 2, "规划", TargetsError.UNKNOWN_PLAN),
    ("bad-kind", "济南市,测试规划,A,亿元,2022,1,预测,,\n", 2, "类型", TargetsError.BAD_KIND),
    ("actual-not-number", "济南市,测试规划,A,亿元,2022,1,目标,,\n济南市,测试规划,A,亿元,2022,很多,实际,,\n", 3, "数值",
     TargetsError.BAD_NUMBER),
])
def test_bad_rows_name_row_field_reason_and_write_nothing(label, body, row, field, code):
    small_plan()
    before = (Indicator.objects.count(), IndicatorValue.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ImportFileError) as exc:
        small_plan(indicators=IND_HEADER + body)
    errors = [e for e in exc.value.errors if e.code == code]
    assert [(e.row, e.field) for e in errors] == [(row, field)], label
    assert (Indicator.objects.count(), IndicatorValue.objects.count(), AuditEntry.objects.count()) == before


def test_missing_column_and_empty_required_value():
    with pytest.raises(ImportFileError) as exc:
        csv_rows("地区,规划,指标,单位,数值,类型\n济南市,测试规划,A,亿元,1,目标\n", "indicators")
    assert [(e.row, e.field, e.code) for e in exc.value.errors] == [(1, "年份", TargetsError.MISSING_COLUMN)]
    with pytest.raises(ImportFileError) as exc:
        csv_rows(IND_HEADER + "济南市,测试规划,,亿元,2022,1,目标,,\n", "indicators")
    assert [(e.row, e.field, e.code) for e in exc.value.errors] == [(2, "指标", TargetsError.REQUIRED)]


def test_wrong_unit_and_period_outside_the_plan_are_flagged():
    small_plan(indicators=IND_HEADER + "济南市,测试规划,贷款余额,亿元,2025,3000,目标,,\n"
               "济南市,测试规划,贷款余额,亿元,2020,2000,基期,,\n"
               "济南市,测试规划,贷款余额,万元,2022,25000000,实际,,\n"
               "济南市,测试规划,贷款余额,亿元,2023,26000000,实际,,\n"
               "济南市,测试规划,贷款余额,亿元,2030,5000,目标,,\n"
               "济南市,测试规划,贷款余额,亿元,2021,2400,实际,,\n")
    flags = {(f.kind, tuple(v.period_label for v in f.values.all())) for f in ValueFlag.objects.all()}
    assert flags == {(FlagKind.UNIT, ("2022",)), (FlagKind.UNIT, ("2023",)), (FlagKind.PERIOD, ("2030",))}
    unit_flag = ValueFlag.objects.get(kind=FlagKind.UNIT, values__period_label="2022")
    assert "折合 2500 亿元" in unit_flag.message
    accepted = IndicatorValue.objects.filter(kind="actual", state=ValueState.ACCEPTED)
    assert list(accepted.values_list("year", flat=True)) == [2021]


def test_xlsx_with_chinese_headers_from_the_template():
    wb = load_workbook(io.BytesIO(template_xlsx("indicators")))
    header = [c.value for c in wb.active[1]]
    assert header[:7] == ["地区", "规划", "指标", "单位", "年份", "数值", "类型"]
    small_plan()
    out = Workbook()
    out.active.append(header)
    out.active.append(["济南市", "测试规划", "科创贷款", "亿元", 2025, 500, "目标", "", "原文", "以上", "", "370100"])
    buf = io.BytesIO()
    out.save(buf)
    from kechuang.targets.services import targets_import
    targets_import(indicators=parse_rows(buf.getvalue(), "x.xlsx", "indicators"), actor="test", file_name="x.xlsx")
    v = IndicatorValue.objects.get(indicator__name="科创贷款")
    assert (v.value, v.year, v.qualifier, v.quote) == (Decimal("500"), 2025, "以上", "原文")


def test_the_demo_step_is_declared_and_idempotent():
    from kechuang.core.extensions import app_demo_steps
    from kechuang.targets.demo import load_reference_plans

    assert "kechuang.targets.demo.load_reference_plans" in app_demo_steps()
    assert load_reference_plans(progress=None)["values"] == 326
    again = load_reference_plans(progress=None)
    assert (again["values_unchanged"], again["tasks_unchanged"]) == (326, 352)


def test_formula_cells_in_an_uploaded_workbook_are_reported_not_read():
    """A formula's value is whatever Excel last computed (nothing, when another program wrote the
    file): it is named with its row and column and nothing is read."""
    header = [c.value for c in load_workbook(io.BytesIO(template_xlsx("indicators"))).active[1]]
    out = Workbook()
    out.active.append(header)
    out.active.append(["济南市", "测试规划", "科创贷款", "亿元", 2025, "=400+100", "目标"])
    buf = io.BytesIO()
    out.save(buf)
    with pytest.raises(ImportFileError) as exc:
        parse_rows(buf.getvalue(), "x.xlsx", "indicators")
    [error] = exc.value.errors
    assert (error.row, error.field, error.code) == (2, "F列", TargetsError.FORMULA_CELL)
    assert "=400+100" in error.message


def test_flags_are_stored_as_codes_and_read_in_the_request_language():
    """Given an import with an actual in the wrong unit and a target outside the plan period, the
    flags keep a code and parameters; read in English they are English (the plan's own unit marked
    as Chinese), read in Chinese they are the stored Chinese sentence."""
    small_plan(indicators=IND_HEADER + "济南市,测试规划,贷款余额,亿元,2025,3000,目标,,\n"
               "济南市,测试规划,贷款余额,亿元,2020,2000,基期,,\n"
               "济南市,测试规划,贷款余额,万元,2022,25000000,实际,,\n"
               "济南市,测试规划,贷款余额,亿元,2030,5000,目标,,\n")
    unit_flag = ValueFlag.objects.get(kind=FlagKind.UNIT)
    period_flag = ValueFlag.objects.get(kind=FlagKind.PERIOD)
    assert (unit_flag.message_code, unit_flag.message_params) == (
        "unit_converted", {"unit": "万元", "indicator_unit": "亿元", "converted": "2500"})
    assert (period_flag.message_code, period_flag.message_params) == (
        "period", {"kind": "target", "year": 2030, "start": 2021, "end": 2025})
    with translation.override("en"):
        assert unit_flag.message_shown == ('Actual value unit “<span lang="zh-Hans">万元</span>” differs from the '
                                           'indicator unit “<span lang="zh-Hans">亿元</span>”, i.e. 2500 '
                                           '<span lang="zh-Hans">亿元</span>; check it before it counts')
        assert period_flag.message_text == "Target value for 2030 lies outside the plan period 2021–2025"
    with translation.override("zh-hans"):
        assert unit_flag.message_shown == unit_flag.message == (
            "实际值单位“万元”与指标单位“亿元”不一致，折合 2500 亿元；请核定后再计入")
        assert period_flag.message_text == period_flag.message == "目标值的年份 2030 超出规划期 2021—2025"


def test_a_contradiction_lists_each_value_in_the_request_language():
    reference()
    flag = ValueFlag.objects.get(kind=FlagKind.CONTRADICTION)
    assert flag.message_code == "contradiction"
    with translation.override("en"):
        text = flag.message_text
    assert text.startswith("Targets for “金融业税收占比” in 2022 differ within one plan: “")
    assert text.endswith("; decide which one applies (the platform never averages)")
    assert "(row 40)" in text and "(row 5)" in text

