"""The REST API: valuations under consent, registering and releasing pledges with coded errors."""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

import pytest
from rest_framework.test import APIClient

from kechuang.enterprises.tests.factories import bank, regulator
from kechuang.ip import services as s
from kechuang.ip.models import IPValuation, Pledge

from .factories import AS_OF, P1, P2, bank_with_consent, ip_enterprise, ip_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    ent, ent_user = ip_enterprise()
    bank_org, bank_user = bank_with_consent(ent)
    s.valuation_run(enterprise=ent, actor=regulator(), as_of=AS_OF)
    return {"ent": ent, "ent_user": ent_user, "bank": bank_org, "bank_user": bank_user}


def _client(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_bank_with_consent_sees_the_valuation_range_and_reasons(world):
    r = _client(world["bank_user"]).get("/api/ip/valuations/", {"enterprise_id": world["ent"].pk, "ip_key": P1})
    assert r.status_code == 200
    [row] = r.json()["results"]
    v = IPValuation.objects.get(ip_key=P1)
    assert (row["status"], row["value_low"], row["value_mid"], row["value_high"]) == (
        "valued", str(v.value_low), str(v.value_mid), str(v.value_high))
    assert row["reasons"][0]["code"] == "range"


def test_bank_without_consent_sees_nothing(world):
    r = _client(bank("stranger")).get("/api/ip/valuations/", {"enterprise_id": world["ent"].pk})
    assert (r.status_code, r.json()["count"]) == (200, 0)


def test_register_over_value_returns_the_code_and_writes_nothing(world):
    r = _client(world["bank_user"]).post("/api/ip/pledges/", {
        "enterprise_id": world["ent"].pk, "ip_keys": [P1], "amount": "999999999.00",
        "registered_on": AS_OF.isoformat(), "expires_on": (AS_OF + dt.timedelta(days=365)).isoformat()}, format="json")
    assert r.status_code == 400
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("amount", "over_value")]
    assert Pledge.objects.count() == 0


def test_register_expired_patent_returns_the_code(world):
    r = _client(world["bank_user"]).post("/api/ip/pledges/", {
        "enterprise_id": world["ent"].pk, "ip_keys": [P2], "amount": "1000.00",
        "registered_on": AS_OF.isoformat(), "expires_on": (AS_OF + dt.timedelta(days=365)).isoformat()}, format="json")
    assert (r.status_code, [e["code"] for e in r.json()["errors"]]) == (400, ["expired"])
    assert Pledge.objects.count() == 0


def test_register_then_release_then_loan_limit(world):
    c = _client(world["bank_user"])
    r = c.post("/api/ip/pledges/", {
        "enterprise_id": world["ent"].pk, "ip_keys": [P1], "amount": "100000.00",
        "registered_on": AS_OF.isoformat(), "expires_on": (AS_OF + dt.timedelta(days=365)).isoformat()}, format="json")
    assert r.status_code == 201, r.content.decode()
    pk = r.json()["id"]
    assert r.json()["items"][0]["amount"] == "100000.00"
    product = ip_product(world["bank"], world["bank_user"])
    assert c.post("/api/ip/pledge-rates/", {"product_id": product.pk, "rate": "0.6", "basis": "mid"},
                  format="json").status_code == 201
    mid = IPValuation.objects.get(ip_key=P1).value_mid
    r = c.get(f"/api/ip/enterprises/{world['ent'].pk}/loan-limit/", {"product_id": product.pk})
    assert r.json()["total"] == str((mid * Decimal("0.6")).quantize(Decimal("0.01"), rounding=ROUND_DOWN) - Decimal("100000.00"))
    r = c.post(f"/api/ip/pledges/{pk}/release/", {"note": "已结清"}, format="json")
    assert (r.status_code, r.json()["status"]) == (200, "released")
    r = c.post(f"/api/ip/pledges/{pk}/release/", {}, format="json")
    assert (r.status_code, [e["code"] for e in r.json()["errors"]]) == (400, ["not_active"])


def test_enterprise_cannot_release_via_api(world):
    pledge = s.pledge_register(enterprise=world["ent"], pledgee=world["bank"], ip_keys=[P1], amount="1000",
                               registered_on=AS_OF, expires_on=AS_OF + dt.timedelta(days=30), actor=world["bank_user"])
    r = _client(world["ent_user"]).post(f"/api/ip/pledges/{pledge.pk}/release/", {}, format="json")
    assert r.status_code == 403
    pledge.refresh_from_db()
    assert pledge.status == "active"


def test_value_through_the_api_needs_consent(world):
    url = f"/api/ip/enterprises/{world['ent'].pk}/value/"
    before = IPValuation.objects.count()
    assert _client(bank("stranger")).post(url, {}, format="json").status_code == 404
    assert IPValuation.objects.count() == before
    r = _client(world["bank_user"]).post(url, {"as_of": AS_OF.isoformat(),
                                              "expert": {P1: {"advancement": [70, 70]}}}, format="json")
    assert r.status_code == 201
    assert {row["ip_key"]: row["expert"] for row in r.json()} == {P1: {"advancement": [70.0, 70.0]}, P2: {}, "ZL202010000003.3": {}}
    assert IPValuation.objects.count() == before + 3


def test_enterprise_list_shows_only_what_the_caller_sees(world):
    r = _client(world["bank_user"]).get("/api/ip/enterprises/")
    assert [(row["id"], row["valued_items"], row["active_pledges"]) for row in r.json()["results"]] == [
        (world["ent"].pk, 3, 0)]
    assert _client(bank("stranger")).get("/api/ip/enterprises/").json()["count"] == 0
