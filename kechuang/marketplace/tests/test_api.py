"""The REST API: demands, matches, grab, workflow verbs, errors with codes, metrics access."""

import pytest
from rest_framework.test import APIClient

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.marketplace.models import Demand, FinancingRequest

from .factories import enterprise, institution, loan_product

pytestmark = pytest.mark.django_db


def client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def w():
    bank, bu = institution(K.BANK, "银行甲")
    bank2, bu2 = institution(K.BANK, "银行乙")
    reg_org, reg = institution(K.REGULATOR, "金融局")
    ent, eu = enterprise(1)
    return dict(bank=bank, bu=bu, bank2=bank2, bu2=bu2, reg=reg, ent=ent, eu=eu,
                p1=loan_product(bank, bu), p2=loan_product(bank2, bu2, name="乙行贷"))


def test_enterprise_posts_sees_matches_and_the_holder(w):
    api = client(w["eu"])
    bad = api.post("/api/marketplace/demands/", {"kind": "debt", "amount": "0", "term_months": 12, "purpose": "rd"},
                   format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0] == {"field": "amount", "code": "amount_range", "message": "金额必须大于零（收到 0）。"}
    assert Demand.objects.count() == 0
    r = api.post("/api/marketplace/demands/", {"kind": "debt", "amount": "1000000", "term_months": 12,
                                               "purpose": "rd"}, format="json")
    assert r.status_code == 201, r.json()
    did = r.json()["id"]
    m = api.get(f"/api/marketplace/demands/{did}/matches/").json()
    assert {x["product_id"] for x in m if x["fits"]} == {w["p1"].pk, w["p2"].pk}
    assert m[0]["score"] >= m[1]["score"] and m[0]["reasons"]
    q = client(w["bu"]).get("/api/marketplace/queue/").json()
    assert [row["demand"]["id"] for row in q] == [did]
    g = client(w["bu"]).post(f"/api/marketplace/demands/{did}/grab/", {"product": w["p1"].pk}, format="json")
    assert g.status_code == 201 and g.json()["state"] == "picked_up"
    second = client(w["bu2"]).post(f"/api/marketplace/demands/{did}/grab/", {"product": w["p2"].pk}, format="json")
    assert second.status_code == 400 and second.json()["errors"][0]["code"] == "already_held"
    mine = api.get("/api/marketplace/requests/").json()["results"]
    assert len(mine) == 1 and mine[0]["holder"].startswith("银行甲") and mine[0]["state_label"] == "已接单"


def test_workflow_verbs_and_refusals_leave_state_unchanged(w):
    api = client(w["eu"])
    did = api.post("/api/marketplace/demands/", {"kind": "debt", "amount": "1000000", "term_months": 12,
                                                 "purpose": "rd"}, format="json").json()["id"]
    rid = api.post(f"/api/marketplace/demands/{did}/apply/", {"product": w["p1"].pk}, format="json").json()["id"]
    bank = client(w["bu"])
    out_of_order = bank.post(f"/api/marketplace/requests/{rid}/decide/", {"approve": True}, format="json")
    assert out_of_order.status_code == 400 and out_of_order.json()["errors"][0]["code"] == "bad_transition"
    # the other bank cannot even see it
    assert client(w["bu2"]).post(f"/api/marketplace/requests/{rid}/pick-up/").status_code == 404
    assert bank.post(f"/api/marketplace/requests/{rid}/pick-up/").json()["state"] == "picked_up"
    assert bank.post(f"/api/marketplace/requests/{rid}/review/").json()["state"] == "under_review"
    no_reason = bank.post(f"/api/marketplace/requests/{rid}/decide/", {"approve": False}, format="json")
    assert no_reason.json()["errors"][0]["code"] == "reason_required"
    # the enterprise cannot decide its own request
    assert api.post(f"/api/marketplace/requests/{rid}/decide/", {"approve": True}, format="json").status_code == 403
    assert FinancingRequest.objects.get(pk=rid).state == "under_review"
    ok = bank.post(f"/api/marketplace/requests/{rid}/decide/", {"approve": False, "reason": "负债率过高"}, format="json")
    assert ok.json()["state"] == "declined" and ok.json()["decision_reason"] == "负债率过高"
    assert [e["to_state"] for e in ok.json()["events"]] == ["submitted", "picked_up", "under_review", "declined"]


def test_metrics_for_regulators_only(w):
    r = client(w["reg"]).get("/api/marketplace/metrics/")
    assert r.status_code == 200
    assert {m["code"] for m in r.json()} >= {"pickup_rate", "credit_granted_amount", "roadshows_held"}
    assert client(w["reg"]).get("/api/marketplace/metrics/breakdown/?by=product").status_code == 200
    assert client(w["reg"]).get("/api/marketplace/metrics/?region=310000").status_code == 403
    assert client(w["bu"]).get("/api/marketplace/metrics/").status_code == 403


def test_guarantee_leg_and_loss_booking_through_the_api(w):
    guar, gu = institution(K.GUARANTOR, "担保甲")
    api = client(w["eu"])
    did = api.post("/api/marketplace/demands/", {"kind": "debt", "amount": "1000000", "term_months": 12,
                                                 "purpose": "rd"}, format="json").json()["id"]
    bank = client(w["bu"])
    rid = bank.post(f"/api/marketplace/demands/{did}/grab/", {"product": w["p1"].pk}, format="json").json()["id"]
    bad = bank.post(f"/api/marketplace/requests/{rid}/legs/", {"kind": "guarantee", "provider": guar.pk,
                    "shares": {"national": "20", "provincial": "20", "city": "40", "bank": "30"}}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "shares"
    leg = bank.post(f"/api/marketplace/requests/{rid}/legs/", {"kind": "guarantee", "provider": guar.pk},
                    format="json").json()
    assert (leg["share_national"], leg["share_city"], leg["share_bank"]) == ("20.00", "40.00", "20.00")
    assert client(w["bu2"]).post(f"/api/marketplace/legs/{leg['id']}/decide/", {"approve": True},
                                 format="json").status_code == 404
    assert client(gu).post(f"/api/marketplace/legs/{leg['id']}/decide/", {"approve": True},
                           format="json").json()["state"] == "approved"
    booked = client(gu).post(f"/api/marketplace/legs/{leg['id']}/default/", {"loss": "500000.01"}, format="json")
    assert booked.status_code == 201
    assert {b["party"]: b["amount"] for b in booked.json()} == {
        "national": "100000.00", "provincial": "100000.00", "city": "200000.01", "bank": "100000.00"}
