"""Services of the talent app: people only with consent, minimised storage and logs, coded refusals
with nothing written, valuation runs equal to the engine's per-person path, revocation at once,
team value and the 人才贷 limit, the marketplace feature and the live metrics."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.core.models import AuditEntry
from kechuang.engine.talent import bundled_model, explain, flat_facts
from kechuang.enterprises.tests.factories import organization, regulator, user
from kechuang.marketplace.selectors import enterprise_features
from kechuang.marketplace.services import product_create
from kechuang.talent import metrics
from kechuang.talent.error_codes import TalentErrorCode as E
from kechuang.talent.models import TalentConsent, TalentPerson, Valuation, ValuationRun
from kechuang.talent.selectors import loan_limit, team_value
from kechuang.talent.services import (person_register, person_valuation_read, talent_consent_grant,
                                      talent_consent_revoke, talent_terms_set, valuation_run_execute)

from .factories import PLAIN, STRONG, id_number, until, world

pytestmark = pytest.mark.django_db


def _codes(exc) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


def _audit_text() -> str:
    return json.dumps([[a.object_repr, a.before, a.after, a.context, a.purpose] for a in AuditEntry.objects.all()],
                      ensure_ascii=False, default=str)


def test_a_person_is_stored_minimised_and_no_audit_entry_carries_the_name_or_id():
    w = world()
    number = id_number(7)
    p = person_register(enterprise=w["e1"], full_name="张小明", id_number=number, facts=STRONG, actor=w["ent1"])
    assert p.masked_name == "张*明" and p.id_masked == "3701**********" + number[-4:]
    assert number not in json.dumps([p.id_hash, p.id_masked, p.facts])
    talent_consent_grant(person=p, organization=w["bank_org"], purpose="talent_loan", valid_until=until(),
                         actor=w["ent1"], evidence="授权书-1")
    valuation_run_execute(actor=w["ent1"], enterprise=w["e1"])
    person_valuation_read(person=p, user=w["bank"])
    text = _audit_text()
    assert AuditEntry.objects.filter(action="read", object_type="talent.talentperson").exists()
    assert "张小明" not in text and number not in text and number[6:14] not in text
    assert "张*明" in text


def test_bad_facts_and_ids_are_refused_with_row_field_and_code_and_nothing_is_written():
    w = world()
    bad = dict(STRONG, honours=[{"programme": "made_up_plan"}], hobbies=["golf"])
    with pytest.raises(ValidationError) as exc:
        person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(1), facts=bad, actor=w["ent1"])
    assert _codes(exc.value) == {E.BAD_FACTS}
    assert any("honours[1].programme" in m for m in exc.value.messages)
    assert any("hobbies" in m for m in exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(1)[:-1] + "0"
                        if id_number(1)[-1] != "0" else id_number(1)[:-1] + "1", facts=PLAIN, actor=w["ent1"])
    assert _codes(exc.value) == {E.BAD_ID}
    assert TalentPerson.objects.count() == 0
    person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(1), facts=PLAIN, actor=w["ent1"])
    with pytest.raises(ValidationError) as exc:
        person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(1), facts=PLAIN, actor=w["ent1"])
    assert _codes(exc.value) == {E.DUPLICATE_PERSON}
    with pytest.raises(PermissionDenied):  # another enterprise cannot record someone for e1
        person_register(enterprise=w["e1"], full_name="王五", id_number=id_number(2), facts=PLAIN, actor=w["ent2"])


def test_consents_are_purpose_bound_and_checked():
    w = world()
    p = person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(1), facts=PLAIN, actor=w["ent1"])
    with pytest.raises(ValidationError) as exc:  # the employer needs the written authorisation's reference
        talent_consent_grant(person=p, organization=w["bank_org"], purpose="talent_loan", valid_until=until(),
                             actor=w["ent1"])
    assert _codes(exc.value) == {E.NO_CONSENT}
    with pytest.raises(ValidationError) as exc:  # 人才贷 only to a financial institution
        talent_consent_grant(person=p, organization=w["org1"], purpose="talent_loan", valid_until=until(),
                             actor=w["ent1"], evidence="x")
    assert _codes(exc.value) == {E.CONSENT_GRANTEE}
    with pytest.raises(ValidationError) as exc:
        talent_consent_grant(person=p, organization=w["bank_org"], purpose="talent_loan", valid_until=until(-1),
                             actor=w["ent1"], evidence="x")
    assert _codes(exc.value) == {E.CONSENT_PERIOD}
    assert TalentConsent.objects.count() == 0


def test_without_consent_nobody_is_valued_and_the_run_writes_nothing():
    w = world()
    person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(1), facts=PLAIN, actor=w["ent1"])
    with pytest.raises(ValidationError) as exc:
        valuation_run_execute(actor=regulator(), region_code="370100")
    assert _codes(exc.value) == {E.NO_PEOPLE}
    assert ValuationRun.objects.count() == 0 and Valuation.objects.count() == 0


def test_a_run_values_only_consented_people_exactly_as_the_per_person_path():
    w = world()
    a = person_register(enterprise=w["e1"], full_name="张小明", id_number=id_number(1), facts=STRONG, actor=w["ent1"])
    b = person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(2), facts=PLAIN, actor=w["ent1"])
    c = person_register(enterprise=w["e2"], full_name="王五", id_number=id_number(3, "370112"), facts=PLAIN,
                        actor=w["ent2"])
    for p in (a, c):
        talent_consent_grant(person=p, organization=w["agency"], purpose="valuation", valid_until=until(),
                             actor="test", evidence="x")
    run = valuation_run_execute(actor=regulator(), region_code="370100")
    assert run.people_total == 2 and run.skipped_without_consent == 1
    assert not Valuation.objects.filter(person=b).exists()
    model = bundled_model()
    for p in (a, c):
        v = Valuation.objects.get(run=run, person=p)
        e = explain(model, flat_facts(p.facts, run.as_of))
        assert float(v.value_low) == e["value_low"] and float(v.value_high) == e["value_high"]
        assert v.lifts == e["lifts"] and v.drags == e["drags"] and v.value_low < v.value_high
    assert run.value_low_total == sum(v.value_low for v in Valuation.objects.filter(run=run))


def test_a_bank_sees_a_person_only_under_an_active_consent_and_revocation_stops_it_at_once():
    w = world()
    p = person_register(enterprise=w["e1"], full_name="张小明", id_number=id_number(1), facts=STRONG, actor=w["ent1"])
    person_user = user("zxm", None)
    p.user = person_user
    p.save()
    talent_consent_grant(person=p, organization=w["agency"], purpose="valuation", valid_until=until(), actor=person_user)
    valuation_run_execute(actor=w["ent1"], enterprise=w["e1"])
    with pytest.raises(ValidationError) as exc:
        person_valuation_read(person=p, user=w["bank"])
    assert _codes(exc.value) == {E.NO_CONSENT}
    assert not Valuation.objects.restrict(w["bank"], "view").exists()
    consent = talent_consent_grant(person=p, organization=w["bank_org"], purpose="talent_loan", valid_until=until(),
                                   actor=person_user)
    assert person_valuation_read(person=p, user=w["bank"]) == consent
    assert Valuation.objects.restrict(w["bank"], "view").count() == 1
    with pytest.raises(PermissionDenied):  # only the person revokes
        talent_consent_revoke(consent=consent, actor=w["ent1"])
    talent_consent_revoke(consent=consent, actor=person_user)
    assert AuditEntry.objects.filter(action="revoke", object_type="talent.talentconsent",
                                     object_id=str(consent.pk)).exists()
    assert not Valuation.objects.restrict(w["bank"], "view").exists()
    with pytest.raises(ValidationError) as exc:
        person_valuation_read(person=p, user=w["bank"])
    assert _codes(exc.value) == {E.NO_CONSENT}
    with pytest.raises(ValidationError) as exc:
        talent_consent_revoke(consent=consent, actor=person_user)
    assert _codes(exc.value) == {E.CONSENT_REVOKED}


def test_team_value_loan_limit_and_marketplace_feature_follow_the_consented_people():
    w = world()
    a = person_register(enterprise=w["e1"], full_name="张小明", id_number=id_number(1), facts=STRONG, actor=w["ent1"])
    b = person_register(enterprise=w["e1"], full_name="李四", id_number=id_number(2), facts=PLAIN, actor=w["ent1"])
    consents = [talent_consent_grant(person=p, organization=w["org1"], purpose="valuation", valid_until=until(),
                                     actor="test") for p in (a, b)]
    valuation_run_execute(actor=w["ent1"], enterprise=w["e1"])
    va, vb = (Valuation.objects.get(person=p) for p in (a, b))
    team = team_value(w["e1"].pk)
    assert team["people"] == 2 and team["low"] == va.value_low + vb.value_low
    assert enterprise_features(w["e1"])["talent_value_low"] == float(team["low"])
    product = product_create(institution=w["bank_org"], kind="loan", category="credit", name="人才贷", amount_min=100000,
                             amount_max=5000000, term_min_months=12, term_max_months=36, rate="0.04",
                             actor=w["bank"])
    terms = talent_terms_set(product=product, advance_rate="0.5", cap="300000", actor=w["bank"])
    assert loan_limit(terms, enterprise_id=w["e1"].pk) == min(terms.cap, team["low"] * terms.advance_rate)
    terms = talent_terms_set(product=product, advance_rate="0.1", cap="99000000", actor=w["bank"])
    assert loan_limit(terms, enterprise_id=w["e1"].pk) == (team["low"] * terms.advance_rate).quantize(Decimal("0.01"))
    with pytest.raises(ValidationError) as exc:
        talent_terms_set(product=product, advance_rate="1.5", cap="1", actor=w["bank"])
    assert _codes(exc.value) == {E.BAD_TERMS}
    talent_consent_revoke(consent=consents[0], actor="test")
    assert team_value(w["e1"].pk)["low"] == vb.value_low  # the revoked person drops out at once
    today = timezone.localdate()
    assert metrics.talent_people_valued(region_code="370100", start=today, end=today) == (1, None)


def test_an_enterprise_may_not_value_another_team_nor_a_regulator_outside_its_region():
    w = world()
    with pytest.raises(PermissionDenied):
        valuation_run_execute(actor=w["ent2"], enterprise=w["e1"])
    district = user("d1", organization(K.REGULATOR, "历城", "370112"))
    with pytest.raises(ValidationError) as exc:
        valuation_run_execute(actor=district, region_code="370102")
    assert _codes(exc.value) == {E.BAD_REGION}
