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
from kechuang.core.formatting import region_name
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import actor_label_for, audit_record, job_enqueue, model_snapshot
from kechuang.engine.listing import load_pool_rules, movement, sequence_problem
from kechuang.engine.qualification import LISTING_FAMILIES, listing_registry
from kechuang.enterprises.models import Enterprise

from . import choices as c
from .adapter import placements
from .error_codes import ListingErrorCode as E
from .models import Milestone, PoolPlacement, PoolRun


def pool_run_create(*, region_code: str, as_of: dt.date, actor, enqueue: bool = False) -> PoolRun:
    """Register a pool run of ``region_code`` on ``as_of`` (queued, with its audit entry); with
    ``enqueue`` a background job (``listing.pool_run``) computes it with live progress."""
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
        run = PoolRun.objects.create(
            region_code=region_code, as_of=as_of, rules_version=rules.id, rules=rules.metadata(),
            boards={f: registry.resolve(f, as_of).id for f in LISTING_FAMILIES},
            created_by=actor if hasattr(actor, "pk") else None, actor_label=actor_label_for(actor))
        if enqueue:
            run.job = job_enqueue(kind="listing.pool_run", params={"run_id": run.pk}, actor=actor)
            run.save(update_fields=["job"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=run, region_code=region_code,
                     after=model_snapshot(run, ["region_code", "as_of", "rules_version", "boards", "status"]))
    return run


def pool_run_compute(*, run: PoolRun, actor, progress: Progress | None = None) -> PoolRun:
    """Place every enterprise of the run's region (and its districts) in the pool's tiers as known
    at the end of ``as_of``, compare with the region's previous succeeded run and store the
    placements (in the pool, or moved) and the counts, in one transaction with its audit entry. A
    failure marks the run ``failed`` with the error and stores no placement."""
    progress = progress or NullProgress()
    PoolRun.objects.filter(pk=run.pk).update(status=c.RunStatus.RUNNING)
    try:
        with transaction.atomic():
            run = PoolRun.objects.select_for_update().get(pk=run.pk)
            _compute(run, progress)
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, region_code=run.region_code,
                         before={"status": c.RunStatus.QUEUED},
                         after=model_snapshot(run, ["status", "enterprises_total", "counts", "previous"]))
    except Exception as exc:  # stored on the run for the page; nothing of the run's placements is kept
        PoolRun.objects.filter(pk=run.pk).update(status=c.RunStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        run.refresh_from_db()
        return run
    progress.finish(_("已完成入库分层：%(n)s 家企业。") % {"n": run.enterprises_total})
    return run


def _compute(run: PoolRun, progress: Progress) -> None:
    rules = load_pool_rules()
    region_code, as_of = run.region_code, run.as_of
    previous = (PoolRun.objects.select_for_update().filter(region_code=region_code, status=c.RunStatus.SUCCEEDED)
                .exclude(pk=run.pk).order_by("-created_at", "-pk").first())
    before: dict[tuple[int, str], tuple[str, int]] = {}
    if previous is not None:
        before = {(e, t): (tier, rank) for e, t, tier, rank in previous.placements.exclude(
            movement=c.Movement.EXITED).values_list("enterprise_id", "track", "tier", "rank")}
    regions = dict(Enterprise.objects.market_entities().filter(within_region(region_code)).order_by("pk")
                   .values_list("pk", "region_code"))
    progress.start(len(regions), _("%(r)s 的 %(n)s 家企业入库分层") % {"r": region_name(region_code), "n": len(regions)})
    rows, counts = [], defaultdict(Counter)
    for i, (eid, feats, placed) in enumerate(placements(rules, list(regions), as_of=as_of), 1):
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
        if i % 1000 == 0:
            progress.advance(1000)
    progress.advance(len(regions) % 1000)
    for (eid, track), (prev_tier, prev_rank) in before.items():  # no facts any more: out of the pool
        if eid in regions:
            counts[track]["exited"] += 1
            counts[f"{track}:moves"]["exited"] += 1
            rows.append(PoolPlacement(run=run, enterprise_id=eid, region_code=regions[eid], track=track,
                                      tier="", rank=0, previous_tier=prev_tier, previous_rank=prev_rank,
                                      movement=c.Movement.EXITED))
    PoolPlacement.objects.bulk_create(rows, batch_size=2000)
    run.previous = previous
    run.enterprises_total = len(regions)
    run.counts = {k: dict(v) for k, v in counts.items()}
    run.status = c.RunStatus.SUCCEEDED
    run.error = ""
    run.save(update_fields=["previous", "enterprises_total", "counts", "status", "error"])


def pool_run_execute(*, region_code: str, as_of: dt.date, actor, progress: Progress | None = None) -> PoolRun:
    """Register and compute a pool run now, in this process (commands, the demo, tests); pages and
    the API queue it instead (:func:`pool_run_create` with ``enqueue``). Raises when it fails."""
    run = pool_run_create(region_code=region_code, as_of=as_of, actor=actor)
    run = pool_run_compute(run=run, actor=actor, progress=progress)
    if run.status != c.RunStatus.SUCCEEDED:
        raise RuntimeError(run.error)
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
