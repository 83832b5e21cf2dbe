"""Pages and API of the supervision app: the overview and an organisation's page render their
items, uploads show every error with row and field, the API answers coded errors and stores
nothing on a bad batch; the demo gives every page items. Data are synthetic."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.demo.services import demo_load
from kechuang.supervision.demo import demo_supervision
from kechuang.supervision.models import Inspection, PeriodicReport, RatioBreach, ReportUpload, SupervisedOrg
from kechuang.supervision.services import reports_submit

from .factories import row, workbook, world

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_upload_page_rejects_a_bad_file_and_lists_the_errors():
    w = world()
    c = _client(w["city"])
    bad = {**row(w["g"]), "cash": "-1"}
    f = SimpleUploadedFile("q3.xlsx", workbook({"guarantor": [bad]}))
    resp = c.post(reverse("supervision:upload"), {"file": f})
    upload = ReportUpload.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("supervision:upload_detail", args=[upload.pk])
    body = c.get(resp["Location"]).content.decode()
    assert "货币资金" in body and "金额不能为负数" in body and "negative" in body
    assert PeriodicReport.objects.count() == 0


def test_template_download_has_one_sheet_per_type_with_chinese_headers():
    w = world()
    resp = _client(w["g_user"]).get(reverse("supervision:template"))
    wb = load_workbook(__import__("io").BytesIO(resp.content))
    assert "融资担保公司" in wb.sheetnames and "小额贷款公司" in wb.sheetnames
    assert [c.value for c in wb["融资担保公司"][1]][:4] == ["许可证编号", "机构类型", "报告频度", "报告期末"]


def test_api_bad_batch_is_400_with_row_field_code_and_nothing_stored():
    w = world()
    c = _client(w["city"])
    good = {"licence_no": "M-1", "licence_type": "microlender", "frequency": "季报", "period_end": "2025-09-30",
            "figures": {k: v for k, v in row(w["m"]).items() if k not in ("sheet", "row", "licence_no",
                                                                          "licence_type", "frequency", "period_end")}}
    unknown = {**good, "licence_type": "网贷平台"}
    resp = c.post("/api/supervision-reports/", {"reports": [good, unknown]}, content_type="application/json")
    assert resp.status_code == 400
    errs = resp.json()["errors"]
    assert {"row": 2, "field": "licence_type", "code": "unknown_type"} in [
        {k: e[k] for k in ("row", "field", "code")} for e in errs]
    assert PeriodicReport.objects.count() == 0 and ReportUpload.objects.get().status == "rejected"
    resp = c.post("/api/supervision-reports/", {"reports": [good]}, content_type="application/json")
    assert resp.status_code == 201 and resp.json()[0]["breach_count"] == 0
    # an organisation's user reads only its own organisation
    assert [o["licence_no"] for o in _client(w["g_user"]).get("/api/supervised-orgs/").json()["results"]] == ["G-1"]


def test_api_register_refuses_an_unknown_licence_type_with_a_code():
    w = world()
    resp = _client(w["city"]).post("/api/supervised-orgs/", {
        "name": "某平台", "licence_type": "p2p", "licence_no": "Z-1", "licence_date": "2020-01-01",
        "registered_capital": "1", "paid_in_capital": "1", "region_code": "370102"}, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["errors"][0]["code"] == "bad_choice"


def test_org_page_shows_breach_with_rule_and_the_guarantor_sees_only_its_own():
    w = world()
    from kechuang.supervision.demo import guarantor
    reports_submit(rows=[row(w["g"], figures=guarantor(5e8, 11.0)), {**row(w["m"]), "row": 2}],
                   actor=w["city"], source="api")
    body = _client(w["city"]).get(reverse("supervision:org_detail", args=[w["g"].pk])).content.decode()
    assert "融资担保放大倍数" in body and "第十五条" in body and "超限" in body
    own = _client(w["g_user"])
    assert own.get(reverse("supervision:org_detail", args=[w["g"].pk])).status_code == 200
    assert own.get(reverse("supervision:org_detail", args=[w["m"].pk])).status_code == 404
    assert own.get(reverse("supervision:dashboard"))["Location"] == reverse("supervision:org_detail", args=[w["g"].pk])
    assert _client(w["other_user"]).get(reverse("supervision:dashboard")).status_code == 403


def test_demo_fills_every_page_with_breaches_once():
    demo_load(n=40)
    assert SupervisedOrg.objects.filter(is_synthetic=True).count() == 10
    codes = set(RatioBreach.objects.values_list("code", flat=True))
    assert {"leverage", "nonstandard_leverage", "single_borrower", "lease_share"} <= codes
    assert not RatioBreach.objects.filter(org__licence_no="DEMO-RZDB-003", code="leverage").exists()  # 12× ≤ 15×
    assert Inspection.objects.filter(status="rectifying").count() == 2
    rejected = ReportUpload.objects.get(status="rejected")
    assert {e["code"] for e in rejected.errors} == {"negative", "already_reported"}
    assert demo_supervision() == {"skipped": "already done"}
    User = get_user_model()
    reg = _client(User.objects.get(username="regulator"))
    body = reg.get(reverse("supervision:dashboard")).content.decode()
    assert "泉城融资担保有限公司（演示）" in body and "合成演示数据" in body and "chart-breaches" in body
    resp = reg.get(reverse("supervision:export"))
    wb = load_workbook(__import__("io").BytesIO(resp.content))
    assert wb["监管指标超限"].max_row > 1
    g = _client(User.objects.get(username="guarantor"))
    linked = SupervisedOrg.objects.get(licence_no="DEMO-RZDB-001")
    assert g.get(reverse("supervision:dashboard"))["Location"] == reverse("supervision:org_detail", args=[linked.pk])


def test_the_regulator_registers_an_organisation_on_the_page_and_bad_input_is_refused():
    w = world()
    c = _client(w["city"])
    data = {"name": "新典当行（测试）", "licence_type": "pawn", "licence_no": "P-9", "licence_date": "2022-05-01",
            "registered_capital": "30000000", "paid_in_capital": "30000000", "region_code": "370105"}
    resp = c.post(reverse("supervision:dashboard"), data)
    org = SupervisedOrg.objects.get(licence_no="P-9")
    assert resp["Location"] == reverse("supervision:org_detail", args=[org.pk])
    resp = c.post(reverse("supervision:dashboard"), {**data, "licence_no": "P-10", "licence_type": "网贷"}, follow=True)
    assert "未知的牌照类型" in resp.content.decode() and not SupervisedOrg.objects.filter(licence_no="P-10").exists()
    _client(w["viewer"]).post(reverse("supervision:dashboard"), {**data, "licence_no": "P-11"})
    assert not SupervisedOrg.objects.filter(licence_no="P-11").exists()
