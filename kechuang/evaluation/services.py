"""Writes of the evaluation app: creating and executing evaluation runs.

A region run reads the theme database as known at the end of ``as_of`` (no look-ahead), evaluates
it with the engine's vectorised batch path in chunks (≤ 200,000 enterprises each), stores every
result and placement in bulk (COPY on PostgreSQL, see ``loading``), and writes one audit entry — all in one transaction, so a failed
run leaves no partial results. A file run (``kechuang evaluate --input``) goes file → file through
the engine and records the run (versions, counts) without storing results.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import polars as pl

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kechuang.accounts.access import RUN, covers_region, is_regulator
from kechuang.accounts.models import Region, within_region
from kechuang.core.choices import AuditAction
from kechuang.core.progress import NullProgress, Progress
from kechuang.core.services import actor_label_for, audit_record, job_enqueue, model_snapshot
from kechuang.engine.qualification import (default_registry, evaluate_batch, evaluate_record,
                                           records_to_frame)
from kechuang.enterprises.models import Enterprise

from .adapter import placement, records_as_of
from .choices import RunDetails, RunScope, RunStatus, Tier
from .error_codes import EvaluationErrorCode as E
from .loading import json_text, write_placements, write_results
from .models import EvaluationRun
from .selectors import resolve_versions

#: Enterprises per engine batch (the engine is fastest on slices of ≤ 250k rows).
MAX_CHUNK = 200_000
DEFAULT_CHUNK = 20_000
#: Placements whose next rung has at most this many failing + unknown clauses get their gaps stored.
CLOSE_FOR_GAPS = 3


def _check_as_of(as_of: dt.date) -> None:
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": ValidationError(
            _("评价基准日 %(d)s 在未来：只能评价今天或以前的日期。") % {"d": as_of.isoformat()},
            code=E.FUTURE_DATE)})


def _decimal(v: Any) -> Decimal | None:
    return None if v is None else Decimal(str(round(float(v), 2)))


def evaluation_run_create(*, as_of: dt.date, actor, region_code: str = "", file_name: str = "",
                          standards: list[str] | None = None, details: str = RunDetails.JSON,
                          enqueue: bool = False) -> EvaluationRun:
    """Register a run of ``region_code`` (and the districts in it) or of a file on ``as_of``; with
    ``enqueue`` a background job (``evaluation.run``) executes it."""
    _check_as_of(as_of)
    stds = resolve_versions(as_of=as_of, standards=standards)
    scope = RunScope.FILE if file_name else RunScope.REGION
    if scope == RunScope.REGION:
        if not Region.objects.filter(code=region_code).exists():
            raise ValidationError({"region_code": ValidationError(
                _("未知的区划代码 %(c)s。") % {"c": region_code}, code=E.BAD_REGION)})
        if hasattr(actor, "pk"):
            if not is_regulator(actor, RUN):
                raise PermissionDenied(_("只有监管部门的管理员或经办人员可以发起区域评价（查看人员不能发起任务）。"))
            if not covers_region(actor, region_code):
                raise ValidationError({"region_code": ValidationError(
                    _("只能评价本辖区的企业。"), code=E.BAD_REGION)})
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            as_of=as_of, scope=scope, region_code=region_code if scope == RunScope.REGION else "",
            file_name=file_name[:255], standards=list(standards or []),
            versions={s.family: s.id for s in stds}, rules=[s.metadata() for s in stds],
            details=details, created_by=actor if hasattr(actor, "pk") else None,
            actor_label=actor_label_for(actor))
        if enqueue:
            run.job = job_enqueue(kind="evaluation.run", params={"run_id": run.pk}, actor=actor)
            run.save(update_fields=["job"])
        audit_record(actor=actor, action=AuditAction.CREATE, instance=run, after=model_snapshot(run))
    return run


def _placement_row(run: EvaluationRun, eid: int, region: str, lad: dict) -> tuple:
    """A placement in ``loading.PLACEMENT_COLUMNS`` order."""
    nxt = lad["next"] or {}
    closeness = {k: v for k, v in nxt.items() if k != "failing_clauses"} | (
        {"failing_clauses": nxt["failing_clauses"][:20]} if nxt.get("failing_clauses") else {})
    return (run.pk, eid, region, lad["tier"] or Tier.NONE, lad["tier_rank"], json_text(lad["flags"]),
            nxt.get("standard", ""), nxt.get("status", ""), nxt.get("failing"), nxt.get("unknown"),
            _decimal(nxt.get("points_short")), json_text(closeness))


def _evaluate_chunk(run: EvaluationRun, ids: list[int], regions: dict[int, str], stds: dict,
                    counts: Counter) -> tuple[list[tuple], list[tuple]]:
    """Results and placements of one chunk as rows in ``loading``'s column order."""
    eids, records = [], []
    for eid, record in records_as_of(ids, as_of=run.as_of):
        eids.append(eid)
        records.append(record)
    if not records:
        return [], []
    frame = records_to_frame(records)
    rows = evaluate_batch(frame, run.as_of, list(run.versions.values()), details=run.details)
    by_row: dict[int, list[dict]] = {}
    for r in rows.iter_rows(named=True):
        by_row.setdefault(r["row"], []).append(r)
    with_details = run.details == RunDetails.JSON
    results, placements = [], []
    for i, eid in enumerate(eids):
        enterprise_rows = by_row.get(i, [])
        lad = placement(stds, enterprise_rows, with_details=with_details)
        gaps_by: dict[str, list] = {}
        nxt = lad["next"]
        if with_details and nxt and (nxt["failing"] or 0) + (nxt["unknown"] or 0) <= CLOSE_FOR_GAPS:
            gaps_by[nxt["standard"]] = evaluate_record(records[i], run.as_of, [nxt["version"]])[0]["gaps"]
        for r in enterprise_rows:
            counts[(r["standard"], r["status"])] += 1
            # the engine's compact clause JSON is stored as produced (text into a JSON column)
            results.append((run.pk, eid, r["standard"], r["version"], r["status"], _decimal(r["score"]),
                            _decimal(r["score_min"]), _decimal(r["score_max"]), r["route"],
                            r["clauses"] or None, json_text(gaps_by.get(r["standard"], []))))
        counts[("tier", lad["tier"] or Tier.NONE)] += 1
        placements.append(_placement_row(run, eid, regions[eid], lad))
    return results, placements


def evaluation_run_execute(*, run: EvaluationRun, actor, progress: Progress | None = None,
                           chunk_size: int = DEFAULT_CHUNK) -> EvaluationRun:
    """Evaluate every enterprise of the run's region in chunks and store results and placements
    in one transaction with its audit entry. A failure marks the run ``failed`` with the error and
    stores nothing."""
    progress = progress or NullProgress()
    chunk_size = max(1, min(chunk_size, MAX_CHUNK))
    started = timezone.now()
    EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=started)
    try:
        with transaction.atomic():
            run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
            registry = default_registry()
            stds = {v: registry.get(v) for v in run.versions.values()}
            qs = (Enterprise.objects.market_entities().filter(within_region(run.region_code))
                  .order_by("pk").values_list("pk", "region_code"))
            regions = dict(qs)
            ids = list(regions)
            progress.start(len(ids), _("评价 %(r)s 的 %(n)s 家企业") % {"r": run.region_code, "n": len(ids)})
            counts: Counter = Counter()
            n_results = 0
            for start in range(0, len(ids), chunk_size):
                part = ids[start:start + chunk_size]
                results, placements = _evaluate_chunk(run, part, regions, stds, counts)
                # COPY on PostgreSQL (executemany elsewhere): no model instance per row
                n_results += write_results(results)
                write_placements(placements)
                progress.advance(len(part))
            before = model_snapshot(run)
            run.status = RunStatus.SUCCEEDED
            run.enterprises_total, run.results_total = len(ids), n_results
            run.counts = _counts_json(counts)
            run.started_at, run.finished_at = started, timezone.now()
            run.save()
            audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, before=before,
                         after=model_snapshot(run, ["status", "enterprises_total", "results_total",
                                                    "versions", "counts", "as_of", "region_code"]))
    except Exception as exc:  # report any failure on the run; nothing of it was stored
        EvaluationRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:5000],
                                                       finished_at=timezone.now())
        run.refresh_from_db()
        progress.finish(_("失败"))
        return run
    progress.finish(_("完成"))
    return run


def _counts_json(counts: Counter) -> dict:
    out: dict[str, dict[str, int]] = {"standards": {}, "tiers": {}}
    for (a, b), n in counts.items():
        if a == "tier":
            out["tiers"][b] = n
        else:
            out["standards"].setdefault(a, {})[b] = n
    return out


def evaluation_file_run_record(*, run: EvaluationRun, actor, enterprises_total: int, results_total: int,
                               records_rejected: int, counts: Counter) -> EvaluationRun:
    """Record the outcome of a file run (results went to the output file, not the database)."""
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
        before = model_snapshot(run)
        run.status = RunStatus.SUCCEEDED
        run.enterprises_total, run.results_total = enterprises_total, results_total
        run.records_rejected, run.counts = records_rejected, _counts_json(counts)
        run.started_at = run.started_at or run.created_at
        run.finished_at = timezone.now()
        run.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, before=before,
                     after=model_snapshot(run, ["status", "enterprises_total", "results_total",
                                                "records_rejected", "versions", "counts"]))
    return run


__all__ = ["evaluation_file_run_record", "evaluation_run_create", "evaluation_run_execute"]


#: The columns a result file must have to be imported (``evaluate_batch`` output with ``uscc``).
IMPORT_COLUMNS = ("uscc", "standard", "version", "status", "score", "score_min", "score_max", "route")


def evaluation_run_import(*, run: EvaluationRun, results: pl.DataFrame, actor) -> EvaluationRun:
    """Store results computed outside the platform — a Spark job's ``output=result`` Parquet
    (``kechuang spark evaluate --details json|none``, docs/scale.md) — as the results and tier
    placements of ``run`` (created with the versions the file holds), in one transaction with its
    audit entry, exactly as :func:`evaluation_run_execute` would store them (gaps excepted: they
    need the facts). Rows are matched to the run region's enterprises by USCC; rows of other
    enterprises are not stored but counted (``counts["import"]["outside_region"]``), as are the
    region's enterprises without any row (``without_results``). A file lacking a column, holding
    a version the run does not use, or holding an enterprise's result for a standard twice is
    refused and nothing is stored."""
    missing = [c for c in IMPORT_COLUMNS if c not in results.columns]
    if missing:
        raise ValidationError(_("结果文件缺少列：%(c)s。") % {"c": ", ".join(missing)}, code=E.BAD_RESULTS)
    foreign = sorted(set(results["version"].unique().to_list()) - set(run.versions.values()))
    if foreign:
        raise ValidationError(_("结果文件含本次评价未使用的标准版本：%(v)s。") % {"v": ", ".join(foreign)},
                              code=E.BAD_RESULTS)
    twice = results.group_by("uscc", "standard").len().filter(pl.col("len") > 1)
    if twice.height:
        raise ValidationError(_("结果文件中同一企业同一标准有多行（%(u)s 等 %(n)s 家）。")
                              % {"u": ", ".join(sorted(twice["uscc"].unique().to_list())[:3]), "n": twice["uscc"].n_unique()},
                              code=E.BAD_RESULTS)
    if "clauses" not in results.columns:
        results = results.with_columns(clauses=pl.lit(None, dtype=pl.String))
    started = timezone.now()
    with transaction.atomic():
        run = EvaluationRun.objects.select_for_update().get(pk=run.pk)
        stds = {v: default_registry().get(v) for v in run.versions.values()}
        regions = dict(Enterprise.objects.filter(within_region(run.region_code)).values_list("uscc", "pk"))
        enterprise_region = dict(Enterprise.objects.filter(pk__in=regions.values()).values_list("pk", "region_code"))
        by_uscc: dict[str, list[dict]] = {}
        for r in results.select(*IMPORT_COLUMNS, "clauses").iter_rows(named=True):
            by_uscc.setdefault(r["uscc"], []).append(r)
        with_details = run.details == RunDetails.JSON
        counts: Counter = Counter()
        rows, placements = [], []
        for uscc, eid in sorted(regions.items(), key=lambda kv: kv[1]):
            enterprise_rows = by_uscc.get(uscc)
            if not enterprise_rows:
                continue
            lad = placement(stds, enterprise_rows, with_details=with_details)
            for r in enterprise_rows:
                counts[(r["standard"], r["status"])] += 1
                rows.append((run.pk, eid, r["standard"], r["version"], r["status"], _decimal(r["score"]),
                             _decimal(r["score_min"]), _decimal(r["score_max"]), r["route"],
                             (r["clauses"] if with_details else None) or None, json_text([])))
            counts[("tier", lad["tier"] or Tier.NONE)] += 1
            placements.append(_placement_row(run, eid, enterprise_region[eid], lad))
        n_results = write_results(rows)
        write_placements(placements)
        before = model_snapshot(run)
        run.status = RunStatus.SUCCEEDED
        run.enterprises_total, run.results_total = len(placements), n_results
        run.counts = _counts_json(counts) | {"import": {
            "outside_region": len(set(by_uscc) - set(regions)),
            "without_results": len(set(regions) - set(by_uscc))}}
        run.started_at, run.finished_at = started, timezone.now()
        run.save()
        audit_record(actor=actor, action=AuditAction.UPDATE, instance=run, before=before,
                     after=model_snapshot(run, ["status", "enterprises_total", "results_total",
                                                "versions", "counts", "as_of", "region_code"]))
    return run
