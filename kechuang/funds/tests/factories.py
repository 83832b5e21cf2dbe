"""Test data for the funds: three officers of the Jinan regulator (for the four-eyes rule), a bank,
a guarantor, enterprises, and loans disbursed on a given day through the marketplace's services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.tests.factories import organization, user
from kechuang.funds.services import programmes_sync
from kechuang.marketplace import choices as mc
from kechuang.marketplace import services as ms
from kechuang.marketplace.models import FinancingRequest
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product

TZ = dt.timezone(dt.timedelta(hours=8))


def world() -> dict:
    reg = organization(K.REGULATOR, "济南市地方金融监管局（测试）", "370100")
    officers = [user(f"officer-{i}", reg) for i in "abc"]
    district = user("district-officer", organization(K.REGULATOR, "历城区金融办（测试）", "370112"))
    bank, bank_u = institution(K.BANK, "银行甲")
    bank2, bank2_u = institution(K.BANK, "银行乙")
    guar, guar_u = institution(K.GUARANTOR, "担保甲")
    ent, ent_u = enterprise(1)
    ent2, ent2_u = enterprise(2, region="370112")
    ip = loan_product(bank, bank_u, name="知识产权质押贷", category=mc.ProductCategory.IP_PLEDGE)
    credit = loan_product(bank, bank_u, name="科创信用贷")
    programmes = {p.code: p for p in programmes_sync(actor=officers[0])}
    return dict(reg_a=officers[0], reg_b=officers[1], reg_c=officers[2], district=district, bank=bank,
                bank_u=bank_u, bank2=bank2, bank2_u=bank2_u, guar=guar, guar_u=guar_u, ent=ent, ent_u=ent_u,
                ent2=ent2, ent2_u=ent2_u, ip=ip, credit=credit, programmes=programmes)


def disbursed_loan(w, *, product=None, enterprise=None, actor=None, amount="800000", rate="0.04", term=12,
                   on=dt.date(2026, 7, 1), guaranteed=False) -> FinancingRequest:
    """A loan taken through the marketplace's workflow, its disbursement dated ``on`` (the
    workflow stamps today; the tests need a fixed day for exact interest)."""
    product = product or w["ip"]
    ent, ent_u = (enterprise, actor) if enterprise is not None else (w["ent"], w["ent_u"])
    d = ms.demand_post(enterprise=ent, kind="debt", amount=amount, term_months=term, purpose="rd", actor=ent_u)
    r = ms.request_apply(demand=d, product=product, actor=ent_u)
    r = ms.request_pick_up(request=r, actor=w["bank_u"])
    r = ms.request_review(request=r, actor=w["bank_u"])
    r = ms.request_decide(request=r, approve=True, amount=amount, rate=rate, actor=w["bank_u"])
    if guaranteed:
        leg = ms.leg_add(request=r, kind="guarantee", provider=w["guar"], covered_amount=amount, actor=w["bank_u"])
        ms.leg_decide(leg=leg, approve=True, actor=w["guar_u"])
    r = ms.request_contract(request=r, actor=w["bank_u"])
    r = ms.request_disburse(request=r, actor=w["bank_u"])
    FinancingRequest.objects.filter(pk=r.pk).update(disbursed_at=dt.datetime.combine(on, dt.time(10), tzinfo=TZ))
    return FinancingRequest.objects.get(pk=r.pk)


def defaulted_loss(w, loss="1000000") -> FinancingRequest:
    """A guaranteed loan that defaulted with ``loss`` booked 20:20:40:20 (the bank's share 20%)."""
    r = disbursed_loan(w, product=w["credit"], amount="2000000", guaranteed=True)
    ms.leg_default_book(leg=r.legs.get(), loss=loss, actor=w["guar_u"])
    return r


def now_day() -> dt.date:
    return timezone.localdate()


MONEY = Decimal
