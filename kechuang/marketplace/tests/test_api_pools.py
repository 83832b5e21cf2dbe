"""API of the pools and roadshows, and an investor's deal flow by mandate."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.services import consent_grant
from kechuang.marketplace import services as s
from kechuang.marketplace.models import Demand, FirstLoanCandidate, WhitelistEntry

from .factories import enterprise, institution

pytestmark = pytest.mark.django_db


def client(u):
    c = APIClient()
    c.force_authenticate(u)
    return c


def test_pools_roadshow_follow_up_and_investor_deal_flow():
    reg_org, reg = institution(K.REGULATOR, "金融局")
    bank, bu = institution(K.BANK, "银行甲")
    guar, gu = institution(K.GUARANTOR, "担保甲")
    inv, iu = institution(K.INVESTOR, "创投甲")
    ent, eu = enterprise(1)
    r = client(reg).post("/api/marketplace/first-loan/", {"enterprise": ent.pk, "plan": "一企一策"}, format="json")
    assert r.status_code == 201 and FirstLoanCandidate.objects.get().plan == "一企一策"
    dup = client(reg).post("/api/marketplace/first-loan/", {"enterprise": ent.pk}, format="json")
    assert dup.status_code == 400 and dup.json()["errors"][0]["code"] == "duplicate"
    assert client(bu).get("/api/marketplace/first-loan/").json()["count"] == 0  # not its candidate
    # the guarantor cannot see the enterprise without consent → the whitelist write is refused as not found
    no = client(gu).post("/api/marketplace/whitelist/", {"enterprise": ent.pk, "guarantor": guar.pk, "bank": bank.pk,
                                                         "line_amount": "3000000.00",
                                                         "valid_until": str(date.today() + timedelta(days=90))},
                         format="json")
    assert no.status_code == 404 and WhitelistEntry.objects.count() == 0
    ok = client(reg).post("/api/marketplace/whitelist/", {"enterprise": ent.pk, "guarantor": guar.pk, "bank": bank.pk,
                                                          "line_amount": "3000000.00",
                                                          "valid_until": str(date.today() + timedelta(days=90))},
                          format="json")
    assert ok.status_code == 201
    # a pool row reaches the guarantor it names only under the enterprise's consent (issue #10)
    assert client(gu).get("/api/marketplace/whitelist/").json()["count"] == 0
    consent_grant(enterprise=ent, organization=guar, purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                  valid_until=timezone.now() + timedelta(days=30), actor=eu)
    assert client(gu).get("/api/marketplace/whitelist/").json()["count"] == 1

    mandate = s.product_create(institution=inv, kind="equity", category="venture", name="早期基金",
                               amount_min="1000000", amount_max="30000000", actor=iu,
                               eligibility=[{"id": "t", "kind": "condition", "title": "科技型中小企业",
                                             "feature": "tsme", "op": "is_true"}])
    s.demand_post(enterprise=ent, kind="equity", amount="5000000", purpose="rd", actor=eu)
    s.demand_post(enterprise=ent, kind="debt", amount="5000000", term_months=12, purpose="rd", actor=eu)
    flow = client(iu).get("/api/marketplace/queue/").json()
    assert [row["demand"]["kind"] for row in flow] == ["equity"] and flow[0]["product_id"] == mandate.pk

    show = client(reg).post("/api/marketplace/roadshows/", {"title": "路演一期", "region_code": "370100",
                                                            "held_on": str(date.today())}, format="json").json()
    assert client(eu).post(f"/api/marketplace/roadshows/{show['id']}/register/", {"enterprise": ent.pk},
                           format="json").status_code == 201
    client(iu).post(f"/api/marketplace/roadshows/{show['id']}/register/", {"investor": inv.pk}, format="json")
    assert client(reg).post(f"/api/marketplace/roadshows/{show['id']}/held/").json()["status"] == "held"
    fu = client(iu).post(f"/api/marketplace/roadshows/{show['id']}/follow-up/",
                         {"enterprise": ent.pk, "product": mandate.pk, "amount": "8000000"}, format="json")
    assert fu.status_code == 201 and fu.json()["state"] == "picked_up"
    assert Demand.objects.get(roadshow_id=show["id"]).amount == 8000000
