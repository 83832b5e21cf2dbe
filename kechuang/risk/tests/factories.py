"""Test data for the risk app: enterprises with credit facts, a bank with a disbursed loan to one
of them, regulators of the city and of two districts."""

from __future__ import annotations

from decimal import Decimal

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.accounts.choices import Role
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, record, regulator
from kechuang.marketplace import services as ms
from kechuang.marketplace.tests.factories import enterprise, institution, loan_product

OVERDUE = {"contract_number": "JN-2025-001", "lender": "济南农商银行", "kind": "credit", "amount": 1_000_000,
           "start_on": "2025-03-01", "due_on": "2026-03-01", "status": "overdue", "max_overdue_days": 60,
           "overdue_amount": 200_000}
SUED = {"case_number": "（2026）鲁0102民初1号", "decided_on": "2026-06-01", "role": "defendant",
        "kind": "commercial", "amount": 50_000}
LISTED = {"kind": "serious_dishonesty_list", "date": "2026-02-01"}


def disburse(ent_user, ent, bank_user, product, amount="800000"):
    d = ms.demand_post(enterprise=ent, kind="debt", amount="1000000", term_months=12, purpose="rd", actor=ent_user)
    r = ms.request_apply(demand=d, product=product, actor=ent_user)
    r = ms.request_pick_up(request=r, actor=bank_user)
    r = ms.request_review(request=r, actor=bank_user)
    r = ms.request_decide(request=r, approve=True, amount=amount, rate="0.04", actor=bank_user)
    r = ms.request_contract(request=r, actor=bank_user)
    return ms.request_disburse(request=r, actor=bank_user)


def risk_world() -> dict:
    """e1 (历下区 370102) overdue; e2 (历下区) clean; e3 (历城区 370112) on the dishonesty list; the bank
    lent 800,000 to e1 on the platform."""
    e1, e1_u = enterprise(1, "370102")
    e2, _e2_u = enterprise(2, "370102")
    e3, _e3_u = enterprise(3, "370112")
    load([record(1, "370102", loans=[OVERDUE]), record(3, "370112", incidents=[LISTED])])
    bank, bank_u = institution(K.BANK, "银行甲")
    bank2, bank2_u = institution(K.BANK, "银行乙")
    product = loan_product(bank, bank_u)
    req = disburse(e1_u, e1, bank_u, product)
    return dict(e1=Enterprise.objects.get(pk=e1.pk), e2=e2, e3=e3, e1_u=e1_u, bank=bank, bank_u=bank_u,
                bank2=bank2, bank2_u=bank2_u, product=product, request=req,
                city=regulator("city", "370100", Role.ADMIN), shizhong=regulator("shizhong", "370102", Role.OFFICER),
                licheng=regulator("licheng", "370112", Role.OFFICER),
                viewer=regulator("viewer", "370100", Role.VIEWER), amount=Decimal("800000.00"))
