"""Pages: who may see them, the 2020 check page, the cockpit (charts data, XLSX, printable), the
index report, imports through the page (refused with row/field/reason), flags resolved."""

import io
from decimal import Decimal

import pytest
from django.apps import apps
from openpyxl import load_workbook

from kechuang.core.models import AuditEntry
from kechuang.accounts.models import Region
from kechuang.enterprises.tests.factories import bank, load, record, regulator
from kechuang.targets.choices import STATUS_HEX
from kechuang.targets.models import IndicatorValue, Plan, Task, ValueFlag
from kechuang.targets.selectors import MARKETPLACE_METRICS, PLATFORM_METRICS, live_metric_registry

from .factories import reference

pytestmark = pytest.mark.django_db

PAGES = ["/targets/", "/targets/cockpit/", "/targets/cockpit/print/", "/targets/scorecards/", "/targets/index/",
         "/targets/flags/"]


@pytest.fixture
def reg_client(client):
    reg = regulator("city")
    client.force_login(reg)
    return client


@pytest.mark.parametrize("url", PAGES)
def test_a_bank_is_refused_and_a_regulator_sees_the_page(client, url):
    client.force_login(bank("b1"))
    assert client.get(url).status_code == 403
    client.force_login(regulator("r1"))
    assert client.get(url).status_code == 200


def test_the_2020_check_page_shows_met_and_missed(reg_client):
    reference()
    plan = Plan.objects.get(name="济南金融行动计划2018-2022")
    html = reg_client.get(f"/targets/plans/{plan.pk}/check/2020/").content.decode()
    assert html.count('data-met="met"') == 4
    assert html.count('data-met="missed"') == 6
    assert "2020年，全市完成金融业增加值968.52亿元" in html


def test_cockpit_renders_progress_live_metrics_and_absent_sources(reg_client):
    reference()
    resp = reg_client.get("/targets/cockpit/?as_of=2020")
    html = resp.content.decode()
    assert resp.context["status_counts"]["off_track"] >= 1
    assert 'data-code="enterprises.on_platform" data-available="1"' in html
    for code, *_ in MARKETPLACE_METRICS:  # declared by the marketplace app or shown as 暂无数据源
        available = code in live_metric_registry()
        assert f'data-code="{code}" data-available="{int(available)}"' in html
    assert ("暂无数据源" in html) == any(code not in live_metric_registry() for code, *_ in MARKETPLACE_METRICS)
    assert resp.context["task_counts"]["total"] == 161 + 98 + 44 + 20  # Jinan's four plans with tasks


def test_cockpit_xlsx_export_is_audited(reg_client):
    reference()
    before = AuditEntry.objects.filter(action="export").count()
    resp = reg_client.get("/targets/cockpit/?as_of=2020&format=xlsx")
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["目标与实际", "逾期任务", "平台指标", "梯度"]
    names = [r[1] for r in wb["目标与实际"].iter_rows(min_row=2, values_only=True)]
    assert "金融业增加值" in names
    assert AuditEntry.objects.filter(action="export").count() == before + 1


def test_cockpit_xlsx_in_english_has_english_sheets_and_headers(reg_client):
    reference()
    resp = reg_client.get("/targets/cockpit/?as_of=2020&format=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["Targets and actuals", "Overdue tasks", "Platform metrics", "Tier"]
    assert next(wb["Overdue tasks"].iter_rows(max_row=1, values_only=True)) == (
        "Plan", "No.", "Task", "Key", "Deadline", "Status", "Progress %", "Lead unit")


def test_page_import_refuses_a_bad_file_naming_row_and_field(reg_client):
    reference()
    n = IndicatorValue.objects.count()
    body = "地区,规划,指标,单位,年份,数值,类型\n济南市,济南十四五金融业发展规划,科创贷款,亿元,2025,500,目标\n" \
           "济南市,济南十四五金融业发展规划,科创贷款,亿元,2024,许多,实际\n"
    f = io.BytesIO(body.encode("gbk"))
    f.name = "bad.csv"
    resp = reg_client.post("/targets/import/", {"kind": "indicators", "file": f}, follow=True)
    text = resp.content.decode()
    assert "第 3 行 · 数值：实际值“许多”不是数字" in text
    assert IndicatorValue.objects.count() == n


def test_resolving_the_contradiction_keeps_one_value_and_rejects_the_other(reg_client):
    reference()
    flag = ValueFlag.objects.get(kind="contradiction")
    keep = flag.values.get(value_text="13.7")
    resp = reg_client.post(f"/targets/flags/{flag.pk}/resolve/", {"keep": keep.pk, "resolution": "以测算表为准"})
    assert resp.status_code == 302
    states = dict(flag.values.values_list("value_text", "state"))
    assert states == {"13.7": "accepted", "13": "rejected"}
    assert ValueFlag.objects.get(pk=flag.pk).status == "resolved"
    # once decided, the plan's 2022 target for 金融业税收占比 is the table's 13.7
    plan = Plan.objects.get(name="济南金融行动计划2018-2022")
    rows = {r["indicator"].concept: r for r in reg_client.get(f"/targets/plans/{plan.pk}/").context["rows"]}
    assert str(rows["金融业税收占比"]["target"].value.normalize()) == "13.7"


def test_index_report_ranks_districts_from_live_metrics(reg_client):
    from kechuang.evaluation.tests.factories import region
    region(3, "370102")
    region(1, "370112", start=10)
    resp = reg_client.get("/targets/index/?code=enterprises.on_platform&year=2026")
    table = resp.context["table"]
    assert [(r["code"], r["rank"]) for r in table[:2]] == [("370102", 1), ("370112", 2)]
    assert table[0]["score"] == pytest.approx(100.0)


def test_an_admin_links_a_unit_to_its_organisation_and_a_viewer_may_not(client):
    from kechuang.accounts.choices import OrganizationKind
    from kechuang.enterprises.tests.factories import organization, user
    from kechuang.targets.models import Unit

    reference()
    unit = Unit.objects.get(name="市金融办")
    org = organization(OrganizationKind.REGULATOR, "济南市地方金融监督管理局")
    client.force_login(user("viewer", org, role="viewer"))
    assert client.post(f"/targets/units/{unit.pk}/link/", {"organization": org.pk}).status_code == 403
    assert Unit.objects.get(pk=unit.pk).organization_id is None
    client.force_login(regulator("admin1"))
    client.post(f"/targets/units/{unit.pk}/link/", {"organization": org.pk})
    assert Unit.objects.get(pk=unit.pk).organization_id == org.pk
    assert AuditEntry.objects.filter(object_type="targets.unit", object_id=str(unit.pk)).count() == 1


def test_index_over_districts_and_years_from_stored_district_actuals(reg_client):
    from .factories import small_plan
    small_plan(indicators="地区,规划,指标,单位,年份,数值,类型,区划代码\n"
               "济南市,测试规划,科创贷款,亿元,2025,100,目标,370100\n"
               "济南市,测试规划,科创贷款,亿元,2023,10,实际,370102\n济南市,测试规划,科创贷款,亿元,2024,20,实际,370102\n"
               "济南市,测试规划,科创贷款,亿元,2023,5,实际,370112\n济南市,测试规划,科创贷款,亿元,2024,40,实际,370112\n")
    resp = reg_client.get("/targets/index/?code=科创贷款&from=2023&year=2024")
    rows = [(r["code"], r["year"], round(r["score"], 2), r["rank"]) for r in resp.context["table"][:4]]
    assert rows == [("370112", 2024, 100.0, 1), ("370102", 2024, round(100 * 15 / 35, 2), 2),
                    ("370102", 2023, round(100 * 5 / 35, 2), 3), ("370112", 2023, 0.0, 4)]
    assert "跨年可比" in resp.content.decode()


def fake_mean(*, region_code, start, end):
    return Decimal(113), Decimal(25)


def fake_rate_of_two_populations(*, region_code, start, end):
    return Decimal(113), Decimal(25)


def test_a_mean_is_shown_as_a_number_and_a_rate_above_100_percent_as_a_definition_error(reg_client, monkeypatch):
    """satisfaction (sum of scores ÷ visits) was shown as 113 / 25 = 452.0 %."""
    config = apps.get_app_config("marketplace")
    monkeypatch.setattr(config, "live_metrics", {
        "satisfaction": "kechuang.targets.tests.test_pages.fake_mean",
        "pickup_rate": "kechuang.targets.tests.test_pages.fake_rate_of_two_populations"}, raising=False)
    html = reg_client.get("/targets/cockpit/").content.decode()
    row = html.split('data-code="satisfaction"')[1].split("</tr>")[0]
    assert '<td class="text-end" data-kind="mean">4.52</td>' in row and "452" not in row
    row = html.split('data-code="pickup_rate"')[1].split("</tr>")[0]
    assert "口径异常" in row and "452" not in row


def test_cockpit_charts_have_data_coloured_by_status(reg_client):
    """Trends come from every observed value (baselines and actuals of all plans), the donut's
    colours from STATUS_HEX, the district comparison from platform rows per district."""
    reference()
    region = Region.objects.get(code="370100")
    Region.objects.get_or_create(code="370102", defaults={"name": "历下区", "parent": region})
    Region.objects.get_or_create(code="370103", defaults={"name": "市中区", "parent": region})
    load([record(n, region="370102") for n in (1, 2, 3)] + [record(4, region="370103")])
    resp = reg_client.get("/targets/cockpit/?as_of=2020")
    chart = resp.context["chart"]
    assert {s["key"]: (s["value"], s["color"]) for s in chart["status"]} == {
        k: (v, STATUS_HEX[k]) for k, v in resp.context["status_counts"].items()}
    trends = {t["name"]: t["points"] for t in chart["trends"]}
    assert len(trends) == 6  # TREND_LINES; the old chart had none (one actual year per concept)
    assert trends["年保费收入（亿元）"] == [(2017, 381.0), (2020, 628.04)]  # 2018 plan's 基期 + 十四五's actual
    d = chart["districts"]
    assert (d["kind"], d["code"]) == ("platform", "enterprises.on_platform")
    values = dict(zip(d["districts"], d["values"], strict=True))
    assert (values["历下区"], values["市中区"], sum(values.values())) == (3.0, 1.0, 4.0)
    assert resp.context["task_counts"]["no_deadline"] == Task.objects.filter(
        plan__region_code="370100", deadline__isnull=True).count() > 0


def test_the_cockpit_defaults_to_the_latest_year_with_actuals(reg_client):
    reference()
    assert reg_client.get("/targets/cockpit/").context["as_of_year"] == 2022


def test_the_printable_report_names_region_date_and_every_definition(reg_client):
    reference()
    html = reg_client.get("/targets/cockpit/print/?as_of=2020").content.decode()
    assert "@page { size: A4" in html and "地区：济南市" in html and "370100" not in html.split("<body")[-1].split("<script")[0] and "评估年份：2020" in html
    table = html.split('id="definition-table"')[1].split("</table>")[0]
    for code, _label, _kind, definition in PLATFORM_METRICS + MARKETPLACE_METRICS:
        assert f'data-code="{code}"' in table and str(definition) in table, code


def test_a_district_regulator_compares_its_district_with_its_peers(client):
    region = Region.objects.get(code="370100")
    Region.objects.get_or_create(code="370102", defaults={"name": "历下区", "parent": region})
    Region.objects.get_or_create(code="370103", defaults={"name": "市中区", "parent": region})
    load([record(n, region="370102") for n in (1, 2)] + [record(3, region="370103")])
    client.force_login(regulator("lixia", region="370102"))
    resp = client.get("/targets/cockpit/")
    d = resp.context["chart"]["districts"]
    values = dict(zip(d["districts"], d["values"], strict=True))
    assert (values["历下区"], values["市中区"]) == (2.0, 1.0)
    html = resp.content.decode()
    assert 'id="no-status"' in html and 'id="no-trends"' in html and 'id="chart-districts"' in html


def test_a_district_regulator_reads_the_citys_flags_but_cannot_resolve_them(client):
    """Flags follow their plan: every regulator reads them, only the plan's region resolves them."""
    reference()
    flag = ValueFlag.objects.get(kind="contradiction")
    assert flag.indicator.plan.region_code == "370100"
    keep = flag.values.get(value_text="13.7")
    client.force_login(regulator("lixia", region="370102", role="officer"))
    assert flag.pk in [f.pk for f in client.get("/targets/flags/").context["flags"]]
    resp = client.post(f"/targets/flags/{flag.pk}/resolve/", {"keep": keep.pk, "resolution": "越权处理"})
    assert resp.status_code == 404
    assert ValueFlag.objects.get(pk=flag.pk).status == "open"
    assert set(flag.values.values_list("state", flat=True)) != {"accepted", "rejected"}
