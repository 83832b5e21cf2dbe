"""The trade API (search, list, interest, each step; coded 4xx, never 5xx) and pages for each role:
the seller's listings and interests received, the buyer's search and interests sent, the
regulator's 技术合同成交额 by district and month with its XLSX export, the profile's IP card, and
the pledge valuation on a bank's IP-pledge request."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from kechuang.enterprises.tests.factories import regulator
from kechuang.trade import choices as c
from kechuang.trade.models import Deal, Listing

from .factories import AS_OF, P1, P2, P3, ip_enterprise, party

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ent, ent_user = ip_enterprise()
    buyer, buyer_user = party(2)
    return {"ent": ent, "seller_user": ent_user, "buyer": buyer, "buyer_user": buyer_user, "reg": regulator()}


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _codes(r) -> list[str]:
    return [e["code"] for e in r.json()["errors"]]


def test_the_api_walks_a_deal_from_listing_to_registration(world):
    seller, buyer = _api(world["seller_user"]), _api(world["buyer_user"])
    r = seller.post("/api/trade/listings/", {"ip_key": P1, "kind": "transfer", "asking_price": "1500000.00",
                                             "description": "数据加密专利转让"}, format="json")
    assert r.status_code == 201, r.content
    lid = r.json()["id"]
    r = buyer.get("/api/trade/listings/", {"q": "加密", "kind": "transfer", "price_max": "2000000"})
    assert [x["id"] for x in r.json()["results"]] == [lid]
    assert buyer.get("/api/trade/listings/", {"price_max": "1000000"}).json()["results"] == []
    assert buyer.get("/api/trade/listings/", {"region": "370103"}).json()["results"] == []  # seller is in 370102
    r = buyer.post(f"/api/trade/listings/{lid}/interest/", {"message": "有意"}, format="json")
    assert r.status_code == 201
    did = r.json()["id"]
    assert seller.post(f"/api/trade/deals/{did}/sign/", {"contract_date": AS_OF.isoformat()}, format="json").json()[
        "errors"][0]["code"] == "out_of_order"
    assert seller.post(f"/api/trade/deals/{did}/negotiate/", format="json").status_code == 200
    r = seller.post(f"/api/trade/deals/{did}/agree/", {"price": "0", "terms": ""}, format="json")
    assert (r.status_code, _codes(r)) == (400, ["price"])
    r = seller.post(f"/api/trade/deals/{did}/agree/", {"price": "1400000.00", "terms": "分两期",
                                                       "payment_schedule": [{"due_on": "2026-12-31", "amount": "700000"}]},
                    format="json")
    assert (r.status_code, r.json()["state"], r.json()["price"]) == (200, "agreed", "1400000.00")
    r = buyer.post(f"/api/trade/deals/{did}/sign/", {"contract_date": AS_OF.isoformat()}, format="json")
    assert r.status_code == 200 and r.json()["seller_batch"] and r.json()["buyer_batch"]
    r = _api(world["reg"]).post(f"/api/trade/deals/{did}/register/", {"registration_number": "2026370102000001"},
                                format="json")
    assert (r.status_code, r.json()["state"]) == (200, "registered")
    rows = _api(world["reg"]).get("/api/trade/deals/turnover/").json()
    assert [(x["region_code"], x["month"], x["count"], x["total"]) for x in rows] == [
        ("370102", AS_OF.replace(day=1).isoformat(), 1, "1400000.00")]


def test_api_bad_input_is_a_coded_4xx(world):
    seller = _api(world["seller_user"])
    for body, code in (({"ip_key": P2, "kind": "transfer"}, "expired"),
                       ({"ip_key": "ZL000", "kind": "licence"}, "not_held"),
                       ({"ip_key": P1, "kind": "sale"}, None),
                       ({"ip_key": P1, "kind": "transfer", "asking_price": "-1"}, "price")):
        r = seller.post("/api/trade/listings/", body, format="json")
        assert r.status_code == 400, body
        if code:
            assert _codes(r) == [code]
    assert Listing.objects.count() == 0
    assert seller.get("/api/trade/listings/", {"price_min": "abc"}).status_code == 400
    # a stranger cannot see or step a deal
    listing = Listing.objects.create(seller=world["seller_user"].organization, holder=world["ent"], ip_key=P3,
                                     ip_type="invention_patent", kind=c.DealKind.LICENCE, region_code="370102")
    deal = Deal.objects.create(listing=listing, seller=listing.seller, holder=world["ent"], buyer=world["buyer"],
                               buyer_holder=world["buyer"].enterprise, ip_key=P3, kind=listing.kind, region_code="370102")
    stranger, stranger_user = party(9)
    assert _api(stranger_user).get(f"/api/trade/deals/{deal.pk}/").status_code == 404
    assert _api(stranger_user).post(f"/api/trade/deals/{deal.pk}/negotiate/").status_code == 404
    deal.refresh_from_db()
    assert deal.state == c.DealState.INTEREST


def _html(user, url):
    c = Client()
    c.force_login(user)
    r = c.get(url)
    assert r.status_code == 200, url
    return r.content.decode()


def test_pages_for_seller_buyer_and_regulator(world):
    from kechuang.trade import services
    w = world
    listing = services.listing_create(seller=w["seller_user"].organization, ip_key=P1, kind=c.DealKind.EQUITY,
                                      actor=w["seller_user"], asking_price="3000000")
    deal = services.interest_express(listing=listing, buyer=w["buyer"], actor=w["buyer_user"], message="拟作价入股")
    services.deal_negotiate(deal=deal, actor=w["seller_user"])
    services.deal_agree(deal=deal, price="2800000", terms="占股 10%", actor=w["seller_user"])
    services.deal_sign(deal=deal, contract_date=AS_OF, actor=w["seller_user"])
    html = _html(w["seller_user"], "/trade/mine/")
    assert 'id="my-listings"' in html and "一种数据加密方法" in html and f"#{deal.pk}" in html
    html = _html(w["buyer_user"], "/trade/?kind=equity")
    assert "暂无挂牌" in html  # the listing closed when the 作价入股 was signed
    html = _html(w["buyer_user"], "/trade/mine/")
    assert 'id="deals-sent"' in html and "作价入股" in html
    html = _html(w["buyer_user"], f"/trade/deals/{deal.pk}/")
    assert "双方知识产权事实已按本交易更新" in html and "280.00万元" in html
    assert 'class="badge text-bg-success">已签约' in html.replace("\n", "")  # the state's colour, not a blank badge
    html = _html(w["buyer_user"], "/trade/?region=370102&industry=I")
    assert '<option value="370102" selected>历下区</option>' in html and "I 信息传输、软件和信息技术服务业" in html
    html = _html(w["reg"], "/trade/deals/")
    assert 'id="turnover-by-district"' in html and "历下区" in html and "280.00万元" in html
    cl = Client()
    cl.force_login(w["reg"])
    r = cl.get("/trade/deals/export.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert [cell.value for cell in next(wb["技术交易"].iter_rows(max_row=1))][:4] == ["编号", "专利号/登记号", "名称", "交易方式"]
    month = list(wb["技术合同成交额"].iter_rows(min_row=2, values_only=True))
    assert month == [("历下区", AS_OF.strftime("%Y-%m"), 1, 2800000.0, 2800000.0)]
    assert Client().get("/trade/deals/export.xlsx").status_code == 302
    cl.force_login(w["buyer_user"])
    assert cl.get("/trade/deals/export.xlsx").status_code == 403
    # the enterprise profile links to its IP, listing readiness and trade
    html = _html(w["seller_user"], f"/enterprises/{w['ent'].pk}/")
    assert 'id="ip-link-ip"' in html and 'id="ip-link-listing"' in html and 'id="ip-link-trade"' in html


def test_a_formula_in_a_title_is_exported_as_text(world):
    from kechuang.enterprises.tests.factories import load, record
    from kechuang.trade import services
    w = world
    load([record(1, "370102", ip=[{"number": "ZL202310000777.7", "title": "=HYPERLINK(\"x\")", "type": "invention_patent",
                                   "filed_on": "2023-01-01"}])])
    listing = services.listing_create(seller=w["seller_user"].organization, ip_key="ZL202310000777.7",
                                      kind=c.DealKind.LICENCE, actor=w["seller_user"])
    services.interest_express(listing=listing, buyer=w["buyer"], actor=w["buyer_user"])
    cl = Client()
    cl.force_login(w["reg"])
    wb = load_workbook(io.BytesIO(cl.get("/trade/deals/export.xlsx").content))
    cell = list(wb["技术交易"].iter_rows(min_row=2))[0][2]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("x")', "s", True)  # text, never a formula
