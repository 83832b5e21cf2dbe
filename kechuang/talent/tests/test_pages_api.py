"""Pages, API and export of the talent app: each role sees what the access rules say, names are
masked except to the person and a consented grantee, a bank without consent gets the coded
refusal, the person revokes from their page, and the export carries no full name or ID."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kechuang.core.models import AuditEntry
from kechuang.enterprises.tests.factories import regulator, user
from kechuang.talent.models import TalentConsent
from kechuang.talent.services import person_register, talent_consent_grant, valuation_run_execute

from .factories import PLAIN, STRONG, id_number, until, world

pytestmark = pytest.mark.django_db


def _client(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


@pytest.fixture
def team():
    w = world()
    a = person_register(enterprise=w["e1"], full_name="张小明", id_number=id_number(1), facts=STRONG, actor=w["ent1"])
    b = person_register(enterprise=w["e1"], full_name="李大伟", id_number=id_number(2), facts=PLAIN, actor=w["ent1"])
    a.user = user("zxm", None)
    a.save()
    consent = talent_consent_grant(person=a, organization=w["bank_org"], purpose="talent_loan", valid_until=until(),
                                   actor=a.user)
    talent_consent_grant(person=b, organization=w["agency"], purpose="valuation", valid_until=until(), actor="test")
    valuation_run_execute(actor=w["ent1"], enterprise=w["e1"])
    return {**w, "a": a, "b": b, "consent": consent}


def test_the_team_page_masks_names_not_consented_to_the_enterprise(team):
    html = _client(team["ent1"]).get(reverse("talent:team")).content.decode()
    assert "张*明" in html and "李*伟" in html
    assert "张小明" not in html and "李大伟" not in html and id_number(1) not in html
    assert "已授权" in html


def test_a_bank_sees_the_consented_person_by_name_and_is_refused_the_other_with_the_code(team):
    bank = _client(team["bank"])
    html = bank.get(reverse("talent:consented")).content.decode()
    assert "张小明" in html and "李" not in html.split('id="people"')[1].split("</table>")[0]
    page = bank.get(reverse("talent:person_detail", args=[team["a"].pk]))
    assert page.status_code == 200 and "张小明" in page.content.decode()
    assert AuditEntry.objects.filter(action="read", object_id=str(team["a"].pk),
                                     context__consent_id=team["consent"].pk).exists()
    assert bank.get(reverse("talent:person_detail", args=[team["b"].pk])).status_code == 404


def test_the_person_revokes_from_their_page_and_the_bank_loses_sight_at_once(team):
    me = _client(team["a"].user)
    html = me.get(reverse("talent:mine")).content.decode()
    assert "张小明" in html and "人才贷授信" in html
    resp = me.post(reverse("talent:talentconsent_revoke", args=[team["consent"].pk]))
    assert resp.status_code == 302
    assert TalentConsent.objects.get(pk=team["consent"].pk).revoked_at is not None
    bank = _client(team["bank"])
    assert bank.get(reverse("talent:person_detail", args=[team["a"].pk])).status_code == 404
    assert "张" not in bank.get(reverse("talent:consented")).content.decode().split('id="people"')[1]
    # the enterprise keeps the person on its list but no longer sees a value
    ent = _client(team["ent1"]).get(reverse("talent:person_detail", args=[team["a"].pk])).content.decode()
    assert "[no_consent]" in ent


def test_nobody_else_revokes_a_persons_consent(team):
    resp = _client(team["ent1"]).post(reverse("talent:talentconsent_revoke", args=[team["consent"].pk]))
    assert resp.status_code == 404
    api = _client(team["bank"]).post(f"/api/talent-consents/{team['consent'].pk}/revoke/")
    assert api.status_code in (403, 404)
    assert TalentConsent.objects.get(pk=team["consent"].pk).revoked_at is None


def test_the_regulator_page_shows_distributions_without_personal_data(team):
    html = _client(regulator()).get(reverse("talent:distribution")).content.decode()
    assert "历下区" in html
    for secret in ("张小明", "张*明", "李*伟", id_number(1)[-4:]):
        assert secret not in html


def test_the_export_is_masked_and_audited(team):
    for who in (team["ent1"], team["bank"], regulator("r2")):
        resp = _client(who).get(reverse("talent:export"))
        assert resp.status_code == 200
        cells = [str(c) for row in load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True)
                 for c in row if c is not None]
        text = "|".join(cells)
        assert "张小明" not in text and "李大伟" not in text and id_number(1) not in text
    assert "张*明" in text
    assert AuditEntry.objects.filter(action="export", object_type="talent.valuation").count() == 3


def test_the_api_gives_masked_names_and_only_consented_rows_to_a_bank(team):
    data = _client(team["bank"]).get("/api/talent-valuations/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["person"] for r in rows] == [team["a"].pk]
    assert rows[0]["person_name"] == "张*明" and rows[0]["value_low"] < rows[0]["value_high"]
    assert "张小明" not in json.dumps(data, ensure_ascii=False)


def test_the_api_records_a_person_and_refuses_bad_facts_with_the_row_and_field(team):
    ent = _client(team["ent1"])
    bad = {"full_name": "赵六", "id_number": id_number(9), "facts": {"honours": [{"programme": "nope"}]}}
    resp = ent.post("/api/talent-people/", bad, content_type="application/json")
    assert resp.status_code == 400
    errors = resp.json()["errors"]
    assert errors[0]["code"] == "bad_facts" and "honours[1].programme" in errors[0]["message"]
    good = dict(bad, facts=PLAIN)
    resp = ent.post("/api/talent-people/", good, content_type="application/json")
    assert resp.status_code == 201 and resp.json()["masked_name"] == "赵*" and "赵六" not in resp.content.decode()
    pk = resp.json()["id"]
    # the employer records a consent only with the written authorisation's reference
    body = {"person": pk, "organization": team["bank_org"].pk, "purpose": "talent_loan",
            "valid_until": until().isoformat()}
    resp = ent.post("/api/talent-consents/", body, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["errors"][0]["code"] == "no_consent"
    resp = ent.post("/api/talent-consents/", dict(body, evidence="授权书-9"), content_type="application/json")
    assert resp.status_code == 201 and resp.json()["active"] is True
    # a bank cannot record people
    assert _client(team["bank"]).post("/api/talent-people/", good, content_type="application/json").status_code == 403


def test_the_person_revokes_through_the_api_and_a_viewer_is_refused_before_the_body_is_read(team):
    from kechuang.accounts.choices import Role
    viewer = user("ent1-viewer", team["org1"], role=Role.VIEWER)
    resp = _client(viewer).post("/api/talent-consents/", {}, content_type="application/json")
    assert resp.status_code == 403
    resp = _client(team["a"].user).post(f"/api/talent-consents/{team['consent'].pk}/revoke/")
    assert resp.status_code == 200 and resp.json()["active"] is False
