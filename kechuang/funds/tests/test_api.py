"""Funds API: an application is a create returning the error code when refused; workflow verbs
call the services (four-eyes and budget checks there); claims are restricted."""

import pytest
from rest_framework.test import APIClient

from kechuang.funds.models import Claim

from .factories import defaulted_loss
from .factories import world as make_world

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_apply_review_and_refusals_through_the_api():
    w = make_world()
    r = defaulted_loss(w)
    prog = w["programmes"]["jn-risk-compensation"]
    leg = r.legs.get().pk
    resp = _api(w["bank_u"]).post("/api/funds/claims/", {"programme": prog.pk, "year": 2026, "leg_id": leg,
                                                          "amount": "100000.01"}, format="json")
    assert resp.status_code == 400
    assert [e["code"] for e in resp.json()["errors"]] == ["over_cap"]
    assert Claim.objects.count() == 0
    resp = _api(w["bank_u"]).post("/api/funds/claims/", {"programme": prog.pk, "year": 2026, "leg_id": leg},
                                  format="json")
    assert resp.status_code == 201, resp.json()
    claim_id = resp.json()["id"]
    assert resp.json()["state"] == "submitted"
    resp = _api(w["bank_u"]).post(f"/api/funds/claims/{claim_id}/review/", {}, format="json")
    assert resp.status_code == 403
    resp = _api(w["reg_a"]).post(f"/api/funds/claims/{claim_id}/review/", {"note": "ok"}, format="json")
    assert (resp.status_code, resp.json()["state"]) == (200, "reviewed")
    resp = _api(w["reg_a"]).post(f"/api/funds/claims/{claim_id}/approve/", {}, format="json")
    assert resp.status_code == 400 and [e["code"] for e in resp.json()["errors"]] == ["four_eyes"]
    assert Claim.objects.get(pk=claim_id).state == "reviewed"
    assert [c["id"] for c in _api(w["bank2_u"]).get("/api/funds/claims/").json()["results"]] == []
    assert [c["id"] for c in _api(w["ent_u"]).get("/api/funds/claims/").json()["results"]] == [claim_id]
