"""Funds pages: each renders its rows for the roles that may see them, the workflow buttons post
to the services, and a refused action changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from kechuang.core.models import AuditEntry
from kechuang.funds import services as s
from kechuang.funds.models import Budget, Claim

from .factories import defaulted_loss, disbursed_loan
from .factories import world as make_world

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def w():
    w = make_world()
    defaulted_loss(w)
    disbursed_loan(w)
    for code in ("jn-risk-compensation", "jn-ip-pledge-interest"):
        s.claims_propose(programme=w["programmes"][code], year=2026, as_of=dt.date(2026, 12, 31), actor=w["reg_a"])
    return w


def test_programme_pages_show_rules_budget_and_claims(w):
    html = _client(w["ent_u"]).get("/funds/programmes/").content.decode()
    assert "知识产权质押贷款贴息" in html and "科技金融风险补偿（银行本金损失补偿）" in html
    prog = w["programmes"]["jn-ip-pledge-interest"]
    html = _client(w["ent_u"]).get(f"/funds/programmes/{prog.pk}/").content.decode()
    assert "<code>0.5 * interest_paid</code>" in html
    assert "科技型企业贷款贴息" in html  # its exclusive group (就高不重复)
    assert 'id="propose"' not in html  # an enterprise runs nothing
    assert 'id="propose"' in _client(w["reg_a"]).get(f"/funds/programmes/{prog.pk}/").content.decode()


def test_claim_workflow_through_the_pages_with_the_four_eyes_rule(w):
    claim = Claim.objects.get(programme__code="jn-risk-compensation")
    url = f"/funds/claims/{claim.pk}/"
    html = _client(w["bank_u"]).get(url).content.decode()
    assert "担保代偿损失" in html and "10.00万元" in html and 'id="claim-actions"' not in html
    resp = _client(w["reg_a"]).post(url + "review/", {"note": ""}, follow=True)
    assert "四眼原则" in resp.content.decode()
    claim.refresh_from_db()
    assert claim.state == "submitted"
    _client(w["reg_b"]).post(url + "review/", {"note": "齐全"})
    _client(w["reg_c"]).post(url + "approve/", {"note": ""})
    _client(w["reg_a"]).post(url + "pay/", {"note": "财拨-1"})
    claim.refresh_from_db()
    assert claim.state == "paid"
    assert Budget.objects.get(programme=claim.programme, year=2026).paid == Decimal("100000.00")


def test_a_bank_cannot_act_on_its_own_claim_and_nothing_changes(w):
    claim = Claim.objects.get(programme__code="jn-risk-compensation")
    before = (Claim.objects.get(pk=claim.pk).state, AuditEntry.objects.count())
    resp = _client(w["bank_u"]).post(f"/funds/claims/{claim.pk}/review/", {"note": "x"}, follow=True)
    assert resp.status_code == 200 and "只有" in resp.content.decode()
    assert (Claim.objects.get(pk=claim.pk).state, AuditEntry.objects.count()) == before
    assert _client(w["bank2_u"]).post(f"/funds/claims/{claim.pk}/review/").status_code == 404


def test_entitlements_page_lists_amounts_and_what_is_lacking(w):
    html = _client(w["ent_u"]).get("/funds/entitlements/?year=2026").content.decode()
    assert "知识产权质押贷款贴息" in html and "符合：拥有Ⅰ类知识产权" in html
    assert _client(w["ent2_u"]).get(f"/funds/entitlements/?enterprise={w['ent'].pk}").status_code == 404


def test_dashboard_and_the_finance_workbook(w):
    html = _client(w["reg_a"]).get("/funds/dashboard/?year=2026").content.decode()
    assert "政策资金看板" in html and "暂无补偿拨付" in html
    assert _client(w["ent_u"]).get("/funds/dashboard/").status_code == 403
    before = AuditEntry.objects.filter(action="export").count()
    resp = _client(w["reg_a"]).get("/funds/claims.xlsx?year=2026")
    wb = load_workbook(io.BytesIO(resp.content))
    rows = list(wb["资金申领"].iter_rows(min_row=3, values_only=True))
    assert sorted((r[1], r[10]) for r in rows) == [("知识产权质押贷款贴息", 8065.75),
                                                    ("科技金融风险补偿（银行本金损失补偿）", 100000.0)]
    assert AuditEntry.objects.filter(action="export").count() == before + 1
    assert _client(w["bank_u"]).get("/funds/claims.xlsx").status_code == 403


def test_the_apply_page_prefills_and_submits_through_the_service(w):
    prog = w["programmes"]["jn-tech-loan-interest"]
    loan = disbursed_loan(w, product=w["credit"], amount="500000", rate="0.0365")
    c = _client(w["ent_u"])
    html = c.get(f"/funds/programmes/{prog.pk}/apply/?year=2026").content.decode()
    assert f"贷款（融资申请#{loan.pk}）" in html and "已申领" in html  # the IP-pledge loan is taken
    before = Claim.objects.count()
    resp = c.post(f"/funds/programmes/{prog.pk}/apply/?year=2026", {"subject": str(loan.pk), "amount": "999999"},
                  follow=True)
    assert "超过按公式与上限可享的" in resp.content.decode()
    assert Claim.objects.count() == before
    resp = c.post(f"/funds/programmes/{prog.pk}/apply/?year=2026", {"subject": str(loan.pk)})
    claim = Claim.objects.get(subject=f"loan:{loan.pk}")
    assert (resp.status_code, claim.origin, claim.submitted_by_id) == (302, "application", w["ent_u"].pk)
    assert _client(w["bank_u"]).get(f"/funds/programmes/{prog.pk}/apply/").status_code == 403


def test_the_simulation_page_compares_a_proposed_rate_by_district_and_tier(w):
    prog = w["programmes"]["jn-ip-pledge-interest"]
    before = (Claim.objects.count(), AuditEntry.objects.count())
    c = _client(w["reg_a"])
    html = c.get(f"/funds/programmes/{prog.pk}/simulate/?year=2026&formula=0.6+*+interest_paid"
                 "&cap_per_claim=&cap_per_claimant_year=500000").content.decode()
    # as of today the loan of 2026-07-01 has run to today: the figures follow the date, so the
    # test checks the shape: one district row (历下区, not yet tiered), one enterprise gaining
    assert "历下区" in html and "未评定" in html and 'id="simulate-table"' in html
    assert '<div class="h6 mb-0">1 → 1</div>' in html and '<div class="h6 mb-0">1</div>' in html
    html = c.get(f"/funds/programmes/{prog.pk}/simulate/?formula=0.6+*+listing_bonus").content.decode()
    assert "unknown fact “listing_bonus”" in html
    assert (Claim.objects.count(), AuditEntry.objects.count()) == before
    assert _client(w["ent_u"]).get(f"/funds/programmes/{prog.pk}/simulate/").status_code == 403
