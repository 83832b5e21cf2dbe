"""Repayment pages and API: the bank records on the loan's page and by XLSX import, errors shown
with row, field and reason and nothing written; the API's single and batch creates return coded
errors; the claim page says whether the interest is the bank's or the contract's."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import Workbook
from rest_framework.test import APIClient

from kechuang.funds import services as s
from kechuang.funds.models import Repayment

from .factories import disbursed_loan
from .factories import world as make_world

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def w():
    w = make_world()
    w["loan"] = disbursed_loan(w, on=dt.date(2026, 7, 1))
    return w


def test_the_bank_records_on_the_loan_page_and_errors_stay_beside_the_fields(w):
    loan, url = w["loan"], f"/funds/loans/{w['loan'].pk}/repayments/"
    html = _client(w["ent_u"]).get(url).content.decode()
    assert "银行尚未报送还本付息记录" in html and 'id="repayment-form"' not in html  # the borrower reads only
    bank = _client(w["bank_u"])
    assert 'id="repayment-form"' in bank.get(url).content.decode()
    resp = bank.post(url, {"paid_on": "2026-06-01", "interest_paid": "100"})
    assert resp.status_code == 200 and "早于放款日" in resp.content.decode() and Repayment.objects.count() == 0
    resp = bank.post(url, {"paid_on": "2026-08-01", "interest_paid": "2600.00", "principal_repaid": ""})
    assert resp.status_code == 302 and Repayment.objects.get().loan_id == loan.pk
    html = bank.get(url).content.decode()
    assert "0.26万元" in html and "#" in html
    assert _client(w["bank2_u"]).get(url).status_code == 404
    assert _client(w["ent_u"]).post(url, {"paid_on": "2026-08-02", "interest_paid": "1"}).status_code == 403


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["贷款编号（融资申请编号）", "还款日期", "归还本金（元）", "支付利息（元）", "超合同利息说明", "备注"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "repayments.xlsx"
    return buf


def test_import_page_lists_every_error_and_writes_nothing_then_imports_a_clean_file(w):
    bank, pk = _client(w["bank_u"]), w["loan"].pk
    assert _client(w["ent_u"]).get("/funds/repayments/import/").status_code == 403
    assert bank.get("/funds/repayments/template.xlsx").content[:2] == b"PK"
    resp = bank.post("/funds/repayments/import/", {"file": _xlsx([(pk, "2026-08-01", 0, 2600, "", ""),
                                                                 (pk, "2099-01-01", 0, 10, "", "")])})
    html = resp.content.decode()
    assert resp.status_code == 400 and 'id="import-errors"' in html and "bad_date" in html
    assert Repayment.objects.count() == 0
    resp = bank.post("/funds/repayments/import/", {"file": _xlsx([(pk, "2026-08-01", 0, 2600, "", ""),
                                                                 (pk, "2026-09-01", 0, 2700, "", "")])})
    assert resp.status_code == 302 and Repayment.objects.count() == 2


def test_api_create_batch_and_coded_refusals(w):
    pk, api = w["loan"].pk, _api(w["bank_u"])
    resp = api.post("/api/funds/repayments/", {"loan_id": pk, "paid_on": "2026-08-01", "interest_paid": "-1"},
                    format="json")
    assert resp.status_code == 400  # the serializer takes negatives; the service refuses them, coded
    assert [e["code"] for e in resp.json()["errors"]] == ["bad_value"]
    resp = api.post("/api/funds/repayments/", {"loan_id": pk, "paid_on": "2026-08-01", "interest_paid": "2600"},
                    format="json")
    assert resp.status_code == 201 and resp.json()["source"] == "api"
    resp = api.post("/api/funds/repayments/batch/", {"records": [
        {"loan_id": pk, "paid_on": "2026-09-01", "interest_paid": "2700"},
        {"loan_id": pk, "paid_on": "2026-08-01", "interest_paid": "2600"}]}, format="json")
    assert resp.status_code == 400
    assert resp.json()["errors"] == [{"field": "records.1.paid_on", "code": "duplicate",
                                      "message": resp.json()["errors"][0]["message"]}]
    assert Repayment.objects.count() == 1
    resp = _api(w["bank2_u"]).post("/api/funds/repayments/", {"loan_id": pk, "paid_on": "2026-08-02",
                                                              "interest_paid": "1"}, format="json")
    assert [e["code"] for e in resp.json()["errors"]] == ["not_on_platform"]
    assert _api(w["ent_u"]).get("/api/funds/repayments/").json()["count"] == 1
    assert _api(w["bank2_u"]).get("/api/funds/repayments/").json()["count"] == 0


def test_the_claim_page_says_which_interest_it_paid_on(w):
    s.claims_propose(programme=w["programmes"]["jn-ip-pledge-interest"], year=2026, as_of=dt.date(2026, 7, 31),
                     actor=w["reg_a"])
    other = disbursed_loan(w, on=dt.date(2026, 7, 1), amount="500000")
    rep = _api(w["bank_u"]).post("/api/funds/repayments/", {"loan_id": other.pk, "paid_on": "2026-08-01",
                                                             "interest_paid": "1600"}, format="json").json()
    claims = s.claims_propose(programme=w["programmes"]["jn-ip-pledge-interest"], year=2026,
                              as_of=dt.date(2026, 12, 31), actor=w["reg_a"])
    assert [c.loan_id for c in claims] == [other.pk]
    html = _client(w["reg_b"]).get(f"/funds/claims/{claims[0].pk}/").content.decode()
    assert "银行报送的实付利息" in html and f"#{rep['id']}" in html
    est = w["loan"].fund_claims.get()
    assert "按合同估算" in _client(w["reg_b"]).get(f"/funds/claims/{est.pk}/").content.decode()
