"""The 人才贷 amount metric on a small scripted history: only requests on products carrying
人才贷 terms count, once contracted or disbursed, by the enterprise's region."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.marketplace import services as s
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product
from kechuang.talent import metrics
from kechuang.talent.services import talent_terms_set

pytestmark = pytest.mark.django_db


def _disburse(demand, product, bu, amount):
    r = s.demand_grab(demand=demand, product=product, actor=bu)
    r = s.request_review(request=r, actor=bu)
    r = s.request_decide(request=r, approve=True, amount=amount, actor=bu)
    r = s.request_contract(request=r, actor=bu)
    return s.request_disburse(request=r, actor=bu)


def test_talent_loan_amount_counts_only_talent_products():
    bank, bu = institution(K.BANK, "银行甲")
    ent, eu = enterprise(1)
    ent2, eu2 = enterprise(2, region="370112")
    talent = loan_product(bank, bu, name="人才贷")
    plain = loan_product(bank, bu, name="普通信用贷")
    talent_terms_set(product=talent, advance_rate="0.5", cap="3000000", actor=bu)
    d1 = s.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=eu)
    d2 = s.demand_post(enterprise=ent2, kind="debt", amount="500000", term_months=12, purpose="rd", actor=eu2)
    _disburse(d1, talent, bu, "800000")
    _disburse(d2, plain, bu, "400000")
    today = timezone.localdate()
    kw = dict(start=today - timedelta(days=1), end=today)
    assert metrics.talent_loan_amount(region_code="370100", **kw) == (Decimal("800000.00"), None)
    assert metrics.talent_loan_amount(region_code="370112", **kw) == (Decimal(0), None)
