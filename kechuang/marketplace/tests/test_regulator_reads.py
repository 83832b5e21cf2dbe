"""Issue 10 trust holes in the marketplace: a regulator reads a leg or an advisor visit through the
API detail exactly when the list shows it (200, not 404), and its writes on them are refused (403)
with nothing changed; the institution home page offers writes (修改, 发布产品, 抢单) only to users
who may change."""

from datetime import date

import pytest
from django.test import Client

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.tests.factories import regulator, user
from kechuang.marketplace import services as s
from kechuang.marketplace.models import Leg

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db


def api(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


@pytest.fixture
def world():
    bank, bank_u = institution(K.BANK, "银行甲")
    guar, guar_u = institution(K.GUARANTOR, "担保甲")
    agency, adv = institution(K.SERVICE_AGENCY, "辅导中心")
    ent, ent_u = enterprise(1)  # in 370102
    d = s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=ent_u)
    r = s.demand_grab(demand=d, product=loan_product(bank, bank_u), actor=bank_u)
    leg = s.leg_add(request=r, kind="guarantee", provider=guar, covered_amount="1000000", actor=bank_u)
    city = regulator("city-officer", "370100", role="officer")
    a = s.advisor_assign(enterprise=ent, advisor=adv, actor=city)
    visit = s.advisor_visit_record(assignment=a, visited_on=date(2026, 11, 2), satisfaction=4, actor=adv)
    return dict(bank=bank, bank_u=bank_u, guar_u=guar_u, adv=adv, leg=leg, visit=visit, city=city,
                district=regulator("lixia", "370102", role="officer"), elsewhere=regulator("shizhong", "370103"))


def _ids(resp):
    assert resp.status_code == 200, resp.content
    body = resp.json()
    return [row["id"] for row in (body["results"] if isinstance(body, dict) else body)]


@pytest.mark.parametrize("who", ["city", "district"])
def test_a_regulator_reads_the_leg_of_its_region_in_the_list_and_the_detail(world, who):
    c = api(world[who])
    assert _ids(c.get("/api/marketplace/legs/")) == [world["leg"].pk]
    detail = c.get(f"/api/marketplace/legs/{world['leg'].pk}/")
    assert detail.status_code == 200
    assert detail.json()["id"] == world["leg"].pk and detail.json()["kind"] == "guarantee"


def test_a_regulator_elsewhere_sees_neither_the_leg_nor_the_visit(world):
    c = api(world["elsewhere"])
    assert _ids(c.get("/api/marketplace/legs/")) == []
    assert c.get(f"/api/marketplace/legs/{world['leg'].pk}/").status_code == 404
    assert _ids(c.get("/api/marketplace/visits/")) == []
    assert c.get(f"/api/marketplace/visits/{world['visit'].pk}/").status_code == 404


def test_a_regulator_deciding_a_leg_is_refused_and_nothing_changes(world):
    r = api(world["city"]).post(f"/api/marketplace/legs/{world['leg'].pk}/decide/", {"approve": True},
                                content_type="application/json")
    assert r.status_code == 403
    assert Leg.objects.get(pk=world["leg"].pk).state == "pending"


@pytest.mark.parametrize("who", ["city", "district"])
def test_a_regulator_reads_the_visit_of_its_region_in_the_list_and_the_detail(world, who):
    c = api(world[who])
    assert _ids(c.get("/api/marketplace/visits/")) == [world["visit"].pk]
    detail = c.get(f"/api/marketplace/visits/{world['visit'].pk}/")
    assert detail.status_code == 200 and detail.json()["satisfaction"] == 4


def test_parties_still_read_only_their_own(world):
    other_bank, other_u = institution(K.BANK, "银行乙")
    assert _ids(api(world["bank_u"]).get("/api/marketplace/legs/")) == [world["leg"].pk]
    assert _ids(api(world["guar_u"]).get("/api/marketplace/legs/")) == [world["leg"].pk]
    assert _ids(api(other_u).get("/api/marketplace/legs/")) == []
    assert api(other_u).get(f"/api/marketplace/legs/{world['leg'].pk}/").status_code == 404
    assert _ids(api(world["adv"]).get("/api/marketplace/visits/")) == [world["visit"].pk]
    _agency2, adv2 = institution(K.SERVICE_AGENCY, "辅导中心乙")
    assert api(adv2).get(f"/api/marketplace/visits/{world['visit'].pk}/").status_code == 404


def test_the_institution_home_offers_writes_only_to_those_who_may_change(world):
    product = world["leg"].request.product
    ent = world["leg"].request.demand.enterprise
    s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd",
                  actor=world["leg"].request.demand.posted_by)  # an open demand in the queue
    edit = f'href="/marketplace/products/{product.pk}/edit/"'
    officer = Client()
    officer.force_login(world["bank_u"])
    page = officer.get("/marketplace/").content.decode()
    assert edit in page and "/marketplace/products/new/" in page and "grab-btn" in page
    viewer = Client()
    viewer.force_login(user("bank-viewer", world["bank"], role="viewer"))
    page = viewer.get("/marketplace/").content.decode()
    assert "产品" in page and product.name in page  # the viewer still reads its products
    assert edit not in page
    assert "/marketplace/products/new/" not in page and "grab-btn" not in page
