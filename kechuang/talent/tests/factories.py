"""Test data of the talent app (synthetic people: made-up names, generated ID numbers)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.engine.talent.privacy import with_check_digit
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, organization, record, user

STRONG = {"education": [{"degree": "phd", "tier": "top"}], "titles": [{"level": "senior"}],
          "honours": [{"programme": "taishan_scholar"}], "ip": [{"kind": "invention"}] * 4,
          "projects": [{"level": "national", "role": "lead"}],
          "insurance": {"continuous_months": 96, "base_monthly": 15000},
          "economic": {"annual_salary": 500000, "equity_share": 3, "attributable_revenue": 3000000}}
PLAIN = {"education": [{"degree": "bachelor"}], "titles": [], "honours": [], "ip": [], "projects": [],
         "insurance": {"continuous_months": 24, "base_monthly": 6000}, "economic": {"annual_salary": 150000}}


def id_number(n: int, region: str = "370102") -> str:
    return with_check_digit(f"{region}19880101{n:03d}")


def until(days: int = 180):
    return timezone.now() + timedelta(days=days)


def world():
    """Two enterprises of 370102 and 370112, their enterprise logins, a bank, an agency."""
    load([record(1, "370102"), record(2, "370112")])
    e1, e2 = Enterprise.objects.order_by("pk")
    org1 = organization(K.ENTERPRISE, "企业一", "370102", enterprise=e1)
    org2 = organization(K.ENTERPRISE, "企业二", "370112", enterprise=e2)
    bank_org = organization(K.BANK, "银行")
    agency = organization(K.SERVICE_AGENCY, "服务机构")
    return {"e1": e1, "e2": e2, "ent1": user("ent1", org1), "ent2": user("ent2", org2),
            "bank": user("bank1", bank_org), "bank_org": bank_org, "agency": agency, "org1": org1}
