"""Reads of the listing app: an enterprise's readiness per board (live, with gaps), its placements
and milestones; the regulator's pool by tier and district, movements, milestones and awards due."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, QuerySet

from kechuang.accounts.access import VIEW
from kechuang.accounts.models import within_region
from kechuang.engine.listing import awards_due, load_awards
from kechuang.engine.listing.milestones import MILESTONES
from kechuang.engine.qualification import LISTING_FAMILIES, evaluate_record, listing_registry
from kechuang.enterprises.models import Enterprise

from . import choices as c
from .adapter import records_as_of
from .models import Milestone, PoolPlacement, PoolRun

BOARD_LABELS = {"star-listing": "科创板", "chinext-listing": "创业板", "bse-listing": "北交所"}


def enterprise_readiness(*, enterprise: Enterprise, as_of: dt.date) -> list[dict[str, Any]]:
    """The enterprise against each board's listing standard in force on ``as_of`` (facts known at
    the end of that day), with the gaps for the boards not met. Nothing is stored."""
    rec = next(records_as_of([enterprise.pk], as_of=as_of), (None, {"uscc": enterprise.uscc}))[1]
    return evaluate_record(rec, as_of, list(LISTING_FAMILIES), registry=listing_registry())


def runs_for(user, *, region_code: str | None = None) -> QuerySet[PoolRun]:
    qs = PoolRun.objects.restrict(user, VIEW)
    return qs.filter(region_code=region_code) if region_code else qs


def latest_run(user, *, region_code: str | None = None) -> PoolRun | None:
    """The latest run that finished with its placements stored."""
    return (runs_for(user, region_code=region_code).filter(status=c.RunStatus.SUCCEEDED)
            .select_related("previous").first())


def pending_runs(user) -> QuerySet[PoolRun]:
    """Runs queued or computing, with their jobs (for the progress bars)."""
    return runs_for(user).filter(status__in=[c.RunStatus.QUEUED, c.RunStatus.RUNNING]).select_related("job")


def pool_summary(run: PoolRun, user) -> dict[str, Any]:
    """Enterprises per track × tier and per district × tier of ``run`` (within what ``user`` sees)."""
    qs = PoolPlacement.objects.restrict(user, VIEW).filter(run=run).exclude(tier="")
    by_tier: dict[str, dict[str, int]] = defaultdict(dict)
    by_district: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for track, tier, district, n in qs.values_list("track", "tier", "region_code").annotate(n=Count("pk")):
        by_tier[track][tier] = by_tier[track].get(tier, 0) + n
        if track == c.Track.LADDER:
            by_district[district][tier] += n
    tiers = {t: [(tier.value, tier.label, by_tier[t].get(tier.value, 0)) for tier in c.TRACK_TIERS[t]]
             for t in c.TRACK_TIERS}
    districts = [(code, [by_district[code].get(t.value, 0) for t in c.TRACK_TIERS[c.Track.LADDER]])
                 for code in sorted(by_district)]
    return {"tiers": tiers, "districts": districts}


def movements(run: PoolRun, user) -> QuerySet[PoolPlacement]:
    return (PoolPlacement.objects.restrict(user, VIEW).filter(run=run, movement__in=c.MOVED)
            .select_related("enterprise").order_by("track", "movement", "enterprise__name"))


def movement_counts(run: PoolRun, user) -> dict[str, int]:
    rows = (PoolPlacement.objects.restrict(user, VIEW).filter(run=run, movement__in=c.MOVED)
            .values_list("movement").annotate(n=Count("pk")))
    return dict(rows)


def enterprise_placements(enterprise: Enterprise, user) -> list[PoolPlacement]:
    """The enterprise's placement in each track in the latest run that placed it."""
    qs = (PoolPlacement.objects.restrict(user, VIEW).filter(enterprise=enterprise)
          .select_related("run").order_by("-run__created_at", "-run_id"))
    latest = qs.first()
    return list(qs.filter(run_id=latest.run_id)) if latest else []


def enterprise_milestones(enterprise: Enterprise, user) -> list[Milestone]:
    return list(Milestone.objects.restrict(user, VIEW).filter(enterprise=enterprise).order_by("occurred_on", "pk"))


def next_milestone(done: list[Milestone]) -> str | None:
    kinds = {m.kind for m in done}
    return next((code for code, _zh, _en in MILESTONES if code not in kinds), None)


def recent_milestones(user, *, region_code: str | None = None, limit: int = 50) -> QuerySet[Milestone]:
    qs = Milestone.objects.restrict(user, VIEW).select_related("enterprise")
    if region_code:
        qs = qs.filter(within_region(region_code, "enterprise__region_code"))
    return qs.order_by("-occurred_on", "-pk")[:limit]


def awards_for(user, *, region_code: str | None = None, enterprise: Enterprise | None = None) -> list[dict[str, Any]]:
    """The listing awards the seeds promise that the visible enterprises' milestones have earned:
    computed and shown, never paid here."""
    schedule = load_awards()
    kinds = {a.milestone for a in schedule.awards}
    qs = Milestone.objects.restrict(user, VIEW).filter(kind__in=kinds).select_related("enterprise")
    if region_code:
        qs = qs.filter(within_region(region_code, "enterprise__region_code"))
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    by_ent: dict[int, dict[str, dt.date]] = defaultdict(dict)
    ents: dict[int, Enterprise] = {}
    for m in qs:
        by_ent[m.enterprise_id][m.kind] = m.occurred_on
        ents[m.enterprise_id] = m.enterprise
    out = []
    for eid, done in by_ent.items():
        for a in awards_due(schedule, region_code=ents[eid].region_code or "", milestones=done):
            out.append(a | {"enterprise": ents[eid]})
    return sorted(out, key=lambda a: (a["on"], a["enterprise"].pk), reverse=True)
