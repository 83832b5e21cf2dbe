"""Pages: each role sees its page; bad input is shown and nothing is written; HTMX grab and actions."""

import pytest
from django.test import Client

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.marketplace import services as s
from kechuang.marketplace.models import Demand, FinancingRequest

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db


def login(u):
    c = Client()
    c.force_login(u)
    return c


@pytest.fixture
def w():
    bank, bu = institution(K.BANK, "银行甲")
    bank2, bu2 = institution(K.BANK, "银行乙")
    reg_org, reg = institution(K.REGULATOR, "金融局")
    ent, eu = enterprise(1)
    return dict(bu=bu, bu2=bu2, reg=reg, ent=ent, eu=eu, p1=loan_product(bank, bu), p2=loan_product(bank2, bu2, name="乙贷"))


def test_enterprise_posts_a_demand_sees_matches_applies_and_sees_the_holder(w):
    c = login(w["eu"])
    page = c.get("/marketplace/demands/new/").content.decode()
    assert "平台已掌握的信息" in page and "科技型中小企业" in page
    bad = c.post("/marketplace/demands/new/", {"kind": "debt", "amount": "0", "term_months": "12", "purpose": "rd",
                                                "collateral": "none"})
    assert bad.status_code == 200 and "金额必须大于零" in bad.content.decode() and Demand.objects.count() == 0
    ok = c.post("/marketplace/demands/new/", {"kind": "debt", "amount": "1000000", "term_months": "12",
                                               "purpose": "rd", "collateral": "none"})
    d = Demand.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/marketplace/demands/{d.pk}/"
    detail = c.get(ok["Location"]).content.decode()
    assert detail.count('class="match-row"') == 2 and "符合：科技型中小企业" in detail
    c.post(f"/marketplace/demands/{d.pk}/apply/", {"product": w["p1"].pk})
    home = c.get("/marketplace/").content.decode()
    assert "银行甲" in home and 'data-state="submitted"' in home


def test_institution_grabs_from_its_queue_and_the_second_grab_is_told(w):
    d = s.demand_post(enterprise=w["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd", actor=w["eu"])
    bank = login(w["bu"])
    assert f'id="q-{d.pk}"' in bank.get("/marketplace/").content.decode()
    first = bank.post(f"/marketplace/demands/{d.pk}/grab/", {"product": w["p1"].pk}, HTTP_HX_REQUEST="true")
    assert "抢单成功" in first.content.decode()
    second = login(w["bu2"]).post(f"/marketplace/demands/{d.pk}/grab/", {"product": w["p2"].pk})
    assert "已由其他机构承办" in second.content.decode()
    assert FinancingRequest.objects.count() == 1
    r = FinancingRequest.objects.get()
    out = bank.post(f"/marketplace/requests/{r.pk}/approve/").content.decode()
    assert "不能变为" in out
    r.refresh_from_db()
    assert r.state == "picked_up"
    bank.post(f"/marketplace/requests/{r.pk}/review/")
    out = bank.post(f"/marketplace/requests/{r.pk}/decline/", {"reason": ""}).content.decode()
    assert "拒绝须说明理由" in out
    out = bank.post(f"/marketplace/requests/{r.pk}/decline/", {"reason": "资料不全"}).content.decode()
    assert 'data-state="declined"' in out


def test_regulator_metrics_page_and_others_refused(w):
    page = login(w["reg"]).get("/marketplace/metrics/")
    assert page.status_code == 200 and "合理化融资需求满足率" in page.content.decode()
    assert login(w["bu"]).get("/marketplace/metrics/").status_code == 403
    assert login(w["bu"]).get("/marketplace/products/").status_code == 200


def test_metrics_workbook_is_real_xlsx_with_the_values(w):
    import io

    from openpyxl import load_workbook

    d = s.demand_post(enterprise=w["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd", actor=w["eu"])
    s.demand_grab(demand=d, product=w["p1"], actor=w["bu"])
    resp = login(w["reg"]).get("/marketplace/metrics.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    rows = {r[0]: r for r in wb["指标汇总"].iter_rows(min_row=3, values_only=True)}
    assert rows["pickup_rate"][2:] == (1.0, 1.0, 1.0)
    assert [r[0] for r in wb["按机构"].iter_rows(min_row=2, values_only=True)] == ["银行甲"]
    assert login(w["bu"]).get("/marketplace/metrics.xlsx").status_code == 403


def test_metrics_workbook_in_english_has_english_sheets_and_headers(w):
    """Given a request in English, the workbook's sheet names and headers are English; the
    institutions' names stay as entered."""
    import io

    from openpyxl import load_workbook

    d = s.demand_post(enterprise=w["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd", actor=w["eu"])
    s.demand_grab(demand=d, product=w["p1"], actor=w["bu"])
    resp = login(w["reg"]).get("/marketplace/metrics.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == ["Summary", "By institution", "By product", "By district"]
    assert next(wb["Summary"].iter_rows(min_row=2, max_row=2, values_only=True)) == (
        "Metric code", "Indicator", "Numerator", "Denominator", "Value")
    assert next(wb["By institution"].iter_rows(max_row=1, values_only=True)) == (
        "Dimension", "Applications", "Take-up rate", "Approval rate", "Amount disbursed (yuan)",
        "Average take-up (working days)", "Average review (working days)")
    assert [r[0] for r in wb["By institution"].iter_rows(min_row=2, values_only=True)] == ["银行甲"]


def test_pools_page_lists_the_region_and_refuses_enterprises(w):
    s.first_loan_add(enterprise=w["ent"], plan="知识产权质押首贷", actor=w["reg"])
    page = login(w["reg"]).get("/marketplace/pools/").content.decode()
    assert "知识产权质押首贷" in page and w["ent"].name in page
    assert login(w["eu"]).get("/marketplace/pools/").status_code == 403
