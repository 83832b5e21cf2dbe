"""Page forms of the pools, roadshows and legs: each succeeds through its service and redirects with a
message, a refused user gets no form and no write, bad input shows the service's error beside the
field and writes nothing."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.choices import Role
from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import organization, user
from kechuang.marketplace import services as s
from kechuang.marketplace.models import (AdvisorAssignment, AdvisorVisit, Demand, FinancingRequest, FirstLoanCandidate,
                                         Leg, Roadshow, RoadshowRegistration, WhitelistEntry)

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db
TOMORROW = date.today() + timedelta(days=90)


def login(u):
    c = Client()
    c.force_login(u)
    return c


@pytest.fixture
def w():
    reg_org, reg = institution(K.REGULATOR, "金融局")
    bank, bu = institution(K.BANK, "银行甲")
    guar, gu = institution(K.GUARANTOR, "担保甲")
    ins, iu = institution(K.INSURER, "保险甲")
    inv, vu = institution(K.INVESTOR, "创投甲")
    ent, eu = enterprise(1)
    viewer = user("reg-viewer", reg_org, role=Role.VIEWER)
    return dict(reg=reg, bank=bank, bu=bu, guar=guar, gu=gu, ins=ins, iu=iu, inv=inv, vu=vu, ent=ent, eu=eu,
                viewer=viewer)


def _messages(resp):
    return [str(m) for m in resp.wsgi_request._messages]


def test_first_loan_form(w):
    c = login(w["reg"])
    assert 'id="new-first-loan"' in c.get("/marketplace/pools/").content.decode()
    ok = c.post("/marketplace/pools/first-loan/new/", {"enterprise": w["ent"].uscc, "plan": "一企一策：知识产权质押",
                                                       "bank": w["bank"].pk})
    assert ok.status_code == 302 and ok["Location"] == "/marketplace/pools/"
    row = FirstLoanCandidate.objects.get()
    assert row.plan == "一企一策：知识产权质押" and row.bank == w["bank"] and "已加入首贷培植名单。" in _messages(ok)
    dup = c.post("/marketplace/pools/first-loan/new/", {"enterprise": w["ent"].uscc})
    assert dup.status_code == 200 and 'id="error-enterprise"' in dup.content.decode()
    assert "该企业已在首贷培植名单中。" in dup.content.decode() and FirstLoanCandidate.objects.count() == 1
    unknown = c.post("/marketplace/pools/first-loan/new/", {"enterprise": "NOPE"})
    assert "找不到该企业" in unknown.content.decode() and FirstLoanCandidate.objects.count() == 1
    # a viewer of the regulator and a bank are refused, and are not shown the button
    assert 'id="new-first-loan"' not in login(w["viewer"]).get("/marketplace/pools/").content.decode()
    for u in (w["viewer"], w["bu"]):
        r = login(u).post("/marketplace/pools/first-loan/new/", {"enterprise": w["ent"].uscc})
        assert r.status_code == 403
    assert FirstLoanCandidate.objects.count() == 1


def test_whitelist_form(w):
    c = login(w["reg"])
    data = {"enterprise": w["ent"].uscc, "guarantor": w["guar"].pk, "bank": w["bank"].pk, "line_amount": "0",
            "valid_until": str(TOMORROW)}
    bad = c.post("/marketplace/pools/whitelist/new/", data)
    assert bad.status_code == 200 and 'id="error-line_amount"' in bad.content.decode()
    assert "金额必须大于零" in bad.content.decode() and WhitelistEntry.objects.count() == 0
    past = c.post("/marketplace/pools/whitelist/new/", {**data, "line_amount": "3000000", "valid_until": "2020-01-01"})
    assert "有效期须晚于今天" in past.content.decode() and WhitelistEntry.objects.count() == 0
    ok = c.post("/marketplace/pools/whitelist/new/", {**data, "line_amount": "3000000"})
    assert ok.status_code == 302 and WhitelistEntry.objects.get().line_amount == 3000000
    # an enterprise user may not; a guarantor without the enterprise's consent cannot even name it
    assert login(w["eu"]).post("/marketplace/pools/whitelist/new/", data).status_code == 403
    no = login(w["gu"]).post("/marketplace/pools/whitelist/new/", {**data, "line_amount": "1000"})
    assert no.status_code == 200 and "找不到该企业" in no.content.decode()
    assert WhitelistEntry.objects.count() == 1


def test_advisor_assignment_and_visit_forms(w):
    agency_org, agency = institution(K.SERVICE_AGENCY, "服务中心")
    adv = user("advisor-1", agency_org, display_name="李辅导")
    c = login(w["reg"])
    bad = c.post("/marketplace/pools/advisors/new/", {"enterprise": w["ent"].uscc, "advisor": w["eu"].pk})
    assert "请从列表中选择辅导员" in bad.content.decode() and AdvisorAssignment.objects.count() == 0
    ok = c.post("/marketplace/pools/advisors/new/", {"enterprise": w["ent"].uscc, "advisor": adv.pk,
                                                     "team": "历下一队"})
    assert ok.status_code == 302
    a = AdvisorAssignment.objects.get()
    assert a.advisor == adv and a.team == "历下一队"
    assert login(w["bu"]).post("/marketplace/pools/advisors/new/", {"enterprise": w["ent"].uscc,
                                                                    "advisor": adv.pk}).status_code == 403
    # the advisor records a visit; a bad satisfaction is the service's error beside the field
    ac = login(adv)
    assert f"/marketplace/pools/advisors/{a.pk}/visit/" in ac.get("/marketplace/").content.decode()
    url = f"/marketplace/pools/advisors/{a.pk}/visit/"
    bad = ac.post(url, {"visited_on": str(date.today()), "satisfaction": "9", "note": "x"})
    assert 'id="error-satisfaction"' in bad.content.decode() and "满意度须为 1 至 5" in bad.content.decode()
    future = ac.post(url, {"visited_on": str(date.today() + timedelta(days=3)), "satisfaction": "5"})
    assert "走访日期不能晚于今天" in future.content.decode() and AdvisorVisit.objects.count() == 0
    ok = ac.post(url, {"visited_on": str(date.today()), "satisfaction": "4", "note": "了解融资需求"})
    assert ok.status_code == 302 and AdvisorVisit.objects.get().satisfaction == 4
    assert login(w["reg"]).post(url, {"visited_on": str(date.today()), "satisfaction": "4"}).status_code == 403
    assert AdvisorVisit.objects.count() == 1


def test_roadshow_create_register_and_follow_up(w):
    c = login(w["reg"])
    assert 'id="new-roadshow"' in c.get("/marketplace/pools/").content.decode()
    bad = c.post("/marketplace/roadshows/new/", {"title": "路演一期", "region_code": "37", "held_on": str(date.today())})
    assert 'id="error-region_code"' in bad.content.decode() and Roadshow.objects.count() == 0
    assert login(w["eu"]).post("/marketplace/roadshows/new/", {"title": "x", "region_code": "370100",
                                                               "held_on": str(date.today())}).status_code == 403
    ok = c.post("/marketplace/roadshows/new/", {"title": "路演一期", "region_code": "370100",
                                                "held_on": str(date.today())})
    show = Roadshow.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/marketplace/roadshows/{show.pk}/"
    reg_url = f"/marketplace/roadshows/{show.pk}/register/"
    # the enterprise registers itself (its code is pre-filled); a second time is the service's duplicate error
    ec = login(w["eu"])
    assert w["ent"].uscc in ec.get(f"/marketplace/roadshows/{show.pk}/").content.decode()
    assert ec.post(reg_url, {"role": "presenter", "enterprise": w["ent"].uscc}).status_code == 302
    dup = ec.post(reg_url, {"role": "presenter", "enterprise": w["ent"].uscc})
    assert "已报名该路演" in dup.content.decode() and RoadshowRegistration.objects.count() == 1
    # a bank may not register; the investor cannot present an enterprise it does not see, but registers itself
    assert login(w["bu"]).post(reg_url, {"role": "investor", "investor": w["inv"].pk}).status_code == 403
    vc = login(w["vu"])
    other = vc.post(reg_url, {"role": "presenter", "enterprise": w["ent"].uscc})  # not its enterprise
    assert 'id="error-enterprise"' in other.content.decode() and RoadshowRegistration.objects.count() == 1
    assert vc.post(reg_url, {"role": "investor", "investor": w["inv"].pk}).status_code == 302
    assert RoadshowRegistration.objects.count() == 2
    # the investor follows the enterprise up: an equity demand it holds
    mandate = s.product_create(institution=w["inv"], kind="equity", category="venture", name="早期基金",
                               amount_min="1000000", amount_max="30000000", actor=w["vu"])
    presenter = RoadshowRegistration.objects.get(role="presenter")
    fu_url = f"/marketplace/roadshows/{show.pk}/follow-up/"
    assert 'id="follow-up-form"' in vc.get(f"/marketplace/roadshows/{show.pk}/").content.decode()
    bad = vc.post(fu_url, {"registration": presenter.pk, "product": mandate.pk, "amount": "0"})
    assert "金额必须大于零" in bad.content.decode() and Demand.objects.count() == 0
    assert login(w["eu"]).post(fu_url, {"registration": presenter.pk, "product": mandate.pk,
                                        "amount": "8000000"}).status_code == 403
    ok = vc.post(fu_url, {"registration": presenter.pk, "product": mandate.pk, "amount": "8000000", "note": "尽调"})
    req = FinancingRequest.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/marketplace/requests/{req.pk}/"
    assert req.institution == w["inv"] and Demand.objects.get().roadshow == show


def _guaranteed_request(w):
    p = loan_product(w["bank"], w["bu"], needs_guarantee=True)
    d = s.demand_post(enterprise=w["ent"], kind="debt", amount="1000000", term_months=12, purpose="rd", actor=w["eu"])
    return s.demand_grab(demand=d, product=p, actor=w["bu"])


def test_leg_add_and_decide(w):
    r = _guaranteed_request(w)
    bc = login(w["bu"])
    assert 'id="add-leg"' in bc.get(f"/marketplace/requests/{r.pk}/").content.decode()
    assert 'id="add-leg"' not in login(w["eu"]).get(f"/marketplace/requests/{r.pk}/").content.decode()
    url = f"/marketplace/requests/{r.pk}/legs/new/"
    assert login(w["eu"]).post(url, {"kind": "guarantee", "provider": w["guar"].pk}).status_code == 403
    wrong = bc.post(url, {"kind": "guarantee", "provider": w["ins"].pk})
    assert 'id="error-provider"' in wrong.content.decode() and "须由" in wrong.content.decode()
    shares = bc.post(url, {"kind": "guarantee", "provider": w["guar"].pk, "share_national": "20",
                           "share_provincial": "20", "share_city": "40", "share_bank": "30"})
    assert "合计100" in shares.content.decode() and Leg.objects.count() == 0
    ok = bc.post(url, {"kind": "guarantee", "provider": w["guar"].pk, "share_national": "20", "share_provincial": "20",
                       "share_city": "40", "share_bank": "20"})
    assert ok.status_code == 302 and ok["Location"] == f"/marketplace/requests/{r.pk}/"
    leg = Leg.objects.get()
    assert leg.state == "pending" and leg.share_city == 40
    # the bank may not approve its own leg; the guarantor sees the request and decides
    n = AuditEntry.objects.count()
    refused = bc.post(f"/marketplace/legs/{leg.pk}/approve/")
    leg.refresh_from_db()
    assert refused.status_code == 302 and leg.state == "pending" and AuditEntry.objects.count() == n
    gc = login(w["gu"])
    assert f"/marketplace/legs/{leg.pk}/approve/" in gc.get(f"/marketplace/requests/{r.pk}/").content.decode()
    done = gc.post(f"/marketplace/legs/{leg.pk}/approve/")
    leg.refresh_from_db()
    assert done.status_code == 302 and leg.state == "approved" and "环节已确认。" in _messages(done)
    again = gc.post(f"/marketplace/legs/{leg.pk}/decline/")
    leg.refresh_from_db()
    assert leg.state == "approved" and any("已处理" in m for m in _messages(again))
    # the guarantee now present, the form is gone
    assert 'id="add-leg"' not in bc.get(f"/marketplace/requests/{r.pk}/").content.decode()


def test_first_loan_plan_and_status_are_revised_through_the_page(w):
    row = s.first_loan_add(enterprise=w["ent"], plan="旧方案", actor=w["reg"])
    url = f"/marketplace/pools/first-loan/{row.pk}/edit/"

    refused = login(w["viewer"]).post(url, {"plan": "x", "status": "closed"})
    bad = login(w["reg"]).post(url, {"plan": "新方案", "status": "graduated"})  # only the platform sets it
    row.refresh_from_db()
    assert (refused.status_code, bad.status_code, row.plan, row.status) == (403, 200, "旧方案", "active")

    ok = login(w["reg"]).post(url, {"plan": "新方案：知识产权质押 + 首贷辅导", "bank": w["bank"].pk, "status": "active"},
                              follow=True)

    row.refresh_from_db()
    assert (row.plan, row.bank_id, row.status) == ("新方案：知识产权质押 + 首贷辅导", w["bank"].pk, "active")
    assert "已更新一企一策方案" in ok.content.decode()
    entry = AuditEntry.objects.filter(object_type="marketplace.firstloancandidate", action="update").get()
    assert (entry.before["plan"], entry.after["plan"]) == ("旧方案", "新方案：知识产权质押 + 首贷辅导")


def test_a_graduated_candidate_is_not_revised_by_hand(w):
    row = s.first_loan_add(enterprise=w["ent"], plan="方案", actor=w["reg"])
    FirstLoanCandidate.objects.filter(pk=row.pk).update(status="graduated")

    page = login(w["reg"]).post(f"/marketplace/pools/first-loan/{row.pk}/edit/", {"plan": "改", "status": "closed"})

    row.refresh_from_db()
    assert (page.status_code, row.plan, row.status) == (200, "方案", "graduated")
    assert "已获首贷" in page.content.decode()


def test_staff_mark_a_roadshow_held_from_its_page_once(w):
    show = s.roadshow_create(title="知识产权专场", region_code="370102", held_on=date.today(), actor=w["reg"])
    url = f"/marketplace/roadshows/{show.pk}/held/"

    assert 'id="mark-held"' in login(w["reg"]).get(f"/marketplace/roadshows/{show.pk}/").content.decode()
    assert 'id="mark-held"' not in login(w["bu"]).get(f"/marketplace/roadshows/{show.pk}/").content.decode()
    login(w["bu"]).post(url)  # a bank may not
    show.refresh_from_db()
    assert show.status == "planned"

    login(w["reg"]).post(url)
    again = login(w["reg"]).post(url, follow=True)  # a second time: refused with the service's message

    show.refresh_from_db()
    assert show.status == "held"
    assert "路演状态为" in again.content.decode()
    assert AuditEntry.objects.filter(object_type="marketplace.roadshow", action="update").count() == 1


def test_a_default_loss_is_booked_from_the_request_page_split_2_2_4_2(w):
    from decimal import Decimal

    from kechuang.marketplace.models import LossBooking

    r = _guaranteed_request(w)
    leg = s.leg_add(request=r, kind="guarantee", provider=w["guar"], actor=w["bu"])
    s.leg_decide(leg=leg, approve=True, actor=w["gu"])
    page = f"/marketplace/requests/{r.pk}/"
    url = f"/marketplace/legs/{leg.pk}/default/"
    assert url in login(w["bu"]).get(page).content.decode()
    assert url not in login(w["eu"]).get(page).content.decode()

    bad = login(w["bu"]).post(url, {"loss": "0"})
    refused = login(w["eu"]).post(url, {"loss": "100000.00"})
    assert (bad.status_code, LossBooking.objects.count()) == (302, 0), bad.content[:300]
    assert any("金额必须大于零" in m for m in _messages(bad)), _messages(bad)
    assert any("只有担保机构或承办银行" in m for m in _messages(refused))  # the enterprise may not
    assert LossBooking.objects.count() == 0

    login(w["bu"]).post(url, {"loss": "100000.05"})

    parts = dict(LossBooking.objects.values_list("party", "amount"))
    assert sum(parts.values()) == Decimal("100000.05")
    assert parts["city"] == Decimal("40000.02") or parts["city"] == Decimal("40000.03")
    leg.refresh_from_db()
    assert leg.state == "defaulted"
    assert "损失分担" in login(w["bu"]).get(page).content.decode()


def _advisor_options(page: str) -> list[str]:
    select = re.search(r'<select name="advisor"[^>]*>(.*?)</select>', page, re.S)
    assert select, "the advisor is a list to pick from"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))


def test_the_advisor_is_picked_by_name_from_the_agencies_in_scope_and_checked_by_the_server(w):
    agency_org, agency = institution(K.SERVICE_AGENCY, "历下服务中心")
    adv = user("advisor-1", agency_org, display_name="李辅导")
    user("advisor-viewer", agency_org, role=Role.VIEWER, display_name="赵只读")
    far_org = organization(K.SERVICE_AGENCY, "青岛服务中心", region="370200")
    far = user("advisor-qd", far_org, display_name="王青岛")
    url = "/marketplace/pools/advisors/new/"

    page = login(w["reg"]).get(url).content.decode()
    own = login(agency).get(url).content.decode()

    assert 'name="advisor"' in page and re.search(r'<select name="advisor"[^>]*data-kc-search="select"', page)
    assert _advisor_options(page) == ["—", "u-历下服务中心（历下服务中心）", "李辅导（历下服务中心）"]
    assert _advisor_options(own) == ["—", "u-历下服务中心（历下服务中心）", "李辅导（历下服务中心）"]
    assert "advisor-1" not in page  # names, not usernames
    # an agency outside the regulator's region, a viewer or an enterprise user is refused beside the field
    for who in (far, w["eu"], w["viewer"]):
        resp = login(w["reg"]).post(url, {"enterprise": w["ent"].uscc, "advisor": who.pk})
        assert resp.status_code == 200
        assert 'id="error-advisor">请从列表中选择辅导员：只能指派您辖区内服务机构的在岗人员。' in resp.content.decode()
    assert AdvisorAssignment.objects.count() == 0
    ok = login(w["reg"]).post(url, {"enterprise": w["ent"].uscc, "advisor": adv.pk})
    assert ok.status_code == 302 and AdvisorAssignment.objects.get().advisor == adv
