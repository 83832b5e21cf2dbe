"""Test data for the trade app: a seller enterprise holding the IP factories' three patents (P2
expired), a buyer enterprise and a university, each an organisation with a writer."""

from __future__ import annotations

from kechuang.accounts.choices import OrganizationKind as K
from kechuang.enterprises.models import Enterprise
from kechuang.enterprises.tests.factories import load, organization, record, user
from kechuang.ip.tests.factories import AS_OF, IP_ITEMS, P1, P2, P3, bank_with_consent, ip_enterprise  # noqa: F401


def party(n: int, kind: str = K.ENTERPRISE, region: str = "370103", ip=None):
    load([record(n, region, ip=ip or [])])
    e = Enterprise.objects.get(uscc=record(n, region)["uscc"])
    org = organization(kind, f"{kind}-{n}", region=region, enterprise=e)
    return org, user(f"{kind}-u{n}", org)
