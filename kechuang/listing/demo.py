"""The listing pool's demo step: SYNTHETIC listing facts (market value with its basis and date,
net profit after non-recurring items, operating cash flow, weighted ROE) for demo enterprises,
imported through the ordinary pipeline under the source ``listing-demo`` (合成演示数据), a first pool
run, milestones with （演示） intermediaries, new facts (an incident), and a second run — so the pool
page shows real entries, promotions, demotions and exits. Idempotent: once today's two demo runs
exist, nothing happens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
from django.conf import settings
from django.utils import timezone

from kechuang.enterprises.choices import SourceKind
from kechuang.enterprises.demo import demo_enterprises
from kechuang.enterprises.services import data_source_ensure
from kechuang.ingest.services import import_run_create, import_run_execute

from . import choices as c
from .adapter import records_as_of
from .models import Milestone, PoolRun
from .services import milestone_record, pool_run_execute

ACTOR = "command:demo"
REGION = "370100"
#: (milestones reached, board) for the demo enterprises at positions 0, 1, … (SYNTHETIC story).
STORY = [
    (("joint_stock",), "bse"),
    (("joint_stock", "tutoring"), "star"),
    (("joint_stock", "tutoring", "application"), "chinext"),
    (("joint_stock", "tutoring", "application", "approval", "registration", "listed"), "star"),
    (("joint_stock",), "chinext"),
    (("joint_stock", "tutoring"), "bse"),
    (("joint_stock",), ""),
    (("joint_stock", "tutoring", "application", "approval"), "bse"),
]
SPONSORS = ("示范证券股份有限公司（演示）", "齐鲁示范证券（演示）")
LAW_FIRMS = ("示范律师事务所（演示）",)
ACCOUNTANTS = ("示范会计师事务所（特殊普通合伙）（演示）",)


def _listing_facts(ids: list[int], as_of: dt.date) -> list[dict]:
    """SYNTHETIC listing facts consistent with each enterprise's own revenue and profit."""
    out = []
    for i, (_eid, rec) in enumerate(records_as_of(ids, as_of=as_of)):
        years = sorted(rec.get("years") or [], key=lambda y: y["year"])[-3:]
        if not years:
            continue
        last = years[-1]
        revenue = float(last.get("operating_revenue") or 0)
        profit = float(last.get("net_profit") or 0)
        multiple = (6, 9, 12, 15)[i % 4]
        value = max(revenue * multiple / 3, profit * multiple * 3, 50_000_000)
        facts = []
        for k, y in enumerate(years):
            p = float(y.get("net_profit") or 0)
            rev = float(y.get("operating_revenue") or 0)
            assets = float(y.get("total_assets") or 0) - float(y.get("total_liabilities") or 0)
            facts.append({"year": y["year"], "net_profit_deducted": round(p * 0.85, 2),
                          "operating_cash_flow": round(rev * (0.08 + 0.02 * ((i + k) % 3)), 2),
                          "weighted_roe": round(p / assets, 4) if assets > 0 and abs(p / assets) < 10 else None})
        out.append({"uscc": rec["uscc"], "expected_market_value": round(value, 2),
                    "market_value_basis": ("recent_financing", "comparable_companies", "sponsor_estimate")[i % 3],
                    "market_value_date": (as_of - dt.timedelta(days=30 + i)).isoformat(), "years": facts})
    return out


def _import(records: list[dict], name: str) -> None:
    source = data_source_ensure(code="listing-demo", name="上市后备演示数据（合成，非真实企业）",
                                kind=SourceKind.SYNTHETIC, department="Kechuang demo generator")
    folder = Path(settings.VAR_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    run = import_run_create(path=path, file_name=path.name, source=source, actor=ACTOR, store_copy=False)
    import_run_execute(run=run, actor=ACTOR)


def demo_listing(progress=None) -> dict:
    today = timezone.localdate()
    if PoolRun.objects.filter(region_code=REGION, as_of=today, actor_label=ACTOR).count() >= 2:
        return {"skipped": True}
    enterprises = demo_enterprises(80)[:60]
    if not enterprises:
        return {"skipped": True, "reason": "no demo enterprises"}
    ids = [e.pk for e in enterprises]
    _import(_listing_facts(ids, today), f"listing-facts-{today.isoformat()}-synthetic.jsonl")
    first = pool_run_execute(region_code=REGION, as_of=today, actor=ACTOR)
    # milestones of the story: the demo login's enterprise, then enterprises of the first run's pool
    # (so they are promoted), then others (so they enter)
    ladder = first.placements.filter(track=c.Track.LADDER).exclude(tier="")
    pooled = [p.enterprise for p in ladder.select_related("enterprise").order_by("-rank", "enterprise_id")]
    story_ents = list(dict.fromkeys([enterprises[0], *pooled[1:5], *enterprises[1:]]))[:len(STORY)]
    recorded = 0
    for n, (ent, (kinds, board)) in enumerate(zip(story_ents, STORY, strict=False)):
        start = today - dt.timedelta(days=400 - 20 * n)
        for k, kind in enumerate(kinds):
            if Milestone.objects.filter(enterprise=ent, kind=kind).exists():
                continue
            milestone_record(enterprise=ent, kind=kind, occurred_on=start + dt.timedelta(days=45 * k),
                             board=board if kind != c.MilestoneKind.JOINT_STOCK else "",
                             sponsor=SPONSORS[n % 2] if kind != c.MilestoneKind.JOINT_STOCK else "",
                             law_firm=LAW_FIRMS[0], accounting_firm=ACCOUNTANTS[0],
                             note="演示数据（合成）", actor=ACTOR)
            recorded += 1
    # new facts between the runs (有进有出、动态调整): a serious incident takes two pooled enterprises
    # out; a loss after non-recurring items moves the others of 培育 back to 储备
    others = [e for e in pooled if e not in story_ents]
    changes = [{"uscc": e.uscc, "incidents": [{"kind": "abnormal_operation_list",
                                                "date": (today - dt.timedelta(days=10)).isoformat()}]}
               for e in others[-2:]]
    cultivating = set(ladder.filter(tier=c.PoolTier.CULTIVATE).values_list("enterprise_id", flat=True))
    changes += [{"uscc": e.uscc, "years": [{"year": today.year - 1, "net_profit_deducted": -1_000_000}]}
                for e in others[:-2] if e.pk in cultivating]
    if changes:
        _import(changes, f"listing-changes-{today.isoformat()}-synthetic.jsonl")
    second = pool_run_execute(region_code=REGION, as_of=today, actor=ACTOR)
    return {"runs": [first.pk, second.pk], "milestones": recorded, "changes": len(changes),
            "moves": second.counts}
