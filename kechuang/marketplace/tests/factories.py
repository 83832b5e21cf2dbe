"""Test data for the marketplace: institutions of each kind, an enterprise with its user, products."""

from __future__ import annotations

from decimal import Decimal

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, organization, record, user
from kechuang.marketplace import choices as c
from kechuang.marketplace.services import product_create

HNTE_OR_TSME = [{"id": "titles", "kind": "any_of", "title": "科技资质（任一）", "clauses": [
    {"id": "h", "kind": "condition", "title": "高新技术企业", "feature": "hnte", "op": "is_true"},
    {"id": "t", "kind": "condition", "title": "科技型中小企业", "feature": "tsme", "op": "is_true"}]},
    {"id": "city", "kind": "condition", "title": "注册在济南", "feature": "region_city", "op": "in",
     "value": ["370100"]}]


def institution(kind: str, name: str):
    org = organization(kind, name)
    return org, user(f"u-{name}", org)


def enterprise(n: int = 1, region: str = "370102"):
    load([record(n, region)])
    e = Enterprise.objects.get(uscc=record(n, region)["uscc"])
    org = organization(OrganizationKind.ENTERPRISE, f"企业-{n}", enterprise=e)
    return e, user(f"ent-{n}", org, role=Role.ADMIN)


def loan_product(bank_org, bank_user, name="科创信用贷", **kw):
    args = dict(institution=bank_org, kind=c.ProductKind.LOAN, category=c.ProductCategory.CREDIT, name=name,
                amount_min=Decimal("100000"), amount_max=Decimal("5000000"), term_min_months=3,
                term_max_months=36, rate=Decimal("0.0385"), eligibility=HNTE_OR_TSME, actor=bank_user)
    args.update(kw)
    return product_create(**args)
