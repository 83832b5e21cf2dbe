"""The REST API: the same access rules as the pages, audited reads, facts as of a date."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.core.models import AuditEntry
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.models import Consent, Enterprise

from .factories import bank, load, organization, record, regulator, user, uscc

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    load([record(1, "370102"), record(2, "370112")])


def _client(u):
    client = APIClient()
    client.force_authenticate(u)
    return client


def test_list_is_restricted_and_filterable(loaded):
    lixia = regulator("lixia", "370102", Role.VIEWER)
    city = regulator("city")

    assert [e["uscc"] for e in _client(lixia).get("/api/enterprises/").json()["results"]] == [uscc(1, "370102")]
    body = _client(city).get("/api/enterprises/", {"region_code": "370112"}).json()
    assert (body["count"], body["results"][0]["uscc"]) == (1, uscc(2, "370112"))
    body = _client(city).get("/api/enterprises/", {"certificate": "tsme", "employees_min": 100}).json()
    assert body["count"] == 2
    assert _client(city).get("/api/enterprises/", {"employees_min": 101}).json()["count"] == 0


def test_anonymous_requests_are_refused(loaded):
    assert APIClient().get("/api/enterprises/").status_code in (401, 403)


def test_bank_reads_facts_only_with_consent_and_each_read_is_audited(loaded):
    b = bank()
    target = uscc(2, "370112")
    assert _client(b).get(f"/api/enterprises/{target}/facts/").status_code == 404

    consent = Consent.objects.create(enterprise=Enterprise.objects.get(uscc=target), organization=b.organization,
                                     purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                                     valid_until=timezone.now() + timedelta(days=10))
    response = _client(b).get(f"/api/enterprises/{target}/facts/")

    assert response.status_code == 200
    body = response.json()
    assert [y["employees"] for y in body["record"]["years"]] == [80, 90, 100]
    assert body["provenance"]["years"]["2025"]["employees"]["source"] == "测试来源 test-feed"
    entry = AuditEntry.objects.get(action="read")
    assert (entry.actor_label, entry.context["consent_id"], entry.context["what"]) == ("bank", consent.pk, "api facts")


def test_facts_as_of_before_any_load_are_empty(loaded):
    city = regulator("city")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    body = _client(city).get(f"/api/enterprises/{uscc(1, '370102')}/facts/", {"as_of": yesterday}).json()

    assert body["record"] == {"uscc": uscc(1, "370102")}
    bad = _client(city).get(f"/api/enterprises/{uscc(1, '370102')}/facts/", {"as_of": "yesterday"})
    assert bad.status_code == 400


def test_enterprise_grants_and_revokes_consent_through_the_api(loaded):
    me = Enterprise.objects.get(uscc=uscc(1, "370102"))
    owner = user("owner", organization(OrganizationKind.ENTERPRISE, enterprise=me), Role.ADMIN)
    b = bank()
    until = (timezone.now() + timedelta(days=90)).isoformat()

    created = _client(owner).post("/api/consents/", {"enterprise": me.pk, "organization": b.organization_id,
                                                      "purpose": "loan_application", "valid_until": until},
                                  format="json")
    assert created.status_code == 201 and created.json()["active"] is True
    assert _client(b).get("/api/enterprises/").json()["count"] == 1

    revoked = _client(owner).post(f"/api/consents/{created.json()['id']}/revoke/")
    assert revoked.json()["active"] is False
    assert _client(b).get("/api/enterprises/").json()["count"] == 0


def test_bank_cannot_grant_itself_consent(loaded):
    b = bank()
    me = Enterprise.objects.get(uscc=uscc(1, "370102"))
    response = _client(b).post("/api/consents/", {"enterprise": me.pk, "organization": b.organization_id,
                                                   "purpose": "loan_application",
                                                   "valid_until": (timezone.now() + timedelta(days=9)).isoformat()},
                               format="json")
    assert response.status_code == 403
    assert Consent.objects.count() == 0
