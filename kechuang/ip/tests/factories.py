"""Test data for the IP app: an enterprise holding three patents (one valuable, one expired, one
without revenue), a bank with the enterprise's consent, an IP-pledge product."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.choices import ConsentPurpose
from kechuang.enterprises.models import Consent, Enterprise
from kechuang.enterprises.tests.factories import load, organization, record, user
from kechuang.marketplace import choices as mc
from kechuang.marketplace.services import product_create

AS_OF = dt.date(2026, 11, 22)
P1, P2, P3 = "ZL201810000001.1", "ZL201220000002.2", "ZL202010000003.3"
IP_ITEMS = [
    {"number": P1, "title": "一种数据加密方法", "type": "invention_patent", "granted_on": "2020-05-01",
     "filed_on": "2018-01-01", "claims": 8, "citations": 4, "family_size": 2, "litigations": 0, "licences": 1,
     "attributable_revenue": 3_000_000, "industrializable": True},
    {"number": P2, "title": "一种夹具", "type": "utility_model", "granted_on": "2012-09-01",
     "filed_on": "2012-01-01", "claims": 3, "attributable_revenue": 800_000},
    {"number": P3, "title": "一种电池材料", "type": "invention_patent", "granted_on": "2023-03-01",
     "filed_on": "2020-06-01", "claims": 12},
]


def ip_enterprise(n: int = 1, region: str = "370102"):
    load([record(n, region, ip=IP_ITEMS)])
    e = Enterprise.objects.get(uscc=record(n, region)["uscc"])
    org = organization(K.ENTERPRISE, f"企业-{n}", enterprise=e)
    return e, user(f"ent-{n}", org)


def bank_with_consent(enterprise, name: str = "银行甲"):
    org = organization(K.BANK, name)
    now = timezone.now()
    Consent.objects.create(enterprise=enterprise, organization=org, purpose=ConsentPurpose.CREDIT_ASSESSMENT,
                           valid_from=now - dt.timedelta(days=1), valid_until=now + dt.timedelta(days=300))
    return org, user(f"u-{name}", org)


def ip_product(bank_org, bank_user, name="知识产权质押贷"):
    return product_create(institution=bank_org, kind=mc.ProductKind.LOAN, category=mc.ProductCategory.IP_PLEDGE,
                          name=name, amount_min=Decimal("100000"), amount_max=Decimal("10000000"), term_min_months=6,
                          term_max_months=36, rate=Decimal("0.0395"), eligibility=[], actor=bank_user)
