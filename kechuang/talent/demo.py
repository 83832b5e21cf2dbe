"""Demo data of the talent app (run by ``kechuang demo``) — ALL SYNTHETIC (合成数据): made-up
people (names drawn from common characters, ID numbers generated with a valid check digit but
belonging to nobody) on the synthetic demo enterprises of Jinan; consents (most to a service
agency for 人才价值评估; on the demo enterprise's team one 人才贷授信 to the demo bank, one to the
enterprise itself, one never given, one revoked); a person login ``rencai`` for the first of them;
a valuation run of the city; and a 人才贷（演示） product whose limit follows the team value."""

from __future__ import annotations

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.accounts.models import Organization
from kechuang.engine.talent.privacy import with_check_digit
from kechuang.enterprises.models import Enterprise
from kechuang.marketplace.services import product_create

from .choices import TalentConsentPurpose as P
from .models import TalentPerson, ValuationRun
from .services import (person_register, talent_consent_grant, talent_consent_revoke, talent_terms_set,
                       valuation_run_execute)

DEMO_ACTOR = "demo:talent"
CITY = "370100"
PRODUCT_NAME = "人才贷（演示）"
PERSON_LOGIN = "rencai"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红"
PROGRAMMES = ("taishan_scholar", "taishan_industry_leader", "jinan_talent_plan", "quancheng_industry_leader",
              "national_talent_plan", "qilu_craftsman")


def _facts(rng: random.Random) -> dict:
    degree = rng.choice(["bachelor", "bachelor", "master", "master", "phd", "college"])
    return {
        "education": [{"degree": degree, "tier": rng.choice(["other", "key", "top"]), "institution": "（合成）"}],
        "titles": [{"level": rng.choice(["intermediate", "deputy_senior", "senior", "junior"])}] if rng.random() < .8 else [],
        "honours": [{"programme": rng.choice(PROGRAMMES)} for _ in range(rng.choice([0, 0, 1, 1, 2]))],
        "ip": [{"kind": rng.choice(["invention", "invention", "utility_model", "software"])}
               for _ in range(rng.randint(0, 8))],
        "projects": [{"level": rng.choice(["city", "provincial", "national"]), "role": rng.choice(["lead", "member"])}
                     for _ in range(rng.randint(0, 3))],
        "employment": [{"employer": "（合成）", "start": f"{rng.randint(2012, 2024)}-0{rng.randint(1, 9)}-01",
                        "end": None, "current": True}],
        "insurance": {"continuous_months": rng.randint(6, 180), "base_monthly": rng.randint(4000, 30000)},
        "economic": {"annual_salary": rng.randint(8, 120) * 10000, "equity_share": rng.choice([0, 0, 0.5, 2, 8]),
                     "attributable_revenue": rng.randint(0, 200) * 100000},
    }


def _id(rng: random.Random, region: str) -> str:
    born = f"{rng.randint(1965, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    return with_check_digit(f"{region or CITY}{born}{rng.randint(0, 999):03d}")


def demo_talent(*, progress=None) -> dict:
    if TalentPerson.objects.filter(is_synthetic=True).exists():
        return {"skipped": "already done"}
    User = get_user_model()
    login = User.objects.filter(username="enterprise").select_related("organization").first()
    if login is None or login.organization is None or login.organization.enterprise_id is None:
        return {"skipped": "no demo enterprise login"}
    own = login.organization.enterprise
    agency = Organization.objects.filter(kind="service_agency").order_by("pk").first()
    bank_user = User.objects.filter(username="bank").select_related("organization").first()
    bank = bank_user.organization if bank_user else None
    rng = random.Random(15)
    now = timezone.now()
    until = now + timedelta(days=365)
    others = list(Enterprise.objects.filter(is_synthetic=True, region_code__startswith="3701")
                  .exclude(pk=own.pk).order_by("pk")[:30])
    people = []
    for _i in range(5):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        people.append(person_register(enterprise=own, full_name=name, id_number=_id(rng, own.region_code),
                                      facts=_facts(rng), actor=DEMO_ACTOR, is_synthetic=True))
    person_user = User.objects.filter(username=PERSON_LOGIN).first()
    if person_user is None:
        from kechuang.demo.services import DEMO_PASSWORD
        person_user = User.objects.create_user(PERSON_LOGIN, password=DEMO_PASSWORD, display_name="演示人才（合成）")
    people[0].user = person_user
    people[0].save(update_fields=["user"])
    if bank is not None:
        talent_consent_grant(person=people[0], organization=bank, purpose=P.TALENT_LOAN, valid_until=until,
                             actor=DEMO_ACTOR, evidence="演示授权书-001")
        talent_consent_grant(person=people[1], organization=bank, purpose=P.TALENT_LOAN, valid_until=until,
                             actor=DEMO_ACTOR, evidence="演示授权书-002")
    talent_consent_grant(person=people[2], organization=login.organization, purpose=P.VALUATION, valid_until=until,
                         actor=DEMO_ACTOR, evidence="演示授权书-003")
    # people[3]: no consent at all; people[4]: consent given, then revoked
    if agency is not None:
        c = talent_consent_grant(person=people[4], organization=agency, purpose=P.VALUATION, valid_until=until,
                                 actor=DEMO_ACTOR, evidence="演示授权书-005")
        talent_consent_revoke(consent=c, actor=DEMO_ACTOR)
    for e in others:
        for _k in range(rng.randint(1, 3)):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            p = person_register(enterprise=e, full_name=name, id_number=_id(rng, e.region_code), facts=_facts(rng),
                                actor=DEMO_ACTOR, is_synthetic=True)
            if agency is not None and rng.random() < .85:
                talent_consent_grant(person=p, organization=agency, purpose=P.VALUATION, valid_until=until,
                                     actor=DEMO_ACTOR, evidence="演示授权书")
    run = valuation_run_execute(actor=DEMO_ACTOR, region_code=CITY, is_synthetic=True)
    product = None
    if bank is not None:
        product = product_create(
            institution=bank, kind="loan", category="credit", name=PRODUCT_NAME, amount_min="100000",
            amount_max="5000000", term_min_months=12, term_max_months=36, rate="0.0345",
            eligibility=[{"id": "city", "kind": "condition", "title": "注册在济南市", "feature": "region_city",
                          "op": "==", "value": "370100"},
                         {"id": "talent", "kind": "condition", "title": "人才团队价值下限不低于50万元",
                          "feature": "talent_value_low", "op": ">=", "value": 500000}],
            actor=bank_user, is_synthetic=True,
            description="合成演示产品（synthetic）：额度 = min（300万元，50% × 已授权人才团队价值下限）")
        talent_terms_set(product=product, advance_rate="0.5", cap="3000000", actor=bank_user)
    return {"people": TalentPerson.objects.filter(is_synthetic=True).count(), "run": run.pk,
            "valued": run.people_total, "product": product.pk if product else None,
            "runs": ValuationRun.objects.count()}
