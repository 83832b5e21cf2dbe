"""The IP app's demo step: SYNTHETIC valuation facts, valuations, a pledge rate and pledges for the
demo enterprises (run after the marketplace's step; idempotent — a second run changes nothing).

The valuation facts (filing date, claims, citations, family, litigation, licences, revenue from the
item) are generated here — deterministically, from each item's number — and imported through the
ordinary import pipeline under their own source, so they keep their
provenance like any feed (source 知识产权估值要素合成样本). Pledge registration numbers start with 演示."""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from kechuang.enterprises.choices import SourceKind
from kechuang.enterprises.demo import demo_enterprises
from kechuang.enterprises.selectors import merged_facts
from kechuang.enterprises.services import data_source_ensure
from kechuang.ingest.services import import_run_create, import_run_execute
from kechuang.marketplace.choices import ProductCategory
from kechuang.marketplace.models import Product

from . import choices as c
from . import selectors, services
from .models import Pledge

SOURCE_CODE = "ip-valuation-demo"
DEMO_PREFIX = "演示"


def _facts_for(item: dict, today: dt.date) -> dict:
    rng = random.Random(str(item["number"]))
    granted = item.get("granted_on")
    granted = dt.date.fromisoformat(granted) if isinstance(granted, str) else granted
    filed = (granted or today - dt.timedelta(days=365 * rng.randint(2, 8))) - dt.timedelta(days=rng.randint(200, 1100))
    out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in item.items() if v is not None}
    out.update(filed_on=filed.isoformat(), claims=rng.randint(1, 25), citations=rng.choice([0, 0, 1, 2, 4, 7, 12]),
               family_size=rng.choice([1, 1, 1, 2, 3, 5]), litigations=rng.choice([0, 0, 0, 0, 1, 2]),
               licences=rng.choice([0, 0, 1, 2, 4]),
               attributable_revenue=rng.choice([500_000, 1_200_000, 3_000_000, 6_500_000, 12_000_000, 25_000_000]))
    if rng.random() < 0.15:
        out.pop("attributable_revenue")  # some items lack the revenue: shown as 数据不足, with the fact named
    return out


def _import_facts(enterprises, today: dt.date) -> int:
    facts = merged_facts([e.pk for e in enterprises])
    records = []
    for e in enterprises:
        items = [i for i in facts[e.pk].record.get("ip") or [] if i.get("number")][:6]
        if not items:  # an enterprise without numbered IP gets two synthetic patents, so every page has items
            items = [{"number": f"ZL20{19 + k}1{e.pk:07d}.{k}", "title": f"一种演示用技术方案{k + 1}（合成样本）",
                      "type": "invention_patent", "granted_on": dt.date(today.year - 3 + k, 6, 1),
                      "acquisition": "self_developed", "industrializable": True} for k in range(2)]
        records.append({"uscc": e.uscc, "ip": [_facts_for(i, today) for i in items]})
    if not records:
        return 0
    data_dir = Path(settings.VAR_DIR) / "demo"
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"ip-valuation-facts-{today.isoformat()}-synthetic.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    source = data_source_ensure(code=SOURCE_CODE, name="知识产权估值要素合成样本", kind=SourceKind.SYNTHETIC,
                                department="Kechuang demo generator")
    run = import_run_create(path=path, file_name=path.name, source=source, actor="command:demo", store_copy=False)
    import_run_execute(run=run, actor="command:demo")
    return len(records)


def demo_ip(*, progress=None) -> dict:
    if Pledge.objects.filter(registration_number__startswith=DEMO_PREFIX).exists():
        return {"skipped": "already loaded"}
    enterprises = demo_enterprises(80)[:30]
    User = get_user_model()
    regulator = User.objects.filter(username="regulator").first()
    bank_user = User.objects.filter(username="bank").first()
    if not enterprises or regulator is None or bank_user is None:
        return {"skipped": "no demo enterprises or organisations"}
    today = timezone.localdate()
    imported = _import_facts(enterprises, today)
    valuations = sum(len(services.valuation_run(enterprise=e, actor=regulator, as_of=today)) for e in enterprises)
    product = Product.objects.filter(institution=bank_user.organization, category=ProductCategory.IP_PLEDGE).order_by("pk").first()
    if product is not None:
        services.pledge_rate_set(product=product, rate=Decimal("0.5"), basis=c.ValueBasis.LOW, actor=bank_user)
    rng = random.Random(2026)
    pledges = 0
    for n, e in enumerate(enterprises[:16]):
        rows = [r for r in selectors.enterprise_overview(e) if r["remaining"] > 0][:2]
        if not rows:
            continue
        remaining = sum(r["remaining"] for r in rows)
        amount = (remaining * Decimal(rng.choice(["0.3", "0.4", "0.5"]))).quantize(Decimal("10000"))
        if amount <= 0:
            continue
        registered = today - dt.timedelta(days=rng.randint(5, 300))
        pledge = services.pledge_register(
            enterprise=e, pledgee=bank_user.organization, ip_keys=[r["key"] for r in rows], amount=amount,
            registered_on=registered, expires_on=registered + dt.timedelta(days=365), product=product,
            registration_number=f"{DEMO_PREFIX}-{today.year}-{n + 1:04d}", actor=bank_user)
        pledges += 1
        if n % 5 == 4:  # a few loans already repaid: the pledge released
            services.pledge_release(pledge=pledge, actor=bank_user, released_on=min(today, registered + dt.timedelta(days=90)),
                                    note="贷款已结清（演示）")
    return {"records": imported, "valuations": valuations, "pledges": pledges}
