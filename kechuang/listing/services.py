"""Writes of the listing app: pool runs (placing every enterprise of a region in the tiers and
storing the movements since the previous run) and milestones (in their one order). Each runs in
one transaction that writes its audit entry."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import CHANGE, RUN, covers_region, is_regulator
from kechuang.accounts.models import Region, within_region
from kechuang.core.choices import AuditAction
from kechuang.core.services import actor_label_for, audit_record, model_snapshot
from kechuang.engine.listing import load_pool_rules, movement, sequence_problem
from kechuang.engine.qualification import LISTING_FAMILIES, listing_registry
from kechuang.enterprises.models import Enterprise

from . import choices as c
from .adapter import placements
from .error_codes import ListingErrorCode as E
from .models import Milestone, PoolPlacement, PoolRun


def pool_run_execute(*, region_code: str, as_of: dt.date, actor) -> PoolRun:
    """Place every enterprise of ``region_code`` (and its districts) in the pool's tiers as known at
    the end of ``as_of``, compare with the region's previous run and store the placements (in the
    pool, or moved) and the counts, with one audit entry."""
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": ValidationError(
            _("基准日 %(d)s 在未来：只能按今天或以前的日期分层。") % {"d": as_of.isoformat()}, code=E.FUTURE_DATE)})
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationError({"region_code": ValidationError(_("未知的区划代码 %(c)s。") % {"c": region_code},
                                                              code=E.BAD_REGION)})
    if hasattr(actor, "pk"):
        if not is_regulator(actor, RUN):
            raise PermissionDenied(_("只有监管部门的管理员或经办人员可以发起入库分层（查看人员不能发起）。"))
        if not covers_region(actor, region_code):
            raise ValidationError({"region_code": ValidationError(_("只能对本辖区的企业分层。"), code=E.BAD_REGION)})
    rules = load_pool_rules()
    registry = listing_registry()
    with transaction.atomic():
        previous = (PoolRun.objects.select_for_update().filter(region_code=region_code)
                    .order_by("-created_at", "-pk").first())
        before: dict[tuple[int, str], tuple[str, int]] = {}
        if previous is not None:
            before = {(e, t): (tier, rank) for e, t, tier, rank in previous.placements.exclude(
                movement=c.Movement.EXITED).values_list("enterprise_id", "track", "tier", "rank")}
        regions = dict(Enterprise.objects.filter(within_region(region_code)).order_by("pk")
                       .values_list("pk", "region_code"))
        run = PoolRun.objects.create(
            region_code=region_code, as_of=as_of, rules_version=rules.id, rules=rules.metadata(),
            boards={f: registry.resolve(f, as_of).id for f in LISTING_FAMILIES}, previous=previous,
            created_by=actor if hasattr(actor, "pk") else None, actor_label=actor_label_for(actor))
        rows, counts = [], defaultdict(Counter)
        for eid, feats, placed in placements(rules, list(regions), as_of=as_of):
            boards = {f: feats.get(f"board_{f}") for f in LISTING_FAMILIES}
            for track, p in placed.items():
                prev_tier, prev_rank = before.pop((eid, track), ("", 0))
                move = movement(prev_rank, p["rank"])
                if move == "out":
                    continue
                counts[track][p["tier"] or "exited"] += 1
                if move != "stayed":
                    counts[f"{track}:moves"][move] += 1
                rows.append(PoolPlacement(run=run, enterprise_id=eid, region_code=regions[eid], track=track,
                                          tier=p["tier"] or "", rank=p["rank"], previous_tier=prev_tier,
                                          previous_rank=prev_rank, movement=move, boards=boards,
                                          unmet=p["unmet"][:20], unknown=p["unknown"][:20]))
        for (eid, track), (prev_tier, prev_rank) in before.items():  # no facts any more: out of the pool
            if eid in regions:
                counts[track]["exited"] += 1
                counts[f"{track}:moves"]["exited"] += 1
                rows.append(PoolPlacement(run=run, enterprise_id=eid, region_code=regions[eid], track=track,
                                          tier="", rank=0, previous_tier=prev_tier, previous_rank=prev_rank,
                                          movement=c.Movement.EXITED))
        PoolPlacement.objects.bulk_create(rows, batch_size=2000)
        run.enterprises_total = len(regions)
        run.counts = {k: dict(v) for k, v in counts.items()}
        run.save(update_fields=["enterprises_total", "counts"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=run, region_code=region_code,
                     after=model_snapshot(run, ["region_code", "as_of", "rules_version", "boards",
                                                "enterprises_total", "counts"]))
    return run


def milestone_record(*, enterprise: Enterprise, kind: str, occurred_on: dt.date, actor, board: str = "",
                     sponsor: str = "", law_firm: str = "", accounting_firm: str = "", note: str = "") -> Milestone:
    """Record that ``enterprise`` reached ``kind`` on ``occurred_on``. Milestones come in one order
    (股改 → 辅导备案 → 申报 → 过会 → 注册 → 上市): one out of order, repeated or in the future is
    refused with a coded error and nothing changes."""
    if board and board not in c.Board.values:
        raise ValidationError({"board": ValidationError(_("未知的板块 %(b)s。") % {"b": board}, code=E.BAD_VALUE)})
    with transaction.atomic():
        # the enterprise row serialises concurrent records for one enterprise (no check-then-act)
        # commands and the demo (no user) are not limited; a person needs change rights on the enterprise
        base = Enterprise.objects.restrict(actor, CHANGE) if hasattr(actor, "pk") else Enterprise.objects.all()
        locked = base.select_for_update().filter(pk=enterprise.pk).first()
        if locked is None:
            raise PermissionDenied(_("无权为该企业登记上市里程碑。"))
        recorded = dict(Milestone.objects.filter(enterprise=locked).values_list("kind", "occurred_on"))
        problem = sequence_problem(recorded, kind, occurred_on, timezone.localdate())
        if problem is not None:
            code, zh, _en = problem
            field = "kind" if code in (E.BAD_MILESTONE, E.MILESTONE_EXISTS) else "occurred_on"
            raise ValidationError({field: ValidationError(zh, code=code)})
        m = Milestone.objects.create(enterprise=locked, kind=kind, occurred_on=occurred_on, board=board,
                                     sponsor=sponsor.strip()[:200], law_firm=law_firm.strip()[:200],
                                     accounting_firm=accounting_firm.strip()[:200], note=note.strip(),
                                     recorded_by=actor if hasattr(actor, "pk") else None)
        audit_record(actor=actor, action=AuditAction.CREATE, instance=m, region_code=locked.region_code or "",
                     after=model_snapshot(m))
    return m
