"""Test data for the theme database: valid interchange records, loaded through the real loader,
and organisations/users of every kind."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kechuang.accounts.choices import OrganizationKind, Role
from kechuang.accounts.models import Organization, Region
from kechuang.accounts.regions import regions_load
from kechuang.engine.facts.uscc import make_uscc
from kechuang.engine.facts.validate import explode, validate_record
from kechuang.enterprises.choices import SourceKind
from kechuang.enterprises.loading import FactLoader, existing_usccs
from kechuang.enterprises.services import (data_source_ensure, enterprise_summaries_refresh,
                                           source_batch_create)
from kechuang.enterprises.summary import summarize

TODAY = date(2026, 11, 22)


def uscc(n: int, region: str = "370102") -> str:
    return make_uscc(region, f"MA{n:07d}")


def record(n: int = 1, region: str = "370102", **overrides) -> dict:
    """A valid record of a small tech enterprise with three fiscal years."""
    base = {
        "uscc": uscc(n, region), "name": f"济南测试科技有限公司{n}", "registered_on": "2015-03-01",
        "region_code": region, "industry_code": "I6513", "resident_enterprise": True,
        "years": [
            {"year": 2023, "employees": 80, "tech_staff": 20, "rd_staff": 15,
             "operating_revenue": 30_000_000, "rd_expense": 1_500_000, "total_assets": 40_000_000,
             "total_liabilities": 10_000_000, "net_profit": 2_000_000, "tax_credit_grade": "A"},
            {"year": 2024, "employees": 90, "tech_staff": 24, "rd_staff": 18,
             "operating_revenue": 36_000_000, "rd_expense": 1_900_000, "total_assets": 45_000_000,
             "total_liabilities": 12_000_000, "net_profit": 2_500_000, "tax_credit_grade": "A"},
            {"year": 2025, "employees": 100, "tech_staff": 30, "rd_staff": 22,
             "operating_revenue": 42_000_000, "rd_expense": 2_400_000, "total_assets": 52_000_000,
             "total_liabilities": 15_000_000, "net_profit": 3_100_000, "tax_credit_grade": "B"},
        ],
        "ip": [
            {"type": "invention_patent", "number": f"ZL2021{n:06d}.1", "granted_on": "2022-05-10",
             "acquisition": "self_developed"},
            {"type": "software_copyright", "number": f"2023SR{n:06d}", "granted_on": "2023-08-01",
             "acquisition": "self_developed"},
        ],
        "certificates": [{"kind": "tsme", "valid_from": "2026-05-01", "valid_to": "2026-12-31"}],
    }
    base.update(overrides)
    return base


def load(records: list[dict], *, source_code: str = "test-feed", actor="test", mode: str = "upsert",
         recorded_at=None):
    """Load already-valid records through the real set-based loader (what an import does after
    validation). Returns the batch and the load statistics."""
    with transaction.atomic():
        return _load(records, source_code=source_code, actor=actor, mode=mode, recorded_at=recorded_at)


def _load(records, *, source_code, actor, mode, recorded_at):
    source = data_source_ensure(code=source_code, name=f"测试来源 {source_code}", kind=SourceKind.FEED)
    batch = source_batch_create(source=source, actor=actor, mode=mode, recorded_at=recorded_at or timezone.now())
    known = existing_usccs([r["uscc"] for r in records])
    with FactLoader(batch=batch, mode=mode) as loader:
        for raw in records:
            result = validate_record(raw, today=TODAY, partial=raw["uscc"] in known)
            assert result.ok, result.errors
            loader.stage(raw["uscc"], explode(result.record),
                         None if raw["uscc"] in known else summarize(result.record, today=TODAY))
        stats = loader.apply()
    enterprise_summaries_refresh(stats.changed_enterprise_ids, today=TODAY)
    return batch, stats


def organization(kind: str, name: str | None = None, region: str = "370100", enterprise=None) -> Organization:
    if not Region.objects.filter(code=region).exists():  # a transactional test flushed them
        regions_load(Region)
    return Organization.objects.create(name=name or f"{kind}-{Organization.objects.count() + 1}",
                                       kind=kind, region_id=region, enterprise=enterprise)


def user(username: str, org: Organization | None, role: str = Role.OFFICER, **kw):
    return get_user_model().objects.create_user(username, password="pw-12345678", organization=org,
                                                role=role, **kw)


def regulator(username="reg", region="370100", role=Role.ADMIN):
    return user(username, organization(OrganizationKind.REGULATOR, f"监管-{username}", region), role)


def bank(username="bank"):
    return user(username, organization(OrganizationKind.BANK, f"银行-{username}"))
